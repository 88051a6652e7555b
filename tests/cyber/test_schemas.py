"""Advisories are checked against the official JSON schemas (OSV, CSAF 2.0 and CSAF 2.1) before they are read."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from chiiki.cyber import engine
from chiiki.cyber.engine import Component

DATA = Path(__file__).resolve().parent / "data"
ADVISORIES = Path(__file__).resolve().parents[2] / "src" / "chiiki" / "demo" / "cyber_advisories"
LOG4SHELL = json.loads((ADVISORIES / "GHSA-jfh8-c2jp-5v3q.osv.json").read_bytes())
CSAF_21 = json.loads((DATA / "csaf-2.1-2022-evd-uc-01-a-001.json").read_bytes())


def _osv_error(record: dict[str, Any]) -> str:
    with pytest.raises(engine.AdvisoryError) as caught:
        engine.read_advisories(json.dumps(record).encode(), "osv", document="feed.json")
    return str(caught.value)


def test_a_real_osv_record_passes_the_official_schema() -> None:
    advisory = engine.read_osv(LOG4SHELL, document="GHSA.json")
    assert advisory.identifier == "GHSA-jfh8-c2jp-5v3q"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda r: r["affected"][0]["ranges"][0].update(type="SEMVERISH"), "affected[0].ranges[0].type",
         "SEMVERISH"),
        (lambda r: r.update(modified="2021-12-10"), "modified", "does not match"),
        (lambda r: r.update(id="LOCAL-1"), "id", "does not match"),
        (lambda r: r.pop("modified"), "modified", "required"),
        (lambda r: r.update(aliases="CVE-2021-44228"), "aliases", "is not of type"),
        (lambda r: r["affected"][0]["package"].pop("ecosystem"), "affected[0].package.ecosystem", "required"),
    ],
)  # fmt: skip
def test_an_osv_record_outside_the_schema_is_refused_naming_document_and_path(
    change: Any, field: str, words: str
) -> None:
    record = copy.deepcopy(LOG4SHELL)
    change(record)
    message = _osv_error(record)
    assert message.startswith("feed.json ")
    assert f": {field}: OSV の JSON スキーマに合いません" in message
    assert words in message


def test_one_bad_record_in_a_list_refuses_the_file_naming_its_position() -> None:
    bad = copy.deepcopy(LOG4SHELL) | {"id": "GHSA-xxxx-yyyy-zzzz", "published": "yesterday"}
    with pytest.raises(engine.AdvisoryError) as caught:
        engine.read_advisories(json.dumps([LOG4SHELL, bad]).encode(), "osv", document="list.json")
    assert str(caught.value).startswith("list.json[1] GHSA-xxxx-yyyy-zzzz: published: ")


def test_a_csaf_2_1_document_is_checked_against_the_csaf_2_1_schema_and_matched() -> None:
    advisory = engine.read_csaf(CSAF_21, document="v21.json")
    assert advisory.identifier == "2022-EVD-UC-01-A-001"
    result = engine.match([Component("def", "DEF", "1.0", vendor="Example Company")], [advisory])
    assert [m.advisory for m in result.matches] == ["2022-EVD-UC-01-A-001"]


def test_a_csaf_2_1_document_outside_its_schema_is_refused_naming_the_path() -> None:
    no_schema = {k: v for k, v in CSAF_21.items() if k != "$schema"}
    with pytest.raises(engine.AdvisoryError, match=r"v21\.json 2022-EVD-UC-01-A-001: \$schema: CSAF 2\.1 の"):
        engine.read_csaf(no_schema, document="v21.json")
    bad_status = copy.deepcopy(CSAF_21)
    bad_status["document"]["tracking"]["status"] = "almost"
    with pytest.raises(engine.AdvisoryError, match=r"document\.tracking\.status: CSAF 2\.1 の JSON スキーマ"):
        engine.read_csaf(bad_status, document="v21.json")


def test_a_csaf_2_0_label_of_tlp_2_0_is_refused_by_the_2_0_schema() -> None:
    # CSAF 2.0 knows TLP 1.0 labels only; AMBER+STRICT needs a CSAF 2.1 document
    doc = copy.deepcopy(CSAF_21)
    doc.pop("$schema")
    doc["document"]["csaf_version"] = "2.0"
    doc["document"]["distribution"] = {"tlp": {"label": "AMBER+STRICT"}}
    with pytest.raises(engine.AdvisoryError, match=r"document\.distribution\.tlp\.label: CSAF 2\.0 の"):
        engine.read_csaf(doc, document="v20.json")


def test_an_unknown_csaf_version_is_refused_by_name() -> None:
    doc = copy.deepcopy(CSAF_21) | {}
    doc["document"]["csaf_version"] = "3.0"
    with pytest.raises(
        engine.AdvisoryError, match=r"document\.csaf_version: CSAF 2\.0 でも 2\.1 でもありません"
    ):
        engine.read_csaf(doc, document="v3.json")
