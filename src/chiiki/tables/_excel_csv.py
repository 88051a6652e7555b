"""Text cells of CSV files meant for Excel, made safe from formula injection (CSV injection, OWASP).

Excel and LibreOffice run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and a tab or
carriage return at the start can hide such a character; a resident's answer, a login name typed on the sign-in
page or an address could then run ``=HYPERLINK(...)`` or DDE on the desk of whoever opens the export. Following
OWASP, such a text cell gets a leading apostrophe, which Excel shows and does not evaluate.

Only text is touched: a value that reads as a plain number (``-5``, ``+3.5``, ``1e-3``) cannot run anything and
stays as it is, so negative numbers remain numbers. Files for statistical software (Parquet, Stata, SPSS) and
machine-readable open data are written raw. Polars frames get the same rule through one regular expression
that Python, RE2 (Arrow) and Rust (Polars) read alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import polars as pl

# Characters that make a spreadsheet evaluate a cell (or, for tab and CR, can hide one that does).
FORMULA_START = "=+-@\t\r"
# The same as a regular expression that Python, RE2 (Arrow) and Rust (Polars) all read alike.
FORMULA_START_PATTERN = r"^[=+\-@\t\r]"
# A number as Excel reads it: sign, digits, decimal point, exponent. Such a cell is a value, never a formula.
PLAIN_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_PLAIN_NUMBER = re.compile(PLAIN_NUMBER)


def excel_safe(value: object) -> object:
    """`value` with a leading apostrophe if it is text that a spreadsheet would run as a formula; else as is."""
    if not isinstance(value, str) or not value or value[0] not in FORMULA_START:
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def excel_safe_row(values: Iterable[object]) -> list[object]:
    """Every cell of a CSV row through `excel_safe`."""
    return [excel_safe(value) for value in values]


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
