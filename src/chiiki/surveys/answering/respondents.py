"""Respondent sign-in: login ID + access key the first time, then login ID + the password they set.

Failures are counted per login ID and per address in the shared login throttle (`chiiki.core.throttle`); an
unknown ID is counted and answered exactly like a wrong key, and the same verifications run whatever the ID,
so neither the message nor the time taken tells whether an ID exists. Which verification runs depends only on
what was typed: text shaped like a key (8 characters of the key alphabet) gets the PBKDF2 key check, any other
text the Argon2 password check (passwords may not be shaped like keys). The writes are actions (`chiiki.surveys.actions.answering`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpRequest
from django.utils.translation import gettext as _

from chiiki.core import audit, throttle
from chiiki.core.known_devices import known_device, remember_device
from chiiki.surveys import actions, queries
from chiiki.surveys.answering.drafts import respondent_actor
from chiiki.surveys.answering.sessions import SESSION_KEY, current_case, end_session, start_session
from chiiki.surveys.contact import credentials
from chiiki.surveys.contact.credentials import hash_access_key, verify_access_key
from chiiki.surveys.models import SurveyCase

__all__ = [
    "SESSION_KEY",
    "SignIn",
    "current_case",
    "password_problems",
    "set_password",
    "sign_in",
    "sign_out",
    "start_session",
    "throttle_name",
]

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
    by = respondent_actor(request, throttle_name(login_id))
    device = known_device(request, by.label)  # a browser that signed in to this ID before
    if throttle.is_locked(by.label, by.address, device=device):
        audit.record("surveys.respondent_login_locked", by=by)
        return SignIn("locked")
    case = queries.case_by_login_id(login_id)
    if _secret_matches(case, secret):
        assert case is not None  # noqa: S101 - only a real case can match
        actions.sign_in_respondent(case, by=by, session=request.session, device=device)
        remember_device(request, by.label)  # it may sign in while the ID is being guessed elsewhere
        return SignIn("ok", case, must_set_password=not case.password_hash)
    actions.refuse_sign_in(by=by, device=device)
    return SignIn("failed")


def _secret_matches(case: SurveyCase | None, secret: str) -> bool:
    """One check, chosen by the shape of the text typed and nothing else: text shaped like an access key is
    checked against the case's key (PBKDF2; a dummy when there is no case or no key), any other text against
    the case's password (Argon2; a dummy when there is no case or no password yet). A password may not have
    the shape of a key (`password_problems`), so one check always decides, and a household that has not
    chosen a password yet costs no Argon2 run at sign-in, while an unknown ID costs exactly what a real one does.
    """
    if credentials.looks_like_access_key(secret):
        key_ok = _key_matches(case if case is not None and case.access_key_hash else None, secret)
        return key_ok and case is not None and not case.password_hash
    has_password = case is not None and bool(case.password_hash)
    password_hash = case.password_hash if case is not None and has_password else _dummy("password")
    return check_password(secret, password_hash) and has_password


def _key_matches(case: SurveyCase | None, secret: str) -> bool:
    """Check `secret` against the case's key, or against a dummy key when there is no case or no key (the
    same work either way). Text that cannot be a key is refused without hashing: that depends only on the
    text typed, so the time still says nothing about the ID."""
    if not credentials.looks_like_access_key(secret):
        return False
    key_case = case if case is not None else SurveyCase(access_key_hash=_dummy("key"))
    return verify_access_key(key_case, secret) and case is not None


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
    elif credentials.looks_like_access_key(password):
        # Sign-in tells a key from a password by its shape alone (one hash check, the same for every ID).
        problems.append(
            _("アクセスキーと同じ形(英数字8文字)のパスワードは使えません。9文字以上にしてください。")
        )
    if not problems and password != confirmation:
        problems.append(_("確認のために入力したパスワードが一致しません。"))
    return problems


def set_password(request: HttpRequest, case: SurveyCase, password: str) -> None:
    """Store the respondent's password (hashed) and keep this session signed in; others end."""
    encoded = make_password(password)  # Argon2 takes tens of milliseconds: not inside the transaction
    by = respondent_actor(request, throttle_name(case.login_id))
    actions.set_respondent_password(case, encoded, by=by, session=request.session)


def sign_out(request: HttpRequest) -> None:
    """Sign the respondent out: every session of the case ends (see `actions.sign_out_respondent`)."""
    case = current_case(request)
    if case is None:
        end_session(request.session)
        return
    actions.sign_out_respondent(case, session=request.session)
