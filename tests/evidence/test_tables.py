"""Disclosure check of publishable tables and their CSV."""

from __future__ import annotations

import csv
import io

import numpy as np

from chiiki.estimation import audit
from chiiki.evidence.tables import SUPPRESSED, disclosure_check, hidden_cells, table_csv


def _table(values: list[list[float]], contributors: list[list[int]], threshold: int = 3) -> dict[str, object]:
    v = np.asarray(values, dtype=float)
    n = np.asarray(contributors)
    check = disclosure_check(v, n, threshold)
    return {
        "name": "t",
        "title": "表",
        "unit": "人",
        "row_label": "地区",
        "column_label": "年齢階級",
        "rows": [f"d{i}" for i in range(v.shape[0])],
        "columns": [f"c{j}" for j in range(v.shape[1])],
        "values": v.tolist(),
        "se": (v * 0.1).tolist(),
        "contributors": n.tolist(),
        "row_totals": [[float(r.sum()), 1.0] for r in v],
        "column_totals": [[float(c.sum()), 1.0] for c in v.T],
        "grand_total": [float(v.sum()), 1.0],
        "threshold": threshold,
        **check,
    }


def test_a_small_cell_is_hidden_with_complementary_cells_that_keep_it_unrecoverable() -> None:
    values = [[40.0, 2.0, 30.0], [35.0, 25.0, 20.0], [50.0, 45.0, 60.0]]
    contributors = [[20, 1, 15], [18, 12, 10], [25, 22, 30]]
    table = _table(values, contributors)
    assert table["passed"]
    assert table["primary"][0][1]
    hidden = np.asarray(table["primary"]) | np.asarray(table["secondary"])
    assert hidden.sum() >= 4  # a hidden cell needs a partner on its row and on its column
    assert audit(values, hidden, np.where(np.asarray(table["primary"]), values, 1.0)).safe


def test_a_table_without_small_cells_hides_nothing() -> None:
    table = _table([[10.0, 12.0], [9.0, 30.0]], [[5, 6], [4, 12]])
    assert table["passed"]
    assert table["suppressed"] == 0


def test_a_table_that_cannot_be_protected_fails_with_a_reason() -> None:
    # One column: a hidden cell always equals its row total minus nothing, so no partner can protect it.
    table = _table([[5.0], [40.0], [30.0]], [[1], [10], [12]])
    assert not table["passed"]
    assert "秘匿" in str(table["message"])


def test_a_table_that_would_be_mostly_hidden_fails() -> None:
    table = _table([[1.0, 2.0], [1.0, 30.0]], [[1, 1], [2, 9]])
    assert not table["passed"]


def test_the_csv_has_a_bom_marks_hidden_cells_and_gives_intervals() -> None:
    table = _table(
        [[40.0, 2.0, 30.0], [35.0, 25.0, 20.0], [50.0, 45.0, 60.0]], [[20, 1, 15], [18, 12, 10], [25, 22, 30]]
    )
    content = table_csv(table)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    marked = {(r["地区"], r["年齢階級"]) for r in rows if r["推計値"] == SUPPRESSED}
    assert marked == set(hidden_cells(table))
    first = next(r for r in rows if (r["地区"], r["年齢階級"]) == ("d0", "c0"))
    assert float(first["95%信頼区間下限"]) < float(first["推計値"]) < float(first["95%信頼区間上限"])
    assert rows[-1]["地区"] == "計"
    assert rows[-1]["年齢階級"] == "計"
