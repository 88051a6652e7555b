from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.core.actions import RoleChangeRefused, set_platform_auditor
from chiiki.core.models import User


class Command(BaseCommand):
    help = (
        "プラットフォーム監査担当者(どの団体にも属さない監査記録を検索する人)を任命・解任します "
        "(appoint or dismiss a platform auditor: searches the audit records of no municipality)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--dismiss", action="store_true", help="dismiss instead of appoint")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"ユーザー「{options['username']}」が見つかりません (no such user)")
        appoint = not options["dismiss"]
        try:
            changed = set_platform_auditor(user, appoint, by=Actor.system("chiiki staff platform-auditor"))
        except RoleChangeRefused as error:
            raise CommandError(str(error)) from error
        state = "任命しました (appointed)" if appoint else "解任しました (dismissed)"
        self.stdout.write(
            f"{user.username}: {state}" if changed else f"{user.username}: 変更なし (unchanged)"
        )
