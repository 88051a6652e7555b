"""Respondent sign-in: login ID + access key the first time, then login ID + the password they set.

Respondents are not Django users. A signed-in respondent is the case id in the (database-backed) session
plus an HMAC of the case's current secret, so that setting a password or reissuing keys ends every other
session of that case. Failures are counted per login ID and per address in the shared login throttle
(`chiiki.core.throttle`); an unknown ID is counted and answered exactly like a wrong key, and the same
verifications run whatever the ID, so neither the message nor the time taken tells whether an ID exists.
Which verifications run depends only on what was typed: the PBKDF2 key check is skipped for text that
cannot be a key (not 8 characters of the key alphabet), the Argon2 password check always runs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from chiiki.core import audit, throttle
from chiiki.core.acting import client_address
from chiiki.core.actions import clear_login_failures, note_login_failure
from chiiki.core.known_devices import known_device, remember_device
from chiiki.fieldwork.paradata import record_case_event
from chiiki.surveys import credentials
from chiiki.surveys.actions import hash_access_key, verify_access_key
from chiiki.surveys.models import SurveyCase

SESSION_KEY = "chiiki_respondent"
_HMAC_SALT = "chiiki.surveys.respondent"
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128

# Hashes that never match, verified when the typed ID has no case (or no password): equal work either way.
_dummies: dict[str, str] = {}


def _dummy(kind: str) -> str:
    """A hash of a random secret (made lazily: hashing at import would slow every start-up)."""
    if kind not in _dummies:
        secret = secrets.token_urlsafe(16)
        _dummies[kind] = hash_access_key(secret) if kind == "key" else make_password(secret)
    return _dummies[kind]


@dataclass(frozen=True, slots=True)
class SignIn:
    """The outcome of one sign-in attempt."""

    outcome: str  # "ok", "failed", "locked", "malformed"
    case: SurveyCase | None = None
    must_set_password: bool = False


def throttle_name(login_id: str) -> str:
    """The throttle's account name for a login ID (kept apart from staff user names)."""
    return f"survey:{login_id}"[:150]


def sign_in(request: HttpRequest, typed_login_id: str, secret: str) -> SignIn:
    """Check a login ID with an access key (before a password is set) or the password (after)."""
    login_id = credentials.normalize_login_id(typed_login_id)
    if not credentials.is_valid_login_id(login_id):
        # The check digit catches typing mistakes without looking anything up: nothing is revealed.
        return SignIn("malformed")
    address = client_address(request)
    name = throttle_name(login_id)
    device = known_device(request, name)
    if throttle.is_locked(name, address, device=device):
        audit.record("surveys.respondent_login_locked", actor=None, actor_label=name, request=request)
        return SignIn("locked")
    case = SurveyCase.objects.select_related("survey").filter(login_id=login_id).first()
    has_key = case is not None and bool(case.access_key_hash)
    has_password = case is not None and bool(case.password_hash)
    key_ok = _key_matches(case if has_key else None, secret)
    password_hash = case.password_hash if case is not None and has_password else _dummy("password")
    password_ok = check_password(secret, password_hash) and has_password
    # One transaction for the writes of an attempt: one commit (one WAL flush) instead of three or four.
    with transaction.atomic():
        if case is not None and (password_ok if case.password_hash else key_ok):
            _signed_in(request, case, name)
            return SignIn("ok", case, must_set_password=not case.password_hash)
        note_login_failure(name, address, device=device)
        audit.record("surveys.respondent_login_failed", actor=None, actor_label=name, request=request)
    return SignIn("failed")


def _key_matches(case: SurveyCase | None, secret: str) -> bool:
    """Check `secret` against the case's key, or against a dummy key when there is no case or no key (the
    same work either way). Text that cannot be a key is refused without hashing: that depends only on the
    text typed, so the time still says nothing about the ID."""
    if not credentials.looks_like_access_key(secret):
        return False
    key_case = case if case is not None else SurveyCase(access_key_hash=_dummy("key"))
    return verify_access_key(key_case, secret) and case is not None


def _signed_in(request: HttpRequest, case: SurveyCase, name: str) -> None:
    """The writes of a successful sign-in: clear the failures, start the session, audit, paradata."""
    clear_login_failures(name, client_address(request), device=known_device(request, name))
    remember_device(request, name)  # this browser may sign in while the ID is being guessed elsewhere
    start_session(request, case)
    audit.record(
        "surveys.respondent_login",
        actor=None,
        actor_label=name,
        municipality=case.survey.municipality_id,
        object_type="survey_case",
        object_id=case.pk,
        request=request,
        detail={"with": "password" if case.password_hash else "access_key"},
    )
    record_case_event(case, "login", request=request)  # paradata: device class, session tag


def _session_hash(case: SurveyCase) -> str:
    secret = case.password_hash or case.access_key_hash
    return salted_hmac(_HMAC_SALT, f"{case.pk}:{secret}", algorithm="sha256").hexdigest()


def start_session(request: HttpRequest, case: SurveyCase) -> None:
    """Sign the respondent in (a new session key, so a planted session id is useless)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"case": case.pk, "hash": _session_hash(case)}


def current_case(request: HttpRequest) -> SurveyCase | None:
    """The signed-in respondent's case, or None (also when its password or key changed since)."""
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict) or not isinstance(stored.get("case"), int):
        return None
    case = (
        SurveyCase.objects.select_related("survey", "survey__questionnaire_version")
        # The form definition is parsed once per process (answering.form_of): do not fetch it per request.
        .defer("survey__questionnaire_version__definition")
        .filter(pk=stored["case"])
        .first()
    )
    if case is None or not constant_time_compare(str(stored.get("hash", "")), _session_hash(case)):
        return None
    return case


def end_session(request: HttpRequest) -> None:
    """Sign the respondent out."""
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def password_problems(case: SurveyCase, password: str, confirmation: str) -> list[str]:
    """Why a new password is not acceptable (Japanese; empty when it is)."""
    problems: list[str] = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(_("パスワードは8文字以上にしてください。"))
    elif len(password) > PASSWORD_MAX_LENGTH:
        problems.append(_("パスワードは128文字以内にしてください。"))
    elif password.isdigit():
        problems.append(_("数字だけのパスワードは使えません。英字も混ぜてください。"))
    elif credentials.normalize_access_key(password) == case.login_id or _key_matches(case, password):
        problems.append(_("調査対象者IDやアクセスキーとは違うパスワードにしてください。"))
    if not problems and password != confirmation:
        problems.append(_("確認のために入力したパスワードが一致しません。"))
    return problems


def set_password(request: HttpRequest, case: SurveyCase, password: str) -> None:
    """Store the respondent's password (hashed) and keep this session signed in; others end."""
    encoded = make_password(password)  # Argon2 takes tens of milliseconds: not inside the transaction
    # The new session key is written in the same transaction: one commit, and never one without the other.
    with transaction.atomic():
        case.password_hash = encoded
        case.save(update_fields=["password_hash"])
        audit.record(
            "surveys.respondent_password_set",
            actor=None,
            actor_label=throttle_name(case.login_id),
            municipality=case.survey.municipality_id,
            object_type="survey_case",
            object_id=case.pk,
            request=request,
        )
        start_session(request, case)


__all__ = [
    "SESSION_KEY",
    "SignIn",
    "current_case",
    "end_session",
    "password_problems",
    "set_password",
    "sign_in",
    "start_session",
]
