"""The periodic load of configured sources: a real HTTP server serves one source, another never answers in
time, a third is a file on disk; the slow one fails its own job with the reason and the others are loaded."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from chiiki.core.models import AuditEvent, Job
from chiiki.cyber import sources, tasks
from chiiki.cyber.models import Advisory, FeedImport

from .conftest import ADVISORIES, PREFECTURE, Service


class _Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        time.sleep(3)  # longer than the fetch timeout the test sets
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def slow_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jvn"
    server.shutdown()
    server.server_close()


@pytest.fixture
def immediate(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_parsing_names_what_is_wrong_with_an_entry() -> None:
    parsed = sources.parse_sources(
        "340006 jvn https://jvndb.jvn.jp/myjvn?method=getVulnOverviewList&feed=hnd\n"
        "340006 kev /srv/kev.json GREEN; 340006 rss https://x.example/a\n"
        "340006 csaf feeds/a.json\n340006 osv"
    )
    assert [(s.source_format, s.url, s.tlp) for s in parsed[:2]] == [
        ("jvn", "https://jvndb.jvn.jp/myjvn?method=getVulnOverviewList&feed=hnd", "CLEAR"),
        ("kev", "file:///srv/kev.json", "GREEN"),
    ]
    assert "rss" in parsed[2].problem
    assert "絶対パス" in parsed[3].problem
    assert "形ではありません" in parsed[4].problem


def test_one_source_times_out_and_the_schedule_goes_on_with_the_next(
    service: Service,
    settings: Any,
    immediate: None,
    slow_url: str,
    feed_server: Callable[[str, bytes], str],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    jvn_url = feed_server("vuldef.xml", (ADVISORIES / "jvn-vuldef-sample.xml").read_bytes())
    kev_path = tmp_path / "kev.json"
    kev_path.write_bytes((ADVISORIES / "kev-excerpt.json").read_bytes())
    settings.CHIIKI_CYBER_FETCH_SECONDS = 0.5
    settings.CHIIKI_CYBER_SOURCES = (
        f"{PREFECTURE} jvn {slow_url}\n"
        f"{PREFECTURE} jvn {jvn_url} GREEN\n"
        f"999999 osv {jvn_url}\n"
        f"{PREFECTURE} kev {kev_path}\n"
        f"{PREFECTURE} csaf {tmp_path / 'missing.json'}"
    )
    with django_capture_on_commit_callbacks(execute=True):
        queued = tasks.load_sources.call()
    assert queued == 4  # the entry naming no known operator is skipped
    feeds = {f.url: f for f in FeedImport.objects.all()}
    slow = feeds[slow_url]
    assert slow.status == Job.Status.FAILED
    assert "0.5 秒以内に応答しませんでした" in slow.message
    assert feeds[jvn_url].status == Job.Status.DONE, feeds[jvn_url].message
    assert feeds[jvn_url].added == 2
    assert set(Advisory.objects.values_list("identifier", "tlp")) == {
        ("JVNDB-2024-900001", "GREEN"),
        ("JVNDB-2021-900002", "GREEN"),
    }
    assert feeds[kev_path.as_uri()].status == Job.Status.DONE, feeds[kev_path.as_uri()].message
    missing = feeds[(tmp_path / "missing.json").as_uri()]
    assert missing.status == Job.Status.FAILED
    assert "取得できませんでした" in missing.message
    [skipped] = AuditEvent.objects.filter(action="cyber.source_failed")
    assert "999999" in skipped.detail["reason"]
    # Every load is the schedule's, on the record.
    assert set(
        AuditEvent.objects.filter(action="cyber.feed_requested").values_list("actor_label", flat=True)
    ) == {tasks.SCHEDULE_ACTOR}


def test_no_source_configured_books_nothing(settings: Any) -> None:
    settings.CHIIKI_CYBER_SOURCES = ""
    assert tasks.start_source_schedule() is None
    assert tasks.schedule_sources() is None


def test_the_worker_books_one_pending_run_however_often_it_starts(db: None, settings: Any) -> None:
    settings.CHIIKI_CYBER_SOURCES = f"{PREFECTURE} kev /srv/kev.json"
    assert tasks.start_source_schedule() is not None
    assert tasks.start_source_schedule() is None
    assert tasks.schedule_sources() is None
    from chiiki.core.schedule import pending_runs

    assert pending_runs(tasks.load_sources) == 1
