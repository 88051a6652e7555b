"""Publishable tables of a run (district × class) with their disclosure check, and their CSV. Django-free.

Each table holds weighted estimates with standard errors, the number of contributing (responding)
households per cell, and the row, column and grand totals that are published with it. The check marks
cells with fewer than `threshold` contributing households (primary suppression) and adds complementary
suppressions (`chiiki.estimation.protect_table`, with its LP audit) so that no hidden cell can be recovered
from the published margins. A table whose cells cannot be protected, or that would be more than half
hidden, fails the check and cannot be published.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from chiiki.estimation import (
    CalibrationResult,
    Design,
    EstimationError,
    audit,
    estimate,
    protect_table,
    small_cells,
)

MAX_SUPPRESSED_SHARE = 0.5
MAX_ROUNDS = 10  # rounds of the engine's greedy search before the table is declared unprotectable
AGE_GROUPS = ("0-14", "15-39", "40-64", "65-74", "75+")
SIZE_CLASSES = ("1", "2", "3", "4", "5+")
# Districts with fewer responding households than each step are merged into one row, until the check passes.
MERGE_STEPS = (0, 10, 25, 50, 100)
OTHER_DISTRICTS = "その他の地区"
SUPPRESSED = "X"  # the mark e-Stat uses for a cell hidden for confidentiality


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str
    unit: str
    column_label: str
    columns: tuple[str, ...]
    variable: str  # prefix of the per-column variables ("ind_" is built here for household sizes)
    row_total: str


SPECS: tuple[TableSpec, ...] = (
    TableSpec("households_by_district_size", "地区別・世帯人員別 世帯数(推計)", "世帯", "世帯人員", SIZE_CLASSES, "hh_", "one"),
    TableSpec("persons_by_district_age", "地区別・年齢階級別 人口(推計)", "人", "年齢階級", AGE_GROUPS, "a_", "answered_size"),
    TableSpec("workers_by_district_age", "地区別・年齢階級別 主に仕事をした人(推計)", "人", "年齢階級", AGE_GROUPS[1:], "w_", "n_workers"),
)  # fmt: skip
TABLE_NAMES = tuple(spec.name for spec in SPECS)


def _f(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _prepare(respondents: pl.DataFrame) -> pl.DataFrame:
    extra = [pl.lit(1.0).alias("one")]
    extra += [(pl.col("hh_size_class") == c).cast(pl.Float64).alias(f"hh_{c}") for c in SIZE_CLASSES]
    return respondents.with_columns(extra)


def build_table(
    spec: TableSpec, respondents: pl.DataFrame, design: Design, calibration: CalibrationResult, threshold: int
) -> dict[str, Any]:
    """The table by district, or, when it fails the check, with ever more small districts merged into one row.

    Merging rows is what a statistics office does before hiding cells: fewer cells are small, and fewer have
    to be hidden. The table records which districts were merged.
    """
    sizes = dict(respondents.group_by("district").len().iter_rows())
    tried: set[frozenset[str]] = set()
    table: dict[str, Any] = {}
    for step in MERGE_STEPS:
        small = frozenset(str(d) for d, n in sizes.items() if n < step)
        if small in tried or (step and len(small) < 2):
            continue
        tried.add(small)
        merged = respondents.with_columns(
            pl.when(pl.col("district").is_in(list(small)))
            .then(pl.lit(OTHER_DISTRICTS))
            .otherwise(pl.col("district"))
            .alias("district")
        )
        table = _build_table(spec, merged, design, calibration, threshold)
        table["merged_districts"] = sorted(small)
        if table["passed"]:
            break
    return table


def _build_table(
    spec: TableSpec, respondents: pl.DataFrame, design: Design, calibration: CalibrationResult, threshold: int
) -> dict[str, Any]:
    """Estimates, SEs, contributors, margins and the disclosure check of one table."""
    frame = _prepare(respondents)
    variables = [f"{spec.variable}{c}" for c in spec.columns]
    options: dict[str, Any] = {"calibration": calibration, "lonely_psu": "skip", "statistic": "total"}
    cells = estimate(frame, design, variables, by="district", **options)
    rows = sorted(frame["district"].unique().to_list())
    index = {(r["district"], r["variable"]): r for r in cells.iter_rows(named=True)}
    values = np.zeros((len(rows), len(variables)))
    ses = np.zeros_like(values)
    contributors = np.zeros(values.shape, dtype=np.int64)
    counts = frame.group_by("district").agg([(pl.col(v) > 0).sum().alias(v) for v in variables])
    count_index = {r["district"]: r for r in counts.iter_rows(named=True)}
    for i, district in enumerate(rows):
        for j, variable in enumerate(variables):
            cell = index.get((district, variable))
            values[i, j] = max(0.0, float(cell["estimate"])) if cell else 0.0
            ses[i, j] = float(cell["se"]) if cell else 0.0
            contributors[i, j] = int(count_index[district][variable])
    row_totals = estimate(frame, design, [spec.row_total], by="district", **options)
    col_totals = estimate(frame, design, variables, **options)
    grand = estimate(frame, design, [spec.row_total], **options).row(0, named=True)
    check = disclosure_check(values, contributors, threshold)
    return {
        "name": spec.name,
        "title": spec.title,
        "unit": spec.unit,
        "row_label": "地区",
        "column_label": spec.column_label,
        "rows": rows,
        "columns": list(spec.columns),
        "values": values.tolist(),
        "se": ses.tolist(),
        "contributors": contributors.tolist(),
        "row_totals": [
            [_f(r["estimate"]), _f(r["se"])] for r in row_totals.sort("district").iter_rows(named=True)
        ],
        "column_totals": [[_f(r["estimate"]), _f(r["se"])] for r in col_totals.iter_rows(named=True)],
        "grand_total": [_f(grand["estimate"]), _f(grand["se"])],
        "threshold": threshold,
        **check,
    }


def disclosure_check(
    values: np.ndarray[Any, Any], contributors: np.ndarray[Any, Any], threshold: int
) -> dict[str, Any]:
    """Primary (small cells) and complementary suppression; whether the table may be published and why not.

    Empty cells are published as 0 and never chosen as complementary cells: hiding a 0 protects nothing (the
    attacker knows a cell cannot be negative), and the greedy search would keep choosing them as the cheapest.
    So the pattern is searched on a copy where empty cells look expensive, and the pattern is then audited on
    the real values by linear programming (`chiiki.estimation.audit`).
    """
    primary = small_cells(contributors, threshold)
    secondary = np.zeros_like(primary)
    message = ""
    passed = True
    if primary.any():
        search = np.where(contributors > 0, values, values.max() * 10 + 1.0)
        try:
            result = protect_table(search, primary, max_rounds=MAX_ROUNDS)
            secondary = result.secondary
            protection = np.where(primary, values, 1.0)
            if not audit(values, primary | secondary, protection).safe:
                passed, message = (
                    False,
                    "秘匿したセルが周辺合計から復元できてしまいます (a hidden cell can be recovered)",
                )
        except EstimationError as error:
            passed, message = False, str(error)
    hidden = int((primary | secondary).sum())
    if passed and hidden > MAX_SUPPRESSED_SHARE * values.size:
        passed = False
        message = (
            f"{values.size} セルのうち {hidden} セルを秘匿することになります。区分を粗くしてください "
            "(more than half of the cells would be hidden; use coarser classes)"
        )
    return {
        "primary": primary.tolist(),
        "secondary": np.asarray(secondary, dtype=bool).tolist(),
        "suppressed": hidden,
        "passed": passed,
        "message": message,
    }


def build_tables(
    respondents: pl.DataFrame, design: Design, calibration: CalibrationResult, threshold: int
) -> dict[str, dict[str, Any]]:
    """Every publishable table of a run."""
    return {spec.name: build_table(spec, respondents, design, calibration, threshold) for spec in SPECS}


def _number(value: float | None, digits: int = 0) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def table_csv(table: dict[str, Any]) -> bytes:
    """The published CSV (UTF-8 with BOM): one row per cell and margin, hidden cells marked X.

    Columns: 地区, <column label>, 推計値, 標準誤差, 95%信頼区間下限, 95%信頼区間上限, 回答世帯数, 秘匿.
    Totals are rows with 計; the interval is estimate ± 1.96 SE.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            table["row_label"],
            table["column_label"],
            "推計値",
            "標準誤差",
            "95%信頼区間下限",
            "95%信頼区間上限",
            "回答世帯数",
            "秘匿",
        ]
    )

    def line(row: str, col: str, value: float | None, se: float | None, n: int | str, mark: str = "") -> None:
        if mark:
            writer.writerow([row, col, SUPPRESSED, SUPPRESSED, "", "", SUPPRESSED, mark])
            return
        low = None if value is None or se is None else value - 1.96 * se
        high = None if value is None or se is None else value + 1.96 * se
        writer.writerow([row, col, _number(value), _number(se, 1), _number(low), _number(high), n, ""])

    for i, district in enumerate(table["rows"]):
        for j, column in enumerate(table["columns"]):
            mark = "1次秘匿" if table["primary"][i][j] else "2次秘匿" if table["secondary"][i][j] else ""
            line(
                district, column, table["values"][i][j], table["se"][i][j], table["contributors"][i][j], mark
            )
        total, se = table["row_totals"][i]
        line(district, "計", total, se, "")
    for j, column in enumerate(table["columns"]):
        total, se = table["column_totals"][j]
        line("計", column, total, se, "")
    line("計", "計", table["grand_total"][0], table["grand_total"][1], "")
    return out.getvalue().encode("utf-8")


def hidden_cells(table: dict[str, Any]) -> list[tuple[str, str]]:
    """(row, column) of every hidden cell, for messages and tests."""
    out = []
    for i, row in enumerate(table["rows"]):
        for j, column in enumerate(table["columns"]):
            if table["primary"][i][j] or table["secondary"][i][j]:
                out.append((row, column))
    return out


def names() -> Sequence[str]:
    """Names of the publishable tables."""
    return TABLE_NAMES
