import getpass
import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.core.actions import StaffAccountError, create_staff
from chiiki.core.models import Municipality, Role


class Command(BaseCommand):
    help = "職員アカウントを作り、役割を付けます (create a staff account with roles in one municipality)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True, help="6-digit 全国地方公共団体コード")
        parser.add_argument("--username", required=True)
        parser.add_argument("--display-name", default="")
        parser.add_argument(
            "--role", action="append", required=True, choices=Role.values, help="repeat for several roles"
        )
        parser.add_argument(
            "--generate-password",
            action="store_true",
            help="generate and print a password instead of asking for one",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"地方公共団体コード {options['municipality']} が見つかりません")
        if options["generate_password"]:
            password = secrets.token_urlsafe(12)
        else:
            password = getpass.getpass("パスワード (password): ")
            if password != getpass.getpass("もう一度 (again): "):
                raise CommandError("パスワードが一致しません (passwords differ)")
        try:
            user = create_staff(
                municipality,
                username=options["username"],
                display_name=options["display_name"],
                password=password,
                roles=[Role(r) for r in options["role"]],
                by=Actor.system("chiiki staff add"),
            )
        except StaffAccountError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{municipality.display_name}: {user.username} を作成しました "
            f"(roles: {', '.join(options['role'])})"
        )
        if options["generate_password"]:
            self.stdout.write(f"初期パスワード (initial password): {password}")
