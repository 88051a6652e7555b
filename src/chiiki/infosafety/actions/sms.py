"""Telling residents who left only a phone number with a report that its claim was rated: an SMS through the
surveys' notifier (its outbox, its task and the SMS backend configured in CHIIKI_NOTIFIER_BACKENDS)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from chiiki.infosafety.models import Claim, Report
from chiiki.surveys.actions import OutboxMessage, queue_messages
from chiiki.surveys.contact.notifier import NotifierError, normalize_phone


def phone_number(contact: str) -> str | None:
    """The contact as an E.164 phone number when it is a Japanese phone number (not an e-mail address)."""
    text = contact.strip()
    if not text:
        return None
    try:
        validate_email(text)
    except ValidationError:
        pass
    else:
        return None  # e-mail addresses are told by e-mail
    try:
        return normalize_phone(text)
    except NotifierError:
        return None  # a name or anything else: nobody to text


def _numbers(claim: Claim, reports: list[int] | None) -> list[str]:
    rows = Report.objects.filter(claim=claim).exclude(contact="")
    if reports is not None:
        rows = rows.filter(pk__in=reports)
    found = {
        number for contact in rows.values_list("contact", flat=True) if (number := phone_number(contact))
    }
    return sorted(found)


def text_requesters(claim: Claim, rating_label: str, *, reports: list[int] | None = None) -> int:
    """Queue one SMS to each phone number left with a report of this claim (`reports` limits it to those
    reports), sent by the worker after the transaction commits. No link: residents are taught not to open
    links in text messages, so the message names where to look instead. Returns how many numbers."""
    numbers = _numbers(claim, reports)
    if not numbers:
        return 0
    name = claim.municipality.display_name
    body = (
        f"【{name}】お知らせいただいた「{claim.summary[:50]}」を確かめました。判定: {rating_label}。"
        f"説明と出典は{name}のファクトチェックのページにあります。"
        f" / {name}: the claim you reported was checked. Verdict: {rating_label}."
    )
    queue_messages(
        claim.municipality,
        [OutboxMessage("sms", number, f"{name} 情報の確認結果", body) for number in numbers],
    )
    return len(numbers)
