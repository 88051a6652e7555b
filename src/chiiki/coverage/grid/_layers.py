"""Coverage layers: a carrier's or the Ministry's claimed coverage, read from GeoJSON or a zipped Shapefile
(pyshp) as 500 m cells.

A feature is either a mesh cell (a `mesh`, `meshcode` or `KEY_CODE` property, 1 km, 500 m or 250 m) or a
Polygon/MultiPolygon in degrees (JGD2011/WGS 84). The layer is kept as the 500 m cells it covers:

- a 1 km cell covers its four 500 m cells; a 500 m cell itself; a 250 m cell counts towards its 500 m cell, which
  is covered when at least two of its four quarters are (half its area);
- a polygon covers the 500 m cells whose centre lies inside it (holes excluded), computed with NumPy for all
  cells of the polygon's bounding box at once.

Any feature that cannot be read refuses the whole file, naming the feature (1-based) and the field.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
from collections import Counter
from typing import Any

import numpy as np

from chiiki.coverage.grid._mesh import (
    LAT_UNITS,
    LON_UNITS,
    MeshCodeError,
    meshcode_from_units,
    parse_meshcode,
)
from chiiki.coverage.grid._points import JAPAN_EAST, JAPAN_NORTH, JAPAN_SOUTH, JAPAN_WEST, in_japan

LAYER_LEVEL = 4
_CODE_PROPERTIES = ("mesh", "meshcode", "mesh_code", "KEY_CODE", "key_code")
_MAX_LISTED = 20
_MAX_CELLS_PER_POLYGON = 4_000_000  # a bounding box larger than about 1,000 km square is not a coverage area


class LayerFileError(ValueError):
    """A coverage layer refused as a whole; `problems` names each feature and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:_MAX_LISTED]
        more = len(problems) - len(shown)
        text = "\n".join(shown) + (f"\n…ほか {more} 件" if more else "")
        super().__init__(f"エリアのファイルを読み込めません。何も取り込んでいません。\n{text}")


def ring_contains(ring: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Even-odd test of many points against one ring ([lon, lat] pairs), vectorised over the points."""
    inside = np.zeros(lat.shape, dtype=bool)
    x0, y0 = ring[:-1, 0], ring[:-1, 1]
    x1, y1 = ring[1:, 0], ring[1:, 1]
    for ax, ay, bx, by in zip(x0, y0, x1, y1, strict=True):
        if ay == by:
            continue
        crosses = (ay > lat) != (by > lat)
        x_at = ax + (lat - ay) * (bx - ax) / (by - ay)
        inside ^= crosses & (lon < x_at)
    return inside


def polygon_cells(rings: list[list[list[float]]]) -> set[str]:
    """The 500 m cells whose centre lies inside a polygon (outer ring first, then holes; [lon, lat] degrees)."""
    outer = np.asarray(rings[0], dtype=float)
    side_y, side_x = 2, 2  # a 500 m cell is 2 × 2 units of 250 m
    y0 = int(np.floor(outer[:, 1].min() * LAT_UNITS)) // side_y
    y1 = int(np.floor(outer[:, 1].max() * LAT_UNITS)) // side_y
    x0 = int(np.floor((outer[:, 0].min() - 100) * LON_UNITS)) // side_x
    x1 = int(np.floor((outer[:, 0].max() - 100) * LON_UNITS)) // side_x
    if (y1 - y0 + 1) * (x1 - x0 + 1) > _MAX_CELLS_PER_POLYGON:
        raise ValueError("範囲が広すぎます")
    ys, xs = np.meshgrid(np.arange(y0, y1 + 1), np.arange(x0, x1 + 1), indexing="ij")
    lat = (ys.ravel() * side_y + 1) / LAT_UNITS  # cell centres
    lon = 100 + (xs.ravel() * side_x + 1) / LON_UNITS
    inside = ring_contains(outer, lat, lon)
    for hole in rings[1:]:
        inside &= ~ring_contains(np.asarray(hole, dtype=float), lat, lon)
    return {
        meshcode_from_units(int(y) * side_y, int(x) * side_x, LAYER_LEVEL)
        for y, x in zip(ys.ravel()[inside], xs.ravel()[inside], strict=True)
    }


def _check_rings(rings: Any, where: str) -> list[str]:
    if not isinstance(rings, list) or not rings:
        return [f"{where}: 座標がありません"]
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4:
            return [f"{where}: 多角形の輪は 4 点以上で閉じてください"]
        for point in ring:
            if not (
                isinstance(point, list)
                and len(point) >= 2
                and all(isinstance(v, int | float) for v in point[:2])
            ):
                return [f"{where}: 座標「{point}」は [経度, 緯度] の数の組ではありません"]
            lon, lat = float(point[0]), float(point[1])
            if not in_japan(lat, lon):
                if in_japan(lon, lat):
                    return [
                        f"{where}: 座標 [{point[0]}, {point[1]}] は緯度と経度が逆のようです(GeoJSON は [経度, 緯度])"
                    ]
                return [
                    f"{where}: 座標 [{point[0]}, {point[1]}] は日本の範囲外です"
                    f"(経度 {JAPAN_WEST}〜{JAPAN_EAST}、緯度 {JAPAN_SOUTH}〜{JAPAN_NORTH})"
                ]
    return []


def feature_collection(data: bytes, error: type[ValueError], *, limit: int | None = None) -> list[Any]:
    """The features of a GeoJSON FeatureCollection; `error([...])` says why a file is none (or has too many)."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise error([f"GeoJSON(UTF-8)として読めません({problem})"]) from problem
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise error(["GeoJSON の FeatureCollection ではありません(type が FeatureCollection のファイル)"])
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise error(["features が空です"])
    if limit is not None and len(features) > limit:
        raise error([f"地物が多すぎます({len(features)} 件。{limit} 件まで)"])
    return features


def _cell_feature(code: str, where: str, cells: set[str], quarters: Counter[str]) -> list[str]:
    try:
        cell = parse_meshcode(code)
    except MeshCodeError as error:
        return [f"{where} の mesh: {error}"]
    if cell.level == 3:
        cells.update(code + str(quarter) for quarter in range(1, 5))
    elif cell.level == LAYER_LEVEL:
        cells.add(code)
    elif cell.level == 5:
        quarters[code[:9]] += 1
    else:
        return [f"{where} の mesh: 「{code}」は 1km・500m・250m のメッシュコードではありません"]
    return []


def _polygon_feature(geometry: Any, where: str, cells: set[str]) -> list[str]:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind == "Polygon":
        polygons = [geometry.get("coordinates")]
    elif kind == "MultiPolygon":
        polygons = geometry.get("coordinates") or []
    else:
        return [f"{where}: メッシュコード(mesh)も多角形(Polygon・MultiPolygon)もありません"]
    for rings in polygons:
        found = _check_rings(rings, f"{where} の geometry")
        if found:
            return found
        try:
            cells |= polygon_cells(rings)
        except ValueError as error:
            return [f"{where} の geometry: {error}"]
    return []


def read_coverage_geojson(data: bytes) -> list[str]:
    """The sorted 500 m cell codes a GeoJSON coverage layer covers; LayerFileError names every bad feature."""
    return _read_features(feature_collection(data, LayerFileError), "番目の地物")


def _read_features(features: list[Any], noun: str) -> list[str]:
    problems: list[str] = []
    cells: set[str] = set()
    quarters: Counter[str] = Counter()
    for number, feature in enumerate(features, start=1):
        where = f"{number} {noun}"
        if not isinstance(feature, dict):
            problems.append(f"{where}: 地物(Feature)ではありません")
            continue
        properties = feature.get("properties") or {}
        code = next((str(properties[k]).strip() for k in _CODE_PROPERTIES if k in properties), None)
        if code is not None:
            problems += _cell_feature(code, where, cells, quarters)
        else:
            problems += _polygon_feature(feature.get("geometry"), where, cells)
    if problems:
        raise LayerFileError(problems)
    cells.update(code for code, count in quarters.items() if count >= 2)
    return sorted(cells)


_SHAPE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_MAX_UNZIPPED = 512 * 1024 * 1024  # a coverage area larger than this is not a municipality's


def _shapefile_parts(data: bytes) -> dict[str, bytes]:
    """The parts of the one Shapefile in a ZIP (.shp and .dbf required; .shx, .prj, .cpg if present)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise LayerFileError([f"ZIP として読めません({error})"]) from error
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
        if sum(m.file_size for m in members) > _MAX_UNZIPPED:
            raise LayerFileError(["ZIP の中身が大きすぎます(展開して 512 MB まで)"])
        shps = [m for m in members if m.filename.lower().endswith(".shp")]
        if len(shps) != 1:
            found = "、".join(m.filename for m in shps) or "なし"
            raise LayerFileError(
                [f"ZIP には .shp ファイルをちょうど 1 つ入れてください(見つかったもの: {found})"]
            )
        stem = shps[0].filename[:-4]
        parts = {
            m.filename[len(stem) :].lower(): archive.read(m)
            for m in members
            if m.filename[: len(stem)] == stem and m.filename[len(stem) :].lower() in _SHAPE_PARTS
        }
    if ".dbf" not in parts:
        raise LayerFileError([f"{stem}.dbf(属性のファイル)が ZIP にありません"])
    return parts


def _dbf_encoding(parts: dict[str, bytes]) -> str:
    """The attribute encoding: the .cpg's word, else UTF-8 when the table reads as UTF-8, else Shift_JIS
    (cp932), which Japanese GIS software writes by default."""
    declared = parts.get(".cpg", b"").decode("ascii", "replace").strip().lower()
    if declared in ("utf-8", "utf8", "65001"):
        return "utf-8"
    if declared in ("shift_jis", "sjis", "cp932", "932", "ms932"):
        return "cp932"
    try:
        parts[".dbf"].decode("utf-8")
    except UnicodeDecodeError:
        return "cp932"
    return "utf-8"


def read_coverage_shapefile(data: bytes) -> list[str]:
    """The sorted 500 m cells a zipped Shapefile covers (polygons in degrees, or a mesh-code attribute), read
    with pyshp (pure Python, no GDAL). A projected coordinate system (.prj with PROJCS) is refused: the layer
    must be in longitude/latitude degrees (JGD2011/WGS 84). LayerFileError names every bad record."""
    import shapefile  # type: ignore[import-untyped]  # pyshp: no stubs

    parts = _shapefile_parts(data)
    if b"PROJCS" in parts.get(".prj", b""):
        raise LayerFileError(
            [
                "投影座標系(.prj が PROJCS)には対応していません。経緯度(JGD2011 または WGS 84)で保存してください"
            ]
        )
    try:
        reader = shapefile.Reader(
            shp=io.BytesIO(parts[".shp"]),
            shx=io.BytesIO(parts[".shx"]) if ".shx" in parts else None,
            dbf=io.BytesIO(parts[".dbf"]),
            encoding=_dbf_encoding(parts),
        )
        with reader:
            features = []
            for record in reader.iterShapeRecords():
                geometry = None
                if record.shape.shapeType != shapefile.NULL:
                    geometry = json.loads(json.dumps(record.shape.__geo_interface__))
                features.append(
                    {"type": "Feature", "properties": record.record.as_dict(), "geometry": geometry}
                )
    except (shapefile.ShapefileException, UnicodeDecodeError, ValueError, struct.error) as error:
        raise LayerFileError([f"Shapefile として読めません({error})"]) from error
    if not features:
        raise LayerFileError(["Shapefile にレコードがありません"])
    return _read_features(features, "番目のレコード")


def read_coverage_layer(data: bytes) -> list[str]:
    """A layer file of either kind: a ZIP (by its signature) is a zipped Shapefile, anything else GeoJSON."""
    if data[:4] == b"PK\x03\x04":
        return read_coverage_shapefile(data)
    return read_coverage_geojson(data)
