"""CSV files a linkage officer opens in Excel (review.csv, audit.csv): no cell may run as a formula.

Record values come from an uploaded file, registry values from the extract; a name or address written as
``=HYPERLINK(...)`` must not run on the officer's desk. Text columns get the apostrophe of
`chiiki.core.spreadsheet_cells`; number columns and text that is a plain number are untouched.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from chiiki.core.spreadsheet_cells import FORMULA_START_PATTERN, PLAIN_NUMBER


def excel_safe_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with every text cell that a spreadsheet would run as a formula prefixed by an apostrophe."""
    texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(
            pl.col(name).str.contains(FORMULA_START_PATTERN) & ~pl.col(name).str.contains(f"^{PLAIN_NUMBER}$")
        )
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in texts
    )


def write_excel_csv(frame: pl.DataFrame, path: Path) -> None:
    """Write `frame` as UTF-8 CSV with a BOM (so Excel reads it), its text cells made safe."""
    excel_safe_frame(frame).write_csv(path, include_bom=True)
