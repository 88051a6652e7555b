"""Browsers that have signed in to an account before ("known devices"), remembered in one signed cookie.

A known device is the way around the login back-off that needs no CAPTCHA: when an account is guessed from
many addresses, browsers that never signed in to it wait (`chiiki.core.throttle`), while the owner's phone,
which did, counts only its own failures. The cookie holds a random id for the browser and, per account, a
keyed hash of the account name (never the name or login ID itself); it is signed with SECRET_KEY, so it
cannot be forged, and a stolen one only gives its thief the back-off of one browser.

Sign-in code calls `known_device(request, name)` before checking a password and `remember_device(request,
name)` after a success; `KnownDeviceMiddleware` writes the cookie on the response.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponseBase
from django.utils.crypto import salted_hmac

__all__ = ["COOKIE", "KnownDeviceMiddleware", "known_device", "remember_device"]

COOKIE = "chiiki_device"
_SALT = "chiiki.core.known_devices"
_MAX_AGE = 60 * 60 * 24 * 180  # half a year: a resident who answered last census round is still known
_MAX_ACCOUNTS = 20  # a shared computer at a help desk remembers the last 20 accounts only
_PENDING = "_chiiki_known_device"


def _account_tag(name: str) -> str:
    return salted_hmac(_SALT, name.lower(), algorithm="sha256").hexdigest()[:20]


def _stored(request: HttpRequest) -> tuple[str, list[str]]:
    """The browser's device id and account tags from its cookie; ("", []) when absent, expired or forged."""
    try:
        data = signing.loads(request.COOKIES.get(COOKIE, ""), salt=_SALT, max_age=_MAX_AGE)
    except signing.BadSignature:
        return "", []
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("d"), str)
        or not isinstance(data.get("a"), list)
    ):
        return "", []
    return data["d"], [tag for tag in data["a"] if isinstance(tag, str)]


def known_device(request: HttpRequest, name: str) -> str:
    """The id of this browser when it has signed in to account `name` before, else ""."""
    device, accounts = _stored(request)
    return device if device and _account_tag(name) in accounts else ""


def remember_device(request: HttpRequest, name: str) -> None:
    """Remember, on the response, that this browser signed in to `name` (called after a successful sign-in)."""
    device, accounts = getattr(request, _PENDING, None) or _stored(request)
    tag = _account_tag(name)
    accounts = [*(a for a in accounts if a != tag), tag][-_MAX_ACCOUNTS:]
    setattr(request, _PENDING, (device or secrets.token_urlsafe(16), accounts))


class KnownDeviceMiddleware:
    """Writes the known-device cookie when the request's sign-in asked for it."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response: HttpResponseBase = self.get_response(request)
        pending = getattr(request, _PENDING, None)
        if pending is not None:
            device, accounts = pending
            response.set_cookie(
                COOKIE,
                signing.dumps({"d": device, "a": accounts}, salt=_SALT, compress=True),
                max_age=_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
