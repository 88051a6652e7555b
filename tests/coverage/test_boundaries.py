"""Boundaries: the municipality's outline and its districts imported from GeoJSON (e-Stat 小地域 / N03 properties
auto-detected or chosen), refused whole with the feature and field named, versioned and audited, and drawn in the
map's SVG under the cells with the district names in the table alternative."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.coverage.conftest import EXTENT

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.coverage.actions import ReportInput, import_boundaries, submit_report, triage_report
from chiiki.coverage.grid import (
    BoundaryFileError,
    districts_at,
    read_boundary_geojson,
    simplify_line,
)
from chiiki.coverage.mapping import build_map
from chiiki.coverage.models import BoundarySet
from chiiki.registry.models import District

ACTOR = Actor.system("test")


def _collection(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode()


def _square(south: float, west: float, north: float, east: float) -> list[list[float]]:
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def _district(name: str, code: str, ring: list[list[float]], **extra: object) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"KEY_CODE": code, "S_NAME": name, "CITY_NAME": "府中町", **extra},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


WEST_HALF = _district("大字西", "342020010", _square(34.38, 132.48, 34.44, 132.52))
EAST_HALF = _district("大字東", "342020020", _square(34.38, 132.52, 34.44, 132.56))


def test_estat_small_area_properties_are_detected() -> None:
    features = read_boundary_geojson(_collection(WEST_HALF, EAST_HALF), districts=True)
    assert [(f.code, f.name) for f in features] == [("342020010", "大字西"), ("342020020", "大字東")]
    assert districts_at(features, [(34.40, 132.50), (34.40, 132.54), (34.50, 132.50)]) == [
        "大字西",
        "大字東",
        "",
    ]


def test_n03_outline_and_a_chosen_property() -> None:
    outline = {
        "type": "Feature",
        "properties": {"N03_001": "広島県", "N03_004": "府中町", "N03_007": "34302"},
        "geometry": {"type": "MultiPolygon", "coordinates": [[_square(34.38, 132.48, 34.44, 132.56)]]},
    }
    (town,) = read_boundary_geojson(_collection(outline), districts=False)
    assert (town.code, town.name) == ("34302", "府中町")
    chosen = _district("x", "1", _square(34.38, 132.48, 34.44, 132.52), 町名="本町")
    (feature,) = read_boundary_geojson(_collection(chosen), districts=True, name_property="町名")
    assert feature.name == "本町"


@pytest.mark.parametrize(
    ("feature", "message"),
    [
        (
            _district("大字東", "2", _square(34.38, 132.52, 34.44, 132.56)[:-1]),
            "2 番目の地物 の geometry(多角形 1 の輪 1): 多角形の輪が閉じていません",
        ),
        (
            _district("大字東", "2", [[lat, lon] for lon, lat in _square(34.38, 132.52, 34.44, 132.56)]),
            "緯度と経度が逆のようです",
        ),
        (_district("大字東", "2", _square(10.0, 100.0, 10.5, 100.5)), "日本の範囲外です"),
        (
            {"type": "Feature", "properties": {"KEY_CODE": "2"}, "geometry": WEST_HALF["geometry"]},
            "2 番目の地物 の properties: 地区の名前",
        ),
        (
            {
                "type": "Feature",
                "properties": {"S_NAME": "線"},
                "geometry": {"type": "LineString", "coordinates": []},
            },
            "2 番目の地物 の geometry: Polygon か MultiPolygon",
        ),
        (_district("大字西", "342020010", _square(34.38, 132.52, 34.44, 132.56)), "1 番目の地物と重複"),
    ],
)
def test_a_bad_feature_refuses_the_file_naming_its_number_and_field(
    feature: dict[str, Any], message: str
) -> None:
    with pytest.raises(BoundaryFileError) as caught:
        read_boundary_geojson(_collection(WEST_HALF, feature), districts=True)
    assert any(message in p for p in caught.value.problems), caught.value.problems
    assert "何も取り込んでいません" in str(caught.value)


def test_not_geojson_is_refused() -> None:
    with pytest.raises(BoundaryFileError, match="GeoJSON"):
        read_boundary_geojson(b"KEY_CODE,S_NAME\n", districts=True)
    with pytest.raises(BoundaryFileError, match="FeatureCollection"):
        read_boundary_geojson(json.dumps(WEST_HALF).encode(), districts=True)


def test_simplify_keeps_the_shape_with_few_points() -> None:
    angle = np.linspace(0, 2 * np.pi, 5001)
    circle = np.column_stack((100 + 100 * np.cos(angle), 100 + 100 * np.sin(angle)))
    simple = simplify_line(circle, 0.5)
    assert 20 < len(simple) < 200
    assert np.allclose(np.hypot(simple[:, 0] - 100, simple[:, 1] - 100), 100)  # kept points lie on the circle


def test_a_large_boundary_is_drawn_with_a_bounded_number_of_points() -> None:
    angle = np.linspace(0, 2 * np.pi, 200_001)
    ring = [[132.52 + 0.03 * np.cos(a) + 0.0001 * np.sin(97 * a), 34.41 + 0.025 * np.sin(a)] for a in angle]
    ring[-1] = ring[0]
    (town,) = read_boundary_geojson(
        _collection(
            {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        ),
        districts=False,
    )
    drawn = build_map([], EXTENT, [], outline=[town])
    assert len(drawn.outline) == 1
    assert 50 < drawn.outline[0].points <= 6_000


@pytest.mark.django_db
def test_import_versions_diffs_and_audits(placed_town: Municipality) -> None:
    first = import_boundaries(
        placed_town,
        _collection(WEST_HALF, EAST_HALF),
        kind="districts",
        source="e-Stat",
        original_name="a.geojson",
        by=ACTOR,
    )
    assert (first.version, len(first.features), first.changes) == (1, 2, [])
    renamed = _district("大字ひがし", "342020020", _square(34.38, 132.52, 34.44, 132.56))
    added = _district("大字北", "342020030", _square(34.43, 132.50, 34.44, 132.51))
    second = import_boundaries(
        placed_town,
        _collection(WEST_HALF, renamed, added),
        kind="districts",
        source="e-Stat 2025",
        original_name="b.geojson",
        by=ACTOR,
    )
    assert second.version == 2
    assert second.changes == ["名前の変更: 大字東 → 大字ひがし", "追加: 大字北"]
    assert (
        BoundarySet.objects.filter(municipality=placed_town, kind="districts").count() == 2
    )  # the old one kept
    assert AuditEvent.objects.filter(action="coverage.boundaries_imported").count() == 2

    bad = _collection(WEST_HALF, _district("大字東", "2", _square(34.38, 132.52, 34.44, 132.56)[:-1]))
    with pytest.raises(BoundaryFileError):
        import_boundaries(placed_town, bad, kind="districts", source="x", original_name="c.geojson", by=ACTOR)
    far = _collection(_district("大字遠", "9", _square(35.0, 139.0, 35.1, 139.1)))
    with pytest.raises(BoundaryFileError, match="重なりません"):
        import_boundaries(placed_town, far, kind="districts", source="x", original_name="d.geojson", by=ACTOR)
    assert BoundarySet.objects.count() == 2  # nothing half-imported
    assert AuditEvent.objects.filter(action="coverage.boundaries_imported").count() == 2


@pytest.mark.django_db
def test_staff_upload_and_the_map_draws_outlines_under_the_cells(
    placed_town: Municipality, make_staff: Callable[..., User], login: Callable[..., Any]
) -> None:
    client = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    url = f"/staff/m/{placed_town.code}/coverage/boundaries/"
    assert client.get(url).status_code == 200
    refused = client.post(
        url,
        {
            "kind": "districts",
            "source": "e-Stat",
            "file": SimpleUploadedFile(
                "bad.geojson", _collection(WEST_HALF, {"type": "Feature", "properties": {}})
            ),
        },
    )
    assert refused.status_code == 400
    assert "2 番目の地物 の properties" in refused.content.decode()
    assert not BoundarySet.objects.exists()

    outline = {
        "type": "Feature",
        "properties": {"N03_004": "府中町"},
        "geometry": {"type": "Polygon", "coordinates": [_square(34.381, 132.481, 34.439, 132.559)]},
    }
    for kind, body in (
        ("municipality", _collection(outline)),
        ("districts", _collection(WEST_HALF, EAST_HALF)),
    ):
        response = client.post(
            url,
            {
                "kind": kind,
                "source": "e-Stat 小地域 2020",
                "file": SimpleUploadedFile(f"{kind}.geojson", body),
            },
        )
        assert response.status_code == 302
    again = client.post(
        url,
        {
            "kind": "districts",
            "source": "e-Stat 小地域 2020",
            "file": SimpleUploadedFile("same.geojson", _collection(WEST_HALF, EAST_HALF)),
        },
    )
    assert again.status_code == 302
    page = client.get(url).content.decode()
    assert "変更なし" in page  # version 2 of the districts, identical to version 1
    assert "第 2 版" in page
    assert "大字西" in page
    assert "第 1 版" in page

    first = District.objects.filter(municipality=placed_town).order_by("code").first()
    assert first is not None
    report = submit_report(
        placed_town,
        ReportInput(
            carrier="docomo",
            technology="4G",
            problem="no_signal",
            place_kind="indoor",
            frequency="always",
            observed_on=date(2026, 11, 1),
            time_band="night",
            district_code=first.code,
        ),
        by=ACTOR,
    )
    triage_report(report, status="accepted", staff_note="", public_note="", by=ACTOR)
    html = client.get(f"/staff/m/{placed_town.code}/coverage/?carrier=docomo&technology=4G").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count('class="municipality-outline"') == 1
    assert svg.count('class="district-outline"') == 2
    assert "<title>大字西</title>" in svg
    assert svg.index("district-outline") < svg.index(
        "<rect x=", svg.index("district-outline")
    )  # cells on top
    table = html[html.index("地図の区画の一覧") :]
    expected = "大字西" if first.coverage_place.longitude < 132.52 else "大字東"
    assert f"<td>{expected}</td>" in table
