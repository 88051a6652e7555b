"""Bookkeeping of failed sign-ins, shared by every app server through the database (read by core.throttle)."""

from __future__ import annotations

from django.utils import timezone

from chiiki.core.models import LoginFailure
from chiiki.core.throttle import window_start


def note_login_failure(username: str, ip_address: str | None) -> None:
    """Remember one failed attempt, and prune the rows that have left the window.

    Pruning happens here rather than on every successful login: failures are rare next to sign-ins, and an
    indexed delete of old rows keeps the table at one window's worth of failures.
    """
    LoginFailure.objects.filter(at__lt=window_start(timezone.now())).delete()
    LoginFailure.objects.create(username=username.lower(), ip_address=ip_address)


def clear_login_failures(username: str) -> None:
    """Forget an account's failures after a successful login (one indexed delete)."""
    LoginFailure.objects.filter(username=username.lower()).delete()
