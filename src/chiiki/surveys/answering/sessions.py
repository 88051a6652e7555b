"""A signed-in respondent: the case id in the (database-backed) session plus an HMAC of the case's secret.

Respondents are not Django users. Because the HMAC covers the case's current secret (password, else access
key), setting a password or reissuing keys ends every other session of that case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.crypto import constant_time_compare, salted_hmac

from chiiki.surveys.models import SurveyCase

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase
    from django.http import HttpRequest

__all__ = ["SESSION_KEY", "current_case", "end_session", "start_session"]

SESSION_KEY = "chiiki_respondent"
_HMAC_SALT = "chiiki.surveys.respondent"


def _session_hash(case: SurveyCase) -> str:
    secret = case.password_hash or case.access_key_hash
    return salted_hmac(_HMAC_SALT, f"{case.pk}:{secret}", algorithm="sha256").hexdigest()


def start_session(session: SessionBase, case: SurveyCase) -> None:
    """Sign the respondent in (a new session key, so a planted session id is useless)."""
    session.cycle_key()
    session[SESSION_KEY] = {"case": case.pk, "hash": _session_hash(case)}


def current_case(request: HttpRequest) -> SurveyCase | None:
    """The signed-in respondent's case, or None (also when its password or key changed since)."""
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict) or not isinstance(stored.get("case"), int):
        return None
    try:
        case = (
            SurveyCase.objects.select_related("survey", "survey__questionnaire_version")
            # The form definition is parsed once per process (drafts.form_of): do not fetch it per request.
            .defer("survey__questionnaire_version__definition")
            .get(pk=stored["case"])  # not first(): its ORDER BY costs a compilation on every request
        )
    except SurveyCase.DoesNotExist:
        return None
    if not constant_time_compare(str(stored.get("hash", "")), _session_hash(case)):
        return None
    return case


def end_session(request: HttpRequest) -> None:
    """Sign the respondent out."""
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
