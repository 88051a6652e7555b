"""A carrier's claimed coverage against the evidence (issue 16, points 4 and 5): cells the layer in force
claims covered while confirmed evidence says dead, on the layers page and in the challenge's evidence pack."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, Role, User
from chiiki.coverage import queries
from chiiki.coverage.actions import (
    ReportInput,
    import_coverage_layer,
    open_challenge,
    submit_report,
    triage_report,
)
from chiiki.coverage.grid import parse_meshcode
from chiiki.registry.models import District

pytestmark = pytest.mark.django_db
BY = Actor.system("test")


def _accepted(town: Municipality, district: str, address: str) -> str:
    report = submit_report(
        town,
        ReportInput(
            carrier="docomo",
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
    return report.mesh_code[:9]


def _layer(town: Municipality, meshes: list[str], *, carrier: str = "docomo", technology: str = "4G") -> None:
    features = [{"type": "Feature", "properties": {"mesh": m}, "geometry": None} for m in meshes]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    import_coverage_layer(
        town,
        data,
        carrier=carrier,
        technology=technology,
        source="docomo エリアマップ",
        original_name="a.geojson",
        by=BY,
    )


def _dead_cell(town: Municipality) -> str:
    district = District.objects.filter(municipality=town).order_by("code").values_list("code", flat=True)[0]
    mesh = _accepted(town, district, "1番地")
    _accepted(town, district, "2番地")  # a second household: confirmed dead
    return mesh


def test_cells_claimed_covered_but_confirmed_dead_are_listed_on_the_layers_page(
    placed_town: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    mesh = _dead_cell(placed_town)
    box = parse_meshcode(mesh)
    neighbour = mesh[:8] + ("1" if mesh[8] != "1" else "2")
    assert queries.claimed_but_dead(placed_town) == []  # no layer yet
    _layer(placed_town, [neighbour])  # the layer leaves the dead cell out: nothing to contradict
    assert queries.claimed_but_dead(placed_town) == []
    _layer(placed_town, [mesh, neighbour], technology="5G")  # another technology: the 4G-reports speak for 5G
    _layer(placed_town, [mesh, neighbour])  # the latest docomo 4G layer now claims the dead cell covered
    found = queries.claimed_but_dead(placed_town)
    assert [(c.mesh, c.carrier, c.technology) for c in found] == [
        (mesh, "docomo", "4G"),
        (mesh, "docomo", "5G"),
    ]
    assert found[0].reporters == 2
    assert found[0].evidence == "住民の報告"
    _layer(placed_town, [mesh], carrier="au")  # au is not reported dead there
    assert {c.carrier for c in queries.claimed_but_dead(placed_town)} == {"docomo"}

    client = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    page = client.get(f"/staff/m/{placed_town.code}/coverage/layers/").content.decode()
    section = page[page.index('id="claimed-dead"') :]
    assert mesh in section
    assert "3 未満" in section  # two households: withheld
    assert "1番地" not in page
    assert box.south < 35


def test_the_evidence_pack_marks_cells_inside_the_carriers_layer(
    placed_town: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    mesh = _dead_cell(placed_town)
    challenge = open_challenge(
        placed_town,
        carrier="docomo",
        technology="4G",
        meshes=[mesh],
        answer_due=timezone.localdate() + timedelta(days=30),
        note="",
        by=BY,
    )
    client = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    url = f"/staff/m/{placed_town.code}/coverage/challenges/{challenge.pk}/evidence.zip"

    def cells() -> tuple[dict[str, str], dict[str, object]]:
        archive = zipfile.ZipFile(io.BytesIO(client.get(url).content))
        row = next(csv.DictReader(io.StringIO(archive.read("cells.csv").decode("utf-8-sig"))))
        feature = json.loads(archive.read("cells.geojson"))["features"][0]
        return row, feature["properties"]

    row, properties = cells()
    assert row["claimed_covered"] == ""  # no layer to compare with
    assert properties["claimed_covered"] is None
    _layer(placed_town, [mesh])
    row, properties = cells()
    assert row["claimed_covered"] == "yes"
    assert properties["claimed_covered"] == "yes"
    _layer(placed_town, [mesh[:8] + ("1" if mesh[8] != "1" else "2")])  # a newer layer leaves the cell out
    row, _ = cells()
    assert row["claimed_covered"] == "no"
