"""Finding 4: background work that dies stays "running" forever. A real `chiiki worker` (the supervisor with one
worker process per queue) runs a real registry import on a file database (or a PostgreSQL database of its
own); its worker process is killed with SIGKILL in the middle of the job, twice. The supervisor says why the
worker stopped and starts it again; the new worker retries the job once, then fails it with a reason. Never
RUNNING forever. `chiiki serve --with-worker` supervises the same way and takes the client address from the
trusted proxy (finding 1, through the real gunicorn)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from .live import LiveDatabase, live_database

pytestmark = pytest.mark.slow

PERSONS = 60_000
HEADER = "household_code,person_code,family_name,given_name,sex,birth_date,relationship,district_code,district_name,address\n"
QUEUE_IMPORT = """
from django.core.files.uploadedfile import SimpleUploadedFile
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.registry.actions import request_registry_import
town = Municipality.objects.create(code="343021", prefecture_code="34", prefecture="広島県", county="安芸郡",
    name="府中町", name_kana="フチュウチョウ", kind="town")
data = open({path!r}, "rb").read()
upload = request_registry_import(town, SimpleUploadedFile("extract.csv", data), replace=False, by=Actor.system("test"))
print("UPLOAD", upload.pk)
"""


def write_extract(path: Path, persons: int) -> None:
    """A registry extract big enough that importing it takes a while (two persons per household)."""
    lines = [HEADER]
    for n in range(persons):
        household = n // 2
        lines.append(
            f"H{household:07d},P{n:08d},山田,太郎{n % 97},{1 + n % 2},1970-01-{1 + n % 28:02d},"
            f"{'世帯主' if n % 2 == 0 else '妻'},01,大字上野,広島県府中町大字上野{household}番地\n"
        )
    path.write_text("".join(lines), encoding="utf-8")


@pytest.fixture
def database(tmp_path: Path) -> Iterator[LiveDatabase]:
    with live_database(tmp_path, "worker") as live:
        yield live


@contextlib.contextmanager
def running(
    command: list[str], database: LiveDatabase, log: Path, **env: str
) -> Iterator[subprocess.Popen[bytes]]:
    """A process of ours in its own process group, stopped (SIGTERM, then SIGKILL) at the end."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            env=database.env(**env),
            cwd=database.folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_for(condition: Callable[[], Any], what: str, log: Path, timeout: float = 240) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; log:\n{log.read_text(errors='replace')[-4000:]}")


def job(database: LiveDatabase, upload_id: int) -> tuple[str, str, int, str]:
    rows = database.query(
        "SELECT status, worker, attempts, message FROM registry_registryupload WHERE id = %s", (upload_id,)
    )
    return rows[0] if rows else ("missing", "", 0, "")


def test_a_worker_killed_mid_job_is_restarted_and_its_job_retried_then_failed_with_a_reason(
    database: LiveDatabase, tmp_path: Path
) -> None:
    extract = tmp_path / "extract.csv"
    write_extract(extract, PERSONS)
    log = tmp_path / "worker.log"
    with running([sys.executable, "-m", "chiiki", "worker"], database, log) as supervisor:
        queued = database.chiiki("shell", "-v", "0", "-c", QUEUE_IMPORT.format(path=str(extract)))
        upload_id = int(queued.stdout.split("UPLOAD")[1])
        killed: list[str] = []
        for attempt in (1, 2):
            status, worker, attempts, _message = wait_for(
                lambda: (row := job(database, upload_id))[0] == "running" and row[1] not in killed and row,
                f"attempt {attempt} to run",
                log,
            )
            assert attempts == attempt
            killed.append(worker)
            os.kill(int(worker.rsplit(":", 1)[1]), signal.SIGKILL)  # mid-job: the import has just begun
        status, _worker, attempts, message = wait_for(
            lambda: (row := job(database, upload_id))[0] in {"failed", "done"} and row, "the job to end", log
        )
        assert supervisor.poll() is None  # the supervisor itself carries on
    assert (status, attempts) == ("failed", 2)
    assert "ワーカーが停止しました" in message
    text = log.read_text(errors="replace")
    assert text.count("worker[long] stopped") == 2
    assert "killed by SIGKILL" in text
    assert "restarting in" in text
    assert "worker[default] stopped" not in text  # the short-job worker was never disturbed
    assert "chiiki migrate" not in text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_pids(parent: int) -> dict[int, str]:
    """Child processes of `parent` with their command lines (from /proc)."""
    found = {}
    for task in Path(f"/proc/{parent}/task").iterdir():
        with contextlib.suppress(OSError):
            for pid in (task / "children").read_text().split():
                found[int(pid)] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    return found


def test_serve_with_worker_restarts_a_killed_worker_and_audits_the_client_behind_the_proxy(
    database: LiveDatabase, tmp_path: Path
) -> None:
    if not Path("/proc").exists():
        pytest.skip("needs /proc to find the worker processes")
    database.chiiki("collectstatic", "--no-input", "-v", "0")
    port = free_port()
    log = tmp_path / "serve.log"
    command = [
        sys.executable,
        "-m",
        "chiiki",
        "serve",
        "--with-worker",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
    ]
    with running(command, database, log, CHIIKI_TRUSTED_PROXIES="127.0.0.1") as serve:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(f"{base}/healthz"), "gunicorn to answer", log, timeout=120)
        # Debug off, as `make demo` serves: our own 404 page, never Django's debug page; static files served.
        missing = requests.get(f"{base}/no-such-page/", timeout=30)
        assert missing.status_code == 404
        assert "URLconf" not in missing.text
        assert requests.get(f"{base}/static/chiiki/chiiki.css", timeout=30).status_code == 200
        browser = requests.Session()
        page = browser.get(f"{base}/staff/login/", timeout=30).text
        token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        browser.post(
            f"{base}/staff/login/",
            data={"csrfmiddlewaretoken": token, "username": "nobody", "password": "guess"},
            headers={"X-Forwarded-For": "203.0.113.77", "Referer": f"{base}/staff/login/"},
            timeout=30,
        )
        addresses = database.query(
            "SELECT ip_address FROM core_auditevent WHERE action = 'core.login_failed'"
        )
        assert [str(a) for (a,) in addresses] == ["203.0.113.77"]
        workers = wait_for(
            lambda: [p for p, line in child_pids(serve.pid).items() if "worker --queue default" in line],
            "the default worker",
            log,
        )
        os.kill(workers[0], signal.SIGKILL)
        wait_for(
            lambda: [
                p
                for p, line in child_pids(serve.pid).items()
                if "worker --queue default" in line and p != workers[0]
            ],
            "the default worker to be restarted",
            log,
        )
        assert serve.poll() is None
    text = log.read_text(errors="replace")
    assert "worker[default] stopped" in text
    assert "killed by SIGKILL" in text


def _answers(url: str) -> bool:
    with contextlib.suppress(requests.RequestException):
        return requests.get(url, timeout=2).status_code == 200
    return False
