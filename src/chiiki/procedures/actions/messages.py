"""Messages to residents (確認書のお知らせ, booking confirmations and reminders, 差戻し and decisions): queueing them in
the caller's transaction, and the delivery bookkeeping of the worker.

Delivery uses the surveys' notifier backends (`CHIIKI_NOTIFIER_BACKENDS`: e-mail through Django, SMS through a
gateway with an `Idempotency-Key`), except the inbox, which is the signed-in resident's own page here: a message
to it is delivered when the worker marks it sent. Unlike the survey outbox, a refusal by the gateway (the backend
raised, so nothing was accepted) is retried: `MAX_ATTEMPTS` tries with a growing wait, then the message is
failed and shown to staff, who can queue it again. A worker that dies while a gateway answers leaves the row in
"sending" and it is never sent again by itself (at most once, as in the survey outbox).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.procedures.models import HelpBooking, ResidentMessage
from chiiki.surveys.contact.notifier import Delivery, NotifierBackend, backend_for

__all__ = [
    "MAX_ATTEMPTS",
    "claim_message",
    "mark_read",
    "queue_messages",
    "queue_reminder",
    "record_message_failure",
    "record_message_sent",
    "resend_message",
    "retry_delay",
]

MAX_ATTEMPTS = 4


def retry_delay(attempts: int) -> timedelta:
    """How long to wait before try `attempts + 1`: 1, 5, 25 minutes."""
    return timedelta(minutes=5 ** max(attempts - 1, 0))


def _enqueue(message_id: int, when: datetime | None = None) -> None:
    from chiiki.procedures.tasks import deliver_message  # the task module imports these actions

    task = deliver_message if when is None else deliver_message.using(run_after=when)
    task.enqueue(message_id)


def queue_messages(rows: Iterable[ResidentMessage], *, by: Actor, municipality: Municipality) -> int:
    """Store the messages in the caller's transaction; each is handed to the worker after it commits. Inbox
    messages need no worker: the inbox is a page of this site, so they are delivered when the rows commit."""
    now = timezone.now()
    listed = list(rows)
    for row in listed:
        if row.channel == ResidentMessage.Channel.INBOX:
            row.status, row.sent_at, row.backend = ResidentMessage.Status.SENT, now, "inbox"
    created = ResidentMessage.objects.bulk_create(listed, batch_size=1000)
    if not created:
        return 0
    audit.record(
        "procedures.messages_queued",
        by=by,
        municipality=municipality,
        object_type="resident_message",
        detail={
            "messages": len(created),
            "kinds": sorted({row.kind for row in created}),
            "channels": sorted({row.channel for row in created}),
        },
    )
    for row in created:
        if row.status == ResidentMessage.Status.QUEUED:
            transaction.on_commit(partial(_enqueue, int(row.pk)))
    return len(created)


def queue_reminder(booking: HelpBooking, row: ResidentMessage, *, by: Actor) -> bool:
    """Queue one booking's reminder unless it already has one (a database constraint); True when queued."""
    try:
        with transaction.atomic():
            row.save()
            audit.record(
                "procedures.messages_queued",
                by=by,
                municipality=row.municipality_id,
                object_type="help_booking",
                object_id=booking.pk,
                detail={"messages": 1, "kinds": [row.kind], "channels": [row.channel]},
            )
            transaction.on_commit(partial(_enqueue, int(row.pk)))
    except IntegrityError:
        return False
    return True


@transaction.atomic
def claim_message(message_id: int) -> tuple[ResidentMessage | None, NotifierBackend | None]:
    """Move a queued (or retrying) message to "sending", in one short transaction, with its backend.

    (None, None): no such row; (row, None): nothing to send now (already sent or sending, failed, or an inbox
    message, which is delivered here); (row, backend): this worker now owns the row. No lock is held afterwards.
    """
    row = (
        ResidentMessage.objects.select_for_update()
        .select_related("municipality")
        .filter(pk=message_id)
        .first()
    )
    if row is None or row.status not in (ResidentMessage.Status.QUEUED, ResidentMessage.Status.RETRYING):
        return row, None
    row.attempts += 1
    if row.channel == ResidentMessage.Channel.INBOX:
        row.status, row.sent_at, row.backend = ResidentMessage.Status.SENT, timezone.now(), "inbox"
        row.save(update_fields=["status", "sent_at", "attempts", "backend"])
        return row, None
    backend = backend_for(row.channel)
    if backend is None:
        row.status = ResidentMessage.Status.FAILED
        row.last_error = f"no backend in CHIIKI_NOTIFIER_BACKENDS delivers {row.channel}"
        row.save(update_fields=["status", "attempts", "last_error"])
        return row, None
    row.status = ResidentMessage.Status.SENDING
    row.backend = f"{type(backend).__module__}.{type(backend).__qualname__}"
    row.save(update_fields=["status", "attempts", "backend"])
    return row, backend


def record_message_sent(row: ResidentMessage, delivery: Delivery) -> None:
    """The gateway accepted the message."""
    row.status = ResidentMessage.Status.SENT
    row.sent_at = timezone.now()
    row.provider_reference = delivery.provider_reference[:200]
    row.last_error = ""
    row.save(update_fields=["status", "sent_at", "provider_reference", "last_error"])


@transaction.atomic
def record_message_failure(row: ResidentMessage, reason: str) -> str:
    """The backend refused: try again later (booked on the queue after commit), or fail for staff after
    `MAX_ATTEMPTS`. Returns the new status."""
    row.last_error = reason[:2000]
    if row.attempts < MAX_ATTEMPTS:
        row.status = ResidentMessage.Status.RETRYING
        row.next_attempt_at = timezone.now() + retry_delay(row.attempts)
        row.save(update_fields=["status", "last_error", "next_attempt_at"])
        transaction.on_commit(partial(_enqueue, int(row.pk), row.next_attempt_at))
    else:
        row.status = ResidentMessage.Status.FAILED
        row.next_attempt_at = None
        row.save(update_fields=["status", "last_error", "next_attempt_at"])
        audit.record(
            "procedures.message_failed",
            by=Actor.system("chiiki worker: resident messages"),
            municipality=row.municipality_id,
            object_type="resident_message",
            object_id=row.pk,
            detail={"kind": row.kind, "channel": row.channel, "attempts": row.attempts},
        )
    return row.status


@transaction.atomic
def resend_message(municipality: Municipality, message_id: int, *, by: Actor) -> ResidentMessage:
    """Staff send a failed message again (after fixing the gateway or the address): a fresh set of tries."""
    row = ResidentMessage.objects.select_for_update().get(pk=message_id, municipality=municipality)
    if row.status != ResidentMessage.Status.FAILED:
        raise ValueError("only a failed message can be sent again")
    row.status, row.attempts, row.next_attempt_at = ResidentMessage.Status.QUEUED, 0, None
    row.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit.record(
        "procedures.message_resent",
        by=by,
        municipality=municipality,
        object_type="resident_message",
        object_id=row.pk,
        detail={"kind": row.kind, "channel": row.channel},
    )
    transaction.on_commit(partial(_enqueue, int(row.pk)))
    return row


@transaction.atomic
def mark_read(messages: Iterable[ResidentMessage]) -> None:
    """The signed-in resident opened the inbox: its unread messages are read now."""
    ids = [m.pk for m in messages if m.read_at is None]
    if ids:
        ResidentMessage.objects.filter(pk__in=ids, read_at__isnull=True).update(read_at=timezone.now())
