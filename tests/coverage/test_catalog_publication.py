"""The coverage map in the open-data catalog (issue 16, point 7): 500 m cells per carrier and technology with
small counts withheld, published through opendata's actions, so the CKAN API and DCAT list it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.coverage.actions import (
    ReportInput,
    map_dataset_name,
    publish_coverage_map,
    submit_report,
    triage_report,
)
from chiiki.opendata.actions import unpublish
from chiiki.opendata.models import Dataset
from chiiki.registry.models import District

pytestmark = pytest.mark.django_db
BY = Actor.system("test")


def _dead(town: Municipality) -> str:
    district = District.objects.filter(municipality=town).order_by("code").values_list("code", flat=True)[0]
    report = None
    for address in ("1番地", "2番地"):
        report = submit_report(
            town,
            ReportInput(
                carrier="au",
                technology="4G",
                problem="no_signal",
                place_kind="indoor",
                frequency="always",
                observed_on=date(2026, 11, 1),
                time_band="evening",
                district_code=district,
                address_detail=address,
            ),
            by=BY,
        )
        triage_report(report, status="accepted", staff_note="", public_note="", by=BY)
    assert report is not None
    return report.mesh_code


def _resource_text(client: Client, dataset: Dataset, fmt: str) -> str:
    resource = dataset.resources.get(format=fmt.upper())
    with resource.file.open("rb") as handle:
        return handle.read().decode("utf-8-sig")


def test_staff_publish_the_aggregated_map_and_the_ckan_api_and_dcat_list_it(
    placed_town: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    fine_mesh = _dead(placed_town)
    client = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    overview = f"/staff/m/{placed_town.code}/coverage/"
    assert "オープンデータとして公開する" in client.get(overview).content.decode()
    response = client.post(overview)
    assert response.status_code == 302
    dataset = Dataset.objects.get(name=map_dataset_name(placed_town))
    assert not dataset.private
    assert sorted(dataset.resources.values_list("format", flat=True)) == ["CSV", "GEOJSON"]

    rows = list(csv.DictReader(io.StringIO(_resource_text(client, dataset, "csv"))))
    au = [r for r in rows if r["carrier"] == "au"]
    assert {r["mesh"] for r in au} == {fine_mesh[:9]}  # 500 m, never the 250 m cell of the reports
    assert {r["status"] for r in au} == {"dead"}
    assert {r["reporters"] for r in au} == {""}  # two households: withheld
    text = _resource_text(client, dataset, "csv") + _resource_text(client, dataset, "geojson")
    assert "1番地" not in text
    assert fine_mesh not in text
    geo = json.loads(_resource_text(client, dataset, "geojson"))
    assert geo["features"][0]["geometry"]["type"] == "Polygon"

    anonymous = Client()
    body = json.loads(anonymous.get("/api/3/action/package_show", {"id": dataset.name}).content)
    assert body["success"] is True
    assert {r["format"] for r in body["result"]["resources"]} == {"CSV", "GEOJSON"}
    assert dataset.name in anonymous.get("/catalog.ttl").content.decode()
    assert AuditEvent.objects.filter(action="coverage.map_published", object_id=dataset.name).count() == 1

    # A refresh replaces the files (no pile of old ones) and keeps the dataset public.
    version = dataset.version
    publish_coverage_map(placed_town, by=BY)
    dataset.refresh_from_db()
    assert dataset.resources.count() == 2
    assert dataset.version > version
    assert dataset.name in client.get(overview).content.decode()


def test_a_dataset_made_private_again_stays_private_on_refresh(placed_town: Municipality) -> None:
    _dead(placed_town)
    dataset = publish_coverage_map(placed_town, by=BY)
    unpublish(dataset, by=BY)
    out = StringIO()
    call_command("coverage_publish", "--municipality", placed_town.code, stdout=out)
    dataset.refresh_from_db()
    assert dataset.private
    assert "非公開のまま更新" in out.getvalue()
