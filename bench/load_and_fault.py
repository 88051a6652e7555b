"""Load and fault: survey intake at the intake benchmark's pace while parts of the platform are killed in turn.

    .venv/bin/python bench/load_and_fault.py                    # PostgreSQL at 127.0.0.1:5432, 120 households
    .venv/bin/python bench/load_and_fault.py --sqlite --households 60
    .venv/bin/python bench/load_and_fault.py --real-password-hash   # Argon2 as in production (slower)

Built on bench/survey_intake.py (same throwaway database, same census form, same simulated households), but the
server is the whole supervised stack as `chiiki serve --with-worker` runs it: gunicorn and one worker process
per queue. While the households answer, a feeder queues a registry import (a long job) every few seconds, and
three faults are injected in turn:

1. the long-queue worker is killed with SIGKILL while it imports,
2. one gunicorn worker process is killed with SIGKILL while it serves residents,
3. every database connection of the server is terminated (PostgreSQL's pg_terminate_backend; there is no
   server connection to kill with SQLite, so that fault is skipped there).

A resident whose request fails reloads the page, up to three times, as a person would. Reported: acknowledged
answers missing from the database (must be 0), jobs still queued or running once the faults are over and the
reaper has had its turn — queued or running with no job finishing for three minutes (must be 0), and the share of residents' requests that failed (what residents saw).
Residents' passwords are hashed with MD5 unless --real-password-hash: this benchmark measures survival, not
hashing cost (bench/survey_intake.py measures that).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from survey_intake import (
    CHEAP_SETTINGS,
    Household,
    Timings,
    free_port,
    missing_from_database,
    throwaway_database,
)
from survey_intake import load_survey as load_survey_with_actors

RETRIES = 3
FEED_EVERY = 4.0  # seconds between two registry imports queued during the run
SETTLE_SECONDS = 180.0  # a job of the run that neither ends nor lets another end for this long is stuck


class Counter:
    """Requests and failed requests, shared by the household threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.failures = 0
        self.kinds: dict[str, int] = {}

    def add(self, failed: str | None) -> None:
        with self.lock:
            self.requests += 1
            if failed:
                self.failures += 1
                self.kinds[failed] = self.kinds.get(failed, 0) + 1


class PersistentHousehold(Household):
    """A household that reloads a page that failed (a 5xx or a dropped connection), up to RETRIES times."""

    counter: Counter

    def _call(
        self, kind: str, method: str, path: str, data: dict[str, Any] | None = None
    ) -> requests.Response:
        for attempt in range(RETRIES + 1):
            try:
                response = super()._call(kind, method, path, data)
            except (requests.RequestException, RuntimeError) as error:
                self.counter.add(type(error).__name__ if not isinstance(error, RuntimeError) else "HTTP 5xx")
                if attempt == RETRIES:
                    raise
                time.sleep(0.5 * (attempt + 1))
                continue
            self.counter.add(None)
            return response
        raise AssertionError("unreachable")


def load_survey(households: int) -> list[tuple[str, str]]:
    """survey_intake's set-up: a town, its registry, the demo census and letters for `households`."""
    return load_survey_with_actors(households)


# ------------------------------------------------------------------------------------------ the stack


@contextlib.contextmanager
def supervised_stack(env: dict[str, str], folder: Path, workers: int, threads: int) -> Any:
    """`chiiki serve --with-worker` in its own process group; yields (url, supervisor process)."""
    port = free_port()
    log = (folder / "serve.log").open("wb")
    command = [
        sys.executable, "-m", "chiiki", "serve", "--with-worker", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", str(threads),
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start:\n" + (folder / "serve.log").read_text()[-3000:])
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            time.sleep(0.3)
        yield url, process
    finally:
        # Only the supervisor is told to stop: it stops each child once (as systemd's KillMode=mixed does).
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def descendants(root: int) -> dict[int, str]:
    """Every process below `root`, with its command line (from /proc)."""
    found: dict[int, str] = {}
    todo = [root]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            with contextlib.suppress(OSError):
                for pid in map(int, (task / "children").read_text().split()):
                    found[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                    todo.append(pid)
    return found


def kill_long_worker(supervisor: int) -> str:
    victims = [pid for pid, line in descendants(supervisor).items() if "worker --queue long" in line]
    if not victims:
        return "no long-queue worker found"
    os.kill(victims[0], signal.SIGKILL)
    return f"SIGKILL to the long-queue worker (pid {victims[0]})"


def kill_gunicorn_worker(supervisor: int) -> str:
    processes = descendants(supervisor)
    masters = [pid for pid, line in processes.items() if "gunicorn" in line and "chiiki.wsgi" in line]
    workers = list(descendants(masters[0])) if masters else []
    if not workers:
        return "no gunicorn worker found"
    os.kill(workers[0], signal.SIGKILL)
    return f"SIGKILL to one gunicorn worker (pid {workers[0]})"


def kill_database_connections(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        return "skipped: SQLite has no server connection to kill"
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchone()
    return f"pg_terminate_backend on all {killed[0] if killed else 0} connections of the database"


# ------------------------------------------------------------------------------------------ jobs


def feed_jobs(stop: threading.Event, queued: list[int]) -> None:
    """Queue a small registry import for a second town every FEED_EVERY seconds (long-queue jobs)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connections

    from chiiki.core.acting import Actor
    from chiiki.core.models import Municipality
    from chiiki.registry.actions import request_registry_import

    town, _ = Municipality.objects.get_or_create(
        code="352021",
        defaults={
            "prefecture_code": "35", "prefecture": "山口県", "county": "", "name": "宇部市",
            "name_kana": "ウベシ", "kind": "city",
        },
    )  # fmt: skip
    extract = registry_extract(3000).encode()
    try:
        while not stop.wait(FEED_EVERY):
            with contextlib.suppress(Exception):  # the database may be down for a moment: try again next time
                upload = request_registry_import(
                    town, SimpleUploadedFile("extract.csv", extract), replace=True, by=Actor.system("bench")
                )
                queued.append(upload.pk)
    finally:
        connections.close_all()


def registry_extract(persons: int) -> str:
    header = "household_code,person_code,family_name,given_name,sex,birth_date,relationship,district_code,district_name,address\n"
    rows = [
        f"H{n // 2:06d},P{n:07d},山田,太郎{n % 50},{1 + n % 2},1970-01-{1 + n % 28:02d},"
        f"{'世帯主' if n % 2 == 0 else '妻'},01,中央,山口県宇部市中央{n // 2}番地\n"
        for n in range(persons)
    ]
    return header + "".join(rows)


def pending_jobs(ids: list[int]) -> dict[str, int]:
    """Registry imports of this run by status."""
    from django.db import connections

    from chiiki.registry.models import RegistryUpload

    connections.close_all()
    counts: dict[str, int] = {}
    for status in RegistryUpload.objects.filter(pk__in=ids).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def settle(ids: list[int]) -> dict[str, int]:
    """Wait while the jobs of the run make progress; return the counts once none is queued or running, or once
    none has finished for SETTLE_SECONDS (what is left then is stuck, not merely waiting its turn)."""
    finished, last_progress = -1, time.monotonic()
    while True:
        counts = pending_jobs(ids)
        if not (counts.get("queued") or counts.get("running")):
            return counts
        done = counts.get("done", 0) + counts.get("failed", 0)
        if done > finished:
            finished, last_progress = done, time.monotonic()
        elif time.monotonic() - last_progress > SETTLE_SECONDS:
            return counts
        time.sleep(2)


# ------------------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    parser.add_argument("--households", type=int, default=120)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--real-password-hash", action="store_true", help="Argon2 as in production")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="chiiki-fault-"))
    with throwaway_database(args.sqlite, folder) as database_url:
        env = {
            k: v for k, v in os.environ.items() if k not in {"CHIIKI_SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
        }
        env.update(
            {
                "CHIIKI_DATABASE_URL": database_url,
                "CHIIKI_VAR_DIR": str(folder / "var"),
                "CHIIKI_MEDIA_ROOT": str(folder / "media"),
                "CHIIKI_SECURE": "0",
                "CHIIKI_DEBUG": "0",
                "CHIIKI_LOG_LEVEL": "WARNING",
                "DJANGO_SETTINGS_MODULE": "chiiki.settings",
                # The reaper looks every 10 s, so the settle window shows what it does.
                "CHIIKI_JOB_REAP_SECONDS": "10",
                "CHIIKI_JOB_STALE_SECONDS": "60",
            }
        )
        if not args.real_password_hash:
            (folder / "bench_settings.py").write_text(CHEAP_SETTINGS, encoding="utf-8")
            env["DJANGO_SETTINGS_MODULE"] = "bench_settings"
            env["PYTHONPATH"] = os.pathsep.join([str(folder), *sys.path])
        os.environ.update(env)
        sys.path.insert(0, str(folder))
        engine = "SQLite (file)" if args.sqlite else "PostgreSQL"
        print(f"set-up: {engine}, {args.households} households (not timed)")
        letters = load_survey(args.households)

        with supervised_stack(env, folder, args.workers, args.threads) as (base, supervisor):
            counter, timings = Counter(), Timings()
            PersistentHousehold.counter = counter
            crowd = [PersistentHousehold(base, login_id, key, timings) for login_id, key in letters]
            stop, queued = threading.Event(), []
            feeder = threading.Thread(target=feed_jobs, args=(stop, queued), daemon=True)
            feeder.start()
            faults = [
                (0.2, lambda: kill_long_worker(supervisor.pid)),
                (0.45, lambda: kill_gunicorn_worker(supervisor.pid)),
                (0.7, lambda: kill_database_connections(database_url)),
            ]
            done = [0]
            log: list[str] = []

            def answer(household: PersistentHousehold) -> None:
                household.run()
                done[0] += 1
                while faults and done[0] >= faults[0][0] * len(crowd):
                    share, inject = faults.pop(0)
                    log.append(f"  at {share:.0%} of the households: {inject()}")

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                list(pool.map(answer, crowd))
            elapsed = time.perf_counter() - started
            stop.set()
            feeder.join(timeout=30)
            final = settle(queued)

        acknowledged = {h.login_id: h.receipt for h in crowd if h.receipt}
        missing = missing_from_database(acknowledged)
        gave_up = [h.error for h in crowd if h.error]

    stuck = final.get("queued", 0) + final.get("running", 0)
    share = counter.failures / counter.requests if counter.requests else 0.0
    print(f"\nserver: chiiki serve --with-worker, gunicorn {args.workers}x{args.threads}, {engine}")
    print("faults injected:")
    print("\n".join(log))
    print(f"households: {len(crowd)}, submitted with a receipt: {len(acknowledged)} in {elapsed:.1f} s "
          f"({len(acknowledged) / elapsed:.2f}/s), gave up after {RETRIES} reloads: {len(gave_up)}")  # fmt: skip
    for error in sorted(set(gave_up))[:3]:
        print(f"  gave up: {error}")
    print(f"acknowledged answers lost:        {missing}")
    print(f"jobs queued during the run:       {len(queued)}  final states: {dict(sorted(final.items()))}")
    print(f"jobs stuck (queued or running):   {stuck}")
    print(f"residents' requests that failed:  {counter.failures} of {counter.requests} ({share:.2%}) "
          f"{dict(sorted(counter.kinds.items()))}")  # fmt: skip
    print(f"server log: {folder / 'serve.log'}")
    if missing or stuck:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
