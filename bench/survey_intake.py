"""Survey intake over real HTTP: simulated households sign in, answer a 4-person census form, and submit.

    .venv/bin/python bench/survey_intake.py                  # PostgreSQL at 127.0.0.1:5432, 150 households
    .venv/bin/python bench/survey_intake.py --quick          # 30 households
    .venv/bin/python bench/survey_intake.py --sqlite --households 100 --concurrency 8 --workers 2 --threads 4

Set-up (not timed): a throwaway database (`chiiki_bench_<pid>` on PostgreSQL, dropped at the end; a file in a
temporary folder with --sqlite) is migrated; a municipality, a synthetic registry and the census-like form
(src/chiiki/demo/forms/census_demo.xlsx) are loaded; access keys are issued to N households with the real
PBKDF2 cost. Then gunicorn serves chiiki.wsgi with the real settings (Argon2 for respondents' passwords) and
the hooks `chiiki serve` uses (chiiki/core/gunicorn_config.py: each worker loads every view before serving).

Timed: `concurrency` threads, each with its own cookie jar per household, run the whole flow: login page, sign
in with ID + access key, set a password, the household page, the members page (4 people), the closing page,
review, submit, receipt: 13 requests. The households post like a browser with JavaScript: the work and
workplace questions, which depend on answers on the members page, are drawn hidden with their condition and
revealed by the page's script (surveys/static/surveys/answer.js) as the answers are typed, so the members page
is posted once. Then, in the same run and on the same server, the same number of threads fetch /healthz (a
trivial Django view). Then the same households run the bare-Django flow (bench/bare_intake_app.py: the same
kinds of writes, nothing of Chiiki) on a gunicorn of the same shape, as issue 18 defines it: 15 requests (the
members page posted three times, as our pages needed without the script); the ratio of our submissions/s to
its submissions/s is printed (goal: >= 0.5), with the ratio of gunicorn CPU per submission. A second bare run
with the members page posted once (13 requests, as many as ours now makes) gives the like-for-like ratio. Reported: submissions/s, sign-ins/s, p50/p99 latency per request
kind, the ratio of the answering flow's requests/s to /healthz requests/s, the number of acknowledged
submissions (redirect to the receipt page) missing from the database, which must be 0, and the CPU time the
gunicorn processes and this client spent per submission (from /proc; steady when other jobs share the cores,
unlike the rates).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
AUSTRALIA_2021_PEAK = 142.0  # submissions/s, 2021 Census night peak (built for 350/s)
PASSWORD = "midori-2025"  # noqa: S105 - the simulated respondents' password
TIMEOUT = 120.0

# --cheap-password-hash: the real settings with a fast hasher, for this benchmark's server only.
CHEAP_SETTINGS = """\
from chiiki.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
"""

HOUSEHOLD = {
    "household/hh_size": "4",
    "household/dwelling_type": "house",
    "household/tenure": "own",
    "household/floor_area": "98.5",
}
PEOPLE = [
    ("山本 健", "head", "male", "1978", "5", "employed"),
    ("山本 由美", "spouse", "female", "1980", "11", "side_work"),
    ("山本 翔", "child", "male", "2008", "2", "student"),
    ("山本 光", "child", "female", "2015", "8", ""),
]
MEMBERS: dict[str, str] = {}
for _n, (_name, _relation, _sex, _year, _month, _work) in enumerate(PEOPLE, start=1):
    MEMBERS.update(
        {
            f"members[{_n}]/member_name": _name,
            f"members[{_n}]/relation": _relation,
            f"members[{_n}]/sex": _sex,
            f"members[{_n}]/birth_year": _year,
            f"members[{_n}]/birth_month": _month,
            f"members[{_n}]/work_status": _work,
            f"members[{_n}]/workplace": "府中精機" if _work == "employed" else "",
        }
    )


# ------------------------------------------------------------------------------------------ set-up


@contextlib.contextmanager
def throwaway_database(use_sqlite: bool, folder: Path) -> Iterator[str]:
    """A database URL for this run only; dropped (PostgreSQL) when the run ends."""
    if use_sqlite:
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    import psycopg

    name = f"chiiki_bench_{os.getpid()}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load_survey(households: int) -> list[tuple[str, str]]:
    """Migrate, load a town with a registry and an open census, issue keys; return (login ID, key) pairs."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from django.utils import timezone

    from chiiki.core.acting import Actor
    from chiiki.core.models import Municipality
    from chiiki.demo import residents as synthetic
    from chiiki.demo.survey import DEMO_FORM, issue_keys_to
    from chiiki.registry.actions import import_registry
    from chiiki.surveys import actions

    town = Municipality.objects.filter(code="343021").first() or Municipality.objects.create(
        code="343021",
        prefecture_code="34",
        prefecture="広島県",
        county="安芸郡",
        name="府中町",
        name_kana="フチュウチョウ",
        kind="town",
    )
    # Synthetic households average a little over two people: this gives more households than needed.
    import_registry(town, synthetic.generate(persons=households * 3 + 50, seed=7), by=Actor.system("bench"))
    version = actions.import_questionnaire(
        town, DEMO_FORM.read_bytes(), filename=DEMO_FORM.name, by=Actor.system("bench")
    )
    now = timezone.now()
    survey = actions.create_survey(
        town,
        questionnaire_version=version,
        title="bench census",
        reference_date=date(2025, 10, 1),
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        by=Actor.system("bench"),
    )
    actions.draw_sample(survey, by=Actor.system("bench"))
    cases = list(survey.cases.order_by("id")[:households])
    if len(cases) < households:
        raise SystemExit(f"only {len(cases)} households in the synthetic registry")
    return issue_keys_to(survey, cases, by=Actor.system("bench"))


def missing_from_database(acknowledged: dict[str, str]) -> int:
    """How many acknowledged submissions (login ID -> receipt) are not committed with that receipt."""
    from chiiki.surveys.models import Answer

    stored = dict(
        Answer.objects.filter(case__login_id__in=list(acknowledged), submitted_at__isnull=False).values_list(
            "case__login_id", "receipt_number"
        )
    )
    return sum(1 for login_id, receipt in acknowledged.items() if stored.get(login_id) != receipt)


# ------------------------------------------------------------------------------------------ the server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], workers: int, threads: int, folder: Path, *, bare: bool = False
) -> Iterator[tuple[str, int]]:
    """gunicorn serving chiiki.wsgi (or, with `bare`, the bare-Django baseline) on a free port, in its own
    process group (ended by its own id); yields the URL and the master's process id."""
    port = free_port()
    log = (folder / ("gunicorn-bare.log" if bare else "gunicorn.log")).open("wb")
    if bare:
        env = {**env, "DJANGO_SETTINGS_MODULE": "bare_intake_app"}
        env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parent), *sys.path])
        app = ["bare_intake_app:application"]
    else:
        # The hooks `chiiki serve` uses: each worker loads every view before serving.
        app = ["chiiki.wsgi:application", "--config", "python:chiiki.core.gunicorn_config"]
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        *app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--preload",
        "--timeout",
        "120",
        "--backlog",
        "2048",
    ]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start:\n" + Path(log.name).read_text()[-3000:])
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            time.sleep(0.2)
        yield url, process.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def server_cpu_seconds(master: int) -> float | None:
    """CPU seconds (user + system) used so far by the gunicorn master and its worker processes, from /proc
    (None where there is no /proc). Unlike requests/s, this does not fall when other jobs share the cores."""
    proc = Path("/proc")
    if not (proc / str(master)).exists():
        return None
    pids = {master}
    for task in (proc / str(master) / "task").iterdir():
        with contextlib.suppress(OSError):
            pids.update(int(pid) for pid in (task / "children").read_text().split())
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = (proc / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


# ------------------------------------------------------------------------------------------ households


@dataclass
class Timings:
    """Latencies per request kind, shared by all threads."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, elapsed: float) -> None:
        with self.lock:
            self.seconds[kind].append(elapsed)


class Household:
    """One simulated household: its own cookies, its letter, what the server acknowledged."""

    def __init__(self, base: str, login_id: str, key: str, timings: Timings) -> None:
        self.base = base
        self.login_id = login_id
        self.key = key
        self.timings = timings
        self.http = requests.Session()
        self.signed_in = False
        self.receipt = ""
        self.error = ""

    def _call(
        self, kind: str, method: str, path: str, data: dict[str, Any] | None = None
    ) -> requests.Response:
        started = time.perf_counter()
        response = self.http.request(
            method, self.base + path, data=data, timeout=TIMEOUT, allow_redirects=False
        )
        self.timings.add(kind, time.perf_counter() - started)
        if response.status_code >= 500:
            raise RuntimeError(f"{kind}: HTTP {response.status_code}")
        return response

    def _page(self, name: str, values: dict[str, str]) -> str:
        """Fill a page as a person with a browser that runs the page's script: the keys of the questions shown
        (enabled `shown` inputs) and of the questions the script reveals. A question drawn hidden (`data-key`
        on a hidden .answer-reveal wrapper) is revealed when its condition holds, and then its `shown` input is
        enabled and posted; these households answer exactly the questions whose conditions hold (a child's
        work status and a non-employee's workplace are left blank), so a hidden question they have an answer
        for is one the script reveals. The server evaluates relevance again; a page it does not accept
        (errors, or questions that appeared) is posted again, as a person would."""
        html = self._call("page GET", "GET", f"/answer/q/{name}/").text
        for _ in range(4):
            shown = re.findall(r'<input type="hidden" name="shown" value="([^"]*)">', html)
            revealed = re.findall(
                r'<div class="answer-reveal" data-relevant="[^"]*" data-key="([^"]*)" hidden>', html
            )
            shown += [key for key in revealed if values.get(key)]
            data: dict[str, Any] = {
                "csrfmiddlewaretoken": csrf(html),
                "version": hidden(html, "version"),
                "digest": hidden(html, "digest"),
                "shown": shown,
                "action": "next",
            }
            data.update({key: values[key] for key in shown if key in values})
            response = self._call("page POST", "POST", f"/answer/q/{name}/", data)
            if response.status_code == 302:
                return str(response.headers["Location"])
            html = response.text
        raise RuntimeError(f"page {name} not accepted")

    def run(self) -> None:
        """The whole flow, from the letter to the receipt."""
        try:
            html = self._call("login GET", "GET", "/answer/").text
            response = self._call(
                "sign-in POST",
                "POST",
                "/answer/",
                {"csrfmiddlewaretoken": csrf(html), "login_id": self.login_id, "secret": self.key},
            )
            if response.headers.get("Location") != "/answer/password/":
                raise RuntimeError(f"sign-in refused ({response.status_code})")
            self.signed_in = True
            html = self._call("password GET", "GET", "/answer/password/").text
            self._call(
                "password POST",
                "POST",
                "/answer/password/",
                {"csrfmiddlewaretoken": csrf(html), "password": PASSWORD, "confirmation": PASSWORD},
            )
            self._page("household", HOUSEHOLD)
            self._page("members", MEMBERS)
            if self._page("closing", {"closing/remarks": ""}) != "/answer/review/":
                raise RuntimeError("did not reach the review page")
            html = self._call("review GET", "GET", "/answer/review/").text
            response = self._call(
                "submit POST",
                "POST",
                "/answer/review/",
                {"csrfmiddlewaretoken": csrf(html), "version": hidden(html, "version")},
            )
            if response.headers.get("Location") != "/answer/receipt/":
                raise RuntimeError(f"submission not accepted ({response.status_code})")
            html = self._call("receipt GET", "GET", "/answer/receipt/").text
            match = re.search(r'receipt__number">[^<]*<strong>([A-Z0-9-]+)</strong>', html)
            if match is None:
                raise RuntimeError("no receipt number")
            self.receipt = match.group(1).replace("-", "")
        except (requests.RequestException, RuntimeError) as error:
            self.error = f"{type(error).__name__}: {error}"


class BareHousehold(Household):
    """The same household against the bare-Django baseline (bench/bare_intake_app.py), as issue 18 defines
    it: 15 requests (the members page posted three times, as ours was before its questions appeared without
    a round trip). `reposts` = 0 gives the 13 requests ours makes now."""

    reposts = 2

    def _bare_page(self, name: str, values: dict[str, str], *, reposts: int = 0) -> str:
        html = self._call("page GET", "GET", f"/answer/q/{name}/").text
        data: dict[str, Any] = {
            "csrfmiddlewaretoken": csrf(html),
            "version": hidden(html, "version"),
            **values,
        }
        for _ in range(reposts):  # the members page posted again: questions that appear with answers
            self._call("page POST", "POST", f"/answer/q/{name}/", {**data, "again": "1"})
        response = self._call("page POST", "POST", f"/answer/q/{name}/", data)
        return str(response.headers.get("Location", ""))

    def run(self) -> None:
        try:
            html = self._call("login GET", "GET", "/answer/").text
            response = self._call(
                "sign-in POST",
                "POST",
                "/answer/",
                {"csrfmiddlewaretoken": csrf(html), "login_id": self.login_id, "secret": self.key},
            )
            if response.headers.get("Location") != "/answer/password/":
                raise RuntimeError(f"sign-in refused ({response.status_code})")
            self.signed_in = True
            html = self._call("password GET", "GET", "/answer/password/").text
            self._call(
                "password POST",
                "POST",
                "/answer/password/",
                {"csrfmiddlewaretoken": csrf(html), "password": PASSWORD, "confirmation": PASSWORD},
            )
            self._bare_page("household", HOUSEHOLD)
            self._bare_page("members", MEMBERS, reposts=self.reposts)
            if self._bare_page("closing", {"closing/remarks": ""}) != "/answer/review/":
                raise RuntimeError("did not reach the review page")
            html = self._call("review GET", "GET", "/answer/review/").text
            response = self._call(
                "submit POST",
                "POST",
                "/answer/review/",
                {"csrfmiddlewaretoken": csrf(html), "version": hidden(html, "version")},
            )
            if response.headers.get("Location") != "/answer/receipt/":
                raise RuntimeError(f"submission not accepted ({response.status_code})")
            html = self._call("receipt GET", "GET", "/answer/receipt/").text
            match = re.search(r'receipt__number">[^<]*<strong>([A-Z0-9-]+)</strong>', html)
            if match is None:
                raise RuntimeError("no receipt number")
            self.receipt = match.group(1)
        except (requests.RequestException, RuntimeError) as error:
            self.error = f"{type(error).__name__}: {error}"


class BareOnePostHousehold(BareHousehold):
    """The bare-Django flow with the members page posted once: as many requests (13) as ours makes now."""

    reposts = 0


@dataclass
class Run:
    """One timed run of the flow against one server."""

    crowd: list[Household]
    timings: Timings
    elapsed: float
    server_cpu: float | None
    client_cpu: float

    @property
    def submitted(self) -> int:
        return sum(1 for h in self.crowd if h.receipt)

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.timings.seconds.values())

    def cpu_per_submission_ms(self) -> float | None:
        if self.server_cpu is None or not self.submitted:
            return None
        return self.server_cpu / self.submitted * 1000


def run_crowd(
    kind: type[Household], base: str, master: int, letters: list[tuple[str, str]], concurrency: int
) -> Run:
    timings = Timings()
    crowd = [kind(base, login_id, key, timings) for login_id, key in letters]
    cpu_before, client_before = server_cpu_seconds(master), time.process_time()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda household: household.run(), crowd))
    elapsed = time.perf_counter() - started
    cpu_after = server_cpu_seconds(master)
    server_cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    return Run(crowd, timings, elapsed, server_cpu, time.process_time() - client_before)


def prepare_bare_tables(letters: list[tuple[str, str]]) -> None:
    """The baseline's own tables in the same database, holding the same households and stored key hashes."""
    from django.db import connection

    import bare_intake_app
    from chiiki.surveys.models import SurveyCase

    bare_intake_app.create_tables(connection)
    cases = SurveyCase.objects.filter(login_id__in=[login_id for login_id, _ in letters])
    bare_intake_app.copy_households(connection, list(cases.values_list("pk", "login_id", "access_key_hash")))


def reset_bare_tables() -> None:
    """The baseline's households as before their first run (no password, no answers), for a second run."""
    from django.db import connection, connections

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE bare_household SET password_hash = '', status = 'issued', data = '{}', version = 0, "
            "submitted = NULL, receipt = NULL"
        )
    connections.close_all()


def csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if match is None:
        raise RuntimeError("no CSRF token")
    return match.group(1)


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    if match is None:
        raise RuntimeError(f"no hidden input {name}")
    return match.group(1)


def healthz_rate(base: str, concurrency: int, requests_total: int) -> tuple[float, list[float]]:
    """Requests/s of /healthz with `concurrency` threads (each with one kept-alive connection)."""
    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = max(1, requests_total // concurrency)

    def hammer(_: int) -> None:
        http = requests.Session()
        mine = []
        for _i in range(per_thread):
            started = time.perf_counter()
            http.get(f"{base}/healthz", timeout=TIMEOUT).raise_for_status()
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(hammer, range(concurrency)))
    return len(latencies) / (time.perf_counter() - started), latencies


def percentile(values: list[float], share: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


# ------------------------------------------------------------------------------------------ main


def print_ours(
    ours: Run,
    args: argparse.Namespace,
    engine: str,
    households: int,
    concurrency: int,
    health: tuple[float, list[float]],
    missing: int,
) -> None:
    """The real flow's figures."""
    health_rate, health_latencies = health
    crowd, timings, elapsed = ours.crowd, ours.timings, ours.elapsed
    errors = [h.error for h in crowd if h.error]
    submitted = ours.submitted
    signed_in = sum(1 for h in crowd if h.signed_in)
    flow_requests = ours.requests
    flow_rate = flow_requests / elapsed
    hashing = "MD5 (--cheap-password-hash)" if args.cheap_password_hash else "Argon2 (production settings)"
    print(
        f"\nserver: gunicorn {args.workers} workers x {args.threads} threads on {engine}; "
        f"{concurrency} simulated households at once; {os.cpu_count()} CPU cores "
        "(shared with other jobs: figures are a floor); "
        f"respondents' passwords hashed with {hashing}"
    )
    print(f"households: {households}, submitted with a receipt: {submitted}, errors: {len(errors)}")
    for error in sorted(set(errors))[:5]:
        print(f"  error: {error}")
    print(f"elapsed (timed flow): {elapsed:.1f} s")
    print(f"submissions/s:        {submitted / elapsed:8.2f}")
    print(f"sign-ins/s:           {signed_in / elapsed:8.2f}")
    print(
        f"requests/s (flow):    {flow_rate:8.1f}   ({flow_requests} requests, {flow_requests / households:.0f} per household)"
    )
    print(f"requests/s /healthz:  {health_rate:8.1f}   (baseline, same server, same concurrency)")
    print(f"ratio flow/healthz:   {flow_rate / health_rate:8.3f}")
    print(f"acknowledged submissions missing from the database: {missing}")
    ours_cpu = ours.cpu_per_submission_ms()
    if ours_cpu is not None:
        print(
            f"CPU per submission:   {ours_cpu:8.0f} ms in gunicorn, "
            f"{ours.client_cpu / max(1, submitted) * 1000:.0f} ms in this client (PostgreSQL's not counted)"
        )
    print("\nlatency per request kind (ms):      n      p50      p99")
    for kind in sorted(timings.seconds):
        values = timings.seconds[kind]
        print(
            f"  {kind:<28} {len(values):6d} {percentile(values, 0.5) * 1000:8.1f} {percentile(values, 0.99) * 1000:8.1f}"
        )
    print(
        f"  {'healthz GET':<28} {len(health_latencies):6d} {percentile(health_latencies, 0.5) * 1000:8.1f} "
        f"{percentile(health_latencies, 0.99) * 1000:8.1f}"
    )


def print_bare(bare: Run, ours: Run, households: int, one_post: Run | None = None) -> None:
    """The baseline's figures and the ratios of ours to it (and to the bare flow with as many requests as ours
    makes, when it was run)."""
    ours_cpu = ours.cpu_per_submission_ms()
    bare_errors = sorted({h.error for h in bare.crowd if h.error})
    print(
        f"\nbare-Django flow (bench/bare_intake_app.py, same writes, {bare.requests / households:.0f} requests per "
        f"household): {bare.submitted} submitted, {len(bare_errors)} kinds of error, {bare.elapsed:.1f} s"
    )
    for error in bare_errors[:5]:
        print(f"  error: {error}")
    if bare.submitted:
        bare_rate = bare.submitted / bare.elapsed
        print(f"submissions/s bare:   {bare_rate:8.2f}")
        print(
            f"ratio ours/bare (submissions/s): {ours.submitted / ours.elapsed / bare_rate:6.3f}   (goal: >= 0.5)"
        )
    bare_cpu = bare.cpu_per_submission_ms()
    if bare_cpu is not None and ours_cpu:
        print(f"CPU per submission bare: {bare_cpu:6.0f} ms in gunicorn")
        print(
            f"ratio bare/ours (gunicorn CPU per submission): {bare_cpu / ours_cpu:6.3f}   "
            "(the throughput ratio when the cores are the limit; steadier on shared cores)"
        )
    one_cpu = one_post.cpu_per_submission_ms() if one_post is not None else None
    if one_post is not None and one_cpu is not None and ours_cpu:
        print(
            f"like for like: bare with the members page posted once ({one_post.requests / households:.0f} requests, "
            f"{one_post.submitted} submitted): {one_cpu:.0f} ms CPU per submission; ratio bare/ours "
            f"{one_cpu / ours_cpu:.3f}, submissions/s ratio ours/bare "
            f"{ours.submitted / ours.elapsed / (one_post.submitted / one_post.elapsed):.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="30 households")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    parser.add_argument("--households", type=int, default=None)
    parser.add_argument("--concurrency", type=int, default=None, help="simulated households at once")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--cheap-password-hash",
        action="store_true",
        help="server hashes respondents' passwords with MD5 (bench only, never in production): shows the cost "
        "of everything but Argon2",
    )
    parser.add_argument(
        "--no-bare", action="store_true", help="skip the bare-Django baseline (bench/bare_intake_app.py)"
    )
    args = parser.parse_args()
    households = args.households or (30 if args.quick else 150)
    concurrency = args.concurrency or (6 if args.quick else 12)

    folder = Path(tempfile.mkdtemp(prefix="chiiki-bench-"))
    with throwaway_database(args.sqlite, folder) as database_url:
        env = {
            k: v for k, v in os.environ.items() if k not in {"CHIIKI_SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
        }
        env.update(
            {
                "CHIIKI_DATABASE_URL": database_url,
                "CHIIKI_VAR_DIR": str(folder / "var"),
                "CHIIKI_SECURE": "0",
                "CHIIKI_DEBUG": "0",
                "CHIIKI_LOG_LEVEL": "WARNING",
                "DJANGO_SETTINGS_MODULE": "chiiki.settings",
            }
        )
        if args.cheap_password_hash:
            (folder / "bench_settings.py").write_text(CHEAP_SETTINGS, encoding="utf-8")
            env["DJANGO_SETTINGS_MODULE"] = "bench_settings"
            env["PYTHONPATH"] = os.pathsep.join([str(folder), *sys.path])
        os.environ.update(env)
        sys.path.insert(0, str(folder))
        os.environ.pop("CHIIKI_SECRET_KEY", None)
        engine = "SQLite (file)" if args.sqlite else "PostgreSQL"
        print(f"set-up: {engine}, {households} households, keys with the real PBKDF2 cost (not timed)")
        started = time.perf_counter()
        letters = load_survey(households)
        print(f"  set-up took {time.perf_counter() - started:.1f} s")

        with gunicorn(env, args.workers, args.threads, folder) as (base, master):
            ours = run_crowd(Household, base, master, letters, concurrency)
            health_rate, health_latencies = healthz_rate(base, concurrency, max(300, ours.requests // 2))
        acknowledged = {h.login_id: h.receipt for h in ours.crowd if h.receipt}
        missing = missing_from_database(acknowledged)
        bare: Run | None = None
        one_post: Run | None = None
        if not args.no_bare:
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            prepare_bare_tables(letters)
            from django.db import connections

            connections.close_all()
            with gunicorn(env, args.workers, args.threads, folder, bare=True) as (base, master):
                bare = run_crowd(BareHousehold, base, master, letters, concurrency)
                reset_bare_tables()
                one_post = run_crowd(BareOnePostHousehold, base, master, letters, concurrency)

    print_ours(ours, args, engine, households, concurrency, (health_rate, health_latencies), missing)
    if bare is not None:
        print_bare(bare, ours, households, one_post)
    rate = ours.submitted / ours.elapsed
    print(
        f"\nfor scale: Australia's 2021 census peaked at {AUSTRALIA_2021_PEAK:.0f} submissions/s (built for 350/s); "
        f"this run: {rate:.2f}/s = {rate / AUSTRALIA_2021_PEAK:.3f} of that peak on {os.cpu_count()} shared cores. "
        + (
            "Without Argon2 each household still costs one PBKDF2 key check (at sign-in)."
            if args.cheap_password_hash
            else "Each household costs one PBKDF2 key check (sign-in with the key) and one Argon2 run (the new "
            "password's hash); app servers scale out behind a load balancer."
        )
    )
    if missing:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
