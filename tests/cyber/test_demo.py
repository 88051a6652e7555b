"""The demo: the prefecture, the demo city's hall and its hospital, real advisories matched; twice = once."""

from __future__ import annotations

from chiiki.core.models import AuditEvent, Municipality
from chiiki.cyber.models import Advisory, Alert, Asset
from chiiki.demo.city import demo_password
from chiiki.demo.cyber import load_cyber_demo


def test_the_demo_matches_real_advisories_and_loads_idempotently(town_a: Municipality) -> None:
    summary = load_cyber_demo(town_a, password_of=demo_password)
    alerts = {
        (a.body.name, a.advisory.identifier, a.asset.name)
        for a in Alert.objects.select_related("body", "advisory", "asset")
    }
    assert alerts == {
        ("府中町役所", "cisco-sa-20180328-smi2", "IOS"),
        ("府中町立病院", "GHSA-jfh8-c2jp-5v3q", "log4j-core"),
    }
    assert summary.advisories == 3
    assert Advisory.objects.get(identifier="RHSA-2021:5217").tlp == "CLEAR"
    counts = (
        Asset.objects.count(),
        Alert.objects.count(),
        Advisory.objects.count(),
        AuditEvent.objects.count(),
    )
    load_cyber_demo(town_a, password_of=demo_password)
    assert (
        Asset.objects.count(),
        Alert.objects.count(),
        Advisory.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_the_demo_marks_both_alerts_as_exploited(town_a: Municipality) -> None:
    load_cyber_demo(town_a, password_of=demo_password)
    assert sorted(Alert.objects.values_list("exploited", "priority")) == [(True, 2), (True, 2)]
