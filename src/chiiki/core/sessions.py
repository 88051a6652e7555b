"""Sessions: in the database for staff and everyone else; in a signed cookie under the respondents' paths.

A household answering a survey makes a dozen requests in a few minutes, and each one read its session row
(and sign-in wrote, checked and deleted rows): about a fifth of the queries of an answer. Under the paths in
``settings.COOKIE_SESSION_PATHS`` (``/answer/``), the session is Django's signed-cookie store instead, under
its own cookie name and path, so a staff session and a respondent session never mix. What such a session
may hold is small and not secret (the case id, an HMAC of the case's current secrets, a random tag), and
what it proves is checked against the case on every request (`chiiki.surveys.answering.sessions`), which is
how signing out ends a copied cookie too. Everything else keeps database sessions: a staff session can be
ended from the server.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.signed_cookies import SessionStore as CookieSessionStore
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date

COOKIE_NAME = "chiiki_answer"
"""The cookie that carries a respondent's signed session (``sessionid`` stays the database session's)."""


def cookie_session_path(request: HttpRequest) -> str | None:
    """The cookie path of the configured prefix that `request` falls under, or None (database session)."""
    for prefix in getattr(settings, "COOKIE_SESSION_PATHS", ()):
        if request.path_info.startswith(prefix):
            # Served under a script prefix (/chiiki/answer/…), the cookie's path carries it too.
            script_prefix = request.path[: len(request.path) - len(request.path_info)]
            return f"{script_prefix.rstrip('/')}{prefix}"
    return None


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, with a signed-cookie session under `COOKIE_SESSION_PATHS`."""

    def process_request(self, request: HttpRequest) -> None:
        """Open the request's session: from the respondents' cookie under their paths, else as Django does."""
        if cookie_session_path(request) is None:
            super().process_request(request)
            return
        request.session = CookieSessionStore(request.COOKIES.get(COOKIE_NAME))

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """Write (or delete) the respondents' cookie; database sessions as Django does."""
        path = cookie_session_path(request)
        session = getattr(request, "session", None)
        if path is None or not isinstance(session, CookieSessionStore):
            return super().process_response(request, response)
        if COOKIE_NAME in request.COOKIES and session.is_empty():
            response.delete_cookie(COOKIE_NAME, path=path, samesite=_lifetime(session)["samesite"])
            patch_vary_headers(response, ("Cookie",))
            return response
        if session.accessed:
            patch_vary_headers(response, ("Cookie",))
        if session.modified and not session.is_empty() and response.status_code < 500:
            session.save()
            response.set_cookie(COOKIE_NAME, session.session_key or "", path=path, **_lifetime(session))
        return response


def _lifetime(session: CookieSessionStore) -> dict[str, Any]:
    """The cookie's expiry and flags, as Django sets them for ``sessionid``."""
    flags: dict[str, Any] = {
        "secure": settings.SESSION_COOKIE_SECURE or None,
        "httponly": settings.SESSION_COOKIE_HTTPONLY or None,
        "samesite": settings.SESSION_COOKIE_SAMESITE,
    }
    if session.get_expire_at_browser_close():
        return flags
    max_age = session.get_expiry_age()
    return {**flags, "max_age": max_age, "expires": http_date(time.time() + max_age)}
