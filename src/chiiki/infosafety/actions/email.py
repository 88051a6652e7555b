"""Telling residents who left an e-mail address with a report that its claim was rated (Django's e-mail)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction

from chiiki.infosafety.models import Claim, Report

log = logging.getLogger(__name__)


def _addresses(claim: Claim, reports: list[int] | None) -> list[str]:
    rows = Report.objects.filter(claim=claim).exclude(contact="")
    if reports is not None:
        rows = rows.filter(pk__in=reports)
    found: dict[str, str] = {}
    for contact in rows.values_list("contact", flat=True):
        address = contact.strip()
        try:
            validate_email(address)
        except ValidationError:
            continue  # a phone number or a name: not an e-mail address, nobody to mail
        found.setdefault(address.lower(), address)
    return sorted(found.values())


def email_requesters(claim: Claim, rating_label: str, *, reports: list[int] | None = None) -> int:
    """Mail everyone whose report of this claim left an e-mail address (one message each, sent once the
    transaction commits); `reports` limits it to those reports. Returns how many addresses are mailed."""
    addresses = _addresses(claim, reports)
    if not addresses:
        return 0
    name = claim.municipality.display_name
    subject = f"【{name}】お知らせいただいた情報の確認結果 / Result of the check"
    body = (
        f"お知らせいただいた「{claim.summary[:200]}」を{name}で確かめました。\n"
        f"判定: {rating_label}\n"
        f"詳しくは{name}のファクトチェックのページ(確認結果の一覧)をご覧ください。\n\n"
        f"We checked the claim you reported. Verdict: {rating_label}. "
        "See the municipality's fact-check pages for the explanation and sources.\n"
    )
    sender = settings.CHIIKI_NOTIFIER_EMAIL_FROM or settings.DEFAULT_FROM_EMAIL

    def send() -> None:
        for address in addresses:
            try:
                send_mail(subject, body, sender, [address], fail_silently=False)
            except OSError:  # an unreachable mail server must not undo the publication
                log.exception("infosafety: could not mail the result of claim %s", claim.pk)

    transaction.on_commit(send)
    return len(addresses)
