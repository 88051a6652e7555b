"""The matching engine on real advisories (Log4Shell in OSV, Cisco Smart Install and VEX in CSAF)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chiiki.cyber import engine
from chiiki.cyber.engine import Component

ADVISORIES = Path(__file__).resolve().parents[2] / "src" / "chiiki" / "demo" / "cyber_advisories"


def real(name: str) -> engine.Advisory:
    fmt = "nvd" if name.startswith("nvd-") else "osv" if ".osv." in name else "csaf"
    return engine.read_advisories((ADVISORIES / name).read_bytes(), fmt, document=name)[0]


@pytest.fixture(scope="module")
def advisories() -> list[engine.Advisory]:
    return [real(p.name) for p in sorted(ADVISORIES.glob("*.*.json"))]


LOG4J = "pkg:maven/org.apache.logging.log4j/log4j-core@{}"


@pytest.mark.parametrize(
    ("version", "affected"),
    [
        ("2.14.1", True),  # in [2.13.0, 2.15.0)
        ("2.15.0", False),  # fixed
        ("2.12.1", True),  # in [2.4, 2.12.2)
        ("2.12.2", False),  # the backport
        ("2.3", True),  # below 2.3.1
        ("2.3.1", False),
        ("2.10.0", True),  # a string comparison would say 2.10.0 < 2.4
        ("2.0-beta9", True),  # Maven orders qualifiers before the release
    ],
)
def test_log4shell_ranges_use_maven_version_order(
    advisories: list[engine.Advisory], version: str, affected: bool
) -> None:
    result = engine.match([Component("c", "log4j-core", purl=LOG4J.format(version))], advisories)
    assert [m.advisory for m in result.matches] == (["GHSA-jfh8-c2jp-5v3q"] if affected else [])
    if affected:
        assert result.matches[0].via == "maven/org.apache.logging.log4j/log4j-core"
        assert result.matches[0].range_text.startswith("vers:maven/")


def test_cisco_ios_from_a_hand_kept_list_matches_the_csaf_product_tree(
    advisories: list[engine.Advisory],
) -> None:
    switch = Component("sw", "IOS", "12.2(55)SE", vendor="Cisco")
    not_listed = Component("sw2", "IOS", "15.9(3)M", vendor="Cisco")
    result = engine.match([switch, not_listed], advisories)
    assert [(m.component, m.advisory, m.via) for m in result.matches] == [
        ("sw", "cisco-sa-20180328-smi2", "Cisco IOS")
    ]


def test_vex_known_not_affected_suppresses_and_says_why(advisories: list[engine.Advisory]) -> None:
    abc = Component("abc", "ABC", "4.2", vendor="Example Company")
    def_ = Component("def", "DEF", "1.0", vendor="Example Company")
    result = engine.match([abc, def_], advisories)
    assert [m.component for m in result.matches] == ["def"]
    assert [(s.component, s.justification) for s in result.suppressed] == [
        ("abc", "Class with vulnerable code was removed before shipping.")
    ]


def test_only_fixed_products_give_no_alert_and_tlp_white_reads_as_clear(
    advisories: list[engine.Advisory],
) -> None:
    rhsa = next(a for a in advisories if a.identifier == "RHSA-2021:5217")
    assert rhsa.tlp == engine.CLEAR
    assert rhsa.affected == ()


def test_index_and_naive_loop_agree(advisories: list[engine.Advisory]) -> None:
    components = [
        Component(str(i), "log4j-core", purl=LOG4J.format(v))
        for i, v in enumerate(["2.14.1", "2.17.1", "2.0"])
    ] + [
        Component("x", "IOS", "12.2(55)SE", vendor="cisco"),
        Component("y", "ABC", "4.2", vendor="Example Company"),
    ]
    assert engine.match(components, advisories) == engine.naive_match(components, advisories)


def test_cpe_wildcards_and_version_ranges_in_csaf() -> None:
    doc = _csaf(
        [{"category": "vendor", "name": "Fortinet", "branches": [{"category": "product_name", "name": "FortiOS",
          "branches": [{"category": "product_version_range", "name": "vers:generic/>=7.0.0|<=7.0.12",
                        "product": {"name": "FortiOS 7.0.0-7.0.12", "product_id": "P1",
                                    "product_identification_helper": {"cpe": "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*"}}}]}]}],
        {"known_affected": ["P1"]},
    )  # fmt: skip
    advisory = engine.read_csaf(doc)
    vpn = Component("vpn", "FortiOS", cpe="cpe:2.3:o:fortinet:fortios:7.0.9:*:*:*:*:*:*:*")
    newer = Component("vpn2", "FortiOS", cpe="cpe:2.3:o:fortinet:fortios:7.0.13:*:*:*:*:*:*:*")
    old_major = Component("vpn3", "FortiOS", cpe="cpe:2.3:o:fortinet:fortios:6.4.15:*:*:*:*:*:*:*")
    result = engine.match([vpn, newer, old_major], [advisory])
    assert [m.component for m in result.matches] == ["vpn"]
    assert result.matches[0].range_text == "vers:generic/>=7.0.0|<=7.0.12"


ONE_PRODUCT = [{"category": "vendor", "name": "V", "branches": [{"category": "product_name", "name": "P",
                "product": {"name": "V P", "product_id": "P1"}}]}]  # fmt: skip


def _csaf(branches: list[object], status: dict[str, list[str]], tlp: str = "AMBER") -> dict[str, object]:
    return {
        "document": {"category": "csaf_security_advisory", "csaf_version": "2.0", "title": "T",
                     "publisher": {"category": "coordinator", "name": "P", "namespace": "https://example.org"},
                     "tracking": {"id": "LOCAL-1", "current_release_date": "2026-12-01T00:00:00Z", "initial_release_date": "2026-12-01T00:00:00Z", "status": "final", "version": "1", "revision_history": [{"date": "2026-12-01T00:00:00Z", "number": "1", "summary": "初版"}]},
                     "distribution": {"tlp": {"label": tlp}}},
        "product_tree": {"branches": branches},
        "vulnerabilities": [{"cve": "CVE-2024-0001", "product_status": status}],
    }  # fmt: skip


def test_an_unknown_version_is_reported_as_uncertain_not_dropped() -> None:
    advisory = engine.read_osv(
        {"id": "OSV-X-1", "modified": "2026-01-01T00:00:00Z",
         "affected": [{"package": {"ecosystem": "PyPI", "name": "Django"},
                       "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "4.2.1"}]}]}]}
    )  # fmt: skip
    unknown = Component("u", "django", purl="pkg:pypi/django")
    underscores = Component("n", "django", version="4.2.0", purl="pkg:pypi/Django")
    result = engine.match([unknown, underscores], [advisory])
    assert {(m.component, m.certain) for m in result.matches} == {("u", False), ("n", True)}


@pytest.mark.parametrize(
    ("document", "field", "reason"),
    [
        ({"id": "OSV-A", "modified": "2026-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "Nope", "name": "n"}}]},
         "affected[0].package.ecosystem", "OSV の JSON スキーマに合いません"),
        ({"id": "OSV-A", "modified": "2026-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI", "name": "n"},
          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"fixed": "1.0"}]}]}]},
         "affected[0].ranges[0].events", "範囲に入るバージョンがありません"),
        ({"id": "OSV-A", "modified": "2026-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "Maven", "name": "a:b", "purl": "maven/no-scheme"}}]},
         "affected[0].package.purl", "PURL"),
        ({"id": "OSV-A"}, "modified", "required"),
        ({"id": "OSV-A", "modified": "2026-01-01T00:00:00Z", "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:Q"}]},
         "score", "CVSS"),
    ],
)  # fmt: skip
def test_bad_osv_is_refused_naming_document_and_field(document: object, field: str, reason: str) -> None:
    with pytest.raises(engine.AdvisoryError) as caught:
        engine.read_advisories(json.dumps(document).encode(), "osv", document="feed.json")
    assert "feed.json" in str(caught.value)
    assert field in str(caught.value)
    assert reason in str(caught.value)


def test_a_cpe_with_the_wrong_number_of_parts_is_refused_in_csaf() -> None:
    doc = _csaf(
        [{"category": "vendor", "name": "V", "branches": [{"category": "product_name", "name": "P",
          "product": {"name": "P", "product_id": "P1", "product_identification_helper": {"cpe": "cpe:2.3:a:v:p:1.0"}}}]}],
        {"known_affected": ["P1"]},
    )  # fmt: skip
    with pytest.raises(
        engine.AdvisoryError, match=r"local.json LOCAL-1: .*product_identification_helper\.cpe: CSAF 2.0"
    ):
        engine.read_csaf(doc, document="local.json")


def test_a_csaf_document_against_the_official_schema_is_refused_naming_the_field() -> None:
    doc = _csaf(ONE_PRODUCT, {"known_affected": ["P1"]})
    del doc["document"]["publisher"]["namespace"]  # type: ignore[index]
    with pytest.raises(
        engine.AdvisoryError, match=r"document\.publisher\.namespace: .*'namespace' is a required property"
    ):
        engine.read_csaf(doc)


def test_csaf_status_naming_an_unknown_product_is_refused() -> None:
    with pytest.raises(engine.AdvisoryError, match=r"known_affected.*P9"):
        engine.read_csaf(_csaf(ONE_PRODUCT, {"known_affected": ["P9"]}))


@pytest.mark.parametrize(
    ("label", "expected"),
    [("TLP:CLEAR", "CLEAR"), ("WHITE", "CLEAR"), ("amber+strict", "AMBER+STRICT"), ("TLP:RED", "RED")],
)
def test_tlp_labels(label: str, expected: str) -> None:
    assert engine.normalize_tlp(label) == expected


def test_an_unknown_tlp_label_is_refused() -> None:
    with pytest.raises(engine.TlpError):
        engine.normalize_tlp("TLP:BLUE")


def test_who_may_see_each_tlp_label() -> None:
    analyst = engine.Viewer(is_analyst=True)
    contact = engine.Viewer(is_contact_of_body=True)
    named_contact = engine.Viewer(is_contact_of_body=True, body_is_named=True)
    named_person = engine.Viewer(is_contact_of_body=True, person_is_named=True)
    stranger = engine.Viewer()
    assert [engine.may_see(engine.AMBER, v) for v in (analyst, contact, stranger)] == [True, True, False]
    assert [engine.may_see(engine.AMBER_STRICT, v) for v in (analyst, contact, named_contact)] == [
        True,
        False,
        True,
    ]
    assert [engine.may_see(engine.RED, v) for v in (analyst, named_contact, named_person)] == [
        False,
        False,
        True,
    ]


def test_cyclonedx_sbom_json_and_xml() -> None:
    sbom = {
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "components": [
            {"type": "library", "bom-ref": "log4j", "group": "org.apache.logging.log4j", "name": "log4j-core",
             "version": "2.14.1", "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
             "properties": [{"name": "chiiki:internet-facing", "value": "true"}]},
            {"type": "operating-system", "bom-ref": "os", "name": "windows_server_2016", "version": "10.0.14393",
             "cpe": "cpe:2.3:o:microsoft:windows_server_2016:-:*:*:*:*:*:*:*"},
        ],
    }  # fmt: skip
    components = engine.read_cyclonedx(json.dumps(sbom).encode())
    assert [(c.key, c.version, c.internet_facing) for c in components] == [
        ("log4j", "2.14.1", True),
        ("os", "10.0.14393", False),
    ]
    xml = b"""<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"><components>
      <component type="library" bom-ref="a"><name>django</name><version>4.2.0</version><purl>pkg:pypi/django@4.2.0</purl></component>
    </components></bom>"""
    assert [c.purl for c in engine.read_cyclonedx(xml)] == ["pkg:pypi/django@4.2.0"]


def test_a_bad_sbom_component_is_named() -> None:
    sbom = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
            "components": [{"type": "device", "bom-ref": "fw", "name": "FG", "cpe": "cpe:2.3:h:fortinet"}]}  # fmt: skip
    with pytest.raises(engine.InventoryError, match=r"component fw \(FG\).*CPE"):
        engine.read_cyclonedx(json.dumps(sbom).encode(), document="sbom.json")


def test_csv_inventory_in_shift_jis_with_a_bad_row_named() -> None:
    text = (
        "ベンダー,製品,バージョン,設置場所,インターネット公開,PURL,CPE\n"
        "Cisco,IOS,12.2(55)SE,本庁舎サーバ室,いいえ,,\n"
        "Fortinet,FortiOS,7.0.9,本庁舎,はい,,cpe:2.3:o:fortinet:fortios:7.0.9:*:*:*:*:*:*:*\n"
    )
    components = engine.read_inventory_csv(text.encode("cp932"))
    assert [(c.vendor, c.name, c.internet_facing) for c in components] == [
        ("Cisco", "IOS", False),
        ("Fortinet", "FortiOS", True),
    ]
    bad = text + "NEC,住基端末,1.0,窓口,たぶん,,\n"
    with pytest.raises(engine.InventoryError, match=r"4行目.*はい/いいえ"):
        engine.read_inventory_csv(bad.encode())


@pytest.mark.parametrize(
    ("score", "exploited", "facing", "priority"),
    [
        (5.0, True, True, engine.URGENT),  # exploited and reachable from the internet
        (9.8, False, True, engine.URGENT),
        (9.8, False, False, engine.HIGH),
        (5.0, True, False, engine.HIGH),
        (7.5, False, True, engine.HIGH),
        (5.0, False, True, engine.MEDIUM),
        (None, False, False, engine.MEDIUM),  # no score is not assumed harmless
        (3.1, False, True, engine.LOW),
    ],
)
def test_triage(score: float | None, exploited: bool, facing: bool, priority: int) -> None:
    assert engine.triage(score, exploited=exploited, internet_facing=facing) == priority


def test_the_real_kev_excerpt_reads_and_a_bad_date_is_named() -> None:
    version, entries = engine.read_kev((ADVISORIES / "kev-excerpt.json").read_bytes())
    assert version == "2025.08.25"
    log4j = next(e for e in entries if e.cve == "CVE-2021-44228")
    assert (log4j.date_added.isoformat(), log4j.ransomware) == ("2021-12-10", True)
    bad = json.dumps(
        {"catalogVersion": "x", "vulnerabilities": [{"cveID": "CVE-1", "dateAdded": "10/12/2021"}]}
    )
    with pytest.raises(engine.AdvisoryError, match=r"kev.json: vulnerabilities\[0\].dateAdded"):
        engine.read_kev(bad.encode(), document="kev.json")


def test_a_csaf_relationship_product_matches_through_its_reference() -> None:
    doc = _csaf(ONE_PRODUCT, {"known_affected": ["P1-ON-X"]})
    doc["product_tree"]["relationships"] = [  # type: ignore[index]
        {"category": "installed_on", "product_reference": "P1", "relates_to_product_reference": "P1",
         "full_product_name": {"name": "V P on X", "product_id": "P1-ON-X"}}
    ]  # fmt: skip
    advisory = engine.read_csaf(doc)
    result = engine.match(
        [Component("p", "P", "2.0", vendor="V"), Component("q", "Q", vendor="V")], [advisory]
    )
    assert [(m.component, m.via) for m in result.matches] == [("p", "V P")]


def test_an_unknown_purl_type_in_an_inventory_is_refused_by_name() -> None:
    text = "製品,PURL\nkarte,pkg:mystery/karte@1.0\n"
    with pytest.raises(engine.InventoryError, match=r"2行目: PURL「pkg:mystery/karte@1.0」の種類「mystery」"):
        engine.read_inventory_csv(text.encode())
