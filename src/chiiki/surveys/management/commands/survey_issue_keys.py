"""``chiiki survey issue-keys``: give each sampled household an access key and write the letters CSV.

The plaintext keys exist only in the CSV: the database keeps hashes. The file is written inside the same
transaction as the hashes, so if it cannot be written no key is issued.
"""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction

from chiiki.fieldwork.paradata import record_letters_sent
from chiiki.surveys import actions
from chiiki.surveys.models import Survey

ACTOR = "chiiki survey issue-keys"
DEFAULT_URL = "http://localhost:8000/answer/"


class Command(BaseCommand):
    help = (
        "対象世帯にアクセスキーを発行し、印刷業者向けの依頼状CSV(UTF-8 BOM付き)を書き出します "
        "(issue access keys and write the print contractor's letters CSV)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="調査ID (survey ID)")
        parser.add_argument("--out", required=True, type=Path, help="書き出すCSV (must not exist yet)")
        parser.add_argument(
            "--url",
            default=None,
            help=f"依頼状に印刷する回答サイトのURL (default: CHIIKI_SURVEY_ANSWER_URL or {DEFAULT_URL})",
        )
        parser.add_argument(
            "--reissue",
            action="store_true",
            help="未提出の全世帯のキーを発行し直す (old letters stop working)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        url = options["url"] or getattr(settings, "CHIIKI_SURVEY_ANSWER_URL", DEFAULT_URL)
        try:
            survey_id = int(options["survey"])
        except ValueError as error:
            raise CommandError(f"調査IDは数字で指定してください: {options['survey']!r}") from error
        try:
            survey = Survey.objects.select_related("municipality").filter(pk=survey_id).first()
            if survey is None:
                raise CommandError(f"調査ID {survey_id} が見つかりません (survey not found)")
            # "x": never overwrite letters already written; their keys would be lost.
            with out.open("x", encoding="utf-8", newline="") as stream, transaction.atomic():
                issued = actions.issue_access_keys(
                    survey, by=None, reissue=options["reissue"], actor_label=ACTOR
                )
                actions.write_letters_csv(issued, stream, url=url)
                # Paradata: the contractor prints and posts one letter per row of this CSV.
                record_letters_sent(
                    survey,
                    {key.case_id: "post" for key in issued},
                    batch=f"letters-csv-{uuid.uuid4().hex[:12]}",
                )
        except FileExistsError as error:
            raise CommandError(
                f"{out} は既にあります。上書きしません (file exists; choose another name)"
            ) from error
        except OSError as error:
            with contextlib.suppress(OSError):
                out.unlink(missing_ok=True)  # a partly written file holds keys that were rolled back
            raise CommandError(f"{out} に書き込めません: {error.strerror} (nothing was issued)") from error
        except (actions.SurveyError, PermissionDenied) as error:
            out.unlink(missing_ok=True)
            raise CommandError(str(error)) from error
        except DatabaseError as error:
            out.unlink(missing_ok=True)
            raise CommandError(
                f"データベースに書き込めません。chiiki migrate は実行済みですか? (database error: {error})"
            ) from error
        if not issued:
            out.unlink(missing_ok=True)
            raise CommandError(
                f"調査 {survey_id}: キーの無い世帯はありません (all cases already have keys; "
                "to replace them use --reissue)"
            )
        self.stdout.write(
            f"調査 {survey_id} ({survey.title}): {len(issued)} 世帯にアクセスキーを発行し、{out} に書き出しました\n"
            f"  回答サイト URL: {url}\n"
            "  キーはこのファイルにしか残りません。印刷後は安全に削除してください "
            "(keys exist only in this file; delete it safely after printing)"
        )
