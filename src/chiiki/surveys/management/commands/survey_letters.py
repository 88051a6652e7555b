"""``chiiki survey letters``: issue access keys and write the request letters as one PDF (and the CSV).

Plaintext keys exist only while the keys are issued, so issuing and printing are one step: the PDF (and, with
``--csv``, the print contractor's CSV) are written inside the transaction that stores the key hashes. If a file
cannot be written, no key is issued. Without ``--reissue`` only households that have no key yet get a letter.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.fieldwork.paradata import record_letters_sent
from chiiki.registry.models import Person
from chiiki.surveys import actions
from chiiki.surveys.letters import FontMissing, Letter, LetterContent, write_letters_pdf
from chiiki.surveys.models import Survey

ACTOR = "chiiki survey letters"
DEFAULT_URL = "http://localhost:8000/answer/"
DEFAULT_BATCH = 5_000  # reportlab holds a PDF's pages in memory until it is closed (about 5 KB a page)


def batch_paths(out: Path, batches: int) -> list[Path]:
    """``out`` itself for one batch, else ``out``'s name with -001, -002, … before the suffix."""
    if batches <= 1:
        return [out]
    return [out.with_name(f"{out.stem}-{number:03d}{out.suffix}") for number in range(1, batches + 1)]


def head_names(survey: Survey) -> dict[int, str]:
    """The current head of each sampled household, by case ID ("山田 太郎"), for the address block."""
    day = survey.reference_date
    case_of = dict(survey.cases.values_list("household_id", "id"))
    heads = Person.objects.filter(
        household__survey_cases__survey=survey,
        relationship="世帯主",
        removed_on__isnull=True,
    ).exclude(registered_on__gt=day)
    return {
        case_of[household_id]: f"{family} {given}".strip()
        for household_id, family, given in heads.values_list("household_id", "family_name", "given_name")
        if household_id in case_of
    }


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

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: C901, PLR0912, PLR0915
        out: Path = options["out"]
        csv_out: Path | None = options["csv"]
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size は1以上にしてください (must be positive)")
        if csv_out is not None and csv_out.resolve() == out.resolve():
            raise CommandError("PDFとCSVには別の名前を指定してください (--out and --csv must differ)")
        url = options["url"] or getattr(settings, "CHIIKI_SURVEY_ANSWER_URL", DEFAULT_URL)
        try:
            survey_id = int(options["survey"])
        except ValueError as error:
            raise CommandError(f"調査IDは数字で指定してください: {options['survey']!r}") from error
        written: list[Path] = []

        def discard() -> None:
            for path in written:
                with contextlib.suppress(OSError):
                    path.unlink(missing_ok=True)  # a partly written file holds keys that were rolled back

        try:
            survey = Survey.objects.select_related("municipality").filter(pk=survey_id).first()
            if survey is None:
                raise CommandError(f"調査ID {survey_id} が見つかりません (survey not found)")
            town = survey.municipality
            content = LetterContent(
                sender=f"{town.prefecture}{town.name} 統計調査担当",
                survey_title=survey.title,
                url=url,
                deadline=timezone.localtime(survey.closes_at - timedelta(seconds=1)).date(),
                helpdesk=options["helpdesk"]
                or getattr(settings, "CHIIKI_SURVEY_HELPDESK", "")
                or f"{town.name}役所 統計調査担当 (開庁時間内)",
                issued_on=timezone.localdate(),
            )
            with contextlib.ExitStack() as files, transaction.atomic():
                # "x": never overwrite letters already written; their keys would be lost.
                pdf = files.enter_context(out.open("xb"))
                written.append(out)
                csv_stream = None
                if csv_out is not None:
                    csv_stream = files.enter_context(csv_out.open("x", encoding="utf-8", newline=""))
                    written.append(csv_out)
                issued = actions.issue_access_keys(
                    survey, by=None, reissue=options["reissue"], actor_label=ACTOR
                )
                names = head_names(survey)
                letters = [
                    Letter(
                        key.login_id, key.access_key, key.postal_code, key.address, names.get(key.case_id, "")
                    )
                    for key in issued
                ]
                pdfs = batch_paths(out, -(-len(letters) // batch_size))
                if len(pdfs) > 1:  # the reserved name gives way to numbered batches
                    pdf.close()
                    out.unlink()
                    written.remove(out)
                for number, path in enumerate(pdfs):
                    stream = pdf if path == out else files.enter_context(path.open("xb"))
                    if path != out:
                        written.append(path)
                    batch = letters[number * batch_size : (number + 1) * batch_size]
                    write_letters_pdf(batch, stream, content, large_print=options["large_print"])
                    stream.close()  # release the batch's pages before drawing the next
                if csv_stream is not None:
                    actions.write_letters_csv(issued, csv_stream, url=url)
                written_batch = audit.record(
                    "surveys.letters_write",
                    actor=None,
                    municipality=town,
                    object_type="survey",
                    object_id=survey.pk,
                    detail={
                        "letters": len(issued),
                        "large_print": options["large_print"],
                        "csv": csv_out is not None,
                    },
                    actor_label=ACTOR,
                )
                # Paradata: one "letter sent" per household, in the transaction of the batch's audit record.
                record_letters_sent(
                    survey,
                    {key.case_id: "post" for key in issued},
                    batch=f"letters-{written_batch.pk}",
                )
        except FontMissing as error:
            discard()
            raise CommandError(f"{error} (nothing was issued)") from error
        except FileExistsError as error:
            discard()
            raise CommandError(
                f"{error.filename} は既にあります。上書きしません (file exists; choose another name)"
            ) from error
        except OSError as error:
            discard()
            raise CommandError(
                f"{error.filename} に書き込めません: {error.strerror} (nothing was issued)"
            ) from error
        except (actions.SurveyError, PermissionDenied) as error:
            discard()
            raise CommandError(str(error)) from error
        except DatabaseError as error:
            discard()
            raise CommandError(
                f"データベースに書き込めません。chiiki migrate は実行済みですか? (database error: {error})"
            ) from error
        except CommandError:
            discard()
            raise
        if not issued:
            discard()
            raise CommandError(
                f"調査 {survey_id}: キーの無い世帯はありません (all cases already have keys; "
                "to print new letters for everyone not yet answered use --reissue)"
            )
        shown = f"{pdfs[0]} … {pdfs[-1]} ({len(pdfs)} ファイル)" if len(pdfs) > 1 else f"{out}"
        files_text = shown + (f" と {csv_out}" if csv_out is not None else "")
        self.stdout.write(
            f"調査 {survey_id} ({survey.title}): {len(issued)} 世帯の依頼状を {files_text} に書き出しました"
            + (" (大きな文字)" if options["large_print"] else "")
            + f"\n  回答サイト URL: {url}\n"
            "  キーはこのファイルにしか残りません。印刷後は安全に削除してください "
            "(keys exist only in these files; delete them safely after printing)"
        )
