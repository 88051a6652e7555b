"""The baseline of bench/survey_intake.py: the same household flow written as bare Django, nothing of Chiiki.

One module is the settings, the URLconf, the views and the WSGI application (DJANGO_SETTINGS_MODULE and the
gunicorn app both name it). It runs on the same database as the real flow, with Django's database sessions,
CSRF, Argon2 for the chosen password and the same stored PBKDF2 access-key hashes, and makes the same kinds of
writes over the same 15 requests: on sign-in a session, an audit row and a paradata row; on setting the
password the hash, an audit row and a new session; per page saved the answer (JSON, version) and a paradata
row (the first save also marks the household started); on submission the submitted record, the receipt, the
status, a paradata row and an audit row. What it leaves out is what Chiiki adds: the questionnaire engine
(skip logic, validation, the page built from the form), throttling, the audit chain, the page components.

    create_tables(connection); copy_households(connection, pairs)  # from the bench, before serving
"""

from __future__ import annotations

import json
import os
import secrets
from typing import Any

import dj_database_url
from django.contrib.auth.hashers import check_password, make_password
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.urls import path
from django.utils.html import escape

# ------------------------------------------------------------------------------------------ settings

SECRET_KEY = os.environ.get("BARE_SECRET_KEY", "bench-only-" + "x" * 40)
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.sessions"]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
ROOT_URLCONF = __name__
DATABASES = {"default": dj_database_url.parse(os.environ["CHIIKI_DATABASE_URL"], conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
SESSION_ENGINE = "django.contrib.sessions.backends.db"
PASSWORD_HASHERS = [
    "chiiki.core.hashers.OwaspArgon2PasswordHasher",  # the same Argon2 parameters as the real flow
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TABLES = """
CREATE TABLE bare_household (id INTEGER PRIMARY KEY, login_id VARCHAR(12) UNIQUE NOT NULL,
    key_hash VARCHAR(200) NOT NULL, password_hash VARCHAR(200) NOT NULL DEFAULT '', status VARCHAR(12) NOT NULL,
    data TEXT NOT NULL DEFAULT '{}', version INTEGER NOT NULL DEFAULT 0, submitted TEXT, receipt VARCHAR(12));
CREATE TABLE bare_event (id {serial}, household_id INTEGER NOT NULL, kind VARCHAR(20) NOT NULL,
    page VARCHAR(100) NOT NULL, at TIMESTAMP NOT NULL);
CREATE TABLE bare_audit (id {serial}, household_id INTEGER NOT NULL, action VARCHAR(60) NOT NULL,
    at TIMESTAMP NOT NULL, detail TEXT NOT NULL)
"""


def create_tables(conn: Any) -> None:
    serial = "INTEGER PRIMARY KEY AUTOINCREMENT" if conn.vendor == "sqlite" else "BIGSERIAL PRIMARY KEY"
    with conn.cursor() as cursor:
        for statement in TABLES.replace("{serial}", serial).split(";"):
            cursor.execute(statement)


def copy_households(conn: Any, rows: list[tuple[int, str, str]]) -> None:
    """(id, login ID, stored access-key hash) of the households the bench issued keys to."""
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bare_household (id, login_id, key_hash, status) VALUES (%s, %s, %s, 'issued')", rows
        )


# ------------------------------------------------------------------------------------------ views

PAGES = ["household", "members", "closing"]


def _page(title: str, body: str) -> HttpResponse:
    return HttpResponse(
        f"<!DOCTYPE html><html lang='ja'><head><title>{escape(title)}</title></head><body>{body}</body></html>"
    )


def _form(request: HttpRequest, fields: str) -> str:
    token = get_token(request)
    return f'<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="{token}">{fields}<button>送信</button></form>'


def _event(household: int, kind: str, page: str = "") -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bare_event (household_id, kind, page, at) VALUES (%s, %s, %s, CURRENT_TIMESTAMP)",
            [household, kind, page],
        )


def _audit(household: int, action: str, detail: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bare_audit (household_id, action, at, detail) VALUES (%s, %s, CURRENT_TIMESTAMP, %s)",
            [household, action, json.dumps(detail)],
        )


_SELECT = "SELECT id, login_id, key_hash, password_hash, status, data, version, receipt FROM bare_household WHERE id = %s"


def _household(request: HttpRequest, *, lock: bool = False) -> tuple[Any, ...] | None:
    pk = request.session.get("household")
    if pk is None:
        return None
    with connection.cursor() as cursor:
        if lock and connection.vendor != "sqlite":
            cursor.execute(_SELECT + " FOR UPDATE", [pk])
        else:
            cursor.execute(_SELECT, [pk])
        row: tuple[Any, ...] | None = cursor.fetchone()
        return row


def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, key_hash FROM bare_household WHERE login_id = %s", [request.POST["login_id"]]
            )
            row = cursor.fetchone()
        key = request.POST["secret"].replace("-", "").upper()
        if row is not None and check_password(key, row[1]):
            with transaction.atomic():
                request.session.cycle_key()
                request.session["household"] = row[0]
                _audit(row[0], "login", {"with": "access_key"})
                _event(row[0], "login")
            return HttpResponseRedirect("/answer/password/")
        return _page("ログイン", "違います")
    return _page("ログイン", _form(request, "<input name='login_id'><input name='secret' type='password'>"))


def password(request: HttpRequest) -> HttpResponse:
    household = _household(request)
    if household is None:
        return HttpResponseRedirect("/answer/")
    if request.method == "POST" and request.POST["password"] == request.POST["confirmation"]:
        encoded = make_password(request.POST["password"])
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE bare_household SET password_hash = %s WHERE id = %s", [encoded, household[0]]
                )
            _audit(household[0], "password_set", {})
            request.session.cycle_key()
        return HttpResponseRedirect("/answer/start/")
    return _page("パスワード", _form(request, "<input name='password'><input name='confirmation'>"))


def page(request: HttpRequest, name: str) -> HttpResponse:
    household = _household(request)
    if household is None:
        return HttpResponseRedirect("/answer/")
    if request.method == "POST":
        with transaction.atomic():
            row = _household(request, lock=True)
            assert row is not None
            data = json.loads(row[5])
            data[name] = {
                key: value for key, value in request.POST.items() if key not in ("csrfmiddlewaretoken",)
            }
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE bare_household SET data = %s, version = version + 1 WHERE id = %s",
                    [json.dumps(data, ensure_ascii=False), row[0]],
                )
                if row[4] == "issued":
                    cursor.execute("UPDATE bare_household SET status = 'started' WHERE id = %s", [row[0]])
            _event(row[0], "page_view", name)
        if request.POST.get("again"):  # the bench posts the members page twice, as the real flow asks
            return _page(name, "もう一度")
        following = PAGES[PAGES.index(name) + 1 :]
        return HttpResponseRedirect(f"/answer/q/{following[0]}/" if following else "/answer/review/")
    data = json.loads(household[5]).get(name, {})
    fields = "".join(f'<input name="{escape(k)}" value="{escape(v)}">' for k, v in data.items())
    return _page(
        name, _form(request, fields + f'<input type="hidden" name="version" value="{household[6]}">')
    )


def review(request: HttpRequest) -> HttpResponse:
    household = _household(request)
    if household is None:
        return HttpResponseRedirect("/answer/")
    if request.method == "POST":
        with transaction.atomic():
            row = _household(request, lock=True)
            assert row is not None
            receipt = row[7] or secrets.token_hex(6).upper()
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE bare_household SET submitted = data, receipt = %s, status = 'submitted' WHERE id = %s",
                    [receipt, row[0]],
                )
            _event(row[0], "submitted")
            _audit(row[0], "answer_submitted", {"version": row[6], "receipt": receipt})
        return HttpResponseRedirect("/answer/receipt/")
    rows = "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in json.loads(household[5]).items()
    )
    fields = f'<input type="hidden" name="version" value="{household[6]}">'
    return _page("確認", f"<table>{rows}</table>" + _form(request, fields))


def receipt(request: HttpRequest) -> HttpResponse:
    household = _household(request)
    if household is None:
        return HttpResponseRedirect("/answer/")
    number = household[7] or ""
    return _page("受付", f'<p class="receipt__number">受付番号 <strong>{number}</strong></p>')


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path("answer/", sign_in),
    path("answer/password/", password),
    path("answer/q/<str:name>/", page),
    path("answer/review/", review),
    path("answer/receipt/", receipt),
    path("healthz", healthz),
]

application: Any = None
if (
    os.environ.get("DJANGO_SETTINGS_MODULE") == __name__
    or os.environ.get("DJANGO_SETTINGS_MODULE") == "bare_intake_app"
):
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
