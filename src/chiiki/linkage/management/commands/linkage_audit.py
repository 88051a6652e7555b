"""``chiiki linkage audit --registry REG.csv --links EXISTING.csv --records REC.csv --out DIR``.

Scores links made elsewhere and writes DIR/audit.csv with the suspicious ones, most suspicious first,
each with its reasons (another person fits better, name or birth date disagree, several people tied to
one person, ...). Needs no database; bad input gives a plain message and exit 1.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.linkage.engine import (
    InputError,
    audit_links,
    read_links,
    read_records,
    read_registry,
    write_audit,
)

_REASON_LABELS = {
    "person_not_in_registry": "住民登録にない人への紐付け",
    "record_not_found": "レコードが見つからない",
    "another_person_fits_better": "別の人の方がよく合う",
    "name_disagrees": "氏名が一致しない",
    "birth_date_disagrees": "生年月日が一致しない",
    "sex_disagrees": "性別が一致しない",
    "only_name_birth_date_sex": "氏名・生年月日・性別だけで住所等の裏付けがない",
    "several_people_tied_to_one_person": "別人のレコードが同じ人に紐付いている",
    "low_probability": "一致の確率が低い",
}


class Command(BaseCommand):
    help = "既存の紐付けを点検します (audit existing links against the registry)"
    requires_system_checks: list[str] = []  # noqa: RUF012 - Django's own attribute type
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--registry", required=True, help="住民登録CSV (registry CSV)")
        parser.add_argument(
            "--links", required=True, help="既存の紐付けCSV record_id,person_id (existing links)"
        )
        parser.add_argument("--records", required=True, help="照合対象レコードCSV (records CSV)")
        parser.add_argument("--out", required=True, help="出力先フォルダ (output directory)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            registry = read_registry(options["registry"])
            records = read_records(options["records"])
            links = read_links(options["links"])
        except InputError as error:
            raise CommandError(str(error)) from error
        try:
            result = audit_links(registry, records, links)
        except Exception as error:  # a bug or an exhausted machine must still end with a message, exit 1
            raise CommandError(f"点検を完了できませんでした: {error} / audit failed") from error
        try:
            path = write_audit(result, options["out"])
        except OSError as error:
            raise CommandError(f"出力先に書き込めません: {error} / cannot write output") from error
        flagged = result.suspicious.height
        self.stdout.write(f"点検した紐付け links checked: {result.total:,}")
        self.stdout.write(f"疑わしい紐付け suspicious: {flagged:,} ({flagged / max(result.total, 1):.2%})")
        for reason, count in result.reason_counts().items():
            if count:
                self.stdout.write(f"  {_REASON_LABELS[reason]} ({reason}): {count:,}")
        for row in result.suspicious.head(5).iter_rows(named=True):
            self.stdout.write(
                f"  #{row['rank']} {row['record_id']} -> {row['person_id']}: {row['reasons']}"
                + (f" (より合う人 better: {row['better_person_id']})" if row["better_person_id"] else "")
            )
        self.stdout.write(f"出力 output: {path}")
