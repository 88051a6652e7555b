"""Messages to households through the notifier: queueing them, and the outbox's delivery bookkeeping.

The outbox keeps its own claim (queued → sending → sent | failed | no_backend) instead of the core `Job`
runner on purpose: a `Job` is retried after a crash and re-queued by the reaper when its worker dies, which
for a message already handed to a gateway could send it twice. A message is sent at most once: a worker that
dies mid-send leaves its row in "sending" for staff to look at, never to be sent again by itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.surveys.actions.paradata import record_letters_sent
from chiiki.surveys.contact.notifier import Delivery, NotifierBackend, Recipient, backend_for, request_message
from chiiki.surveys.models import NotificationOutbox, Survey

__all__ = [
    "OutboxMessage",
    "claim_notification",
    "queue_messages",
    "queue_notifications",
    "record_delivery",
    "record_delivery_failure",
]

DEFAULT_ANSWER_URL = "http://localhost:8000/answer/"


@transaction.atomic
def queue_notifications(
    survey: Survey,
    recipients: Iterable[Recipient],
    *,
    by: Actor,
    kind: str = NotificationOutbox.Kind.REQUEST,
    url: str | None = None,
) -> list[NotificationOutbox]:
    """Put one message per recipient into the outbox and deliver each after the transaction commits."""
    answer_page = url or str(getattr(settings, "CHIIKI_SURVEY_ANSWER_URL", DEFAULT_ANSWER_URL))
    rows = [_outbox_row(survey, recipient, kind=kind, url=answer_page) for recipient in recipients]
    created = NotificationOutbox.objects.bulk_create(rows, batch_size=1000)
    if not created:
        return []
    queued = audit.record(
        "surveys.notifications_queue",
        by=by,
        municipality=survey.municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={"kind": kind, "messages": len(created), "channels": sorted({row.channel for row in rows})},
    )
    if kind == NotificationOutbox.Kind.REQUEST:
        # Paradata: the request reached the household this way (reminders are recorded by fieldwork).
        channels: dict[int, str] = {}
        for row in rows:
            if row.case_id is not None:
                channels.setdefault(row.case_id, row.channel)
        record_letters_sent(survey, channels, batch=f"notify-{queued.pk}", by=by)
    from chiiki.surveys.tasks import deliver_notification  # the task module imports these actions

    # PostgreSQL and SQLite (3.35+) return the new primary keys from bulk_create.
    for row in created:
        transaction.on_commit(partial(deliver_notification.enqueue, int(row.pk)))
    return created


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A message of another app (no survey, no household): the fact-check desk telling a requester by SMS."""

    channel: str
    to: str
    subject: str
    body: str
    link: str = ""


def queue_messages(municipality: Municipality, messages: Iterable[OutboxMessage]) -> list[NotificationOutbox]:
    """Put messages that belong to no survey into the outbox (kind "other"), each delivered after the caller's
    transaction commits by the same task and backends, at most once. The caller's action audits them."""
    rows = []
    for message in messages:
        if message.channel not in NotificationOutbox.Channel.values:
            raise ValueError(f"unknown channel {message.channel!r}")
        rows.append(
            NotificationOutbox(
                municipality=municipality,
                channel=message.channel,
                kind=NotificationOutbox.Kind.OTHER,
                recipient=message.to.strip(),
                subject=message.subject[:200],
                body=message.body,
                link=message.link,
            )
        )
    created = NotificationOutbox.objects.bulk_create(rows)
    from chiiki.surveys.tasks import deliver_notification  # the task module imports these actions

    for row in created:
        transaction.on_commit(partial(deliver_notification.enqueue, int(row.pk)))
    return created


def _outbox_row(survey: Survey, recipient: Recipient, *, kind: str, url: str) -> NotificationOutbox:
    if recipient.case.survey_id != survey.pk:
        raise ValueError("recipient case belongs to another survey")
    if recipient.channel not in NotificationOutbox.Channel.values:
        raise ValueError(f"unknown channel {recipient.channel!r}")
    subject, body, link = request_message(survey, recipient.case, kind=kind, url=url)
    return NotificationOutbox(
        municipality_id=survey.municipality_id,
        survey=survey,
        case=recipient.case,
        channel=recipient.channel,
        kind=kind,
        recipient=recipient.to.strip(),
        subject=subject[:200],
        body=body,
        link=link,
    )


@transaction.atomic
def claim_notification(outbox_id: int) -> tuple[NotificationOutbox | None, NotifierBackend | None]:
    """Move a queued message to "sending" with the backend that will send it, in one short transaction.

    Returns (None, None) when there is no such row, (row, None) when it is not queued (its status says why,
    "no_backend" included) and (row, backend) when this worker now owns it. No lock is held afterwards, so a
    slow gateway never blocks the table.
    """
    row = (
        NotificationOutbox.objects.select_for_update()
        .select_related("municipality")
        .filter(pk=outbox_id)
        .first()
    )
    if row is None or row.status != NotificationOutbox.Status.QUEUED:
        return row, None
    backend = backend_for(row.channel)
    if backend is None:
        row.status = NotificationOutbox.Status.NO_BACKEND
        row.last_error = f"no backend in CHIIKI_NOTIFIER_BACKENDS delivers {row.channel}"
        row.save(update_fields=["status", "last_error"])
        return row, None
    row.status = NotificationOutbox.Status.SENDING
    row.attempts += 1
    row.backend = f"{type(backend).__module__}.{type(backend).__qualname__}"
    row.save(update_fields=["status", "attempts", "backend"])
    return row, backend


def record_delivery(row: NotificationOutbox, delivery: Delivery) -> None:
    """The gateway accepted the message: sent, with its own reference."""
    row.status = NotificationOutbox.Status.SENT
    row.sent_at = timezone.now()
    row.provider_reference = delivery.provider_reference[:200]
    row.save(update_fields=["status", "sent_at", "provider_reference"])


def record_delivery_failure(row: NotificationOutbox, reason: str) -> None:
    """The backend could not deliver the message: failed, with the reason for staff."""
    row.status = NotificationOutbox.Status.FAILED
    row.last_error = reason[:2000]
    row.save(update_fields=["status", "last_error"])
