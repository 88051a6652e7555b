"""Comparison keys for each person or record, computed with the `chiiki.jp` toolkit.

Originals are never rewritten: the keys are extra columns used only for blocking and comparison. Each
distinct raw value is normalized once (names, dates and addresses repeat a lot), which keeps a million
rows to a few seconds per field rather than minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
    town = f"{municipality}|{parsed.town}" if parsed.town else None
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


def _mapped(column: pl.Series, function: Callable[[str], object]) -> dict[str, object]:
    return {value: function(value) for value in column.drop_nulls().unique().to_list()}


def build_features(
    frame: pl.DataFrame, id_column: str, *, on_progress: Callable[[str], None] | None = None
) -> pl.DataFrame:
    """Return one row per input row with the comparison keys in :data:`FEATURE_COLUMNS`.

    ``frame`` holds the raw string columns of the registry or records file.
    """
    notify = on_progress or (lambda _stage: None)
    out: dict[str, list[object]] = {"unique_id": frame[id_column].to_list()}

    notify("name_kanji")
    names = _mapped(frame["name_kanji"], _kanji_name)
    kanji = [names.get(v) if v is not None else None for v in frame["name_kanji"].to_list()]
    for key in ("written", "full", "family", "given"):
        out[f"kanji_{key}"] = [getattr(n, key) if isinstance(n, _Name) else None for n in kanji]

    notify("name_kana")
    readings = _mapped(frame["name_kana"], _kana_name)
    kana = [readings.get(v) if v is not None else None for v in frame["name_kana"].to_list()]
    for key in ("full", "family", "given"):
        out[f"kana_{key}"] = [getattr(n, key) if isinstance(n, _Name) else None for n in kana]

    notify("birth_date")
    dates = _mapped(frame["birth_date"], _date)
    out["dob"] = [dates.get(v) if v is not None else None for v in frame["birth_date"].to_list()]
    out["dob_year"] = [d[:4] if isinstance(d, str) else None for d in out["dob"]]
    sexes = _mapped(frame["sex"], _sex)
    out["sex"] = [sexes.get(v) if v is not None else None for v in frame["sex"].to_list()]

    notify("address")
    places = _mapped(frame["address"], _address)
    place = [places.get(v) if v is not None else None for v in frame["address"].to_list()]
    for key in ("municipality", "town", "block", "house"):
        out[key] = [getattr(p, key) if isinstance(p, _Place) else None for p in place]
    postals = _mapped(frame["postal_code"], _postal)
    out["postal"] = [postals.get(v) if v is not None else None for v in frame["postal_code"].to_list()]
    return pl.DataFrame(out, schema=dict.fromkeys(FEATURE_COLUMNS, pl.String))
