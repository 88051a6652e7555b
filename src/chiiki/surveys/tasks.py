"""Background work of the surveys app, run by `chiiki worker`: answer exports and notification delivery."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django_tasks import task

from chiiki.core.acting import Actor
from chiiki.core.jobs import JobFailed, run_job
from chiiki.surveys import export as engine
from chiiki.surveys.actions import (
    claim_notification,
    record_delivery,
    record_delivery_failure,
    record_export_file,
)
from chiiki.surveys.contact.notifier import NotifierError, message_of
from chiiki.surveys.exports.files import write_export_zip
from chiiki.surveys.models import NotificationOutbox, SurveyExport

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
