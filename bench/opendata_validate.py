"""Benchmark: our open-data validator vs frictionless-py on a generated 公共施設一覧 file.

    .venv/bin/python bench/opendata_validate.py            # 1,000,000 rows (+ 5,000-row agreement check)
    .venv/bin/python bench/opendata_validate.py --quick    # 20,000 rows

Both validators read the same CSV and the same Table Schema (src/chiiki/opendata/standard/public_facility.json).
Errors are injected in known rows; on a smaller file the two reports are compared cell by cell. Our validator
also checks the 全国地方公共団体コード check digit, which Table Schema cannot express: those rows are expected
to appear in our report only, and are listed separately.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from importlib import resources
from pathlib import Path

import polars as pl

from chiiki.opendata.engine import load_schemas, validate_file

INJECT_EVERY = 997  # one row in ~1000 carries one error, cycling through the kinds below
KINDS = ["latitude_range", "time", "check_digit", "kana", "url", "required_name"]


def generate(path: Path, rows: int) -> dict[tuple[int, str], str]:
    """Write a clean 公共施設一覧 CSV with injected errors; return {(row, column): kind} of the injections."""
    schema = load_schemas()["public_facility"]
    i = pl.int_range(0, rows, eager=True)
    n = i.cast(pl.String)
    base = pl.DataFrame(
        {
            "全国地方公共団体コード": pl.Series(["352012"] * rows),
            "ID": "F" + n.str.zfill(8),
            "地方公共団体名": pl.Series(["山口県下関市"] * rows),
            "名称": "施設" + n,
            "名称_カナ": "シセツ" + n,
            "所在地_連結表記": "山口県下関市南部町" + (i % 50 + 1).cast(pl.String) + "-1",
            "緯度": (33.9 + (i % 1000) / 10000).round(6).cast(pl.String),
            "経度": (130.9 + (i % 777) / 10000).round(6).cast(pl.String),
            "電話番号": pl.Series(["083-231-1111"] * rows),
            "郵便番号": pl.Series(["750-8521"] * rows),
            "利用可能曜日": pl.Series(["月火水木金"] * rows),
            "開始時間": pl.Series(["08:30"] * rows),
            "終了時間": pl.Series(["17:15"] * rows),
            "URL": "https://www.city.example.lg.jp/f/" + n,
        }
    )
    injected: dict[tuple[int, str], str] = {}
    bad = {
        "latitude_range": ("緯度", "95.5"),
        "time": ("終了時間", "25:00"),
        "check_digit": ("全国地方公共団体コード", "352013"),
        "kana": ("名称_カナ", "施設シセツ"),
        "url": ("URL", "www.example.jp"),
        "required_name": ("名称", ""),
    }
    updates: dict[str, list[tuple[int, str]]] = {}
    for k, row in enumerate(range(5, rows, INJECT_EVERY)):
        kind = KINDS[k % len(KINDS)]
        column, value = bad[kind]
        updates.setdefault(column, []).append((row, value))
        injected[(row + 2, column)] = kind  # +2: header is file row 1, first data row is file row 2
    cols = []
    for column, items in updates.items():
        idx = pl.Series([r for r, _ in items], dtype=pl.UInt32)
        vals = pl.Series([v for _, v in items])
        series = base[column].scatter(idx, vals)
        cols.append(series.alias(column))
    base = base.with_columns(cols)
    full = base.select(
        [pl.col(c) if c in base.columns else pl.lit(None, pl.String).alias(c) for c in schema.field_names]
    )
    full.write_csv(path)
    return injected


def ours(path: Path) -> tuple[float, set[tuple[int, str]]]:
    """Run our validator; return seconds and the set of (row, column) errors."""
    start = time.perf_counter()
    report = validate_file(path, "public_facility").report
    elapsed = time.perf_counter() - start
    return elapsed, {
        (p.row, p.column) for p in report.problems if p.severity == "error" and p.row and p.column
    }


def theirs(path: Path) -> tuple[float, set[tuple[int, str]]]:
    """Run frictionless-py with the same schema; return seconds and the set of (row, column) errors."""
    from frictionless import Checklist, Resource, Schema

    raw = json.loads(
        resources.files("chiiki.opendata.standard").joinpath("public_facility.json").read_text("utf-8")
    )
    raw.pop("$schema", None)
    schema = Schema.from_descriptor(raw)
    start = time.perf_counter()
    resource = Resource(path=path.name, basepath=str(path.parent), schema=schema, encoding="utf-8")
    report = resource.validate(checklist=Checklist(), limit_errors=10_000_000)
    elapsed = time.perf_counter() - start
    found: set[tuple[int, str]] = set()
    for task in report.tasks:
        for error in task.errors:
            row = getattr(error, "row_number", None)
            field = getattr(error, "field_name", None)
            if row and field:
                found.add((row, field))
    return elapsed, found


def main() -> None:
    """Generate, run both, print figures and the agreement check."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small run (20,000 rows)")
    parser.add_argument("--rows", type=int, default=None)
    args = parser.parse_args()
    rows = args.rows or (20_000 if args.quick else 1_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.csv"
        expected = generate(small, 5_000)
        _, ours_small = ours(small)
        _, theirs_small = theirs(small)
        check_digit_rows = {k for k, kind in expected.items() if kind == "check_digit"}
        print(f"agreement on 5,000 rows: injected {len(expected)} errors")
        print(f"  ours found {len(ours_small)}, frictionless found {len(theirs_small)}")
        print(
            f"  same cells: {len(ours_small & theirs_small)}; only ours: {len(ours_small - theirs_small)} "
            f"(check-digit rows, not expressible in Table Schema: {len(check_digit_rows)}); "
            f"only frictionless: {len(theirs_small - ours_small)}"
        )
        agree = ours_small - check_digit_rows == theirs_small and ours_small == set(expected)
        print(
            f"  reports agree (apart from check digits) and match the injections: {'yes' if agree else 'NO'}"
        )

        big = Path(tmp) / "big.csv"
        start = time.perf_counter()
        injected = generate(big, rows)
        print(
            f"generated {rows:,} rows ({big.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - start:.1f} s, "
            f"{len(injected)} injected errors"
        )
        t_ours, found_ours = ours(big)
        print(f"ours:         {t_ours:8.2f} s  {rows / t_ours:12,.0f} rows/s  errors {len(found_ours):,}")
        t_theirs, found_theirs = theirs(big)
        print(
            f"frictionless: {t_theirs:8.2f} s  {rows / t_theirs:12,.0f} rows/s  errors {len(found_theirs):,}"
        )
        print(f"ratio: ours is {t_theirs / t_ours:.1f}x faster (target >= 10x)")


if __name__ == "__main__":
    main()
