"""Login rate limiting shared by every app server through the database."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from chiiki.core.models import LoginFailure


def _window_start() -> datetime:
    return timezone.now() - timedelta(seconds=settings.CHIIKI_LOGIN_WINDOW_SECONDS)


def is_locked(username: str, ip_address: str | None) -> bool:
    """True when the account, or the address, has too many recent failures to try again now."""
    recent = LoginFailure.objects.filter(at__gte=_window_start())
    limit = settings.CHIIKI_LOGIN_MAX_FAILURES
    if recent.filter(username=username.lower()).count() >= limit:
        return True
    # An address gets more room than an account, since a help desk may share one address.
    return ip_address is not None and recent.filter(ip_address=ip_address).count() >= limit * 4


def note_failure(username: str, ip_address: str | None) -> None:
    """Remember one failed attempt, and prune the rows that have left the window.

    Pruning happens here rather than on every successful login: failures are rare next to sign-ins, and an
    indexed delete of old rows keeps the table at one window's worth of failures.
    """
    LoginFailure.objects.filter(at__lt=_window_start()).delete()
    LoginFailure.objects.create(username=username.lower(), ip_address=ip_address)


def clear(username: str) -> None:
    """Forget an account's failures after a successful login (one indexed delete)."""
    LoginFailure.objects.filter(username=username.lower()).delete()
