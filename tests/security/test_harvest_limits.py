"""Issue 13, finding 5: the harvester does not trust the remote side.

A hostile "CKAN portal" runs as a real threaded HTTP server on 127.0.0.1. Loopback is refused unless the
operator allow-lists it (CHIIKI_HARVEST_ALLOWED_NETWORKS), so the tests allow-list it explicitly, and one test
proves the refusal without it. Redirects to another host, oversized answers, endless paging with a huge
`count`, slow answers past the time budget, municipality names as publishers and unsafe links are each met
with a refusal (nothing written) or a neutral value.
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.opendata import actions
from chiiki.opendata.harvest import HarvestError, HarvestLimits, address_allowed, resolve_public
from chiiki.opendata.models import Dataset, HarvestSource, Organization

LOCAL = (ipaddress.ip_network("127.0.0.1/32"),)
Responder = Callable[[BaseHTTPRequestHandler, dict[str, list[str]]], None]


class Portal:
    """A scripted CKAN portal: `routes` maps an action name to a responder; `calls` counts requests."""

    def __init__(self) -> None:
        self.routes: dict[str, Responder] = {
            "status_show": lambda h, q: send_json(h, {"success": True, "result": {}})
        }
        self.calls: dict[str, int] = {}
        self.url = ""


def send_json(handler: BaseHTTPRequestHandler, body: Any, *, status: int = 200) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def package(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"remote-{n}",
        "name": f"remote-{n}",
        "title": f"データ {n}",
        "metadata_modified": "2026-01-01T00:00:00",
        **extra,
    }


@pytest.fixture
def portal() -> Iterator[Portal]:
    state = Portal()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            name = parts.path.rsplit("/", 1)[-1]
            state.calls[name] = state.calls.get(name, 0) + 1
            responder = state.routes.get(name)
            if responder is None:
                send_json(self, {"success": False, "error": {"message": "unknown"}}, status=404)
            else:
                responder(self, parse_qs(parts.query))

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # the harvester hanging up on an oversized or slow answer is the point of those tests

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _loopback_allowed(settings: Any) -> None:
    settings.CHIIKI_HARVEST_ALLOWED_NETWORKS = ["127.0.0.1/32"]


def harvest(url: str, town: Municipality, **limits: Any) -> Any:
    chosen = HarvestLimits(allowed_networks=LOCAL, **limits)
    return actions.harvest_portal(url, municipality=town, by=Actor.system("test"), limits=chosen)


def search_with(results: list[dict[str, Any]], count: int | None = None) -> Responder:
    return lambda h, q: send_json(
        h, {"success": True, "result": {"count": count or len(results), "results": results}}
    )


# --- addresses --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
     "0.0.0.0", "240.0.0.1",  # noqa: S104 - an address judged, not bound "224.0.0.1", "192.0.2.1", "::1", "fe80::1", "fc00::1", "fd00:ec2::254", "::",
     "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "ff02::1"],
)  # fmt: skip
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not address_allowed(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_allowed(address)


def test_the_allow_list_opens_exactly_what_it_names() -> None:
    assert address_allowed("127.0.0.1", LOCAL)
    assert address_allowed("::ffff:127.0.0.1", LOCAL)  # the mapped form is the same address
    assert not address_allowed("127.0.0.2", LOCAL)
    assert not address_allowed("169.254.169.254", LOCAL)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "2130706433", "0x7f000001", "::1"])
def test_names_are_judged_after_dns_resolution(host: str) -> None:
    with pytest.raises(HarvestError, match="CHIIKI_HARVEST_ALLOWED_NETWORKS"):
        resolve_public(host, 80)


def test_127_0_0_1_is_refused_without_the_allow_list(
    portal: Portal, town_a: Municipality, settings: Any
) -> None:
    settings.CHIIKI_HARVEST_ALLOWED_NETWORKS = []
    with pytest.raises(HarvestError, match="内部向け"):
        actions.harvest_portal(portal.url, municipality=town_a, by=Actor.system("test"))
    assert portal.calls == {}  # not one request reached the server
    assert not HarvestSource.objects.exists()


def test_the_cloud_metadata_address_is_refused(town_a: Municipality) -> None:
    with pytest.raises(HarvestError, match=r"169\.254\.169\.254"):
        actions.harvest_portal("http://169.254.169.254/latest", municipality=town_a, by=Actor.system("test"))


# --- redirects, sizes, pages, time --------------------------------------------------------------------------


def redirect_to(location: str) -> Responder:
    def respond(handler: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return respond


def test_a_redirect_to_another_host_is_not_followed(portal: Portal, town_a: Municipality) -> None:
    other = portal.url.replace("127.0.0.1", "localhost")  # the same server under another name
    portal.routes["status_show"] = redirect_to(other + "/api/3/action/status_show")
    with pytest.raises(HarvestError, match="別のホスト"):
        harvest(portal.url, town_a)
    assert portal.calls == {"status_show": 1}


def test_a_redirect_within_the_portal_is_followed(portal: Portal, town_a: Municipality) -> None:
    portal.routes["package_search"] = redirect_to("/api/3/action/moved")
    portal.routes["moved"] = search_with([package(1)])
    assert harvest(portal.url, town_a).created == 1


def test_an_answer_over_the_size_cap_is_refused(portal: Portal, town_a: Municipality) -> None:
    big = [package(n, notes="x" * 10_000) for n in range(50)]  # about 500 KB
    portal.routes["package_search"] = search_with(big)
    with pytest.raises(HarvestError, match="CHIIKI_HARVEST_MAX_RESPONSE_BYTES"):
        harvest(portal.url, town_a, max_response_bytes=100_000)
    assert not Dataset.objects.exists()


def test_an_answer_without_a_length_is_cut_at_the_cap_too(portal: Portal, town_a: Municipality) -> None:
    def endless(handler: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(b'{"success": true, "result": {"results": [], "x": "')
        for _ in range(100):  # 6.4 MB, never a Content-Length
            handler.wfile.write(b"x" * 65536)

    portal.routes["package_search"] = endless
    with pytest.raises(HarvestError, match="上限"):
        harvest(portal.url, town_a, max_response_bytes=1_000_000)


def test_a_huge_count_is_not_trusted_and_the_page_cap_stops_the_run(
    portal: Portal, town_a: Municipality
) -> None:
    def pages(handler: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
        start = int(query["start"][0])
        results = [package(start + n) for n in range(100)]
        send_json(handler, {"success": True, "result": {"count": 10**12, "results": results}})

    portal.routes["package_search"] = pages
    with pytest.raises(HarvestError, match="3 ページ"):
        harvest(portal.url, town_a, max_pages=3)
    assert portal.calls["package_search"] == 3
    assert not Dataset.objects.exists()  # nothing written when the run is refused


def test_a_short_page_ends_the_run_whatever_the_count_says(portal: Portal, town_a: Municipality) -> None:
    portal.routes["package_search"] = search_with([package(1), package(2)], count=10**12)
    summary = harvest(portal.url, town_a)
    assert (summary.fetched, summary.created) == (2, 2)
    assert portal.calls["package_search"] == 1


def test_a_portal_slower_than_the_time_budget_is_abandoned(portal: Portal, town_a: Municipality) -> None:
    def dribble(handler: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
        body = json.dumps({"success": True, "result": {"count": 1, "results": [package(1)]}}).encode()
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        for byte in body:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(0.05)

    portal.routes["package_search"] = dribble
    with pytest.raises(HarvestError, match="CHIIKI_HARVEST_TIME_BUDGET_SECONDS"):
        harvest(portal.url, town_a, time_budget_seconds=1.0)
    assert not Dataset.objects.exists()


# --- what is written ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title", ["府中町", "広島県府中町", "府中町役場", "広島県 府中町", "ＦＵＣＨＵ", "広島県"]
)
def test_a_publisher_named_like_a_municipality_is_neutralized(
    portal: Portal, town_a: Municipality, title: str
) -> None:
    organization = {"name": "fuchu", "title": title}
    portal.routes["package_search"] = search_with([package(1, organization=organization)])
    harvest(portal.url, town_a)
    publisher = Dataset.objects.get().organization
    if title == "ＦＵＣＨＵ":  # not a municipality's name: kept, but marked with its source
        assert publisher.title == "ＦＵＣＨＵ(127.0.0.1 から収集)"
    else:
        assert publisher.title == "127.0.0.1 から収集した組織"
    assert publisher.municipality is None
    assert publisher.harvest_source == HarvestSource.objects.get()


def test_a_remote_organization_cannot_take_over_a_municipalitys_or_another_sources(
    portal: Portal, town_a: Municipality
) -> None:
    own = actions.organization_for(town_a, by=Actor.system("test"))
    other = Organization.objects.create(name="shared", title="別の収集元")
    portal.routes["package_search"] = search_with(
        [
            package(1, organization={"name": own.name, "title": "x"}),
            package(2, organization={"name": "shared"}),
        ]
    )
    harvest(portal.url, town_a)
    names = sorted(Dataset.objects.values_list("organization__name", flat=True))
    assert names == [f"{own.name}-harvested", "shared-harvested"]
    assert not own.datasets.exists()
    assert not other.datasets.exists()


def test_unsafe_remote_links_are_not_kept(portal: Portal, town_a: Municipality) -> None:
    resources = [
        {"url": "javascript:alert(1)", "name": "js"},
        {"url": "java\tscript:alert(1)", "name": "tab"},
        {"url": "\x01data:text/html,<script>alert(1)</script>", "name": "data"},
        {"url": "https://example.jp/ok.csv", "name": "ok"},
    ]
    portal.routes["package_search"] = search_with(
        [package(1, url="javascript:alert(1)", resources=resources)]
    )
    harvest(portal.url, town_a)
    dataset = Dataset.objects.get()
    assert dataset.url == ""
    assert [r.url for r in dataset.resources.all()] == ["https://example.jp/ok.csv"]


def test_nothing_harvested_is_published_before_review(portal: Portal, town_a: Municipality) -> None:
    portal.routes["package_search"] = search_with([package(1), package(2)])
    harvest(portal.url, town_a)
    assert Dataset.objects.count() == 2
    assert not [d for d in Dataset.objects.all() if d.is_published]
    assert all(d.awaiting_review for d in Dataset.objects.all())
