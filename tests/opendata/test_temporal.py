"""Issue 19 §2: dct:temporal where known. The period a file covers is read from its dates on import (調査年月日,
開始日 … 終了日) or entered by staff, and shown in DCAT as a dct:PeriodOfTime with dcat:startDate/endDate,
with 0 violations of the DCAT-AP 3.0.1 shapes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.opendata import actions
from chiiki.opendata.engine import period_covered
from chiiki.opendata.models import Dataset

from .test_dcat_shacl import _violations

BY = Actor.system("test")
EVENTS = (
    "全国地方公共団体コード,ID,地方公共団体名,イベント名,開始日,終了日,場所名称,所在地_連結表記\n"
    "343021,1,広島県府中町,春まつり,令和8年4月3日,2026/04/04,中央公園,広島県府中町1\n"
    "343021,2,広島県府中町,秋まつり,2026-10-10,,中央公園,広島県府中町1\n"
    "343021,3,広島県府中町,冬の講座,2026-12-01,2027-02-28,公民館,広島県府中町2\n"
)


def _period(graph: Graph, dataset: Dataset) -> tuple[str | None, str | None]:
    node = URIRef(f"http://testserver/opendata/dataset/{dataset.name}/")
    period = graph.value(node, DCTERMS.temporal)
    if period is None:
        return None, None
    assert (period, RDF.type, DCTERMS.PeriodOfTime) in graph
    start, end = graph.value(period, DCAT.startDate), graph.value(period, DCAT.endDate)
    for value in (start, end):
        assert value is None or value.datatype == XSD.date
    return (str(start) if start else None), (str(end) if end else None)


def test_the_period_is_read_from_the_events_dates(
    town_a: Municipality, write_file: Callable[..., Path], client: Client
) -> None:
    outcome = actions.import_file(town_a, write_file("events.csv", EVENTS), "event", by=BY, publish_now=True)
    dataset = outcome.dataset
    assert (dataset.temporal_start, dataset.temporal_end) == (date(2026, 4, 3), date(2027, 2, 28))
    event = AuditEvent.objects.filter(action="opendata.dataset_imported").latest("id")
    assert event.detail["temporal"] == ["2026-04-03", "2027-02-28"]
    graph = Graph().parse(data=client.get(f"/opendata/dataset/{dataset.name}.ttl").content, format="turtle")
    assert _period(graph, dataset) == ("2026-04-03", "2027-02-28")
    assert _violations(graph, "dcat-ap-SHACL.ttl") == ""
    assert _violations(graph, "ranges.ttl") == ""
    page = client.get(f"/opendata/dataset/{dataset.name}/").content.decode()
    assert "対象期間" in page


def test_the_population_survey_date_is_a_one_day_period() -> None:
    rows = [{"調査年月日": "2026-04-01", "総人口": "10"}, {"調査年月日": "2026-04-01", "総人口": "12"}]
    assert period_covered("population", rows) == (date(2026, 4, 1), date(2026, 4, 1))
    assert period_covered("population", [{"調査年月日": ""}]) == (None, None)
    # A facility's dates say when something happened to a row, not what the file covers.
    assert period_covered("preschool", [{"認可等年月日": "2001-04-01"}]) == (None, None)


def test_a_file_without_dates_has_no_temporal_and_keeps_what_staff_entered(
    aed_a: Dataset, town_a: Municipality, write_file: Callable[..., Path], client: Client
) -> None:
    graph = Graph().parse(data=client.get("/catalog.ttl").content, format="turtle")
    assert _period(graph, aed_a) == (None, None)
    actions.set_period(aed_a, date(2026, 4, 1), None, by=BY)
    graph = Graph().parse(data=client.get("/catalog.ttl").content, format="turtle")
    assert _period(graph, aed_a) == ("2026-04-01", None)  # an open-ended period
    assert _violations(graph, "dcat-ap-SHACL.ttl") == ""
    assert _violations(graph, "ranges.ttl") == ""
    from .conftest import aed_csv

    again = write_file(
        "fuchu_aed.csv", aed_csv("343021", "広島県府中町", [("1", "府中町役場", "34.39", "132.50")])
    )
    actions.import_file(town_a, again, "aed", by=BY)
    aed_a.refresh_from_db()
    assert (aed_a.temporal_start, aed_a.temporal_end) == (date(2026, 4, 1), None)


def test_a_period_that_ends_before_it_starts_is_refused(aed_a: Dataset) -> None:
    with pytest.raises(actions.CatalogError, match="終了日") as refused:
        actions.set_period(aed_a, date(2026, 4, 2), date(2026, 4, 1), by=BY)
    assert refused.value.field == "temporal_end"
    aed_a.refresh_from_db()
    assert aed_a.temporal_start is None


def test_staff_enter_the_period_on_the_staff_page(
    aed_a: Dataset, town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    editor = login(make_staff("ed", town_a, Role.OPENDATA_EDITOR))
    url = f"/staff/m/{town_a.code}/opendata/dataset/{aed_a.name}/period/"
    assert url in editor.get(f"/staff/m/{town_a.code}/opendata/").content.decode()
    assert editor.post(url, {"temporal_start": "2026-04-01", "temporal_end": "2027-03-31"}).status_code == 302
    aed_a.refresh_from_db()
    assert (aed_a.temporal_start, aed_a.temporal_end) == (date(2026, 4, 1), date(2027, 3, 31))
    update = AuditEvent.objects.filter(action="opendata.dataset_updated").latest("id")
    assert update.detail["temporal"] == ["2026-04-01", "2027-03-31"]

    response = editor.post(url, {"temporal_start": "2026-04-01", "temporal_end": "2025-01-01"}, follow=True)
    assert "終了日は開始日と同じ日か、それより後にしてください" in response.content.decode()
    response = editor.post(url, {"temporal_start": "4月1日ごろ", "temporal_end": ""}, follow=True)
    assert "対象期間の開始日" in response.content.decode()
    aed_a.refresh_from_db()
    assert aed_a.temporal_end == date(2027, 3, 31)
    assert editor.post(url, {"temporal_start": "", "temporal_end": ""}).status_code == 302
    aed_a.refresh_from_db()
    assert aed_a.temporal_start is None
    assert aed_a.temporal_end is None
    assert editor.get(url).status_code == 405
