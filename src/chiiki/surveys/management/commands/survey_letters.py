"""``chiiki survey letters``: issue access keys and write the request letters as one PDF (and the CSV).

Plaintext keys exist only while the keys are issued, so issuing and printing are one step (the action
`chiiki.surveys.actions.send_request_letters`): if a file cannot be written, no key is issued. Without
``--reissue`` only households that have no key yet get a letter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiiki.core.acting import Actor
from chiiki.surveys import actions
from chiiki.surveys.actions.letters import DEFAULT_BATCH
from chiiki.surveys.cli_args import database_errors, survey_from
from chiiki.surveys.contact.letters import FontMissing

ACTOR = "chiiki survey letters"


def _refusal(error: Exception) -> CommandError:
    """The command's message for a failure of the action (nothing was issued)."""
    if isinstance(error, FontMissing):
        return CommandError(f"{error} (nothing was issued)")
    if isinstance(error, FileExistsError):
        return CommandError(
            f"{error.filename} は既にあります。上書きしません (file exists; choose another name)"
        )
    if isinstance(error, OSError):
        return CommandError(f"{error.filename} に書き込めません: {error.strerror} (nothing was issued)")
    return CommandError(str(error))


class Command(BaseCommand):
    help = (
        "アクセスキーを発行し、依頼状をPDF1つにまとめて書き出します (issue access keys and write the request "
        "letters as one PDF, A4, one page per household; --csv also writes the print contractor's CSV)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="調査ID (survey ID)")
        parser.add_argument("--out", required=True, type=Path, help="書き出すPDF (must not exist yet)")
        parser.add_argument("--csv", type=Path, default=None, help="印刷業者向けCSVも書き出す (optional)")
        parser.add_argument("--large-print", action="store_true", help="大きな文字の依頼状 (large print)")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH,
            help=f"1つのPDFに入れる通数 (letters per PDF, default {DEFAULT_BATCH}); more letters give "
            "NAME-001.pdf, NAME-002.pdf, …",
        )
        parser.add_argument(
            "--reissue",
            action="store_true",
            help="未提出の全世帯のキーを発行し直す (old letters stop working)",
        )
        parser.add_argument("--url", default=None, help="回答サイトのURL (default: CHIIKI_SURVEY_ANSWER_URL)")
        parser.add_argument(
            "--helpdesk", default=None, help="問い合わせ先 (default: CHIIKI_SURVEY_HELPDESK or the town hall)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        survey = survey_from(options["survey"])
        request = actions.LetterRequest(
            out=options["out"],
            csv_out=options["csv"],
            large_print=options["large_print"],
            batch_size=options["batch_size"],
            reissue=options["reissue"],
            url=options["url"] or "",
            helpdesk=options["helpdesk"] or "",
        )
        try:
            with database_errors():
                written = actions.send_request_letters(survey, request, by=Actor.system(ACTOR))
        except (OSError, actions.SurveyError, PermissionDenied) as error:
            raise _refusal(error) from error
        if not written.letters:
            raise CommandError(
                f"調査 {survey.pk}: キーの無い世帯はありません (all cases already have keys; "
                "to print new letters for everyone not yet answered use --reissue)"
            )
        self._report(survey.pk, survey.title, written, large_print=request.large_print)

    def _report(
        self, survey_id: int, title: str, written: actions.LettersWritten, *, large_print: bool
    ) -> None:
        pdfs = written.pdfs
        shown = f"{pdfs[0]} … {pdfs[-1]} ({len(pdfs)} ファイル)" if len(pdfs) > 1 else f"{pdfs[0]}"
        files_text = shown + (f" と {written.csv}" if written.csv is not None else "")
        self.stdout.write(
            f"調査 {survey_id} ({title}): {written.letters} 世帯の依頼状を {files_text} に書き出しました"
            + (" (大きな文字)" if large_print else "")
            + f"\n  回答サイト URL: {written.url}\n"
            "  キーはこのファイルにしか残りません。印刷後は安全に削除してください "
            "(keys exist only in these files; delete them safely after printing)"
        )
