"""Coverage layers: GeoJSON cells or polygons read as 500 m cells, imported per carrier and technology, and
the population they claim to cover in the municipality and its districts; bad files refused whole."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.coverage.grid import LayerFileError, parse_meshcode, read_coverage_geojson, to_meshcode
from chiiki.coverage.models import CoverageLayer
from chiiki.registry.models import District


def _collection(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _square(south: float, west: float, north: float, east: float) -> list[list[float]]:
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def test_mesh_features_give_500m_cells() -> None:
    one_km = to_meshcode(34.41, 132.52, 3)
    quarter = to_meshcode(34.43, 132.54, 5)
    sibling = quarter[:9] + ("2" if quarter[9] != "2" else "3")
    lonely = to_meshcode(34.45, 132.50, 5)
    data = _collection(
        {"type": "Feature", "properties": {"mesh": one_km}, "geometry": None},
        {"type": "Feature", "properties": {"KEY_CODE": quarter}, "geometry": None},
        {"type": "Feature", "properties": {"KEY_CODE": sibling}, "geometry": None},
        {"type": "Feature", "properties": {"mesh": lonely}, "geometry": None},
    )
    cells = read_coverage_geojson(data)
    assert [c for c in cells if c.startswith(one_km)] == [one_km + q for q in "1234"]
    assert quarter[:9] in cells  # two of four quarters: half the 500 m cell
    assert lonely[:9] not in cells  # one quarter is not enough


def test_a_polygon_covers_the_cells_whose_centre_is_inside_and_not_its_hole() -> None:
    a = parse_meshcode(to_meshcode(34.41, 132.52, 4))
    # a box over a 3 × 3 block of 500 m cells around `a`, with a hole over the middle cell's centre
    height, width = a.north - a.south, a.east - a.west
    outer = _square(a.south - height, a.west - width, a.north + height, a.east + width)
    lat, lon = a.center
    hole = _square(lat - height / 4, lon - width / 4, lat + height / 4, lon + width / 4)
    data = _collection(
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [outer, hole]}}
    )
    cells = read_coverage_geojson(data)
    assert len(cells) == 8
    assert a.code not in cells
    assert to_meshcode(lat + height, lon + width, 4) in cells


@pytest.mark.parametrize(
    ("feature", "message"),
    [
        ({"type": "Feature", "properties": {"mesh": "5339459"}, "geometry": None}, "1 番目の地物 の mesh"),
        (
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": [_square(132.5, 34.4, 132.6, 34.5)]},
            },
            "緯度と経度が逆",
        ),
        (
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [132.5, 34.4]},
            },
            "多角形",
        ),
    ],
)
def test_a_bad_feature_refuses_the_file_naming_it(feature: dict[str, Any], message: str) -> None:
    with pytest.raises(LayerFileError, match=message) as refused:
        read_coverage_geojson(_collection(feature))
    assert "何も取り込んでいません" in str(refused.value)


def test_a_file_that_is_not_geojson_is_refused() -> None:
    with pytest.raises(LayerFileError, match=r"GeoJSON.*として読めません"):
        read_coverage_geojson(b"mesh,carrier\n")


@pytest.mark.django_db
def test_staff_import_a_layer_and_see_the_population_it_claims_to_cover(
    placed_town: Municipality, make_staff: Callable[..., User], login: Callable[..., Any]
) -> None:
    call_command("coverage_targets", stdout=StringIO())
    client = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    first = District.objects.filter(municipality=placed_town).order_by("code").first()
    assert first is not None
    place = first.coverage_place
    cell = to_meshcode(place.latitude, place.longitude, 4)
    url = f"/staff/m/{placed_town.code}/coverage/layers/"
    layer = _collection({"type": "Feature", "properties": {"mesh": cell}, "geometry": None})
    response = client.post(
        url,
        {
            "carrier": "au",
            "technology": "5G",
            "source": "au 5G エリア(2026年11月)",
            "file": SimpleUploadedFile("au.geojson", layer),
        },
    )
    assert response.status_code == 302
    stored = CoverageLayer.objects.get()
    assert (stored.carrier, stored.technology, stored.cells) == ("au", "5G", [cell])
    assert AuditEvent.objects.filter(action="coverage.layer_imported", object_id=str(stored.pk)).exists()
    html = client.get(url).content.decode()
    assert "au(KDDI)" in html
    assert "未達" in html  # one district's cell out of several: below the 5G target
    assert first.name in html  # the district table lists the covered district
    assert "<caption" in html

    bad = _collection({"type": "Feature", "properties": {"mesh": "99999999"}, "geometry": None})
    refused = client.post(
        url,
        {"carrier": "au", "technology": "4G", "source": "x", "file": SimpleUploadedFile("bad.geojson", bad)},
    )
    assert refused.status_code == 400
    assert "1 番目の地物 の mesh" in refused.content.decode()
    assert CoverageLayer.objects.count() == 1


@pytest.mark.django_db
def test_prefecture_figures_sum_the_latest_layer_of_each_municipality(
    placed_town: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[..., Any],
) -> None:
    from chiiki.core.acting import Actor
    from chiiki.coverage import queries
    from chiiki.coverage.actions import import_coverage_layer

    call_command("coverage_targets", stdout=StringIO())
    Municipality.objects.create(  # a second town of the prefecture, without a layer: not in the sums
        code="343099", prefecture_code="34", prefecture="広島県", name="試験町", kind="town"
    )
    grid = queries.population_grid(placed_town).frame.sort("mesh")
    cells = grid["mesh"].to_list()

    def load(town: Municipality, meshes: list[str]) -> None:
        features = [{"type": "Feature", "properties": {"mesh": m}, "geometry": None} for m in meshes]
        import_coverage_layer(
            town,
            _collection(*features),
            carrier="au",
            technology="4G",
            source="t",
            original_name="t",
            by=Actor.system("t"),
        )

    load(placed_town, cells)  # an older layer claiming everything
    load(placed_town, cells[:2])  # the latest claims two cells: it is the one counted
    load(town_b, cells)  # another prefecture's layer is not counted
    (row,) = queries.prefecture_layer_coverage("34")
    expected = int(grid.filter(grid["mesh"].is_in(cells[:2]))["population"].sum())
    assert (row.carrier, row.technology, row.municipalities, row.of_municipalities) == ("au", "4G", 1, 2)
    assert (row.population, row.covered) == (int(grid["population"].sum()), expected)
    assert row.percent == pytest.approx(expected / row.population * 100)
    assert row.target is not None
    assert row.target.area_code in ("34", "00")
    own = queries.layer_coverage(placed_town)[0]
    assert (own.population, own.covered) == (row.population, row.covered)
    client = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    html = client.get(f"/staff/m/{placed_town.code}/coverage/layers/").content.decode()
    assert "広島県全体" in html
    assert "1 / 2" in html
