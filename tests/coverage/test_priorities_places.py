"""Priorities with places (issue 16, point 6): the open-data catalog's standard datasets (evacuation sites,
clinics, schools, AEDs…) and imported roads counted per dead-zone cell, with the reasons shown."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.coverage import queries
from chiiki.coverage.actions import ReportInput, import_road_layer, submit_report, triage_report
from chiiki.coverage.grid import RoadFileError, parse_meshcode, read_road_geojson, to_meshcode
from chiiki.coverage.models import RoadLayer
from chiiki.opendata.actions import import_file
from chiiki.registry.models import District

BY = Actor.system("test")


def _line(*points: tuple[float, float]) -> dict[str, object]:
    return {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in points]},
    }


def _roads(*features: dict[str, object]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _metres(lat0: float, lon0: float, lat1: float, lon1: float) -> float:
    p0, p1 = math.radians(lat0), math.radians(lat1)
    h = (
        math.sin((p1 - p0) / 2) ** 2
        + math.cos(p0) * math.cos(p1) * math.sin(math.radians(lon1 - lon0) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def test_road_length_is_split_between_the_cells_it_crosses() -> None:
    cell = parse_meshcode(to_meshcode(34.41, 132.52, 4))
    lat = (cell.south + cell.north) / 2
    west = cell.west + (cell.east - cell.west) * 0.25
    east = cell.east + (cell.east - cell.west) * 0.25  # a quarter into the next cell east
    cells = read_road_geojson(_roads(_line((lat, west), (lat, east))))
    total = _metres(lat, west, lat, east)
    assert sum(cells.values()) == pytest.approx(total, abs=2)
    assert cells[cell.code] == pytest.approx(total * 0.75, abs=25)  # within one 20 m piece
    assert len(cells) == 2


@pytest.mark.parametrize(
    ("feature", "message"),
    [
        (
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [132.5, 34.4]},
            },
            "2 番目の地物: 線(LineString・MultiLineString)ではありません(Point)",
        ),
        (
            _line((132.5, 34.4), (132.51, 34.41)),
            "2 番目の地物: 座標 [34.4, 132.5] は緯度と経度が逆のようです",
        ),
        (_line((51.5, -0.1), (51.6, -0.1)), "2 番目の地物: 座標 [-0.1, 51.5] は日本の範囲外です"),
        (
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "LineString", "coordinates": [[132.5, 34.4]]},
            },
            "線には 2 点以上",
        ),
    ],
)
def test_a_bad_roads_file_is_refused_naming_the_feature(feature: dict[str, object], message: str) -> None:
    with pytest.raises(RoadFileError) as caught:
        read_road_geojson(_roads(_line((34.41, 132.52), (34.42, 132.53)), feature))
    assert message in str(caught.value)
    assert "何も取り込んでいません" in str(caught.value)


def _dead_cell(town: Municipality) -> str:
    district = District.objects.filter(municipality=town).order_by("code").values_list("code", flat=True)[0]
    mesh = ""
    for address in ("1番地", "2番地"):  # two households: a confirmed dead zone
        report = submit_report(
            town,
            ReportInput(
                carrier="docomo",
                technology="4G",
                problem="no_signal",
                place_kind="outdoor",
                frequency="always",
                observed_on=date(2026, 11, 1),
                time_band="evening",
                district_code=district,
                address_detail=address,
            ),
            by=BY,
        )
        triage_report(report, status="accepted", staff_note="", public_note="", by=BY)
        mesh = report.mesh_code[:9]
    return mesh


def _catalog(
    town: Municipality, tmp_path: Path, kind: str, rows: list[tuple[str, str, float, float]]
) -> None:
    lines = ["全国地方公共団体コード,ID,名称,緯度,経度"]
    lines += [f"{town.code},{ident},{name},{lat:.6f},{lon:.6f}" for ident, name, lat, lon in rows]
    path = tmp_path / f"{kind}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_file(town, path, kind, by=BY, publish_now=True)


@pytest.mark.django_db
def test_priorities_count_the_catalogs_facilities_and_roads_with_reasons(
    placed_town: Municipality,
    tmp_path: Path,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    mesh = _dead_cell(placed_town)
    cell = parse_meshcode(mesh)
    lat, lon = cell.center
    (first,) = queries.priorities(placed_town)
    assert first.facilities == 0
    assert not any("道路" in r for r in first.reasons)

    _catalog(
        placed_town,
        tmp_path,
        "evacuation_space",
        [("E1", "緑川公民館", lat, lon), ("E2", "遠くの広場", 34.43, 132.555)],
    )
    _catalog(
        placed_town, tmp_path, "aed", [("A1", "公民館AED", lat + 0.0005, lon), ("A2", "", lat - 0.0005, lon)]
    )
    import_road_layer(
        placed_town,
        _roads(_line((lat, cell.west + 0.0005), (lat, cell.east - 0.0005))),
        source="町道台帳 2026",
        original_name="roads.geojson",
        by=BY,
    )
    (first,) = queries.priorities(placed_town)
    assert first.facilities == 3  # one evacuation site and two AEDs in the cell
    assert "避難場所 1 か所(緑川公民館)" in first.reasons
    assert "AED 2 か所(公民館AED)" in first.reasons
    assert first.road_metres == pytest.approx(
        _metres(lat, cell.west + 0.0005, lat, cell.east - 0.0005), abs=2
    )
    assert any(r.startswith("道路 約 ") for r in first.reasons)
    assert AuditEvent.objects.filter(action="coverage.roads_imported").count() == 1

    client = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    page = client.get(f"/staff/m/{placed_town.code}/coverage/").content.decode()
    assert "避難場所 1 か所(緑川公民館)" in page


@pytest.mark.django_db
def test_roads_are_uploaded_on_the_layers_page_and_a_bad_file_writes_nothing(
    placed_town: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    url = f"/staff/m/{placed_town.code}/coverage/layers/"
    assert "道路はまだ読み込まれていません" in client.get(url).content.decode()
    bad = _roads({"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": []}})
    response = client.post(
        url,
        {"step": "roads", "roads-source": "町道", "roads-file": SimpleUploadedFile("r.geojson", bad)},
    )
    assert response.status_code == 400
    assert "1 番目の地物: 線(LineString・MultiLineString)ではありません(Polygon)" in response.content.decode()
    assert not RoadLayer.objects.exists()
    good = _roads(_line((34.41, 132.52), (34.412, 132.525)))
    response = client.post(
        url,
        {"step": "roads", "roads-source": "町道", "roads-file": SimpleUploadedFile("r.geojson", good)},
    )
    assert response.status_code == 302
    assert RoadLayer.objects.get().source == "町道"
    assert "使用中: 町道" in client.get(url).content.decode()
