"""Reports arriving through a municipality's LINE account, and the messages sent back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from chiiki.core import audit
from chiiki.core.actions.jobs import enqueue_job
from chiiki.infosafety.actions.factcheck import Intake, submit_report
from chiiki.infosafety.models import MAX_TEXT, Claim, LineChannel, LineEvent, LineMessage, Report

if TYPE_CHECKING:
    from chiiki.core.acting import Actor

RECEIVED = "情報ありがとうございます。市の担当者が確かめます。結果が出たら、このトークでお知らせします。"


@transaction.atomic
def receive_line_events(channel: LineChannel, events: list[Any], *, by: Actor) -> int:
    """Take the text messages of a webhook call as reports; events seen before are skipped. Returns how many new."""
    new = 0
    for event in events:
        if not isinstance(event, dict) or not isinstance(event.get("webhookEventId"), str):
            continue
        event_id = event["webhookEventId"][:100]
        if LineEvent.objects.filter(
            municipality_id=channel.municipality_id, webhook_event_id=event_id
        ).exists():
            continue  # LINE sends an event again when it is unsure we got it
        source = event.get("source") if isinstance(event.get("source"), dict) else {}
        user_id = str(source.get("userId", ""))[:100]  # type: ignore[union-attr]
        report = _report(channel, event, user_id, by)
        LineEvent.objects.create(
            municipality_id=channel.municipality_id, webhook_event_id=event_id, user_id=user_id, report=report
        )
        new += 1
    audit.record(
        "infosafety.line_webhook",
        by=by,
        municipality=channel.municipality_id,
        object_type="line_channel",
        object_id=channel.pk,
        detail={"events": len(events), "new": new},
    )
    return new


def _report(channel: LineChannel, event: dict[str, Any], user_id: str, by: Actor) -> Report | None:
    message = event.get("message")
    if event.get("type") != "message" or not isinstance(message, dict) or message.get("type") != "text":
        return None
    text = str(message.get("text", "")).strip()[:MAX_TEXT]
    if not text:
        return None
    report = submit_report(
        channel.municipality, Intake(text=text, where_seen="LINE", channel=Report.Channel.LINE), by=by
    )
    _queue(channel.municipality_id, RECEIVED, reply_token=str(event.get("replyToken", ""))[:100], to=user_id)
    return report


def _queue(municipality_id: str, text: str, *, reply_token: str = "", to: str = "") -> LineMessage:
    message = LineMessage.objects.create(
        municipality_id=municipality_id, reply_token=reply_token, to=to, text=text
    )
    enqueue_job(message)
    return message


def notify_requesters(claim: Claim, rating_label: str, *, reports: list[int] | None = None) -> int:
    """Queue a message to everyone who sent this claim on LINE (called inside publish, and inside a merge into
    a published claim with the moved `reports` only)."""
    events = LineEvent.objects.filter(report__claim=claim)
    if reports is not None:
        events = events.filter(report_id__in=reports)
    users = events.exclude(user_id="").values_list("user_id", flat=True).distinct()
    if not LineChannel.objects.filter(municipality_id=claim.municipality_id, enabled=True).exists():
        return 0
    text = f"お知らせいただいた「{claim.summary[:60]}」を確かめました。判定: {rating_label}。詳しくは市のファクトチェックのページをご覧ください。"
    for user_id in users:
        _queue(claim.municipality_id, text, to=user_id)
    return len(users)
