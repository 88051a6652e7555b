"""The analysts' dashboard filtered by severity and KEV (GET parameters): exposure across member bodies and the
median times to acknowledge and to close, counted in the database, checked with exact figures on a small set."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from chiiki.core.models import User
from chiiki.cyber import queries
from chiiki.cyber.models import Advisory, Alert, Asset, Body

from .conftest import PREFECTURE, Service

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _alert(body: Body, advisory: Advisory, *, ack: float | None = None, close: float | None = None) -> Alert:
    asset = Asset.objects.create(
        municipality=body.municipality, body=body, source="csv", name=f"{advisory.identifier}-{body.name}"
    )
    status = (
        Alert.Status.CLOSED if close is not None else Alert.Status.ACKNOWLEDGED if ack else Alert.Status.OPEN
    )
    return Alert.objects.create(
        municipality=body.municipality, body=body, asset=asset, advisory=advisory, matched_via="x",
        matched_range="x", status=status, created_at=T0, exploited=advisory.identifier == "KEV-CRIT",
        acknowledged_at=T0 + timedelta(hours=ack) if ack is not None else None,
        closed_at=T0 + timedelta(hours=close) if close is not None else None,
        resolution=Alert.Resolution.PATCHED if close is not None else "",
    )  # fmt: skip


@pytest.fixture
def figures(service: Service) -> dict[str, Body]:
    """Three bodies, three advisories the analyst may see and one TLP:RED advisory they are not named for."""
    prefecture = service.prefecture
    bodies = {
        name: Body.objects.create(municipality=prefecture, kind=kind, name=name)
        for name, kind in (("A町", "municipality"), ("B病院", "hospital"), ("C診療所", "clinic"))
    }

    def advisory(identifier: str, score: float | None, tlp: str = "CLEAR") -> Advisory:
        return Advisory.objects.create(
            municipality=prefecture, identifier=identifier, source_format="osv", title=identifier, tlp=tlp,
            cvss_score=score, digest=identifier, document={},
        )  # fmt: skip

    critical, high, unscored = advisory("KEV-CRIT", 9.8), advisory("HIGH", 7.5), advisory("NONE", None)
    red = advisory("RED-CRIT", 9.9, tlp="RED")
    a, b, c = bodies["A町"], bodies["B病院"], bodies["C診療所"]
    _alert(a, critical, ack=2, close=10)
    _alert(b, critical, ack=4)
    _alert(c, critical)
    _alert(a, high, ack=6, close=6)
    _alert(b, high, ack=1)
    _alert(c, unscored)
    _alert(a, red, ack=100, close=200)  # not counted: the analyst is not named for it
    return bodies


@pytest.mark.parametrize(
    ("severity", "kev", "expected"),
    [
        # alerts, bodies affected, bodies that acted on all, bodies that closed all, n ack, median, n closed, median
        ("", "", (6, 3, 2, 1, 4, 3.0, 2, 8.0)),
        ("critical", "yes", (3, 3, 2, 1, 2, 3.0, 1, 10.0)),
        ("critical", "", (3, 3, 2, 1, 2, 3.0, 1, 10.0)),
        ("high", "", (2, 2, 2, 1, 2, 3.5, 1, 6.0)),
        ("none", "", (1, 1, 0, 0, 0, None, 0, None)),
        ("", "no", (3, 3, 2, 1, 2, 3.5, 1, 6.0)),
        ("high", "yes", (0, 0, 0, 0, 0, None, 0, None)),
    ],
)
def test_exposure_and_medians_per_filter(
    figures: dict[str, Body], service: Service, severity: str, kev: str, expected: tuple[object, ...]
) -> None:
    found = queries.exposure(service.analyst, service.prefecture, queries.DashboardFilter(severity, kev))
    timing = found.timing
    assert (
        found.alerts, found.bodies_affected, found.bodies_acted, found.bodies_closed,
        timing.acknowledged, timing.median_hours_to_acknowledge, timing.closed, timing.median_hours_to_close,
    ) == expected  # fmt: skip


def _exposure_on_page(html: str) -> dict[str, str]:
    block = re.search(r'<dl class="exposure" id="exposure">(.*?)</dl>', html, re.S)
    assert block, "the dashboard shows no exposure"
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block.group(1)))


def test_the_dashboard_filters_by_get_parameters(
    figures: dict[str, Body], service: Service, login: Callable[[User], Client]
) -> None:
    analyst = login(service.analyst)
    page = analyst.get(f"/staff/m/{PREFECTURE}/cyber/", {"severity": "critical", "kev": "yes"})
    assert page.status_code == 200
    html = page.content.decode()
    shown = _exposure_on_page(html)
    assert shown["該当するバージョンを使っている団体"] == "3"
    assert shown["すべて確認・対応した団体"] == "2"
    assert shown["すべて完了した団体"] == "1"
    assert shown["確認までの時間(中央値)"] == "3.0 時間(2 件)"
    assert shown["完了までの時間(中央値)"] == "10.0 時間(1 件)"
    assert 'option value="critical" selected' in html  # the form keeps the choice
    # The per-body table counts only the filtered alerts: B病院 has one acknowledged critical alert (its HIGH one
    # is left out).
    row = re.search(r"B病院</a>.*?</tr>", html, re.S)
    assert row is not None
    assert re.findall(r'<td class="number">(\d+)</td>', row.group(0)) == ["2", "0", "1", "0"]

    unscored = _exposure_on_page(analyst.get(f"/staff/m/{PREFECTURE}/cyber/?severity=none").content.decode())
    assert unscored["該当するバージョンを使っている団体"] == "1"
    assert unscored["確認までの時間(中央値)"] == "—"


def test_a_filter_value_that_is_not_offered_shows_everything(
    figures: dict[str, Body], service: Service, login: Callable[[User], Client]
) -> None:
    page = login(service.analyst).get(f"/staff/m/{PREFECTURE}/cyber/?severity=%3Cb%3E&kev=maybe")
    assert page.status_code == 200
    assert _exposure_on_page(page.content.decode())["該当する通知"] == "6"
