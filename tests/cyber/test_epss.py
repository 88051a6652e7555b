"""FIRST EPSS scores: the daily CSV (plain or gzip) read, malformed rows refused naming row and column, and a
likely-to-be-exploited CVE raising an open alert's priority (and lowering it again when the score falls)."""

from __future__ import annotations

import gzip
import json

import pytest

from chiiki.core.acting import Actor
from chiiki.cyber import actions, engine
from chiiki.cyber.models import Alert, Asset, Body, EpssScore

from .conftest import Service

# The layout of FIRST's daily file (epss_scores-YYYY-MM-DD.csv.gz); the scores here are made up for the test.
EPSS_CSV = (
    "#model_version:v2025.03.14,score_date:2025-06-01T12:55:00Z\n"
    "cve,epss,percentile\n"
    "CVE-2024-0001,0.35120,0.97001\n"
    "CVE-2021-44228,0.94358,0.99960\n"
)

OSV_MEDIUM = {
    "id": "OSV-TEST-EPSS-1", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-2024-0001"],
    "summary": "A medium-severity flaw (test record)",
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N"}],
    "affected": [{"package": {"ecosystem": "PyPI", "name": "demo-pkg"},
                  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}],
}  # fmt: skip


def test_the_daily_file_reads_plain_and_gzipped() -> None:
    for data in (EPSS_CSV.encode(), gzip.compress(EPSS_CSV.encode())):
        score_date, scores = engine.read_epss(data, document="epss.csv")
        assert score_date == "2025-06-01T12:55:00Z"
        assert scores == [
            engine.EpssScore("CVE-2024-0001", 0.3512, 0.97001),
            engine.EpssScore("CVE-2021-44228", 0.94358, 0.9996),
        ]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("cve,score\nCVE-2024-0001,0.1\n", "row 1"),
        ("cve,epss,percentile\nLOG4SHELL,0.1,0.5\n", "row 2, cve"),
        ("cve,epss,percentile\nCVE-2024-0001,0.1,0.5\nCVE-2024-0002,1.5,0.5\n", "row 3, epss"),
        ("cve,epss,percentile\nCVE-2024-0001,0.1,high\n", "row 2, percentile"),
    ],
)
def test_a_malformed_file_is_refused_naming_row_and_column(text: str, field: str) -> None:
    with pytest.raises(engine.AdvisoryError) as caught:
        engine.read_epss(text.encode(), document="epss.csv")
    assert caught.value.field_path == field


def test_a_likely_exploit_counts_like_a_kev_listing() -> None:
    assert engine.triage(4.8, exploited=False, internet_facing=False) == engine.MEDIUM
    assert engine.triage(4.8, exploited=False, internet_facing=False, epss=0.35) == engine.HIGH
    assert engine.triage(4.8, exploited=False, internet_facing=True, epss=0.35) == engine.URGENT
    assert engine.triage(4.8, exploited=False, internet_facing=True, epss=0.02) == engine.MEDIUM


def test_loading_scores_reprioritises_open_alerts_and_is_idempotent(service: Service) -> None:
    by = Actor.system("test")
    town = actions.register_body(service.prefecture, kind=Body.Kind.MUNICIPALITY, name="府中町", by=by)
    inventory = engine.read_inventory_csv(
        "製品,PURL\ndemo-pkg,pkg:pypi/demo-pkg@1.0\n".encode(), document="t.csv"
    )
    actions.import_inventory(town, inventory, source=Asset.Source.CSV, document="t.csv", by=by)
    advisories = engine.read_advisories(json.dumps(OSV_MEDIUM).encode(), "osv")
    actions.load_advisories(service.prefecture, advisories, default_tlp="CLEAR", provenance="test", by=by)
    alert = Alert.objects.get(body=town)
    assert alert.priority == engine.MEDIUM

    score_date, scores = engine.read_epss(EPSS_CSV.encode())
    assert actions.load_epss(service.prefecture, score_date, scores, by=by) == 1
    alert.refresh_from_db()
    assert alert.priority == engine.HIGH
    assert not alert.exploited  # the KEV flag stays KEV's
    assert actions.load_epss(service.prefecture, score_date, scores, by=by) == 1
    assert EpssScore.objects.count() == 2

    lower = EPSS_CSV.replace("0.35120", "0.00210")
    actions.load_epss(service.prefecture, *engine.read_epss(lower.encode()), by=by)
    alert.refresh_from_db()
    assert alert.priority == engine.MEDIUM
    assert EpssScore.objects.get(cve="CVE-2024-0001").epss == pytest.approx(0.0021)
