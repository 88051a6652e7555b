"""chiiki procedures_import: take a standard-item dictionary or a procedure's form from another system."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.procedures import actions
from chiiki.procedures.standard.exchange import ImportRejected
from chiiki.tables import TableReadError, check_regular_file


def _read(path: Path) -> bytes:
    try:
        check_regular_file(path)  # refuses pipes and devices by name
    except TableReadError as error:
        raise CommandError(str(error)) from error
    return path.read_bytes()


class Command(BaseCommand):
    help = (
        "標準項目辞書(JSON)または手続の申請書(XLSForm と JSON の説明)を取り込みます。辞書は変更点を示し、"
        "--yes のときだけ使い始めます (import a dictionary, shown as a diff and installed with --yes, or a "
        "procedure's form). See docs/apps/procedures.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True, help="the municipality's 6-digit code")
        kinds = parser.add_subparsers(dest="kind", required=True)
        dictionary = kinds.add_parser("dictionary", help="a dictionary in the layout of dictionary.json")
        dictionary.add_argument("file", type=Path)
        dictionary.add_argument("--yes", action="store_true", help="install it after showing the differences")
        form = kinds.add_parser("form", help="a form: its XLSForm workbook and its form.json description")
        form.add_argument("workbook", type=Path)
        form.add_argument("description", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"地方公共団体コード {options['municipality']} が見つかりません")
        by = Actor.system("chiiki procedures_import")
        try:
            if options["kind"] == "dictionary":
                new, current, diff = actions.check_dictionary(municipality, _read(options["file"]), by=by)
                self.stdout.write(f"版 {current.version} → {new.version}")
                self.stdout.write(f"  追加 (added): {', '.join(diff.added) or '-'}")
                self.stdout.write(f"  削除 (removed): {', '.join(diff.removed) or '-'}")
                changed = "; ".join(f"{name} ({', '.join(fields)})" for name, fields in diff.changed)
                self.stdout.write(f"  変更 (changed): {changed or '-'}")
                if diff.lists_changed:
                    self.stdout.write(f"  選択肢 (lists): {', '.join(diff.lists_changed)}")
                if not options["yes"]:
                    self.stdout.write(
                        "取り込んでいません。--yes をつけると使い始めます (not installed; add --yes)."
                    )
                    return
                actions.install_dictionary(municipality, new, by=by)
                self.stdout.write(f"版 {new.version} を使い始めました (installed).")
            else:
                procedure = actions.import_form(
                    municipality, _read(options["workbook"]), _read(options["description"]), by=by
                )
                self.stdout.write(f"{procedure.code} を取り込みました (imported).")
        except ImportRejected as error:
            raise CommandError(
                "取り込めませんでした。何も書き込んでいません (refused, nothing written):\n"
                + "\n".join(error.problems)
            ) from error
