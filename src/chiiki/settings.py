"""The one settings module. Everything that differs between machines comes from CHIIKI_* variables.

CHIIKI_DATABASE_URL   database URL; default: SQLite file chiiki.sqlite3 in the data directory
CHIIKI_SECRET_KEY     secret key; default: generated once into <data directory>/secret_key, on first use
CHIIKI_DEBUG          "1" turns debug on (development only; `make demo` runs with debug off)
CHIIKI_ALLOWED_HOSTS  comma-separated host names; default: localhost names
CHIIKI_VAR_DIR        the data directory (SQLite file, secret key, uploads, static files); default: var/ of the
                      source checkout, else ~/.local/share/chiiki; never the current directory
CHIIKI_SECURE         "1" behind HTTPS: secure cookies, HSTS, SSL redirect
CHIIKI_CSRF_TRUSTED_ORIGINS  comma-separated origins, e.g. https://chiiki.example.lg.jp
CHIIKI_SITE_URL       the site's address for links in e-mails, e.g. https://chiiki.example.lg.jp; default none
CHIIKI_TRUSTED_PROXIES       reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges),
                             e.g. 127.0.0.1; the older name CHIIKI_FORWARDED_ALLOW_IPS is read when unset
CHIIKI_LOGIN_MAX_FAILURES    failures per account and address before the back-off starts; default 5
CHIIKI_LOGIN_BACKOFF_SECONDS first wait of the back-off, doubled per failure; default 30
CHIIKI_LOGIN_WINDOW_SECONDS  longest wait, and how long a failure counts; default 900
CHIIKI_INFOSAFETY_REPORT_LIMIT / _WINDOW_SECONDS  public rumour reports per client address per period; 10 / 3600
CHIIKI_SQLITE_BUSY_TIMEOUT   seconds a SQLite writer waits for another's lock; default 30
CHIIKI_JOB_TIME_LIMIT_SECONDS       limit of a job on the default queue (exports, letters); default 600
CHIIKI_LONG_JOB_TIME_LIMIT_SECONDS  limit of a job on the long queue (conversions, imports); default 3600
CHIIKI_JOB_HEARTBEAT_SECONDS / CHIIKI_JOB_STALE_SECONDS / CHIIKI_JOB_REAP_SECONDS  job heartbeat and reaper
CHIIKI_AUDIT_SEAL_SECONDS    how often the worker chains new audit records; default 60
CHIIKI_HARVEST_ALLOWED_NETWORKS    non-public addresses a harvest may reach (addresses or CIDR ranges); default none
CHIIKI_HARVEST_MAX_RESPONSE_BYTES  largest answer of a harvested portal; default 20 MB
CHIIKI_HARVEST_MAX_PAGES           most search pages (of 100 datasets) in one harvest; default 100
CHIIKI_HARVEST_TIME_BUDGET_SECONDS longest one harvest may run; default 1800
CHIIKI_REMINDER_HOUR  hour (Japan time) of the daily survey reminder run; default 10
CHIIKI_DASHBOARD_LIVE_CASES   surveys up to this many cases get their dashboard aggregated on each view; larger
                      ones show the worker's last aggregation (default 50000)
CHIIKI_DASHBOARD_MAX_AGE_SECONDS  how old that aggregation may be before a view asks for a new one (default 300)

Every variable, with its default and what it does: docs/operations.md, section 3.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import lazy


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _json_object(name: str) -> dict[str, Any]:
    """A JSON object given in a variable (empty when unset); malformed JSON stops start-up, naming the variable."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"{name}: not valid JSON ({error.msg})") from error
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f'{name}: must be a JSON object such as {{"visit": 2000}}')
    return value


def _networks(name: str) -> list[str]:
    """A comma-separated list of IP addresses or CIDR ranges; a malformed entry stops start-up, naming it."""
    entries = _list(name, "")
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as error:
            raise ImproperlyConfigured(f"{name}: {entry!r} is not an IP address or CIDR range") from error
    return entries


BASE_DIR = Path(__file__).resolve().parent


def _default_var_dir() -> Path:
    """The data directory when CHIIKI_VAR_DIR is unset: var/ of the source checkout Chiiki runs from, else the
    user's data directory. Never the current directory: a command run elsewhere must not scatter files there."""
    checkout = BASE_DIR.parent.parent
    if (checkout / "pyproject.toml").is_file():
        return checkout / "var"
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "chiiki"


# Nothing is created here: a command that needs no database or secret (`chiiki opendata validate`) leaves no
# file behind. The SQLite file's folder is made when the database is first opened (chiiki.core.sqlite), the
# secret key file when the key is first used, the static folder by `collectstatic`.
VAR_DIR = Path(os.environ.get("CHIIKI_VAR_DIR") or _default_var_dir()).resolve()


@functools.cache
def _stored_secret_key() -> str:
    """The key generated once into VAR_DIR/secret_key (so restarts keep sessions valid), made on first use.

    Read once per process: the lazy SECRET_KEY calls this on every use (several times per request)."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64), encoding="ascii")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="ascii").strip()


# CHIIKI_SECRET_KEY, or the stored key read lazily: Django reads SECRET_KEY only when it signs something.
SECRET_KEY: str = os.environ.get("CHIIKI_SECRET_KEY") or lazy(_stored_secret_key, str)()
DEBUG = _flag("CHIIKI_DEBUG")
ALLOWED_HOSTS = _list("CHIIKI_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = _list("CHIIKI_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    # The API's Swagger page from its own static files, not a CDN (which the Content-Security-Policy refuses).
    "ninja",
    # TOTP devices for the cyber app's second factor (chiiki.cyber.two_factor)
    "django_otp",
    "django_otp.plugins.otp_totp",
    # one-use recovery codes for the same second factor (chiiki.cyber.two_factor)
    "django_otp.plugins.otp_static",
    "chiiki.core",
    "chiiki.registry",
    "chiiki.surveys",
    "chiiki.linkage",
    "chiiki.opendata",
    "chiiki.talent",
    "chiiki.sidejob",
    "chiiki.infosafety",
    "chiiki.fieldwork",
    "chiiki.evidence",
    "chiiki.coverage",
    "chiiki.cyber",
    "chiiki.procedures",
    "chiiki.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files carry the Content-Security-Policy too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, except that survey respondents' sessions are signed cookies (chiiki.core.sessions).
    "chiiki.core.sessions.SessionMiddleware",
    # Remembers browsers that signed in, which the login back-off lets through (chiiki.core.throttle).
    "chiiki.core.known_devices.KnownDeviceMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed a second factor (the cyber app requires one).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # NUL and lone surrogates cannot be stored (PostgreSQL refuses NUL): a 400 naming the field, not a 500.
    "chiiki.core.unstorable_text.RefuseUnstorableText",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "chiiki.urls"
WSGI_APPLICATION = "chiiki.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chiiki.core.context_processors.shell",
            ],
        },
    },
]
# Every {{ form }} and field.as_field_group is drawn with the page components (templates/ui/forms/).
FORM_RENDERER = "chiiki.core.ui_forms.UiFormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("CHIIKI_DATABASE_URL", f"sqlite:///{VAR_DIR / 'chiiki.sqlite3'}"),
        conn_max_age=int(os.environ.get("CHIIKI_DB_CONN_MAX_AGE", "60")),
        # A connection the database dropped (restarted, or a backend killed) is replaced at the next request
        # instead of failing it.
        conn_health_checks=True,
    )
}
# SQLite: the web server and the workers write to one file. WAL lets readers go on while one process writes;
# IMMEDIATE transactions take the write lock when they start, so a second writer waits for it (up to the busy
# timeout) instead of failing half-way with "database is locked". chiiki.core.sqlite is Django's backend that
# also makes the file's folder when the database is first opened.
CHIIKI_SQLITE_BUSY_TIMEOUT = float(os.environ.get("CHIIKI_SQLITE_BUSY_TIMEOUT", "30"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "chiiki.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            f"PRAGMA busy_timeout={int(CHIIKI_SQLITE_BUSY_TIMEOUT * 1000)};"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": CHIIKI_SQLITE_BUSY_TIMEOUT,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests run on an in-memory database (Django's default for SQLite), named so explicitly: pytest-xdist's
    # per-worker suffix leaves ":memory:" alone but would turn an unset name into a file path per worker.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

PASSWORD_HASHERS = [
    "chiiki.core.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:staff_home"
LOGOUT_REDIRECT_URL = "core:home"

# Reverse proxies whose X-Forwarded-For / Forwarded header is believed (addresses or CIDR ranges, comma-
# separated): chiiki.core.acting.client_address takes the client address from it, for the login back-off and
# the audit log alike, and `chiiki serve` hands the same list to gunicorn. Empty by default: with no proxy, a
# client-sent header is ignored. CHIIKI_FORWARDED_ALLOW_IPS, the name older guides gave, is read when unset.
CHIIKI_TRUSTED_PROXIES = _networks("CHIIKI_TRUSTED_PROXIES") or _networks("CHIIKI_FORWARDED_ALLOW_IPS")

# Login back-off (chiiki.core.throttle): MAX_FAILURES free failures per account and address, then a wait of
# BACKOFF seconds doubling at each failure, at most WINDOW seconds; failures older than WINDOW are forgotten.
CHIIKI_LOGIN_MAX_FAILURES = int(os.environ.get("CHIIKI_LOGIN_MAX_FAILURES", "5"))
CHIIKI_LOGIN_WINDOW_SECONDS = int(os.environ.get("CHIIKI_LOGIN_WINDOW_SECONDS", "900"))
CHIIKI_LOGIN_BACKOFF_SECONDS = float(os.environ.get("CHIIKI_LOGIN_BACKOFF_SECONDS", "30"))
# Public rumour reports (infosafety form and API) per client address per period.
CHIIKI_INFOSAFETY_REPORT_LIMIT = int(os.environ.get("CHIIKI_INFOSAFETY_REPORT_LIMIT", "10"))
CHIIKI_INFOSAFETY_REPORT_WINDOW_SECONDS = int(
    os.environ.get("CHIIKI_INFOSAFETY_REPORT_WINDOW_SECONDS", "3600")
)
# Hour (Japan time, 0-23) the worker sends the daily reminders to households that have not answered.
CHIIKI_REMINDER_HOUR = int(os.environ.get("CHIIKI_REMINDER_HOUR", "10"))
CHIIKI_DASHBOARD_LIVE_CASES = int(os.environ.get("CHIIKI_DASHBOARD_LIVE_CASES", "50000"))
CHIIKI_DASHBOARD_MAX_AGE_SECONDS = int(os.environ.get("CHIIKI_DASHBOARD_MAX_AGE_SECONDS", "300"))

# Surveys (seed §10): the answering site printed on letters and in messages, the help desk printed on letters,
# unit costs (yen) of field work for the evidence pages (JSON, e.g. {"visit": 2000}), and the smallest number of
# households a published table cell may show.
CHIIKI_SURVEY_ANSWER_URL = os.environ.get("CHIIKI_SURVEY_ANSWER_URL", "http://localhost:8000/answer/")
CHIIKI_SURVEY_HELPDESK = os.environ.get("CHIIKI_SURVEY_HELPDESK", "")
# Push-type benefits: the page printed on notices (確認書), and the municipality's paying account for payment
# files as JSON ({"code", "name_kana", "bank_code", "branch_code", "account_type", "account_number"}).
CHIIKI_PROCEDURES_CONFIRM_URL = os.environ.get(
    "CHIIKI_PROCEDURES_CONFIRM_URL", "http://localhost:8000/benefits/confirm/"
)
CHIIKI_PROCEDURES_PAYER = _json_object("CHIIKI_PROCEDURES_PAYER")
# The hour (Japan time) of the daily run that reminds residents of tomorrow's help bookings.
CHIIKI_PROCEDURES_REMINDER_HOUR = int(os.environ.get("CHIIKI_PROCEDURES_REMINDER_HOUR", "10"))
# Dotted path of a callable (bytes, filename) -> None when clean or the finding, run on every attachment.
CHIIKI_PROCEDURES_SCANNER = os.environ.get("CHIIKI_PROCEDURES_SCANNER", "")
# E-mail-verified accounts for residents without the card: how long a one-time link lasts, and how many links an
# address, or one client address, may be sent per hour (procedures/actions/accounts.py).
CHIIKI_PROCEDURES_EMAIL_LINK_SECONDS = int(os.environ.get("CHIIKI_PROCEDURES_EMAIL_LINK_SECONDS", "1800"))
CHIIKI_PROCEDURES_EMAIL_LINKS_PER_ADDRESS = int(
    os.environ.get("CHIIKI_PROCEDURES_EMAIL_LINKS_PER_ADDRESS", "3")
)
CHIIKI_PROCEDURES_EMAIL_LINKS_PER_CLIENT = int(
    os.environ.get("CHIIKI_PROCEDURES_EMAIL_LINKS_PER_CLIENT", "10")
)
# Resident sign-in with the My Number card over OpenID Connect (empty issuer: not offered).
CHIIKI_OIDC_ISSUER = os.environ.get("CHIIKI_OIDC_ISSUER", "")
CHIIKI_OIDC_CLIENT_ID = os.environ.get("CHIIKI_OIDC_CLIENT_ID", "")
CHIIKI_OIDC_CLIENT_SECRET = os.environ.get("CHIIKI_OIDC_CLIENT_SECRET", "")
CHIIKI_OIDC_SCOPES = os.environ.get("CHIIKI_OIDC_SCOPES", "openid name address birthdate gender")
CHIIKI_SURVEY_COSTS = _json_object("CHIIKI_SURVEY_COSTS")
CHIIKI_DISCLOSURE_MIN_HOUSEHOLDS = int(os.environ.get("CHIIKI_DISCLOSURE_MIN_HOUSEHOLDS", "3"))

# Sessions live in the database so several app servers behind a load balancer share them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Survey respondents' sessions: a signed cookie under these paths, checked against the case on every request
# (chiiki.core.sessions, chiiki.surveys.answering.sessions). A dozen requests per household read no row.
COOKIE_SESSION_PATHS = ("/answer/",)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy on every response (django-csp; Django 6.0 builds the same in). The pages carry no
# script of their own, inline or not; a script that an attacker slips into a page does not run.
# Styles: the stylesheet is ours ('self'), but some pages set a width or a layout in a style="" attribute (the
# linkage evidence bars are sized per row). CSP Level 3 browsers get `style-src-elem 'self'` (no injected
# <style> element) and `style-src-attr 'unsafe-inline'` (style attributes allowed); older phones that do not
# know those two directives fall back to `style-src 'self' 'unsafe-inline'`, so no page breaks there. A style
# cannot run script, and `img-src`/`font-src`/`connect-src` 'self' keep injected CSS from sending data away.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "style-src-elem": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],  # data: for the empty favicon of base.html
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

if _flag("CHIIKI_SECURE", default=not DEBUG and "CHIIKI_SECRET_KEY" in os.environ):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _flag("CHIIKI_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("CHIIKI_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Several app servers: point CHIIKI_MEDIA_ROOT at shared storage (NFS) or use an object store.
        "OPTIONS": {"location": os.environ.get("CHIIKI_MEDIA_ROOT", str(VAR_DIR / "media"))},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Advisory feeds the cyber app may fetch (OSV or CSAF JSON files), comma-separated: staff choose among these and
# never type a URL the server would fetch. Empty: feeds are loaded as uploaded files only.
CHIIKI_CYBER_FEED_URLS = _list("CHIIKI_CYBER_FEED_URLS", "")
# Advisory sources the worker loads on a schedule (chiiki.cyber.sources: "CODE FORMAT URL-or-absolute-path [TLP]",
# one per line or separated by ";"), every CHIIKI_CYBER_SOURCE_HOURS; a fetch waits CHIIKI_CYBER_FETCH_SECONDS.
CHIIKI_CYBER_SOURCES = os.environ.get("CHIIKI_CYBER_SOURCES", "")
CHIIKI_CYBER_SOURCE_HOURS = float(os.environ.get("CHIIKI_CYBER_SOURCE_HOURS", "6"))
CHIIKI_CYBER_FETCH_SECONDS = float(os.environ.get("CHIIKI_CYBER_FETCH_SECONDS", "60"))
# A CSAF provider-metadata.json / ROLIE feed load fetches at most this many documents; a MyJVN answer is followed
# for at most this many pages (50 overviews each).
CHIIKI_CYBER_PROVIDER_DOCUMENTS = int(os.environ.get("CHIIKI_CYBER_PROVIDER_DOCUMENTS", "2000"))
CHIIKI_CYBER_JVN_PAGES = int(os.environ.get("CHIIKI_CYBER_JVN_PAGES", "20"))
# The site's own address as people reach it (e.g. https://chiiki.example.lg.jp), for links in e-mails sent by the
# worker, which has no request to take it from. Empty: e-mails give the page's path only.
CHIIKI_SITE_URL = os.environ.get("CHIIKI_SITE_URL", "").strip().rstrip("/")
CHIIKI_MAX_UPLOAD_BYTES = int(os.environ.get("CHIIKI_MAX_UPLOAD_BYTES", str(200 * 1024 * 1024)))

# Background jobs (chiiki.core.jobs): a running job beats every HEARTBEAT seconds; one silent for STALE
# seconds (or whose worker process on this host is gone) is retried or failed by the reaper, which runs
# when `chiiki worker` starts and every REAP seconds.
CHIIKI_JOB_HEARTBEAT_SECONDS = float(os.environ.get("CHIIKI_JOB_HEARTBEAT_SECONDS", "20"))
CHIIKI_JOB_STALE_SECONDS = float(os.environ.get("CHIIKI_JOB_STALE_SECONDS", "300"))
CHIIKI_JOB_REAP_SECONDS = float(os.environ.get("CHIIKI_JOB_REAP_SECONDS", "120"))
# Time limits: a job of the default queue (exports, letters) may run 10 minutes, one of the long queue
# (conversions, linkage runs) an hour; past it the job is stopped and failed with the reason.
CHIIKI_JOB_TIME_LIMIT_SECONDS = float(os.environ.get("CHIIKI_JOB_TIME_LIMIT_SECONDS", "600"))
CHIIKI_LONG_JOB_TIME_LIMIT_SECONDS = float(os.environ.get("CHIIKI_LONG_JOB_TIME_LIMIT_SECONDS", "3600"))

# Harvesting other CKAN portals (chiiki.opendata.harvest): loopback, link-local, private and reserved addresses
# are refused after DNS resolution unless listed here (an intranet portal); each answer, the number of pages
# and the run's duration are capped.
CHIIKI_HARVEST_ALLOWED_NETWORKS = _networks("CHIIKI_HARVEST_ALLOWED_NETWORKS")
CHIIKI_HARVEST_MAX_RESPONSE_BYTES = int(
    os.environ.get("CHIIKI_HARVEST_MAX_RESPONSE_BYTES", str(20 * 1024 * 1024))
)
CHIIKI_HARVEST_MAX_PAGES = int(os.environ.get("CHIIKI_HARVEST_MAX_PAGES", "100"))
CHIIKI_HARVEST_TIME_BUDGET_SECONDS = float(os.environ.get("CHIIKI_HARVEST_TIME_BUDGET_SECONDS", "1800"))

# Audit records are chained (chiiki.core.audit_chain) by the worker every SEAL seconds after they are written.
CHIIKI_AUDIT_SEAL_SECONDS = float(os.environ.get("CHIIKI_AUDIT_SEAL_SECONDS", "60"))

# Exact places of coverage reports are kept this many days, then coarsened to the 250 m cell by the worker's
# daily run at COARSEN_HOUR (Japan time).
CHIIKI_COVERAGE_KEEP_DAYS = int(os.environ.get("CHIIKI_COVERAGE_KEEP_DAYS", "365"))
CHIIKI_COVERAGE_COARSEN_HOUR = int(os.environ.get("CHIIKI_COVERAGE_COARSEN_HOUR", "3"))

# Periodic work that books itself on the task queue; `chiiki worker` starts each chain when it starts.
CHIIKI_WORKER_SCHEDULES = [
    "chiiki.core.tasks.schedule_job_reaper",
    "chiiki.core.tasks.schedule_audit_sealing",
    "chiiki.fieldwork.tasks.start_reminder_schedule",
    "chiiki.cyber.tasks.start_source_schedule",
    "chiiki.cyber.tasks.start_mail_schedule",
    "chiiki.coverage.tasks.schedule_coarsening",
    "chiiki.procedures.tasks.schedule_booking_reminders",
]

TASKS = {
    "default": {
        "BACKEND": os.environ.get("CHIIKI_TASK_BACKEND", "django_tasks_db.backend.DatabaseBackend"),
        # Short jobs and long ones, each with its own worker process (chiiki.core.jobs, `chiiki worker`).
        "QUEUES": ["default", "long"],
    }
}

# Survey notifier (surveys/contact/notifier.py): dotted backend paths, first match per channel; the console backend
# (development) prints every channel. Gateways: CHIIKI_SMS_API_URL/_TOKEN/_SENDER, CHIIKI_INBOX_API_URL/_TOKEN.
CHIIKI_NOTIFIER_BACKENDS = _list("CHIIKI_NOTIFIER_BACKENDS", "chiiki.surveys.contact.notifier.ConsoleBackend")
CHIIKI_NOTIFIER_EMAIL_FROM = os.environ.get("CHIIKI_NOTIFIER_EMAIL_FROM", "")
CHIIKI_SMS_API_URL = os.environ.get("CHIIKI_SMS_API_URL", "")
CHIIKI_SMS_API_TOKEN = os.environ.get("CHIIKI_SMS_API_TOKEN", "")
CHIIKI_SMS_SENDER = os.environ.get("CHIIKI_SMS_SENDER", "")
CHIIKI_INBOX_API_URL = os.environ.get("CHIIKI_INBOX_API_URL", "")
CHIIKI_INBOX_API_TOKEN = os.environ.get("CHIIKI_INBOX_API_TOKEN", "")

# One readable line per event: time, level, where from, what (gunicorn's access log adds one per request).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "readable": {
            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
            "datefmt": "%Y-%m-%d %H:%M:%S",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "readable"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CHIIKI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
