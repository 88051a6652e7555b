"""Login rate limiting shared by every app server through the database: the read side.

Failures are written by `chiiki.core.actions.note_login_failure`; this module only decides whether an account
or an address must wait.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from chiiki.core.models import LoginFailure


def window_start(now: datetime) -> datetime:
    """The oldest failure that still counts."""
    return now - timedelta(seconds=settings.CHIIKI_LOGIN_WINDOW_SECONDS)


def is_locked(username: str, ip_address: str | None) -> bool:
    """True when the account, or the address, has too many recent failures to try again now."""
    recent = LoginFailure.objects.filter(at__gte=window_start(timezone.now()))
    limit = settings.CHIIKI_LOGIN_MAX_FAILURES
    if recent.filter(username=username.lower()).count() >= limit:
        return True
    # An address gets more room than an account, since a help desk may share one address.
    return ip_address is not None and recent.filter(ip_address=ip_address).count() >= limit * 4
