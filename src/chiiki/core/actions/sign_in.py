"""Bookkeeping of failed sign-ins, shared by every app server through the database (read by core.throttle)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from chiiki.core.models import LoginFailure
from chiiki.core.throttle import window_start


def note_login_failure(username: str, ip_address: str | None, *, device: str = "") -> None:
    """Remember one failed attempt (from a known device when `device` is set), and prune what left the window.

    Pruning happens here rather than on every successful login: failures are rare next to sign-ins, and an
    indexed delete of old rows keeps the table at one window's worth of failures.
    """
    LoginFailure.objects.filter(at__lt=window_start(timezone.now())).delete()
    LoginFailure.objects.create(username=username.lower(), ip_address=ip_address, device=device[:32])


def clear_login_failures(username: str, ip_address: str | None = None, *, device: str = "") -> None:
    """After a successful sign-in: forget the account's failures typed from this address or this browser.

    Those were the owner's own typing mistakes. Failures typed elsewhere keep counting until they leave the
    window, so a guesser's count is not wiped by the owner signing in meanwhile.
    """
    here = Q(device="", ip_address=ip_address) if ip_address else Q(device="", ip_address=None)
    if device:
        here |= Q(device=device)
    LoginFailure.objects.filter(here, username=username.lower()).delete()
