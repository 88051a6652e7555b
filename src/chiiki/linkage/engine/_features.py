"""Comparison keys for each person or record, computed with the `chiiki.jp` toolkit.

Originals are never rewritten: the keys are extra columns used only for blocking and comparison. Each
distinct raw value is normalized once (names, dates and addresses repeat a lot), which keeps a million
rows to a few seconds per field rather than minutes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context

import polars as pl

from chiiki.jp import (
    SexParseError,
    kana_key,
    kanji_key,
    nfkc,
    parse_address,
    parse_sex,
    split_name,
    to_halfwidth_ascii,
)
from chiiki.linkage.engine._dates import iso_birth_date

FEATURE_COLUMNS: tuple[str, ...] = (
    "unique_id",
    "kanji_written",
    "kanji_full",
    "kanji_family",
    "kanji_given",
    "kana_full",
    "kana_family",
    "kana_given",
    "dob",
    "dob_year",
    "sex",
    "prefecture",
    "municipality",
    "town",
    "block",
    "house",
    "postal",
)
"""Columns of the frame handed to Splink; `unique_id` is the person_id or record_id."""


@dataclass(frozen=True)
class _Name:
    written: str | None
    full: str | None
    family: str | None
    given: str | None


def _parts(raw: str) -> tuple[str, str]:
    # Without a space between them, family and given name cannot be told apart; comparisons then fall
    # back to prefixes and suffixes of the whole name.
    parts = split_name(raw)
    family, given = parts.family or "", parts.given or ""
    return (family, given) if family and given else ("", "")


def _kanji_name(raw: str) -> _Name:
    family, given = _parts(raw)
    written = "".join(nfkc(raw).split()) or None
    return _Name(written, kanji_key(raw) or None, kanji_key(family) or None, kanji_key(given) or None)


def _kana_name(raw: str) -> _Name:
    family, given = _parts(raw)
    full = kana_key(raw) or None
    return _Name(full, full, kana_key(family) or None, kana_key(given) or None)


def _date(raw: str) -> str | None:
    try:
        return iso_birth_date(raw)
    except ValueError:
        # An unreadable or impossible date counts as missing: it can neither support nor refute a match.
        return None


@dataclass(frozen=True)
class _Place:
    municipality: str | None
    town: str | None
    block: str | None
    house: str | None


def _address(raw: str) -> _Place:
    try:
        parsed = parse_address(raw)
    except ValueError:
        return _Place(None, None, None, None)
    municipality = parsed.municipality_code or (
        f"{parsed.prefecture or ''}{parsed.municipality}" if parsed.municipality else None
    )
    if municipality is None:
        return _Place(None, None, None, None)
    town = f"{municipality}|{parsed.town_key}" if parsed.town_key else None
    block = f"{town}|{parsed.chome or ''}|{parsed.banchi}" if town and parsed.banchi else None
    house = f"{block}|{parsed.go or ''}" if block else None
    return _Place(municipality, town, block, house)


def _postal(raw: str) -> str | None:
    digits = "".join(c for c in to_halfwidth_ascii(raw) if c.isdigit())
    return digits if len(digits) == 7 else None


def _sex(raw: str) -> str | None:
    # Files read by `_inputs` already hold 1/2; frames built by callers may still say 男/女 or M/F.
    try:
        return parse_sex(raw) or None
    except SexParseError:
        return None


PARALLEL_MIN_VALUES = 20_000
"""Distinct values of a column below which normalizing in other processes costs more than it saves."""


def default_workers() -> int:
    """Processes to normalize with: the cores this process may use (``CHIIKI_LINKAGE_WORKERS`` overrides)."""
    configured = os.environ.get("CHIIKI_LINKAGE_WORKERS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Workers:
    """Worker processes that normalize distinct values, started only when a column is large enough."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._executor: ProcessPoolExecutor | None = None

    @property
    def executor(self) -> ProcessPoolExecutor:
        """The pool, started on first use (a run on a few rows starts no process)."""
        if self._executor is None:
            self._executor = ProcessPoolExecutor(max_workers=self.count, mp_context=get_context("spawn"))
        return self._executor

    def shutdown(self) -> None:
        """Stop the processes, if any were started."""
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None


@contextmanager
def normalizing_pool(workers: int | None = None) -> Iterator[Workers | None]:
    """Worker processes for `build_features` for the length of a run; None (work in this process) for one.

    The keys are pure Python per distinct value, so threads would hold the GIL: processes, started with
    ``spawn`` because forking a process that runs polars' and DuckDB's thread pools can deadlock.
    """
    count = default_workers() if workers is None else workers
    if count <= 1:
        yield None
        return
    pool = Workers(count)
    try:
        yield pool
    finally:
        pool.shutdown()


def _apply(function_name: str, attributes: tuple[str, ...], values: list[str]) -> list[list[str | None]]:
    # Columns of plain strings, not result objects: a worker's answer is pickled, and lists of str pickle
    # several times faster than dataclasses.
    function = _FUNCTIONS[function_name]
    results = [function(value) for value in values]
    return [[getattr(result, attribute) for result in results] for attribute in attributes]


def _normalized(
    function_name: str, attributes: tuple[str, ...], values: list[str], pool: Workers | None
) -> list[list[str | None]]:
    if pool is None or len(values) < PARALLEL_MIN_VALUES:
        return _apply(function_name, attributes, values)
    size = -(-len(values) // (pool.count * 4))  # a few chunks per worker evens out their speeds
    chunks = [values[start : start + size] for start in range(0, len(values), size)]
    columns: list[list[str | None]] = [[] for _ in attributes]
    count = len(chunks)
    for part in pool.executor.map(_apply, [function_name] * count, [attributes] * count, chunks):
        for column, values_part in zip(columns, part, strict=True):
            column.extend(values_part)
    return columns


def _keyed(
    frame: pl.DataFrame, column: str, function_name: str, keys: dict[str, str], pool: Workers | None
) -> dict[str, pl.Series]:
    """Apply a per-value function once per distinct value of ``column``; spread its attributes over the rows.

    ``keys`` maps an output column to the attribute of the function's result it takes. The spreading is
    polars' ``replace_strict`` (vectorised), not a Python loop over the rows.
    """
    values = frame[column]
    distinct = values.drop_nulls().unique()
    columns = _normalized(function_name, tuple(keys.values()), distinct.to_list(), pool)
    return {
        name: values.replace_strict(distinct, keyed, default=None, return_dtype=pl.String).alias(name)
        for name, keyed in zip(keys, columns, strict=True)
    }


@dataclass(frozen=True)
class _Value:
    value: str | None


def _date_value(raw: str) -> _Value:
    return _Value(_date(raw))


def _sex_value(raw: str) -> _Value:
    return _Value(_sex(raw))


def _postal_value(raw: str) -> _Value:
    return _Value(_postal(raw))


_FUNCTIONS: dict[str, Callable[[str], object]] = {
    "kanji": _kanji_name,
    "kana": _kana_name,
    "date": _date_value,
    "sex": _sex_value,
    "address": _address,
    "postal": _postal_value,
}
"""The per-value functions by name, so a worker process is sent a name, not a closure (`_apply`)."""


def build_features(
    frame: pl.DataFrame,
    id_column: str,
    *,
    on_progress: Callable[[str], None] | None = None,
    pool: Workers | None = None,
) -> pl.DataFrame:
    """Return one row per input row with the comparison keys in :data:`FEATURE_COLUMNS`.

    ``frame`` holds the raw string columns of the registry or records file. With ``pool`` (from
    `normalizing_pool`), the distinct values of large columns are normalized in its worker processes; the
    result is the same.
    """
    notify = on_progress or (lambda _stage: None)
    out: dict[str, pl.Series] = {"unique_id": frame[id_column].cast(pl.String).alias("unique_id")}

    notify("name_kanji")
    out |= _keyed(
        frame, "name_kanji", "kanji", {f"kanji_{k}": k for k in ("written", "full", "family", "given")}, pool
    )
    notify("name_kana")
    out |= _keyed(frame, "name_kana", "kana", {f"kana_{k}": k for k in ("full", "family", "given")}, pool)

    notify("birth_date")
    out |= _keyed(frame, "birth_date", "date", {"dob": "value"}, pool)
    out["dob_year"] = out["dob"].str.slice(0, 4).alias("dob_year")
    out |= _keyed(frame, "sex", "sex", {"sex": "value"}, pool)

    notify("address")
    out |= _keyed(
        frame, "address", "address", {k: k for k in ("municipality", "town", "block", "house")}, pool
    )
    out["prefecture"] = (
        out["municipality"]
        .to_frame()
        .select(prefecture_of(pl.col("municipality")).alias("prefecture"))
        .to_series()
    )
    out |= _keyed(frame, "postal_code", "postal", {"postal": "value"}, pool)
    return pl.DataFrame([out[name].cast(pl.String) for name in FEATURE_COLUMNS])


def prefecture_of(municipality: pl.Expr) -> pl.Expr:
    """The prefecture of a municipality key: the first two digits of its code.

    A key that is not a code (prefecture + name, for a place the table does not know) stands for itself, so
    the prefecture is always a function of the municipality key (sharded runs rely on it).
    """
    return (
        pl.when(municipality.str.contains(r"^\d{5,6}$"))
        .then(municipality.str.slice(0, 2))
        .otherwise(municipality)
    )
