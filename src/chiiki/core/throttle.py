"""Login rate limiting shared by every app server through the database: the read side.

Failures are written by `chiiki.core.actions.note_login_failure`; this module decides how long a sign-in
attempt must wait. There is no lock that one person can put on others:

- Failures count per account *and* address. Twenty made-up names typed from a school, a care home or a
  municipal office behind one NAT address slow down those twenty names from that address, nobody else.
- After `CHIIKI_LOGIN_MAX_FAILURES` failures the attempt waits `CHIIKI_LOGIN_BACKOFF_SECONDS`, doubled at
  each further failure, never longer than `CHIIKI_LOGIN_WINDOW_SECONDS` (exponential back-off, not a lock).
- One account guessed from many addresses (a botnet) backs off too, after four times as many failures, for
  browsers that never signed in to it. A browser that did (a *known device*, `chiiki.core.known_devices`)
  counts only its own failures, so the real owner keeps signing in while their account is under attack —
  the path around the back-off for residents that needs no CAPTCHA.

Attempts refused while waiting are not checked and not counted, so hammering does not lengthen the wait.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from chiiki.core.models import LoginFailure

__all__ = ["is_locked", "wait_seconds", "window_start"]

# A whole account (from browsers it does not know) gets this many times the room of one address.
ACCOUNT_FACTOR = 4


def window_start(now: datetime) -> datetime:
    """The oldest failure that still counts."""
    return now - timedelta(seconds=settings.CHIIKI_LOGIN_WINDOW_SECONDS)


def wait_seconds(
    username: str, ip_address: str | None, *, device: str = "", now: datetime | None = None
) -> float:
    """How long this attempt must wait before its password is checked; 0 when it may go ahead.

    `device` is the known-device id of the browser for this account ("" when it has none).
    """
    now = now or timezone.now()
    recent = LoginFailure.objects.filter(username=username.lower(), at__gte=window_start(now))
    free = settings.CHIIKI_LOGIN_MAX_FAILURES
    if device:
        return _backoff(recent.filter(device=device), free, now)
    unknown = recent.filter(device="")
    from_here = unknown.filter(ip_address=ip_address) if ip_address else unknown.filter(ip_address=None)
    return max(_backoff(from_here, free, now), _backoff(unknown, free * ACCOUNT_FACTOR, now))


def is_locked(username: str, ip_address: str | None, *, device: str = "") -> bool:
    """True when the attempt must wait (see `wait_seconds`); the name is kept for the callers in the apps."""
    return wait_seconds(username, ip_address, device=device) > 0


def _backoff(failures: QuerySet[LoginFailure], free: int, now: datetime) -> float:
    """The wait after `failures`: none for the first `free`, then BACKOFF seconds doubling, capped."""
    seen = failures.aggregate(count=Count("id"), last=Max("at"))
    beyond: int = seen["count"] - free
    last: datetime | None = seen["last"]
    if beyond < 0 or last is None:
        return 0.0
    cap = float(settings.CHIIKI_LOGIN_WINDOW_SECONDS)
    delay = min(float(settings.CHIIKI_LOGIN_BACKOFF_SECONDS) * 2 ** min(beyond, 30), cap)
    return max(0.0, (last + timedelta(seconds=delay) - now).total_seconds())
