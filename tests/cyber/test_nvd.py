"""NVD CVE JSON 2.0: the real Log4Shell record (an excerpt, see cyber_advisories/SOURCES.md) read, matched by
CPE with its version bounds, scored with the cvss library, loaded idempotently; malformed records refused naming
the field."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from chiiki.core.acting import Actor
from chiiki.cyber import actions, engine
from chiiki.cyber.models import Advisory, Alert, Asset, Body

from .conftest import ADVISORIES, Service

NVD_FILE = ADVISORIES / "nvd-CVE-2021-44228.excerpt.json"


def _record() -> dict[str, Any]:
    return copy.deepcopy(json.loads(NVD_FILE.read_bytes())["vulnerabilities"][0]["cve"])


def test_the_nvd_record_reads_with_its_cpe_ranges_and_score() -> None:
    [advisory] = engine.read_advisories(NVD_FILE.read_bytes(), "nvd", document=NVD_FILE.name)
    assert advisory.identifier == "CVE-2021-44228"
    assert advisory.source_format == "nvd"
    assert advisory.cvss_vector == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"
    assert advisory.cvss_score == 10.0
    assert advisory.title == "Apache Log4j2 Remote Code Execution Vulnerability"
    # 7 log4j entries and the Siemens firmware; the hardware platform (vulnerable: false) is not a product.
    assert len(advisory.affected) == 8
    assert not any(p.key[1] == "h" for p in advisory.affected)


@pytest.mark.parametrize(
    ("version", "affected"),
    [
        ("2.14.1", True),  # inside 2.13.0 ≤ v < 2.15.0
        ("2.15.0", False),  # the end is excluded
        ("2.12.2", False),  # a security release between two ranges
        ("2.3.0", True),  # 2.0.1 ≤ v < 2.3.1
        ("2.0", True),  # listed as an exact version
        ("2.17.1", False),
    ],
)
def test_log4j_versions_by_cpe(version: str, affected: bool) -> None:
    index = engine.AdvisoryIndex(engine.read_advisories(NVD_FILE.read_bytes(), "nvd"))
    component = engine.Component(
        key="a", name="log4j", version=version, cpe=f"cpe:2.3:a:apache:log4j:{version}:*:*:*:*:*:*:*"
    )
    matches = index.match([component]).matches
    assert bool(matches) is affected
    if affected:
        assert matches[0].via == "a:apache:log4j"  # the CPE's part, vendor and product


def test_firmware_under_its_bound_matches_without_the_hardware_listed() -> None:
    index = engine.AdvisoryIndex(engine.read_advisories(NVD_FILE.read_bytes(), "nvd"))
    firmware = "cpe:2.3:o:siemens:6bk1602-0aa12-0tp0_firmware:{}:*:*:*:*:*:*:*"
    old = engine.Component(key="old", name="fw", version="2.6.1", cpe=firmware.format("2.6.1"))
    new = engine.Component(key="new", name="fw", version="2.7.0", cpe=firmware.format("2.7.0"))
    assert [m.component for m in index.match([old, new]).matches] == ["old"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r.pop("lastModified"), "lastModified"),
        (lambda r: r.update(id="LOG4SHELL"), "id"),
        (lambda r: r.update(descriptions=[]), "descriptions"),
        (
            lambda r: r["configurations"][1]["nodes"][0]["cpeMatch"][0].update(
                criteria="cpe:2.3:a:apache:log4j"
            ),
            "configurations[1].nodes[0].cpeMatch[0].criteria",
        ),
        (
            lambda r: r["metrics"]["cvssMetricV31"][0]["cvssData"].update(vectorString="CVSS:3.1/AV:X"),
            "metrics.cvssMetricV31[0].cvssData.vectorString",
        ),
    ],
)
def test_a_malformed_record_is_refused_naming_the_field(change: Any, field: str) -> None:
    record = _record()
    change(record)
    with pytest.raises(engine.AdvisoryError) as caught:
        engine.read_advisories(
            json.dumps({"vulnerabilities": [{"cve": record}]}).encode(), "nvd", document="nvd.json"
        )
    assert caught.value.field_path == field
    assert "nvd.json" in str(caught.value)


def test_loading_the_record_twice_is_one_advisory_and_the_hospital_gets_one_alert(service: Service) -> None:
    by = Actor.system("test")
    hospital = actions.register_body(service.prefecture, kind=Body.Kind.HOSPITAL, name="市立病院", by=by)
    components = engine.read_inventory_csv(
        "製品,バージョン,CPE\nlog4j,2.14.1,cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*\n".encode(),
        document="inv.csv",
    )
    actions.import_inventory(hospital, components, source=Asset.Source.CSV, document="inv.csv", by=by)
    advisories = engine.read_advisories(NVD_FILE.read_bytes(), "nvd")
    first = actions.load_advisories(
        service.prefecture, advisories, default_tlp="CLEAR", provenance="nvd", by=by
    )
    again = actions.load_advisories(
        service.prefecture, advisories, default_tlp="CLEAR", provenance="nvd", by=by
    )
    assert (first.added, first.alerts) == (1, 1)
    assert (again.added, again.updated, again.unchanged, again.alerts) == (0, 0, 1, 0)
    assert Advisory.objects.filter(municipality=service.prefecture, source_format="nvd").count() == 1
    alert = Alert.objects.get(body=hospital)
    assert alert.advisory.cvss_score == 10.0
    # Read back from the stored document for the next re-match (the record is the source of truth).
    assert [a.identifier for a in actions.stored_advisories(service.prefecture)] == ["CVE-2021-44228"]
