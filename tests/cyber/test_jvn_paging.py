"""MyJVN's getVulnOverviewList answers at most 50 items a call: a load follows startItem page by page, served by a
real local HTTP server that pages like the API (Status totalRes / totalResRet / firstRes)."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

from chiiki.core.acting import Actor
from chiiki.core.models import Job
from chiiki.cyber import actions, engine
from chiiki.cyber.models import Advisory, FeedImport
from chiiki.cyber.tasks import import_feed

from .conftest import ADVISORIES, PREFECTURE, Service

SAMPLE = (ADVISORIES / "jvnrss-sample.xml").read_text(encoding="utf-8")
ITEM = re.search(r"  <item .*?</item>\n", SAMPLE, re.S).group(0)  # type: ignore[union-attr]
TOTAL = 120


def _page(start: int, count: int, *, ret_cd: str = "0") -> bytes:
    """A JVNRSS answer holding items start..start+count-1 of TOTAL, as MyJVN writes its Status element."""
    numbers = range(start, min(start + count, TOTAL + 1))
    items = "".join(ITEM.replace("JVNDB-2024-900001", f"JVNDB-2024-{900000 + n}") for n in numbers)
    head, tail = SAMPLE.split(ITEM)
    status = (
        f'<status:Status version="3.3" method="getVulnOverviewList" lang="ja" retCd="{ret_cd}" retMax="50" '
        f'errCd="{"" if ret_cd == "0" else "MJ-1"}" errMsg="" totalRes="{TOTAL}" totalResRet="{len(numbers)}" '
        f'firstRes="{start}" feed="hnd" />'
    )
    tail = re.sub(r"<status:Status [^>]*/>", status, tail)
    return (head + items + tail).encode()


class _MyJvn(http.server.BaseHTTPRequestHandler):
    asked: ClassVar[list[int]] = []
    fail_from: ClassVar[int | None] = None

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        start = int(query.get("startItem", ["1"])[0])
        count = min(int(query.get("maxCountItem", ["50"])[0]), engine.MYJVN_MAX_ITEMS)
        type(self).asked.append(start)
        failing = self.fail_from is not None and start >= self.fail_from
        body = _page(start, count, ret_cd="1" if failing else "0")
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def myjvn(settings: Any) -> Iterator[str]:
    _MyJvn.asked, _MyJvn.fail_from = [], None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _MyJvn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/myjvn?method=getVulnOverviewList&feed=hnd&maxCountItem=50"
    settings.CHIIKI_CYBER_FEED_URLS = [url]
    yield url
    server.shutdown()
    server.server_close()


def _load(service: Service, url: str) -> FeedImport:
    feed = actions.request_feed_import(
        service.prefecture, source_format="jvn", tlp="CLEAR", url=url, by=Actor.for_user(service.analyst)
    )
    import_feed.call(feed.pk)
    feed.refresh_from_db()
    return feed


def test_every_page_is_loaded_following_start_item(service: Service, myjvn: str) -> None:
    feed = _load(service, myjvn)
    assert feed.status == Job.Status.DONE, feed.message
    assert _MyJvn.asked == [1, 51, 101]
    assert Advisory.objects.count() == TOTAL
    assert feed.added == TOTAL
    assert "3 ページ" in feed.message
    again = _load(service, myjvn)
    assert (again.added, again.unchanged) == (0, TOTAL)


def test_the_page_cap_stops_the_load_and_says_so(service: Service, myjvn: str, settings: Any) -> None:
    settings.CHIIKI_CYBER_JVN_PAGES = 2
    feed = _load(service, myjvn)
    assert feed.status == Job.Status.DONE, feed.message
    assert _MyJvn.asked == [1, 51]
    assert Advisory.objects.count() == 100
    assert "上限" in feed.message


def test_an_error_on_a_later_page_loads_nothing_and_names_the_page(service: Service, myjvn: str) -> None:
    _MyJvn.fail_from = 51
    feed = _load(service, myjvn)
    assert feed.status == Job.Status.FAILED
    assert "2 ページ目" in feed.message
    assert "MyJVN API がエラーを返しました" in feed.message
    assert Advisory.objects.count() == 0


def test_a_saved_answer_in_a_file_source_is_one_page(service: Service, settings: Any, tmp_path: Path) -> None:
    path = tmp_path / "myjvn.xml"
    path.write_bytes(_page(1, 50))  # says 120 in all, but a file has no next page to ask for
    settings.CHIIKI_CYBER_SOURCES = f"{PREFECTURE} jvn {path}"
    feed = _load(service, path.as_uri())
    assert feed.status == Job.Status.DONE, feed.message
    assert Advisory.objects.count() == 50


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [(1, 50, "startItem=51"), (51, 50, "startItem=101"), (101, 50, None)],
)
def test_the_next_page_comes_from_the_status_element(start: int, count: int, expected: str | None) -> None:
    url = "https://jvndb.jvn.jp/myjvn?method=getVulnOverviewList&feed=hnd&startItem=7"
    following = engine.jvn_next_page(_page(start, count), url)
    if expected is None:
        assert following is None
    else:
        assert following == f"https://jvndb.jvn.jp/myjvn?method=getVulnOverviewList&feed=hnd&{expected}"


def test_a_file_without_paging_attributes_is_one_page() -> None:
    assert engine.jvn_next_page((ADVISORIES / "jvn-vuldef-sample.xml").read_bytes(), "file:///x.xml") is None
