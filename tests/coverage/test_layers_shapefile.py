"""Coverage layers from zipped Shapefiles (issue 16, point 4), read with pyshp; the files are written here with
pyshp itself, as GIS software would write them (outer rings clockwise, holes counter-clockwise)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
import shapefile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.coverage.grid import LayerFileError, parse_meshcode, read_coverage_layer, to_meshcode
from chiiki.coverage.models import CoverageLayer

WGS84_PRJ = (
    'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],'
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
)
UTM_PRJ = 'PROJCS["JGD2011 / UTM zone 53N",GEOGCS["JGD2011"],PROJECTION["Transverse_Mercator"]]'


def _zip(
    write: Callable[[shapefile.Writer], None], shape_type: int, *, prj: str = WGS84_PRJ, cpg: str = ""
) -> bytes:
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    writer = shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shape_type, encoding=cpg or "utf-8")
    write(writer)
    writer.close()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("area/docomo_4g.shp", shp.getvalue())
        archive.writestr("area/docomo_4g.shx", shx.getvalue())
        archive.writestr("area/docomo_4g.dbf", dbf.getvalue())
        if prj:
            archive.writestr("area/docomo_4g.prj", prj)
        if cpg:
            archive.writestr("area/docomo_4g.cpg", cpg)
    return out.getvalue()


def _clockwise(south: float, west: float, north: float, east: float) -> list[list[float]]:
    return [[west, south], [west, north], [east, north], [east, south], [west, south]]


def _counter_clockwise(south: float, west: float, north: float, east: float) -> list[list[float]]:
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def _polygon_with_hole() -> tuple[bytes, str]:
    a = parse_meshcode(to_meshcode(34.41, 132.52, 4))
    height, width = a.north - a.south, a.east - a.west
    lat, lon = a.center
    outer = _clockwise(a.south - height, a.west - width, a.north + height, a.east + width)
    hole = _counter_clockwise(lat - height / 4, lon - width / 4, lat + height / 4, lon + width / 4)

    def write(w: shapefile.Writer) -> None:
        w.field("NAME", "C", size=40)
        w.poly([outer, hole])
        w.record("公表エリア")

    return _zip(write, shapefile.POLYGON), a.code


def test_a_shapefile_polygon_covers_the_cells_whose_centre_is_inside_and_not_its_hole() -> None:
    data, middle = _polygon_with_hole()
    cells = read_coverage_layer(data)
    assert len(cells) == 8
    assert middle not in cells


def test_mesh_codes_in_a_shift_jis_attribute_table_and_null_shapes() -> None:
    one_km = to_meshcode(34.41, 132.52, 3)
    half = to_meshcode(34.43, 132.54, 4)

    def write(w: shapefile.Writer) -> None:
        w.field("KEY_CODE", "C", size=10)
        w.field("事業者", "C", size=20)
        for code in (one_km, half):
            w.null()
            w.record(code, "ドコモ")

    data = _zip(write, shapefile.NULL, cpg="cp932")
    assert read_coverage_layer(data) == sorted([one_km + q for q in "1234"] + [half])


def test_bad_shapefiles_are_refused_whole_with_the_record_named() -> None:
    def points(w: shapefile.Writer) -> None:
        w.field("NAME", "C", size=10)
        w.point(132.52, 34.41)
        w.record("a")
        w.point(132.53, 34.42)
        w.record("b")

    with pytest.raises(LayerFileError) as error:
        read_coverage_layer(_zip(points, shapefile.POINT))
    assert error.value.problems[0].startswith("1 番目のレコード: メッシュコード(mesh)も多角形")
    assert len(error.value.problems) == 2

    def swapped(w: shapefile.Writer) -> None:
        w.field("NAME", "C", size=10)
        w.poly([[[34.40, 132.50], [34.42, 132.50], [34.42, 132.52], [34.40, 132.50]]])
        w.record("a")

    with pytest.raises(LayerFileError, match=r"1 番目のレコード の geometry: .*緯度と経度が逆"):
        read_coverage_layer(_zip(swapped, shapefile.POLYGON))

    data, _ = _polygon_with_hole()
    projected = _zip(
        lambda w: (w.field("N", "C"), w.poly([_clockwise(1, 1, 2, 2)]), w.record("x")), 5, prj=UTM_PRJ
    )
    with pytest.raises(LayerFileError, match="投影座標系"):
        read_coverage_layer(projected)
    no_shp = io.BytesIO()
    with zipfile.ZipFile(no_shp, "w") as archive:
        archive.writestr("readme.txt", "no layer here")
    with pytest.raises(LayerFileError, match=r"\.shp ファイルをちょうど 1 つ"):
        read_coverage_layer(no_shp.getvalue())
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive, zipfile.ZipFile(io.BytesIO(data)) as good:
        archive.writestr("area/docomo_4g.shp", good.read("area/docomo_4g.shp")[:60])
        archive.writestr("area/docomo_4g.dbf", good.read("area/docomo_4g.dbf"))
    with pytest.raises(LayerFileError, match="Shapefile として読めません"):
        read_coverage_layer(broken.getvalue())


@pytest.mark.django_db
def test_staff_upload_a_zipped_shapefile_on_the_layers_page(
    placed_town: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    data, middle = _polygon_with_hole()
    response = client.post(
        f"/staff/m/{placed_town.code}/coverage/layers/",
        {
            "carrier": "au",
            "technology": "5G",
            "source": "テスト用のエリア",
            "file": SimpleUploadedFile("au-5g.zip", data, content_type="application/zip"),
        },
    )
    assert response.status_code == 302
    layer = CoverageLayer.objects.get()
    assert (layer.carrier, layer.technology, len(layer.cells)) == ("au", "5G", 8)
    assert middle not in layer.cells
    assert AuditEvent.objects.filter(action="coverage.layer_imported", object_id=str(layer.pk)).exists()
    response = client.post(
        f"/staff/m/{placed_town.code}/coverage/layers/",
        {
            "carrier": "au",
            "technology": "5G",
            "source": "x",
            "file": SimpleUploadedFile("broken.zip", b"PK\x03\x04 not really a zip"),
        },
    )
    assert response.status_code == 400
    assert "ZIP として読めません" in response.content.decode()
    assert CoverageLayer.objects.count() == 1
