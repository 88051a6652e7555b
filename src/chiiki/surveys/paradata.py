"""Paradata helpers that write nothing: time on a page, the session tag, the device class of an actor.

The events themselves are written by the actions in `chiiki.surveys.actions.paradata` (`record_case_event`,
`record_letters_sent`, `record_reminders_sent`).

Time on a page: put `page_shown_token(page)` in the page's form as the hidden field `SHOWN_FIELD` when the page
is sent, and call `seconds_on_page(request, page)` when it comes back. The send time travels signed in the form,
so showing a page writes nothing (no session update per page view), two tabs keep their own times, and no
JavaScript is needed.
"""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING

from django.core import signing

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "LONGEST_PAGE_VIEW",
    "SESSION_TAG_KEY",
    "SHOWN_FIELD",
    "page_shown_token",
    "request_session_tag",
    "seconds_on_page",
    "session_tag",
]

SESSION_TAG_KEY = "chiiki_session_tag"
"""A session's own random tag, when it has one (a signed-cookie session's key changes with its contents)."""

LONGEST_PAGE_VIEW = 6 * 60 * 60  # a tab left open overnight says nothing about the time a page takes

SHOWN_FIELD = "shown_at"  # the hidden form field that carries page_shown_token
_SHOWN_SALT = (
    "chiiki.fieldwork.page-shown"  # kept from when paradata lived in fieldwork: open pages still post it
)


def page_shown_token(page: str) -> str:
    """A signed note that `page` is being sent now, for the page form's hidden SHOWN_FIELD."""
    return signing.dumps([page, time.time()], salt=_SHOWN_SALT)


def seconds_on_page(request: HttpRequest, page: str) -> float | None:
    """Seconds since `page` was sent, read from the posted token; None when it is missing, forged or another page's."""
    token = request.POST.get(SHOWN_FIELD, "")
    try:
        shown = signing.loads(token, salt=_SHOWN_SALT) if token else None
    except signing.BadSignature:
        return None
    if not isinstance(shown, list) or len(shown) != 2 or shown[0] != page:
        return None
    try:
        return max(0.0, time.time() - float(shown[1]))
    except (TypeError, ValueError):
        return None


def session_tag(session_key: str | None) -> str:
    """A short, non-reversible tag of a session key: groups events into sessions without storing the key."""
    if not session_key:
        return ""
    return hashlib.sha256(session_key.encode()).hexdigest()[:16]


def request_session_tag(request: HttpRequest) -> str:
    """The session tag of a request's session: its own random tag if it has one, else a hash of its key
    (empty without a session)."""
    session = getattr(request, "session", None)
    if session is None:
        return ""
    own = session.get(SESSION_TAG_KEY)
    return own if isinstance(own, str) and own else session_tag(session.session_key)
