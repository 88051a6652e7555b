"""Blocking: the candidate pairs per record are bounded by the size of a place, not of the country."""

from __future__ import annotations

import itertools

import polars as pl
import pytest

from chiiki.jp import load_municipalities
from chiiki.linkage.engine import BLOCKING_RULES, build_features, cross_shard_rules

_KANA = "カキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモラリルレロ"  # no vowel: kana keys fold アア into アー
_KANJI = "一二三四五六七八九十百千万上下左右東西南北春夏秋冬花木林森山川"


def _registry(prefectures: int, per_prefecture: int) -> pl.DataFrame:
    """People born the same day with the same family name, each with a given name nobody else has."""
    towns = {m.prefecture_code: m for m in load_municipalities() if m.kind in ("city", "town")}
    places = [towns[code] for code in sorted(towns)[:prefectures]]
    given = itertools.product(range(len(_KANJI)), repeat=2)
    rows = []
    for place in places:
        for house in range(1, per_prefecture + 1):
            first, second = next(given)
            rows.append(
                {
                    "person_id": f"P{len(rows):05d}",
                    "name_kanji": f"佐藤 {_KANJI[first]}{_KANJI[second]}",
                    "name_kana": f"サトウ {_KANA[first]}{_KANA[second]}",
                    "birth_date": "1980-04-01",
                    "sex": "1",
                    "address": f"{place.prefecture}{place.name}本町1丁目{house}番1号",
                    "postal_code": "",
                }
            )
    return pl.DataFrame(rows)


def _pairs_per_record(registry: pl.DataFrame) -> float:
    """Pairs the blocking rules generate when the records are the registry itself (from key counts)."""
    keys = build_features(registry, "person_id")
    pairs = 0
    for rule in BLOCKING_RULES:
        counts = keys.drop_nulls(list(rule)).group_by(list(rule)).len()
        pairs += int(counts.select((pl.col("len") ** 2).sum()).item() or 0)
    return pairs / registry.height


def test_more_prefectures_of_the_same_size_make_no_more_pairs_per_record() -> None:
    small = _pairs_per_record(_registry(prefectures=2, per_prefecture=15))
    large = _pairs_per_record(_registry(prefectures=8, per_prefecture=15))
    # A birth date and a family name shared across the country pair people only within a prefecture.
    assert large == pytest.approx(small)
    # ...and within one they do: the pairs grow with the prefecture.
    assert _pairs_per_record(_registry(prefectures=2, per_prefecture=30)) > small * 1.5


def test_the_prefecture_rules_cross_municipality_shards_but_not_prefecture_shards() -> None:
    by_prefecture = cross_shard_rules("prefecture")
    by_municipality = cross_shard_rules("municipality")
    assert not any("prefecture" in rule for rule in by_prefecture)
    assert [rule for rule in by_municipality if "prefecture" in rule]
    assert set(by_prefecture) < set(by_municipality)
    assert not any("municipality" in rule or "house" in rule for rule in by_municipality)
