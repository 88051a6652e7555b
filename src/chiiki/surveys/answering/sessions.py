"""A signed-in respondent: the case id in the session plus an HMAC of the case's secret and sign-out count.

Respondents are not Django users, and their session is a signed cookie (`chiiki.core.sessions`), so nothing
is stored on the server per session. Because the HMAC covers the case's current secret (password, else
access key) and its count of sign-outs, setting a password or reissuing keys ends every other session of
that case, and signing out ends every session of it, a copy of the cookie included.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.utils.crypto import constant_time_compare, salted_hmac

from chiiki.surveys.models import SurveyCase
from chiiki.surveys.paradata import SESSION_TAG_KEY

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase
    from django.http import HttpRequest

__all__ = ["SESSION_KEY", "current_case", "end_session", "start_session"]

SESSION_KEY = "chiiki_respondent"
_HMAC_SALT = "chiiki.surveys.respondent"


def _session_hash(case: SurveyCase) -> str:
    secret = case.password_hash or case.access_key_hash
    return salted_hmac(_HMAC_SALT, f"{case.pk}:{secret}:{case.sign_outs}", algorithm="sha256").hexdigest()


def start_session(session: SessionBase, case: SurveyCase) -> None:
    """Sign the respondent in (a new session key, so a planted session id is useless), with a random tag that
    groups this visit's paradata (a signed cookie's key changes whenever the session does); setting the
    password right after signing in keeps the tag: it is the same visit."""
    session.cycle_key()
    session[SESSION_KEY] = {"case": case.pk, "hash": _session_hash(case)}
    if not isinstance(session.get(SESSION_TAG_KEY), str):
        session[SESSION_TAG_KEY] = secrets.token_hex(8)


def current_case(request: HttpRequest) -> SurveyCase | None:
    """The signed-in respondent's case, or None (also when its password or key changed since)."""
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict) or not isinstance(stored.get("case"), int):
        return None
    try:
        cases = SurveyCase.objects.select_related("survey", "survey__questionnaire_version")
        if request.method in ("GET", "HEAD"):
            # Pages that only show the answer read it in the same query (`queries.answer_of` uses it); a
            # save reads it again under a row lock, so posts do not fetch it here.
            cases = cases.select_related("answer")
        case = (
            cases
            # The form definition is parsed once per process (drafts.form_of): do not fetch it per request.
            .defer("survey__questionnaire_version__definition").get(
                pk=stored["case"]
            )  # not first(): its ORDER BY costs a compilation on every request
        )
    except SurveyCase.DoesNotExist:
        return None
    if not constant_time_compare(str(stored.get("hash", "")), _session_hash(case)):
        return None
    return case


def end_session(session: SessionBase) -> None:
    """Forget the respondent in this session (`actions.sign_out_respondent` also ends its other copies)."""
    session.flush()
