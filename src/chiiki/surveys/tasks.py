"""Background work of the surveys app, run by `chiiki worker`: answer exports, request letters and notification
delivery."""

from __future__ import annotations

import logging
import shutil
import zipfile
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django_tasks import task

from chiiki.core.acting import Actor
from chiiki.core.jobs import JobFailed, run_job
from chiiki.surveys import export as engine
from chiiki.surveys.actions import (
    LetterRequest,
    SurveyError,
    claim_notification,
    record_delivery,
    record_delivery_failure,
    record_export_file,
    record_letters_file,
    send_request_letters,
)
from chiiki.surveys.contact.letters import FontMissing
from chiiki.surveys.contact.notifier import NotifierError, message_of
from chiiki.surveys.exports.files import write_export_zip
from chiiki.surveys.models import NotificationOutbox, SurveyExport, SurveyLetters

logger = logging.getLogger("chiiki.notify")


@task()
def export_answers(export_id: int) -> str:
    """Export one survey's answers as the requested ZIP in the default storage; the job row records it."""
    return run_job(SurveyExport, export_id, _export)


def _export(export: SurveyExport) -> str:
    """Write the ZIP as the staff member who asked (their permission is checked again when it runs)."""
    by = Actor.for_user(
        export.requested_by, label="" if export.requested_by else "task surveys.export_answers"
    )
    try:
        name, households = write_export_zip(export, by=by)
    except (engine.ExportError, PermissionDenied) as error:
        raise JobFailed(str(error)) from error
    record_export_file(export, file_name=name, households=households)
    return ""  # the list shows the household count; clear any note left by a retry


@task()
def write_letters(job_id: int) -> str:
    """Issue the keys and write one batch of request letters as a ZIP (PDFs and the printer's CSV)."""
    return run_job(SurveyLetters, job_id, _letters)


def _letters(job: SurveyLetters) -> str:
    """Write the letters as the survey manager who asked (their permission is checked again when it runs).

    Each attempt writes into its own folder, so letters written by an attempt that committed its keys are never
    overwritten; the ZIP gathers every attempt's files, then the loose files (plaintext keys) are removed."""
    by = Actor.for_user(job.requested_by, label="" if job.requested_by else "task surveys.write_letters")
    folder = Path(default_storage.path(f"letters/{job.survey_id}/{job.pk}"))
    attempt = folder / f"attempt-{job.attempts}"
    attempt.mkdir(parents=True, exist_ok=True)
    request = LetterRequest(
        out=attempt / "letters.pdf",
        csv_out=attempt / "printer.csv",
        large_print=job.large_print,
        reissue=job.reissue,
    )
    try:
        written = send_request_letters(job.survey, request, by=by)
    except (SurveyError, FontMissing, PermissionDenied) as error:
        raise JobFailed(str(error)) from error
    if not written.letters and not any(folder.glob("attempt-*/*")):
        record_letters_file(job, file_name="", letters=0)
        return "新しく鍵を発行する世帯はありませんでした (every household already has a key)"
    name = f"letters/{job.survey_id}/{job.pk}/letters-{job.survey_id}-{job.pk}.zip"
    letters = _zip_attempts(folder, Path(default_storage.path(name)))
    record_letters_file(job, file_name=name, letters=letters or written.letters)
    return ""


def _zip_attempts(folder: Path, target: Path) -> int:
    """Put every attempt's PDFs and CSV into one ZIP, remove the loose files, return the number of CSV rows."""
    rows = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.glob("attempt-*/*")):
            archive.write(path, arcname=f"{path.parent.name}-{path.name}")
            if path.suffix == ".csv":
                rows += max(0, sum(1 for _ in path.open(encoding="utf-8-sig")) - 1)
    for attempt in folder.glob("attempt-*"):
        shutil.rmtree(attempt, ignore_errors=True)
    return rows


@task()
def deliver_notification(outbox_id: int) -> str:
    """Send one queued outbox message with the configured backend; record the outcome on the row.

    The row is claimed (queued → sending) in its own short transaction before the network call, so two
    workers never send the same message and no database lock is held while a gateway answers. A worker that
    dies mid-send leaves the row in "sending": at most once, never twice (`actions.notifications` says why
    this is not a core Job).
    """
    row, backend = claim_notification(outbox_id)
    if row is None or backend is None:
        return row.status if row is not None else "missing"
    try:
        delivery = backend.send(message_of(row))
    except NotifierError as error:
        record_delivery_failure(row, str(error))
        logger.warning("notification %s failed: %s", row.pk, error)
        return NotificationOutbox.Status.FAILED
    record_delivery(row, delivery)
    return NotificationOutbox.Status.SENT
