"""``chiiki survey issue-keys``: give each sampled household an access key and write the letters CSV.

The plaintext keys exist only in the CSV: the database keeps hashes. The file is written inside the same
transaction as the hashes (the action `chiiki.surveys.actions.issue_keys_to_csv`), so if it cannot be written
no key is issued.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.surveys import actions
from chiiki.surveys.actions.letters import DEFAULT_ANSWER_URL, answer_url
from chiiki.surveys.cli_args import database_errors, survey_from

ACTOR = "chiiki survey issue-keys"


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
            help=f"依頼状に印刷する回答サイトのURL (default: CHIIKI_SURVEY_ANSWER_URL or {DEFAULT_ANSWER_URL})",
        )
        parser.add_argument(
            "--reissue",
            action="store_true",
            help="未提出の全世帯のキーを発行し直す (old letters stop working)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        url = answer_url(options["url"] or "")
        survey = survey_from(options["survey"])
        try:
            with database_errors():
                issued = actions.issue_keys_to_csv(
                    survey, out, by=Actor.system(ACTOR), url=url, reissue=options["reissue"]
                )
        except FileExistsError as error:
            raise CommandError(
                f"{out} は既にあります。上書きしません (file exists; choose another name)"
            ) from error
        except OSError as error:
            raise CommandError(f"{out} に書き込めません: {error.strerror} (nothing was issued)") from error
        except (actions.SurveyError, PermissionDenied) as error:
            raise CommandError(str(error)) from error
        if not issued:
            raise CommandError(
                f"調査 {survey.pk}: キーの無い世帯はありません (all cases already have keys; "
                "to replace them use --reissue)"
            )
        self.stdout.write(
            f"調査 {survey.pk} ({survey.title}): {issued} 世帯にアクセスキーを発行し、{out} に書き出しました\n"
            f"  回答サイト URL: {url}\n"
            "  キーはこのファイルにしか残りません。印刷後は安全に削除してください "
            "(keys exist only in this file; delete it safely after printing)"
        )
