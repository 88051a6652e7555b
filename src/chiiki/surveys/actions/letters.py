"""Request letters: issue the access keys and write the letters (PDF batches, the contractor's CSV) at once.

Plaintext keys exist only while the keys are issued, so issuing and printing are one step: the files are
written inside the transaction that stores the key hashes. If a file cannot be written, no key is issued and
every file already begun is removed (a partly written file holds keys that were rolled back). Files are opened
with "x": letters already written are never overwritten, their keys would be lost. `chiiki survey letters` and
`chiiki survey issue-keys` call these; the staff pages queue the same work (`request_letters`, run by the
worker) and reissue one household's key at the counter (`reissue_one_key`).
"""

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO, TextIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.actions.jobs import enqueue_job
from chiiki.core.models import Municipality
from chiiki.surveys import queries
from chiiki.surveys.actions.checks import SurveyError, require_files_attached, require_permission
from chiiki.surveys.actions.credentials import issue_access_keys, issue_access_keys_to
from chiiki.surveys.actions.paradata import record_letters_sent
from chiiki.surveys.contact.letters import (
    IssuedKey,
    Letter,
    LetterContent,
    write_letters_csv,
    write_letters_pdf,
)
from chiiki.surveys.models import Survey, SurveyCase, SurveyLetters

__all__ = [
    "DEFAULT_ANSWER_URL",
    "DEFAULT_BATCH",
    "LetterRequest",
    "LettersWritten",
    "ReissuedLetter",
    "batch_paths",
    "issue_keys_to_csv",
    "record_letters_file",
    "reissue_one_key",
    "request_letters",
    "send_request_letters",
]

DEFAULT_ANSWER_URL = "http://localhost:8000/answer/"
DEFAULT_BATCH = 5_000  # reportlab holds a PDF's pages in memory until it is closed (about 5 KB a page)


@dataclass(frozen=True, slots=True)
class LetterRequest:
    """Which letters to write and where: PDF batches named after `out`, optionally the contractor's CSV."""

    out: Path
    csv_out: Path | None = None
    large_print: bool = False
    batch_size: int = DEFAULT_BATCH
    reissue: bool = False
    url: str = ""
    helpdesk: str = ""


@dataclass(frozen=True, slots=True)
class LettersWritten:
    """What was issued and written: the number of letters, the PDF files, the CSV, the answering URL."""

    letters: int
    pdfs: list[Path] = field(default_factory=list)
    csv: Path | None = None
    url: str = ""


def answer_url(url: str = "") -> str:
    """The answering site's URL printed on letters: the one given, else CHIIKI_SURVEY_ANSWER_URL."""
    return url or str(getattr(settings, "CHIIKI_SURVEY_ANSWER_URL", DEFAULT_ANSWER_URL))


def batch_paths(out: Path, batches: int) -> list[Path]:
    """``out`` itself for one batch, else ``out``'s name with -001, -002, … before the suffix."""
    if batches <= 1:
        return [out]
    return [out.with_name(f"{out.stem}-{number:03d}{out.suffix}") for number in range(1, batches + 1)]


def letter_content(survey: Survey, *, url: str, helpdesk: str = "") -> LetterContent:
    """What every letter of the survey says: sender, title, URL, deadline (the last day open), help desk."""
    town = survey.municipality
    return LetterContent(
        sender=f"{town.prefecture}{town.name} 統計調査担当",
        survey_title=survey.title,
        url=url,
        deadline=timezone.localtime(survey.closes_at - timedelta(seconds=1)).date(),
        helpdesk=helpdesk or getattr(settings, "CHIIKI_SURVEY_HELPDESK", "") or _town_hall(town),
        issued_on=timezone.localdate(),
    )


# The fictional demo town's help desk. A local number never starts with 0 after the area code, so no real line
# answers it; real towns set CHIIKI_SURVEY_HELPDESK (or --helpdesk) to their own desk and number.
DEMO_HELPDESK = "{name}役所 統計調査担当 電話 0848-00-0000(デモ用の架空の番号) 平日 8時30分〜17時15分"


def _town_hall(town: Municipality) -> str:
    """The help desk printed when none is configured: the town hall's survey desk (with a number in the demo)."""
    if town.is_demo:
        return DEMO_HELPDESK.format(name=town.name)
    return f"{town.name}役所 統計調査担当 (開庁時間内)"


class _Files:
    """Files being written for one batch of letters; all of them are removed unless the batch completes."""

    def __init__(self) -> None:
        self.written: list[Path] = []

    # "x": never overwrite letters already written; their keys would be lost.
    def create(self, path: Path, stack: contextlib.ExitStack) -> BinaryIO:
        handle = stack.enter_context(path.open("xb"))
        self.written.append(path)
        return handle

    def create_text(self, path: Path, stack: contextlib.ExitStack) -> TextIO:
        handle = stack.enter_context(path.open("x", encoding="utf-8", newline=""))
        self.written.append(path)
        return handle

    def discard(self) -> None:
        for path in self.written:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        self.written.clear()


@contextlib.contextmanager
def _all_or_nothing(files: _Files) -> Iterator[None]:
    """Remove every file begun when the batch fails (its keys were rolled back)."""
    try:
        yield
    except BaseException:
        files.discard()
        raise


def send_request_letters(survey: Survey, request: LetterRequest, *, by: Actor) -> LettersWritten:
    """Issue access keys and write the request letters (one A4 page per household) in batches of PDFs.

    Without `reissue` only households that have no key yet get a letter; with it, every household not yet
    submitted gets a new key (old letters stop working). Returns letters=0 (and writes no file) when every
    case already has a key. Raises SurveyError for a request that cannot be done, FontMissing when the letter
    font is not installed, and OSError when a file cannot be written; nothing is issued then.
    """
    if request.batch_size < 1:
        raise SurveyError("--batch-size は1以上にしてください (must be positive)")
    if request.csv_out is not None and request.csv_out.resolve() == request.out.resolve():
        raise SurveyError("PDFとCSVには別の名前を指定してください (--out and --csv must differ)")
    url = answer_url(request.url)
    content = letter_content(survey, url=url, helpdesk=request.helpdesk)
    files = _Files()
    with _all_or_nothing(files), transaction.atomic(), contextlib.ExitStack() as stack:
        pdf = files.create(request.out, stack)  # reserved first: a name already taken fails before any key
        csv_stream = files.create_text(request.csv_out, stack) if request.csv_out else None
        issued = issue_access_keys(survey, by=by, reissue=request.reissue)
        pdfs = _write_pdf_batches(survey, issued, request, content, files, stack, pdf)
        if csv_stream is not None:
            write_letters_csv(issued, csv_stream, url=url)
        _record_letters(survey, issued, request, by=by)
    if not issued:
        files.discard()
        return LettersWritten(0, url=url)
    return LettersWritten(len(issued), pdfs, request.csv_out, url)


def _write_pdf_batches(
    survey: Survey,
    issued: list[IssuedKey],
    request: LetterRequest,
    content: LetterContent,
    files: _Files,
    stack: contextlib.ExitStack,
    reserved: BinaryIO,
) -> list[Path]:
    """Draw the letters, `batch_size` to a PDF; the reserved `out` gives way to numbered files when needed."""
    names = queries.head_names(survey)
    letters = [
        Letter(key.login_id, key.access_key, key.postal_code, key.address, names.get(key.case_id, ""))
        for key in issued
    ]
    size = request.batch_size
    pdfs = batch_paths(request.out, -(-len(letters) // size))
    if len(pdfs) > 1:
        reserved.close()
        request.out.unlink()
        files.written.remove(request.out)
    for number, path in enumerate(pdfs):
        stream = reserved if path == request.out else files.create(path, stack)
        write_letters_pdf(
            letters[number * size : (number + 1) * size], stream, content, large_print=request.large_print
        )
        stream.close()  # release the batch's pages before drawing the next
    return pdfs


def _record_letters(survey: Survey, issued: list[IssuedKey], request: LetterRequest, *, by: Actor) -> None:
    """Audit the batch, and one "letter sent" per household in the same transaction (paradata)."""
    written = audit.record(
        "surveys.letters_write",
        by=by,
        municipality=survey.municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={
            "letters": len(issued),
            "large_print": request.large_print,
            "csv": request.csv_out is not None,
        },
    )
    record_letters_sent(survey, {key.case_id: "post" for key in issued}, batch=f"letters-{written.pk}", by=by)


def issue_keys_to_csv(survey: Survey, out: Path, *, by: Actor, url: str = "", reissue: bool = False) -> int:
    """Issue access keys and write only the print contractor's CSV (`chiiki survey issue-keys`); return how
    many letters it holds. The same all-or-nothing rules as `send_request_letters`; no file is left when
    every case already has a key (0)."""
    files = _Files()
    with _all_or_nothing(files), transaction.atomic(), contextlib.ExitStack() as stack:
        stream = files.create_text(out, stack)
        issued = issue_access_keys(survey, by=by, reissue=reissue)
        write_letters_csv(issued, stream, url=answer_url(url))
        # Paradata: the contractor prints and posts one letter per row of this CSV.
        batch = f"letters-csv-{uuid.uuid4().hex[:12]}"
        record_letters_sent(survey, {key.case_id: "post" for key in issued}, batch=batch, by=by)
    if not issued:
        files.discard()
    return len(issued)


# ------------------------------------------------------------------------------------------ from the staff pages


@transaction.atomic
def request_letters(
    survey: Survey, *, by: Actor, large_print: bool = False, reissue: bool = False
) -> SurveyLetters:
    """Record and queue a batch of request letters (written by the worker: `tasks.write_letters`); the job row,
    its task and the audit record are committed together."""
    require_permission(by, survey.municipality)
    if survey.sampled_at is None:
        raise SurveyError("対象世帯がまだ抽出されていません (sample not drawn yet)")
    require_files_attached(survey)  # refused here, not later in the worker
    job = SurveyLetters.objects.create(
        survey=survey, large_print=large_print, reissue=reissue, requested_by=by.user
    )
    audit.record(
        "surveys.letters_requested",
        by=by,
        municipality=survey.municipality,
        object_type="survey_letters",
        object_id=job.pk,
        detail={"survey": survey.pk, "large_print": large_print, "reissue": reissue},
    )
    enqueue_job(job)
    return job


def record_letters_file(job: SurveyLetters, *, file_name: str, letters: int) -> None:
    """The batch's ZIP is in storage: remember its name and how many letters it holds."""
    job.file_name, job.letters = file_name, letters
    job.save(update_fields=["file_name", "letters"])


@dataclass(frozen=True, slots=True)
class ReissuedLetter:
    """A new key for one household, and its letter as a one-page PDF to print at the counter."""

    login_id: str
    pdf: bytes


def reissue_one_key(survey: Survey, login_id: str, *, by: Actor, url: str = "") -> ReissuedLetter:
    """Give one household that lost its letter a new key (its old key stops working; no other household's key
    changes) and its letter as a one-page PDF. A household that has already answered keeps its answer and
    gets no new key."""
    require_permission(by, survey.municipality)
    case = queries.cases_by_login_id(survey, [login_id]).get(login_id)
    if case is None:
        raise SurveyError(
            f"調査対象者ID {login_id} はこの調査にありません (no such household in this survey)"
        )
    if case.status == SurveyCase.Status.SUBMITTED:
        raise SurveyError("この世帯は回答済みです。鍵は発行し直しません (already answered)")
    content = letter_content(survey, url=answer_url(url))
    with transaction.atomic():
        issued = issue_access_keys_to(survey, [case], by=by)
        names = queries.head_names(survey)
        letters = [
            Letter(k.login_id, k.access_key, k.postal_code, k.address, names.get(k.case_id, ""))
            for k in issued
        ]
        stream = io.BytesIO()
        write_letters_pdf(letters, stream, content)
        record_letters_sent(survey, {case.pk: "post"}, batch=f"reissue-{uuid.uuid4().hex[:12]}", by=by)
        audit.record(
            "surveys.key_reissued",
            by=by,
            municipality=survey.municipality,
            object_type="survey_case",
            object_id=case.pk,
            detail={"survey": survey.pk, "login_id": case.login_id},
        )
    return ReissuedLetter(case.login_id, stream.getvalue())
