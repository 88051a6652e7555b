"""No answer lost: kill a real gunicorn (master and workers, SIGKILL) while households are submitting.

The survey is set up through the ORM on the test database, which a real gunicorn then serves over HTTP: on
SQLite a copy of the (in-memory) test database in a file, on PostgreSQL pytest-django's own throwaway test
database. Households sign in and answer their pages, then submit at the same moment; as soon as the first
acknowledgement (the redirect to the receipt page) arrives, the whole process group is killed. After a restart,
every acknowledged submission must be in the database with its receipt number, and every household can submit
again: the ones whose acknowledgement was lost get the receipt already given (idempotent), without a second
submission being recorded.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from django.db import connection, connections

from chiiki.core.models import AuditEvent
from chiiki.surveys.models import Answer, SurveyCase

from .answering_setup import Letter

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

HOUSEHOLDS = 10
TIMEOUT = 30.0
PASSWORD = "midori-2025"

# The server hashes respondents' passwords with MD5 here: this test is about commits, not about Argon2's cost.
SERVER_SETTINGS = """\
from chiiki.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
"""

HOUSEHOLD = {"household/hh_size": "2", "household/dwelling_type": "apartment", "household/tenure": "own"}
MEMBERS = {
    "members[1]/member_name": "川口 一郎",
    "members[1]/relation": "head",
    "members[1]/sex": "male",
    "members[1]/birth_year": "1961",
    "members[1]/birth_month": "7",
    "members[1]/work_status": "housework",
    "members[2]/member_name": "川口 春",
    "members[2]/relation": "spouse",
    "members[2]/sex": "female",
    "members[2]/birth_year": "1963",
    "members[2]/birth_month": "3",
    "members[2]/work_status": "side_work",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """gunicorn serving chiiki.wsgi in its own process group, so that one killpg ends master and workers."""

    def __init__(self, workdir: Path, database_url: str) -> None:
        self.workdir = workdir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        (workdir / "durability_settings.py").write_text(SERVER_SETTINGS, encoding="utf-8")
        env = {
            k: v for k, v in os.environ.items() if k not in {"CHIIKI_SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
        }
        env.update(
            {
                "CHIIKI_DATABASE_URL": database_url,
                "CHIIKI_VAR_DIR": str(workdir / "var"),
                "CHIIKI_SECURE": "0",
                "CHIIKI_DEBUG": "0",
                "DJANGO_SETTINGS_MODULE": "durability_settings",
                "PYTHONPATH": os.pathsep.join([str(workdir), *sys.path]),
            }
        )
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = (self.workdir / f"gunicorn-{self.starts}.log").open("wb")
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "chiiki.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--preload",
            "--timeout",
            "60",
            "--graceful-timeout",
            "2",
        ]
        self.process = subprocess.Popen(
            command, cwd=self.workdir, env=self.env, stdout=log, stderr=log, start_new_session=True
        )
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited: {self.log()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        self.kill()
        pytest.fail(f"gunicorn did not answer /healthz: {self.log()}")

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """Send `sig` to the master and every worker at once (they share the process group we started)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        self.process.wait(timeout=30)
        self.process = None

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(self.workdir.glob("*.log")))


@dataclass
class Household:
    """One household's browser: its own cookies, and what the server acknowledged to it."""

    letter: Letter
    base: str
    http: requests.Session = field(default_factory=requests.Session)
    acknowledged: bool = False
    receipt: str = ""
    failure: str = ""

    def get(self, path: str) -> requests.Response:
        response = self.http.get(self.base + path, timeout=TIMEOUT, allow_redirects=False)
        return response

    def post(self, path: str, data: dict[str, object]) -> requests.Response:
        return self.http.post(self.base + path, data=data, timeout=TIMEOUT, allow_redirects=False)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match is not None, "no CSRF token on the page"
    return match.group(1)


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert match is not None, f"no hidden input {name!r}"
    return match.group(1)


def _sign_in(household: Household) -> None:
    page = household.get("/answer/").text
    letter = household.letter
    response = household.post(
        "/answer/",
        {"csrfmiddlewaretoken": _csrf(page), "login_id": letter.login_id, "secret": letter.access_key},
    )
    assert response.headers.get("Location") == "/answer/password/", response.status_code
    page = household.get("/answer/password/").text
    response = household.post(
        "/answer/password/",
        {"csrfmiddlewaretoken": _csrf(page), "password": PASSWORD, "confirmation": PASSWORD},
    )
    assert response.headers.get("Location") == "/answer/start/", response.status_code


def _answer_page(household: Household, page: str, values: dict[str, str]) -> str:
    """Fill a page as a person would: answer what is shown, and again when follow-up questions appear."""
    html = household.get(f"/answer/q/{page}/").text
    for _ in range(4):
        shown = re.findall(r'<input type="hidden" name="shown" value="([^"]*)">', html)
        data: dict[str, object] = {
            "csrfmiddlewaretoken": _csrf(html),
            "version": _hidden(html, "version"),
            "digest": _hidden(html, "digest"),
            "shown": shown,
            "action": "next",
        }
        data.update({key: values[key] for key in shown if key in values})
        response = household.post(f"/answer/q/{page}/", data)
        if response.status_code == 302:
            return str(response.headers["Location"])
        html = response.text
    pytest.fail(f"page {page} was not accepted: {html[-2000:]}")


def _prepare(household: Household) -> None:
    _sign_in(household)
    assert _answer_page(household, "household", HOUSEHOLD) == "/answer/q/members/"
    assert _answer_page(household, "members", MEMBERS) == "/answer/q/closing/"
    assert (
        _answer_page(household, "closing", {"closing/remarks": household.letter.login_id})
        == "/answer/review/"
    )


def _submit(household: Household) -> requests.Response:
    review = household.get("/answer/review/").text
    return household.post(
        "/answer/review/", {"csrfmiddlewaretoken": _csrf(review), "version": _hidden(review, "version")}
    )


def _read_receipt(household: Household) -> str:
    html = household.get("/answer/receipt/").text
    match = re.search(r'receipt__number">[^<]*<strong>([A-Z0-9-]+)</strong>', html)
    assert match is not None, "no receipt number on the receipt page"
    return match.group(1).replace("-", "")


def _submit_racing(household: Household, start: threading.Barrier, first_ack: threading.Event) -> None:
    start.wait()
    try:
        response = _submit(household)
        if response.status_code == 302 and response.headers.get("Location") == "/answer/receipt/":
            household.acknowledged = True  # the server has said "received": it must never be lost now
            first_ack.set()
            household.receipt = _read_receipt(household)
    except (requests.RequestException, AssertionError) as error:
        household.failure = type(error).__name__  # killed in flight: no (complete) acknowledgement


SET_UP = """\
import json, sys
import django

django.setup()
sys.path.insert(0, sys.argv[1])
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.demo import residents as synthetic
from chiiki.registry.actions import import_registry
from surveys.answering_setup import open_survey

town = Municipality.objects.filter(code="343021").first() or Municipality.objects.create(
    code="343021", prefecture_code="34", prefecture="広島県", county="安芸郡", name="府中町",
    name_kana="フチュウチョウ", kind="town",
)
import_registry(town, synthetic.generate(persons=60, seed=1), by=Actor.system("test"))
survey, letters = open_survey(town, letters=int(sys.argv[2]))
print(json.dumps([[letter.login_id, letter.access_key] for letter in letters]))
"""


@dataclass
class ServedDatabase:
    """A throwaway copy of the (migrated, empty) test database that a real server can open and commit to."""

    url: str
    sqlite_path: Path | None = None

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        """Run a query on a fresh connection of our own (sees only what the server committed)."""
        if self.sqlite_path is not None:
            with contextlib.closing(sqlite3.connect(self.sqlite_path)) as db:
                return list(db.execute(sql).fetchall())
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as db:
            return list(db.execute(sql).fetchall())


@pytest.fixture(scope="module")
def served_database(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedDatabase]:
    """The migrated, empty test database copied for the server: a file on SQLite, a template copy on PostgreSQL.

    Transactional tests cannot be used: they end with a flush that the append-only audit table refuses, and the
    server must see committed rows. A copy made before the test's own transaction starts (hence module scope)
    needs no migrations (fast), leaves the test database untouched, and is thrown away afterwards.
    """
    with django_db_blocker.unblock():
        settings = connection.settings_dict
        name = str(settings["NAME"])
        # Never copy a real database: only pytest-django's own test database.
        assert "memory" in name or Path(name).name.startswith("test_"), name
        if connection.vendor == "sqlite":
            path = tmp_path_factory.mktemp("served") / "served.sqlite3"
            connection.ensure_connection()
            with contextlib.closing(sqlite3.connect(path)) as copy:
                connection.connection.backup(copy)
            yield ServedDatabase(f"sqlite:///{path}", path)
            return
        import psycopg

        auth = str(settings["USER"] or "")
        if settings["PASSWORD"]:
            auth += f":{settings['PASSWORD']}"
        host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
        server = f"postgres://{auth}{'@' if auth else ''}{host}"
        copy_name = f"chiiki_durability_{os.getpid()}"
        connections.close_all()  # CREATE DATABASE … TEMPLATE needs the template without sessions
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy_name}"')
            admin.execute(f'CREATE DATABASE "{copy_name}" TEMPLATE "{name}"')
        try:
            yield ServedDatabase(f"{server}/{copy_name}")
        finally:
            with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)')


def _set_up_survey(server: Server, households: int) -> list[Letter]:
    """Create the town, its registry and an open survey with keys, through the ORM of a separate process."""
    tests_dir = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", SET_UP, str(tests_dir), str(households)],
        env=server.env,
        cwd=server.workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [Letter(login_id, key) for login_id, key in json.loads(done.stdout.strip().splitlines()[-1])]


def _committed(database: ServedDatabase) -> dict[str, tuple[str, int]]:
    """Login ID -> (receipt, submissions) for every submitted answer, as committed in the server's database."""
    sql = (
        f"SELECT c.login_id, a.receipt_number, a.submissions FROM {Answer._meta.db_table} a "  # noqa: S608
        f"JOIN {SurveyCase._meta.db_table} c ON c.id = a.case_id WHERE a.submitted_at IS NOT NULL"
    )
    return {str(row[0]): (str(row[1]), int(str(row[2]))) for row in database.rows(sql)}


def _count(database: ServedDatabase, action: str) -> int:
    sql = f"SELECT count(*) FROM {AuditEvent._meta.db_table} WHERE action = '{action}'"  # noqa: S608
    return int(str(database.rows(sql)[0][0]))


def test_killing_the_server_mid_submission_loses_no_acknowledged_answer(
    served_database: ServedDatabase, tmp_path: Path
) -> None:
    server = Server(tmp_path, served_database.url)
    letters = _set_up_survey(server, HOUSEHOLDS)
    server.start()
    try:
        households = [Household(letter, server.url) for letter in letters]
        with ThreadPoolExecutor(max_workers=5) as pool:  # several households answer at once, as in life
            list(pool.map(_prepare, households))
        start = threading.Barrier(len(households) + 1)
        first_ack = threading.Event()
        threads = [
            threading.Thread(target=_submit_racing, args=(h, start, first_ack), daemon=True)
            for h in households
        ]
        for thread in threads:
            thread.start()
        start.wait()
        assert first_ack.wait(timeout=TIMEOUT), f"no submission was acknowledged: {server.log()}"
        server.kill(signal.SIGKILL)  # master and workers at once, mid-way through the others' submissions
        for thread in threads:
            thread.join(timeout=TIMEOUT)

        acknowledged = [h for h in households if h.acknowledged]
        assert acknowledged
        committed = _committed(served_database)
        for household in acknowledged:
            assert household.letter.login_id in committed, "an acknowledged submission was lost"
            if household.receipt:
                assert committed[household.letter.login_id][0] == household.receipt

        server.start()
        for household in households:
            # The same browser (its session survived in the database) presses 送信 again.
            response = _submit(household)
            assert response.headers.get("Location") == "/answer/receipt/", response.status_code
            receipt = _read_receipt(household)
            if household.receipt:
                assert receipt == household.receipt, "a second submit gave a different receipt"
            household.receipt = receipt
    finally:
        server.kill(signal.SIGTERM)

    after = _committed(served_database)
    assert set(after) == {letter.login_id for letter in letters}
    for household in households:
        receipt, submissions = after[household.letter.login_id]
        assert receipt == household.receipt
        assert submissions == 1, "a resubmission after the crash was recorded twice"
    assert _count(served_database, "surveys.answer_submitted") == HOUSEHOLDS
    assert _count(served_database, "surveys.answer_corrected") == 0
