"""The national census on the grid: e-Stat 地域メッシュ統計 CSV (the KEY_CODE files), population per cell.

e-Stat's mesh tables are CSV (Shift_JIS) whose first row holds column codes (`KEY_CODE`, `HTKSYORI`, `HTKSAKI`,
`GASSAN`, then one code per figure such as `T001142001`) and whose second row holds the figures' Japanese
names; each data row is one cell, `KEY_CODE` its mesh code. The population column is found by its Japanese
name (人口総数 / 人口(総数)) unless named. Cells whose figures are withheld (秘匿, written `*`) or merged into a
neighbour (合算) carry no number of their own: they are counted as 0 and listed as suppressed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import polars as pl

from chiiki.coverage.grid._mesh import MeshCodeError, parse_meshcode
from chiiki.tables import TableReadError, read_delimited

_POPULATION_NAMES = ("人口総数", "人口(総数)", "総数")
_WITHHELD = ("*", "-", "X", "x", "")


class CensusFileError(ValueError):
    """A census mesh file refused as a whole; the message names rows and columns."""


@dataclass(frozen=True, slots=True)
class CensusCells:
    """Population per cell from a census mesh file."""

    frame: pl.DataFrame  # mesh, population, suppressed
    level: int
    column: str


def _population_column(header: list[str], names: list[str], column: str | None) -> int:
    if column is not None:
        if column not in header:
            raise CensusFileError(f"1 行目: 列 {column} がありません")
        return header.index(column)
    for position, name in enumerate(names):
        if unicodedata.normalize("NFKC", name).strip().replace(" ", "") in _POPULATION_NAMES:
            return position
    raise CensusFileError("2 行目: 人口総数の列が見つかりません。列の記号(例: T001142001)を指定してください")


def _cell(
    number: int, code: str, value: str, level: int | None, problems: list[str]
) -> tuple[str, int, bool, int] | None:
    try:
        cell = parse_meshcode(code)
    except MeshCodeError as error:
        problems.append(f"{number} 行目の KEY_CODE 列: {error}")
        return None
    if level is not None and cell.level != level:
        problems.append(f"{number} 行目の KEY_CODE 列: {code} は他の行と次数が違います")
        return None
    if value.strip() in _WITHHELD:
        return (cell.code, 0, True, cell.level)
    try:
        people = int(value.replace(",", ""))
    except ValueError:
        problems.append(f"{number} 行目の人口の列: 「{value}」は人数ではありません")
        return None
    if people < 0:
        problems.append(f"{number} 行目の人口の列: {people} は負の数です")
        return None
    return (cell.code, people, False, cell.level)


def parse_census_mesh(data: bytes, *, column: str | None = None) -> CensusCells:
    """Read an e-Stat mesh CSV into population per cell; CensusFileError names every bad row (nothing half-read)."""
    try:
        table = read_delimited(data, label="census")
    except TableReadError as error:
        raise CensusFileError(str(error)) from error
    header = [name.strip() for name in table.header]
    if "KEY_CODE" not in header:
        raise CensusFileError("1 行目: KEY_CODE の列がありません(e-Stat の地域メッシュ統計の CSV ですか)")
    if not table.rows:
        raise CensusFileError("データの行がありません")
    key = header.index("KEY_CODE")
    names = table.rows[0]
    population = _population_column(header, names, column)
    problems: list[str] = []
    cells: list[tuple[str, int, bool]] = []
    level: int | None = None
    for offset, row in enumerate(table.rows[1:]):
        number = offset + 3
        code = row[key].strip() if key < len(row) else ""
        value = row[population] if population < len(row) else ""
        found = _cell(number, code, value, level, problems)
        if found is not None:
            level = found[3]
            cells.append(found[:3])
    if problems:
        raise CensusFileError(
            "国勢調査のメッシュ人口を読み込めません。何も変えていません。\n" + "\n".join(problems[:30])
        )
    frame = pl.DataFrame(
        cells, schema={"mesh": pl.String, "population": pl.Int64, "suppressed": pl.Boolean}, orient="row"
    )
    return CensusCells(frame, level or 0, header[population])
