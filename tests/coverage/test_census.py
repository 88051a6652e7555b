"""The census 500 m mesh population (e-Stat KEY_CODE CSV) replaces the registry approximation when loaded.

The file below is made in the shape of e-Stat's mesh tables (codes on the first row, Japanese names on the
second, `*` for withheld cells, Shift_JIS); it is not a real e-Stat download.
"""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from chiiki.core.models import Municipality, User
from chiiki.coverage import queries
from chiiki.coverage.grid import CensusFileError, parse_census_mesh, to_meshcode

pytestmark = pytest.mark.django_db

INSIDE = [to_meshcode(34.41, 132.52, 4), to_meshcode(34.42, 132.53, 4), to_meshcode(34.43, 132.50, 4)]
OUTSIDE = to_meshcode(34.90, 132.90, 4)


def _file(rows: list[str]) -> bytes:
    head = "KEY_CODE,HTKSYORI,HTKSAKI,GASSAN,T001142001,T001142002\n,,,,人口（総数）,人口（総数）　男\n"
    return (head + "\n".join(rows) + "\n").encode("cp932")


def test_the_population_column_is_found_by_its_name_and_withheld_cells_are_listed() -> None:
    cells = parse_census_mesh(_file([f"{INSIDE[0]},0,,,120,60", f"{INSIDE[1]},2,,,*,*"]))
    assert cells.level == 4
    assert cells.column == "T001142001"
    assert cells.frame.rows() == [(INSIDE[0], 120, False), (INSIDE[1], 0, True)]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["533900019,0,,,12,6"], "3 行目の KEY_CODE 列: .*9 桁目は 1〜4"),
        ([f"{INSIDE[0]},0,,,twelve,6"], "3 行目の人口の列: 「twelve」は人数ではありません"),
        ([f"{INSIDE[0]},0,,,12,6", "53390001,0,,,12,6"], "4 行目の KEY_CODE 列: .*次数が違います"),
    ],
)
def test_bad_rows_refuse_the_file(rows: list[str], message: str) -> None:
    with pytest.raises(CensusFileError, match=message):
        parse_census_mesh(_file(rows))


def test_the_census_replaces_the_registry_approximation(placed_town: Municipality, tmp_path: Path) -> None:
    before = queries.population_grid(placed_town)
    assert "住民基本台帳" in before.method
    path = tmp_path / "mesh500.csv"
    path.write_bytes(
        _file(
            [
                f"{INSIDE[0]},0,,,120,60",
                f"{INSIDE[1]},0,,,80,40",
                f"{INSIDE[2]},2,,,*,*",
                f"{OUTSIDE},0,,,999,500",
            ]
        )
    )
    out = StringIO()
    call_command(
        "coverage_census",
        str(path),
        "--municipality",
        placed_town.code,
        "--source",
        "テスト用の表",
        stdout=out,
    )
    assert "3 区画、200 人" in out.getvalue()
    assert "秘匿・合算 1 区画" in out.getvalue()
    grid = queries.population_grid(placed_town)
    assert "国勢調査" in grid.method
    assert sorted(grid.frame["mesh"].to_list()) == sorted(INSIDE)
    assert grid.placed == 200


def test_a_1km_table_is_refused_for_the_500m_population(placed_town: Municipality, tmp_path: Path) -> None:
    path = tmp_path / "mesh1km.csv"
    path.write_bytes(_file([f"{to_meshcode(34.41, 132.52, 3)},0,,,120,60"]))
    with pytest.raises(CommandError, match="500mメッシュ"):
        call_command(
            "coverage_census",
            str(path),
            "--municipality",
            placed_town.code,
            "--source",
            "x",
            stdout=StringIO(),
        )


def test_staff_upload_the_census_on_its_page_with_row_errors(
    placed_town: Municipality, make_staff: Callable[..., User], login: Callable[..., Any]
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chiiki.core.models import AuditEvent, Role
    from chiiki.coverage.models import CellPopulation

    client = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    url = f"/staff/m/{placed_town.code}/coverage/census/"
    assert "まだ読み込まれていません" in client.get(url).content.decode()
    bad = _file([f"{INSIDE[0]},0,,,12,6", f"{INSIDE[1]},0,,,twelve,6"])
    refused = client.post(url, {"source": "令和2年国勢調査", "file": SimpleUploadedFile("bad.csv", bad)})
    assert refused.status_code == 400
    assert "4 行目の人口の列: 「twelve」は人数ではありません" in refused.content.decode()
    assert not CellPopulation.objects.exists()

    good = _file([f"{INSIDE[0]},0,,,120,60", f"{INSIDE[1]},2,,,*,*", f"{OUTSIDE},0,,,50,25"])
    done = client.post(url, {"source": "令和2年国勢調査 500m", "file": SimpleUploadedFile("m.csv", good)})
    assert done.status_code == 302
    assert sorted(CellPopulation.objects.values_list("mesh_code", "population")) == sorted(
        [(INSIDE[0], 120), (INSIDE[1], 0)]
    )
    assert AuditEvent.objects.filter(action="coverage.census_loaded").count() == 1
    page = client.get(url).content.decode()
    assert "2 区画、120 人" in page
    assert "令和2年国勢調査 500m" in page
