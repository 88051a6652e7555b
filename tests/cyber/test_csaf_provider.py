"""CSAF distribution: a provider-metadata.json and its ROLIE feed and directory, served by a real local HTTP server,
loaded through the same fetcher, timeouts and allow-list as the other sources."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Job
from chiiki.cyber import actions, engine
from chiiki.cyber.models import Advisory, Alert, Body, FeedImport
from chiiki.cyber.tasks import import_feed

from .conftest import ADVISORIES, Service

DATA = Path(__file__).resolve().parent / "data"
CISCO = (ADVISORIES / "cisco-sa-20180328-smi2.csaf.json").read_bytes()
EVD = (ADVISORIES / "2022-evd-uc-01-a-001.csaf.json").read_bytes()
RHSA = (ADVISORIES / "rhsa-2021_5217.csaf.json").read_bytes()


def _broken() -> bytes:
    """A real document made invalid: its tracking status is not one CSAF 2.0 allows."""
    document = json.loads(EVD)
    document["document"]["tracking"]["id"] = "BROKEN-1"
    document["document"]["tracking"]["status"] = "almost"
    return json.dumps(document).encode()


def _provider(base: str, *, directory: bool = True) -> bytes:
    distributions: list[dict[str, Any]] = [
        {"rolie": {"feeds": [{"summary": "All TLP:WHITE advisories", "tlp_label": "WHITE",
                              "url": f"{base}/feed-tlp-white.json"}]}}
    ]  # fmt: skip
    if directory:
        distributions.append({"directory_url": f"{base}/"})
    return json.dumps({
        "canonical_url": f"{base}/provider-metadata.json", "distributions": distributions,
        "last_updated": "2026-12-01T00:00:00.000Z", "list_on_CSAF_aggregators": True, "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": True, "role": "csaf_provider",
        "publisher": {"category": "vendor", "name": "Example PSIRT", "namespace": "https://psirt.example.com"},
    }).encode()  # fmt: skip


def _rolie(base: str, names: list[str]) -> bytes:
    entries = [
        {"id": name.removesuffix(".json"), "title": name, "link": [{"rel": "self", "href": f"{base}/{name}"}],
         "published": "2026-12-01T00:00:00Z", "updated": "2026-12-01T00:00:00Z",
         "content": {"type": "application/json", "src": f"{base}/{name}"},
         "format": {"schema": "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json", "version": "2.0"}}
        for name in names
    ]  # fmt: skip
    return json.dumps({"feed": {"id": "example-feed", "title": "Example feed", "entry": entries,
                                "updated": "2026-12-01T00:00:00Z"}}).encode()  # fmt: skip


@pytest.fixture
def provider(service: Service, feed_server: Callable[[str, bytes], str], settings: Any) -> dict[str, Any]:
    """A provider on a real HTTP server: its ROLIE feed lists two good documents, one invalid and one on another
    host; its directory's index.txt lists a third good one."""
    by = Actor.for_user(service.analyst)
    town = actions.register_body(service.prefecture, kind=Body.Kind.MUNICIPALITY, name="府中町役場", by=by)
    actions.import_inventory(
        town,
        [engine.Component("sw", "IOS", "12.2(55)SE", vendor="Cisco"),
         engine.Component("def", "DEF", "1.0", vendor="Example Company")],
        source="csv", document="一覧.csv", by=by,
    )  # fmt: skip
    base = feed_server("cisco.json", CISCO).rsplit("/", 1)[0]
    feed_server("evd.json", EVD)
    feed_server("broken.json", _broken())
    feed_server("rhsa.json", RHSA)
    feed_server("index.txt", b"rhsa.json\n")
    foreign = base.replace("127.0.0.1", "localhost") + "/elsewhere.json"
    rolie = json.loads(_rolie(base, ["cisco.json", "evd.json", "broken.json"]))
    rolie["feed"]["entry"].append({"id": "elsewhere", "content": {"src": foreign}})
    feed_server("feed-tlp-white.json", json.dumps(rolie).encode())
    url = feed_server("provider-metadata.json", _provider(base))
    settings.CHIIKI_CYBER_FEED_URLS = [url]
    return {"url": url, "base": base, "town": town, "by": by, "prefecture": service.prefecture}


def _load(provider: dict[str, Any], url: str | None = None) -> FeedImport:
    feed = actions.request_feed_import(
        provider["prefecture"],
        source_format="csaf",
        tlp="AMBER",
        url=url or provider["url"],
        by=provider["by"],
    )
    import_feed.call(feed.pk)
    feed.refresh_from_db()
    return feed


def test_a_provider_loads_every_listed_document_and_names_the_ones_it_refuses(
    provider: dict[str, Any],
) -> None:
    feed = _load(provider)
    assert feed.status == Job.Status.DONE, feed.message
    assert set(Advisory.objects.values_list("identifier", flat=True)) == {
        "cisco-sa-20180328-smi2", "2022-EVD-UC-01-A-001", "RHSA-2021:5217"
    }  # fmt: skip
    assert feed.added == 3
    # the invalid document is named with the JSON path; the other host's is named and never fetched
    assert (
        "broken.json BROKEN-1: document.tracking.status: CSAF 2.0 の JSON スキーマに合いません"
        in feed.message
    )
    assert "elsewhere.json" in feed.message
    assert "同じ場所にない" in feed.message
    assert set(Alert.objects.filter(body=provider["town"]).values_list("advisory__identifier", flat=True)) == {
        "cisco-sa-20180328-smi2", "2022-EVD-UC-01-A-001"
    }  # fmt: skip
    # the feed's TLP (WHITE = CLEAR) is the default of documents without one, not the loader's AMBER
    assert Advisory.objects.get(identifier="cisco-sa-20180328-smi2").tlp == "CLEAR"
    event = AuditEvent.objects.filter(action="cyber.advisories_loaded").latest("pk")
    assert any("BROKEN-1" in r for r in event.detail["refused"])


def test_loading_the_provider_again_changes_nothing(provider: dict[str, Any]) -> None:
    _load(provider)
    alerts = Alert.objects.count()
    again = _load(provider)
    assert again.status == Job.Status.DONE, again.message
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert Alert.objects.count() == alerts
    assert Advisory.objects.count() == 3


def test_a_rolie_feed_configured_on_its_own_is_read_too(provider: dict[str, Any], settings: Any) -> None:
    url = provider["base"] + "/feed-tlp-white.json"
    settings.CHIIKI_CYBER_FEED_URLS = [url]
    feed = _load(provider, url)
    assert feed.status == Job.Status.DONE, feed.message
    assert feed.added == 2  # cisco and evd; broken and the other host's refused by name
    assert "BROKEN-1" in feed.message


def test_a_provider_whose_documents_all_fail_loads_nothing(
    provider: dict[str, Any], feed_server: Callable[[str, bytes], str]
) -> None:
    feed_server("feed-tlp-white.json", _rolie(provider["base"], ["broken.json", "missing.json"]))
    feed_server("provider-metadata.json", _provider(provider["base"], directory=False))
    feed = _load(provider)
    assert feed.status == Job.Status.FAILED
    assert "BROKEN-1" in feed.message
    assert "missing.json" in feed.message
    assert Advisory.objects.count() == 0


def test_malformed_provider_metadata_is_refused_naming_the_field(
    provider: dict[str, Any], feed_server: Callable[[str, bytes], str]
) -> None:
    metadata = json.loads(_provider(provider["base"]))
    del metadata["publisher"]
    feed_server("provider-metadata.json", json.dumps(metadata).encode())
    feed = _load(provider)
    assert feed.status == Job.Status.FAILED
    assert "publisher" in feed.message
    assert "provider metadata スキーマ" in feed.message
    assert Advisory.objects.count() == 0


def test_an_uploaded_provider_metadata_is_refused_since_it_would_make_the_server_fetch(
    provider: dict[str, Any],
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    feed = actions.request_feed_import(
        provider["prefecture"], source_format="csaf", tlp="CLEAR", by=provider["by"],
        file=SimpleUploadedFile("provider-metadata.json", _provider(provider["base"])),
    )  # fmt: skip
    import_feed.call(feed.pk)
    feed.refresh_from_db()
    assert feed.status == Job.Status.FAILED
    assert "設定された取得元" in feed.message


def test_the_oasis_examples_read_as_distributions_and_links() -> None:
    url = "https://www.example.com/.well-known/csaf/provider-metadata.json"
    [feed] = engine.read_provider_metadata(
        (DATA / "oasis-example-01-provider-metadata.json").read_bytes(), url=url
    )
    assert feed == engine.Distribution(
        "rolie", "https://www.example.com/.well-known/csaf/feed-tlp-white.json", "CLEAR"
    )
    links = engine.read_rolie_feed((DATA / "oasis-example-01-feed-tlp-white.json").read_bytes(), url=feed.url)
    assert links == [
        engine.DocumentLink(
            "2020-ESA-001.json", "https://psirt.domain.tld/advisories/csaf/2020/2020-ESA-001.json"
        )
    ]
    assert engine.read_directory_index(b"2024/a.json\n\n2024/b.json\n", url="https://x.example/csaf/") == [
        engine.DocumentLink("a.json", "https://x.example/csaf/2024/a.json"),
        engine.DocumentLink("b.json", "https://x.example/csaf/2024/b.json"),
    ]


@pytest.mark.parametrize(
    ("base", "url", "allowed"),
    [
        ("https://psirt.example.com/.well-known/csaf/provider-metadata.json", "https://psirt.example.com/a/b.json", True),
        ("https://psirt.example.com/p.json", "http://psirt.example.com/b.json", False),
        ("https://psirt.example.com/p.json", "https://evil.example/b.json", False),
        ("https://psirt.example.com/p.json", "file:///etc/passwd", False),
        ("file:///srv/feeds/provider-metadata.json", "file:///srv/feeds/2024/a.json", True),
        ("file:///srv/feeds/provider-metadata.json", "file:///srv/feeds/../secrets/a.json", False),
        ("file:///srv/feeds/provider-metadata.json", "http://127.0.0.1/a.json", False),
    ],
)  # fmt: skip
def test_documents_are_fetched_only_beside_the_configured_source(base: str, url: str, allowed: bool) -> None:
    assert engine.within(base, url) is allowed


def test_a_rolie_entry_without_a_document_link_is_refused_naming_the_entry() -> None:
    feed = json.dumps(
        {"feed": {"id": "f", "entry": [{"id": "x", "link": [{"rel": "hash", "href": "x.sha512"}]}]}}
    )
    with pytest.raises(engine.AdvisoryError, match=r"feed\.json: feed\.entry\[0\]\.content\.src: "):
        engine.read_rolie_feed(feed.encode(), url="https://x.example/feed.json")
