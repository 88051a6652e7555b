"""The incremental path: components indexed once (`engine.ComponentIndex`) give the same answers as indexing the
advisories, and a feed load matches only its new and changed advisories against the bodies' assets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chiiki.core.acting import Actor
from chiiki.cyber import actions, engine
from chiiki.cyber.engine import Component
from chiiki.cyber.models import Alert, AssetKey, Body

from .conftest import ADVISORIES, Service

LOG4J = "pkg:maven/org.apache.logging.log4j/log4j-core@{}"
COMPONENTS = [
    Component("log4j-2.14.1", "log4j-core", purl=LOG4J.format("2.14.1")),
    Component("log4j-2.17.1", "log4j-core", purl=LOG4J.format("2.17.1")),
    Component("ios", "IOS", "12.2(55)SE", vendor="Cisco"),
    Component("abc-vex", "ABC", "4.2", vendor="Example Company"),
    Component("def", "DEF", "1.0", vendor="Example Company"),
    Component("tool", "Internal tool", "1.0", vendor="自治体"),
    Component("fortios", "FortiOS", cpe="cpe:2.3:o:fortinet:fortios:7.0.9:*:*:*:*:*:*:*"),
]


def _real() -> list[engine.Advisory]:
    result = []
    for path in sorted(Path(ADVISORIES).glob("*.*.json")):
        fmt = "nvd" if path.name.startswith("nvd-") else "osv" if ".osv." in path.name else "csaf"
        result += engine.read_advisories(path.read_bytes(), fmt, document=path.name)
    return result


def test_the_component_index_answers_like_the_advisory_index() -> None:
    advisories = _real()
    expected = engine.AdvisoryIndex(advisories).match(COMPONENTS)
    got = engine.ComponentIndex(COMPONENTS).match(advisories)
    assert got.matches == expected.matches
    assert got.suppressed == expected.suppressed
    assert {m.component for m in got.matches} == {"log4j-2.14.1", "ios", "def"}
    assert [s.component for s in got.suppressed] == ["abc-vex"]


def test_the_component_index_takes_new_components_and_matches_only_what_shares_a_key() -> None:
    index = engine.ComponentIndex(COMPONENTS[:1])
    index.add(Component("late", "log4j-core", purl=LOG4J.format("2.10.0")))
    assert index.size == 2
    result = index.match(_real())
    assert [m.component for m in result.matches] == ["log4j-2.14.1", "late"]
    assert index.match([]).matches == []


def test_a_feed_load_matches_only_its_new_advisories(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    by = Actor.system("test")
    town = actions.register_body(service.prefecture, kind=Body.Kind.MUNICIPALITY, name="町", by=by)
    actions.import_inventory(town, COMPONENTS, source="csv", document="一覧.csv", by=by)
    real = _real()
    cisco = [a for a in real if a.identifier == "cisco-sa-20180328-smi2"]
    others = [a for a in real if a.identifier != "cisco-sa-20180328-smi2"]
    actions.load_advisories(service.prefecture, others, default_tlp="CLEAR", provenance="a", by=by)
    before = Alert.objects.count()

    def _no_full_read(*args: Any, **kwargs: Any) -> list[engine.Advisory]:
        raise AssertionError("a feed load must not read every stored advisory again")

    monkeypatch.setattr(actions, "stored_advisories", _no_full_read)
    summary = actions.load_advisories(service.prefecture, cisco, default_tlp="CLEAR", provenance="b", by=by)
    assert summary.added == 1
    assert Alert.objects.filter(advisory__identifier="cisco-sa-20180328-smi2", asset__name="IOS").exists()
    assert Alert.objects.count() == before + summary.alerts
    assert summary.alerts >= 1


def test_a_feed_load_reads_only_the_assets_that_share_a_key_with_its_products(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    by = Actor.system("test")
    town = actions.register_body(service.prefecture, kind=Body.Kind.MUNICIPALITY, name="町", by=by)
    actions.import_inventory(town, COMPONENTS, source="csv", document="一覧.csv", by=by)
    assert AssetKey.objects.filter(asset__name="log4j-core").count() >= 2  # the PURL's key and the name's
    read: list[str] = []
    components = actions._components

    def _counting(assets: Any) -> list[engine.Component]:
        made = components(assets)
        read.extend(c.name for c in made)
        return made

    monkeypatch.setattr(actions, "_components", _counting)
    log4j = [a for a in _real() if a.identifier == "GHSA-jfh8-c2jp-5v3q"]  # Log4Shell in OSV
    assert log4j, "the shipped real advisories include Log4Shell"
    summary = actions.load_advisories(service.prefecture, log4j, default_tlp="CLEAR", provenance="c", by=by)
    assert set(read) == {"log4j-core"}, f"assets read for Log4Shell: {read}"
    assert Alert.objects.filter(asset__purl=LOG4J.format("2.14.1")).exists()
    assert not Alert.objects.filter(asset__purl=LOG4J.format("2.17.1")).exists()
    assert summary.alerts >= 1
