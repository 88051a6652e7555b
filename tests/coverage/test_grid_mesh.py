"""JIS X 0410 mesh codes: known codes from public sources, both ways, and refusals of impossible codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiiki.coverage.grid import MeshCodeError, parent_code, parse_meshcode, to_meshcode

# Public reference points:
# - 東京タワー (35.658581, 139.745433) is 3rd-order mesh 53393599: the worked example of the jismesh
#   package's README (PyPI, jismesh 2.1.0).
# - 札幌市役所 (43.062072, 141.354368): 6441 / 644142 / 64414278 / 644142781 and 青森市 (40.8227, 140.7469):
#   6140 / 614015 / 61401589 / 614015894, from the test table of the chiriin package (GitHub), which lists
#   prefectural offices against the 国土地理院's mesh.
# - 東京都庁 (35.6895, 139.6917) lies in first-order mesh 5339, the cell of central Tokyo in the Statistics
#   Bureau's description of 地域メッシュ.
KNOWN = [
    (35.658581, 139.745433, 3, "53393599"),
    (43.062072, 141.354368, 1, "6441"),
    (43.062072, 141.354368, 2, "644142"),
    (43.062072, 141.354368, 3, "64414278"),
    (43.062072, 141.354368, 4, "644142781"),
    (40.8227, 140.7469, 3, "61401589"),
    (40.8227, 140.7469, 4, "614015894"),
    (35.6895, 139.6917, 1, "5339"),
]


@pytest.mark.parametrize(("lat", "lon", "level", "code"), KNOWN)
def test_known_points_give_their_published_codes(lat: float, lon: float, level: int, code: str) -> None:
    assert to_meshcode(lat, lon, level) == code


@pytest.mark.parametrize(("lat", "lon", "level", "code"), KNOWN)
def test_published_codes_hold_their_points(lat: float, lon: float, level: int, code: str) -> None:
    cell = parse_meshcode(code)
    assert cell.level == level
    assert cell.south <= lat < cell.north
    assert cell.west <= lon < cell.east


def test_cell_sizes_follow_the_standard() -> None:
    first = parse_meshcode("5339")
    assert (first.south, first.west, first.north, first.east) == pytest.approx((35 + 1 / 3, 139, 36, 140))
    third = parse_meshcode("53393599")
    assert third.north - third.south == pytest.approx(30 / 3600)
    assert third.east - third.west == pytest.approx(45 / 3600)
    quarter = parse_meshcode("5339359941")
    assert quarter.north - quarter.south == pytest.approx(7.5 / 3600)


def test_half_mesh_digits_run_south_west_to_north_east() -> None:
    whole = parse_meshcode("53393599")
    mid_lat, mid_lon = whole.center
    assert (parse_meshcode("533935991").south, parse_meshcode("533935991").west) == pytest.approx(
        (whole.south, whole.west)
    )
    assert (parse_meshcode("533935992").south, parse_meshcode("533935992").west) == pytest.approx(
        (whole.south, mid_lon)
    )
    assert (parse_meshcode("533935993").south, parse_meshcode("533935993").west) == pytest.approx(
        (mid_lat, whole.west)
    )
    assert (parse_meshcode("533935994").south, parse_meshcode("533935994").west) == pytest.approx(
        (mid_lat, mid_lon)
    )


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("5339359", "7 桁"),
        ("53393X99", "数字以外"),
        ("53398599", "第2次区画"),
        ("533935995", "9 桁目は 1〜4"),
        ("5339359915", "10 桁目は 1〜4"),
        ("1039", "範囲外"),
    ],
)
def test_impossible_codes_are_refused_naming_the_digit(code: str, reason: str) -> None:
    with pytest.raises(MeshCodeError, match=reason):
        parse_meshcode(code)


def test_parent_is_the_prefix_and_a_finer_parent_is_refused() -> None:
    assert parent_code("5339359941", 3) == "53393599"
    with pytest.raises(MeshCodeError):
        parent_code("53393599", 4)


@given(
    st.floats(min_value=20.5, max_value=45.5, allow_nan=False),
    st.floats(min_value=122.5, max_value=153.5, allow_nan=False),
    st.integers(min_value=1, max_value=5),
)
def test_code_and_point_agree_both_ways(lat: float, lon: float, level: int) -> None:
    code = to_meshcode(lat, lon, level)
    cell = parse_meshcode(code)
    assert cell.south - 1e-9 <= lat < cell.north + 1e-9
    assert cell.west - 1e-9 <= lon < cell.east + 1e-9
    center_lat, center_lon = cell.center
    assert to_meshcode(center_lat, center_lon, level) == code


@given(
    st.lists(
        st.tuples(st.floats(min_value=20.5, max_value=45.5), st.floats(min_value=122.5, max_value=153.5)),
        min_size=1,
        max_size=30,
    ),
    st.integers(min_value=1, max_value=5),
)
def test_column_wise_codes_equal_the_scalar_codes(points: list[tuple[float, float]], level: int) -> None:
    import polars as pl

    from chiiki.coverage.grid import place_on_grid

    frame = pl.DataFrame({"latitude": [p[0] for p in points], "longitude": [p[1] for p in points]})
    placed = place_on_grid(frame, level)
    assert placed["mesh"].to_list() == [to_meshcode(lat, lon, level) for lat, lon in points]
