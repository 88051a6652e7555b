"""Background work of procedures, run by `chiiki worker`: the eligibility run, messages to residents, and the
daily reminders of help bookings (a run books the next one on the task queue, as core's periodic tasks do)."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from chiiki.core.acting import Actor
from chiiki.core.jobs import JobFailed, run_job
from chiiki.core.schedule import book_once
from chiiki.procedures import actions, notify, queries
from chiiki.procedures.models import EligibilityRun, ResidentMessage
from chiiki.procedures.rules import RULE_SETS, RulesRejected, run_rules
from chiiki.surveys.contact.notifier import NotifierError, message_of

logger = logging.getLogger("chiiki.notify")


@task()
def run_eligibility(run_id: int) -> str:
    """Run one eligibility run; the run row records the outcome either way."""
    return run_job(EligibilityRun, run_id, _run)


def _run(run: EligibilityRun) -> str:
    allowance = run.allowance
    by = Actor.for_user(run.requested_by, label="" if run.requested_by else "chiiki worker")
    population, facts = queries.population(run.municipality, allowance)
    if not facts:
        raise JobFailed("住民基本台帳が読み込まれていません")
    try:
        result = run_rules(
            RULE_SETS[allowance.rule_set], allowance.parameters, allowance.reference_date, population
        )
    except RulesRejected as error:
        raise JobFailed(str(error)) from error
    summary = actions.summarize(result, facts)
    actions.record_run_summary(run, summary, by=by)
    message = f"{summary['households']} 世帯中 {summary['eligible']} 世帯が対象(合計 {summary['total_amount']:,} 円)"
    if not run.issue_notices:
        return message + "。試算のみで、確認書は発行していません。"
    heads = [f.head_code for f in facts if f.head_code]
    issued = actions.issue_notices(run, result, facts, queries.accounts_of(run.municipality, heads), by=by)
    return message + f"。確認書 {issued.notified} 通を発行、要確認 {issued.follow_up} 世帯。"


@task()
def deliver_message(message_id: int) -> str:
    """Send one resident message with the configured notifier backend and record the outcome on its row.

    The row is claimed (queued/retrying → sending) in its own short transaction before the network call; a
    refusal by the gateway books a later try (`actions.record_message_failure`) until the tries run out.
    """
    row, backend = actions.claim_message(message_id)
    if row is None or backend is None:
        return row.status if row is not None else "missing"
    try:
        delivery = backend.send(message_of(row, reference_prefix="chiiki-procedures-message"))
    except NotifierError as error:
        status = actions.record_message_failure(row, str(error))
        logger.warning("resident message %s not sent (%s): %s", row.pk, status, error)
        return status
    actions.record_message_sent(row, delivery)
    return ResidentMessage.Status.SENT


REMINDER_ACTOR = "chiiki worker: help booking reminders"


@task()
def send_booking_reminders() -> int:
    """Queue a reminder for every live booking of a session starting tomorrow (Japan time), then book the next
    daily run; a booking already reminded is skipped (one reminder per booking, a database constraint)."""
    schedule_booking_reminders()
    return remind_bookings(timezone.localdate() + timedelta(days=1))


def remind_bookings(day: date) -> int:
    """Queue the reminders of the bookings whose session starts on `day`; returns how many were queued."""
    by = Actor.system(REMINDER_ACTOR)
    queued = 0
    for booking in queries.bookings_to_remind(day):
        row = notify.booking_message(booking, ResidentMessage.Kind.BOOKING_REMINDER)
        queued += actions.queue_reminder(booking, row, by=by)
    return queued


def next_reminder_run(now: datetime) -> datetime:
    """The next CHIIKI_PROCEDURES_REMINDER_HOUR o'clock, Japan time (10 by default)."""
    hour = int(getattr(settings, "CHIIKI_PROCEDURES_REMINDER_HOUR", 10))
    local = timezone.localtime(now)
    when = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return when if when > local else when + timedelta(days=1)


def schedule_booking_reminders(now: datetime | None = None) -> datetime | None:
    """Book the next reminder run unless one waits (the worker calls this when it starts)."""
    return book_once(send_booking_reminders, next_reminder_run(now or timezone.now()))
