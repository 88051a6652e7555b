"""Bookkeeping of public report sendings per client address (read by `queries.report_wait_seconds`)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from chiiki.infosafety.models import ReportAttempt


def note_report_attempt(ip_address: str | None) -> None:
    """Remember one sending of the public form or API from this address; forget those that left the window.

    Like core's failed sign-ins this is counting, not a change of anyone's records, so it is not audited;
    a refused sending is (`infosafety.report_throttled`).
    """
    now = timezone.now()
    window = timedelta(seconds=settings.CHIIKI_INFOSAFETY_REPORT_WINDOW_SECONDS)
    ReportAttempt.objects.filter(at__lt=now - window).delete()
    ReportAttempt.objects.create(ip_address=ip_address, at=now)
