"""JVN (MyJVN API): VULDEF documents and JVNRSS overviews read with defusedxml, matched by CPE with JVN's version
wordings, loaded idempotently (an update is a new revision); malformed or unsafe XML refused naming the element."""

from __future__ import annotations

import pytest

from chiiki.core.acting import Actor
from chiiki.cyber import actions, engine
from chiiki.cyber.models import Advisory, AdvisoryRevision, Alert, Asset, Body

from .conftest import ADVISORIES, Service

VULDEF = ADVISORIES / "jvn-vuldef-sample.xml"
JVNRSS = ADVISORIES / "jvnrss-sample.xml"


def _fortios(version: str) -> engine.Component:
    return engine.Component(
        key=version,
        name="FortiOS",
        version=version,
        cpe=f"cpe:2.3:o:fortinet:fortios:{version}:*:*:*:*:*:*:*",
    )


def test_the_vuldef_document_reads_with_cve_score_remediation_and_products() -> None:
    fortios, log4j = engine.read_advisories(VULDEF.read_bytes(), "jvn", document=VULDEF.name)
    assert fortios.identifier == "JVNDB-2024-900001"
    assert fortios.aliases == ("CVE-2024-21762",)  # the vendor's FG-IR number and the CWE are not aliases
    assert fortios.cvss_vector.startswith("CVSS:3.0/")
    assert fortios.cvss_score == 9.8
    assert "SSL-VPN を無効に" in fortios.remediation
    assert fortios.modified == "2024-02-13T17:00:00+09:00"
    # CVSS v3 preferred over JVN's v2 vector, listed first in the document
    assert log4j.cvss_score == 10.0
    assert [p.label for p in log4j.affected] == [
        "Apache Log4j (a:apache:log4j)",
        "電子カルテ連携サーバ (a:example-medical:karte_gateway)",
    ]


@pytest.mark.parametrize(
    ("version", "affected"),
    [
        ("7.0.9", True),
        ("7.0.13", True),
        ("7.0.14", False),
        ("7.4.2", True),
        ("6.2.15", False),
        ("7.6.0", False),
    ],
)
def test_jvn_version_wordings_are_ranges(version: str, affected: bool) -> None:
    index = engine.AdvisoryIndex(engine.read_advisories(VULDEF.read_bytes(), "jvn"))
    found = index.match([_fortios(version)]).matches
    assert bool(found) is affected
    if affected:
        assert found[0].certain
        assert ">=7.0.0|<=7.0.13" in found[0].range_text


def test_a_wording_that_is_not_a_range_gives_an_uncertain_alert_never_a_miss() -> None:
    index = engine.AdvisoryIndex(engine.read_advisories(VULDEF.read_bytes(), "jvn"))
    gateway = engine.Component(
        key="gw", name="karte", version="3.1", cpe="cpe:2.3:a:example-medical:karte_gateway:3.1:*:*:*:*:*:*:*"
    )
    [found] = index.match([gateway]).matches
    assert not found.certain
    assert found.range_text == "Log4j 2 系を同梱する全てのバージョン"


def test_jvnrss_items_match_by_cpe_and_are_uncertain() -> None:
    [item] = engine.read_advisories(JVNRSS.read_bytes(), "jvn", document=JVNRSS.name)
    assert (item.identifier, item.aliases, item.cvss_score) == ("JVNDB-2024-900001", ("CVE-2024-21762",), 9.8)
    [found] = engine.AdvisoryIndex([item]).match([_fortios("7.0.9")]).matches
    assert not found.certain


@pytest.mark.parametrize(
    ("change", "element"),
    [
        (("<VulinfoID>JVNDB-2024-900001</VulinfoID>", "<VulinfoID></VulinfoID>"), "Vulinfo[0]/VulinfoID"),
        (
            ("<VulinfoID>JVNDB-2024-900001</VulinfoID>", "<VulinfoID>FORTI-1</VulinfoID>"),
            "Vulinfo[0]/VulinfoID",
        ),
        (
            ("<Title>Apache Log4j における任意のコードを実行される脆弱性</Title>", ""),
            "Vulinfo[1](JVNDB-2021-900002)/VulinfoData/Title",
        ),
        (
            ('<Cpe version="2.2">cpe:/o:fortinet:fortios</Cpe>', '<Cpe version="2.2">cpe:/o:fortinet</Cpe>'),
            "Vulinfo[0](JVNDB-2024-900001)/VulinfoData/Affected/AffectedItem[0]/Cpe[0]",
        ),
        (
            (
                "<Vector>CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H</Vector>",
                "<Vector>CVSS:3.0/AV:Q</Vector>",
            ),
            "Vulinfo[0](JVNDB-2024-900001)/VulinfoData/Impact/Cvss[@version=3.0]/Vector",
        ),
        (("</VULDEF-Document>", ""), "(file)"),
        (('retCd="0" retMax="" errCd="" errMsg=""', 'retCd="1" errCd="2001" errMsg="bad"'), "Status"),
    ],
)
def test_a_malformed_document_is_refused_naming_the_element(change: tuple[str, str], element: str) -> None:
    text = VULDEF.read_text(encoding="utf-8")
    assert change[0] in text
    with pytest.raises(engine.AdvisoryError) as caught:
        engine.read_advisories(text.replace(change[0], change[1], 1).encode(), "jvn", document="jvn.xml")
    assert caught.value.field_path == element
    assert str(caught.value).startswith("jvn.xml: ")


def test_entity_declarations_are_refused_by_defusedxml() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b"<VULDEF-Document><Vulinfo><VulinfoID>&b;</VulinfoID></Vulinfo></VULDEF-Document>"
    )
    with pytest.raises(engine.AdvisoryError) as caught:
        engine.read_advisories(bomb, "jvn", document="bomb.xml")
    assert caught.value.field_path == "(file)"
    assert "安全でない XML" in caught.value.reason


def test_loading_twice_is_one_record_and_an_update_is_a_new_revision(service: Service) -> None:
    by = Actor.system("test")
    town = actions.register_body(service.prefecture, kind=Body.Kind.MUNICIPALITY, name="府中町役場", by=by)
    inventory = engine.read_inventory_csv(
        "製品,バージョン,インターネット公開,CPE\nFortiGate,7.0.9,はい,cpe:2.3:o:fortinet:fortios:7.0.9:*:*:*:*:*:*:*\n".encode(),
        document="town.csv",
    )
    actions.import_inventory(town, inventory, source=Asset.Source.CSV, document="town.csv", by=by)
    data = VULDEF.read_bytes()
    first = actions.load_advisories(
        service.prefecture, engine.read_advisories(data, "jvn"), default_tlp="CLEAR", provenance="jvn", by=by
    )
    again = actions.load_advisories(
        service.prefecture, engine.read_advisories(data, "jvn"), default_tlp="CLEAR", provenance="jvn", by=by
    )
    assert (first.added, first.alerts) == (2, 1)
    assert (again.added, again.updated, again.unchanged, again.alerts) == (0, 0, 2, 0)
    alert = Alert.objects.get(body=town)
    assert alert.advisory.identifier == "JVNDB-2024-900001"
    assert alert.priority == engine.URGENT  # critical on an internet-facing VPN
    updated = data.replace(
        b"<DateLastUpdated>2024-02-13T17:00:00+09:00", b"<DateLastUpdated>2024-03-01T10:00:00+09:00"
    )
    later = actions.load_advisories(
        service.prefecture,
        engine.read_advisories(updated, "jvn"),
        default_tlp="CLEAR",
        provenance="jvn",
        by=by,
    )
    assert (later.added, later.updated, later.unchanged, later.alerts) == (0, 1, 1, 0)
    stored = Advisory.objects.get(identifier="JVNDB-2024-900001")
    assert (stored.revision, stored.modified, stored.source_format) == (2, "2024-03-01T10:00:00+09:00", "jvn")
    assert AdvisoryRevision.objects.filter(advisory=stored, revision=1).count() == 1
    # The stored XML reads back through the engine for the next re-match.
    assert {a.identifier for a in actions.stored_advisories(service.prefecture)} == {
        "JVNDB-2024-900001",
        "JVNDB-2021-900002",
    }
