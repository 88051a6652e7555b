"""Tests for chiiki.jp.municipalities beyond counts: the relations that address parsing relies on."""

from __future__ import annotations

from chiiki.jp import find_municipality, load_municipalities

RECORDS = load_municipalities()


def test_every_record_belongs_to_a_listed_prefecture_with_matching_code() -> None:
    prefectures = {r.prefecture_code: r.prefecture for r in RECORDS if r.kind == "prefecture"}
    for record in RECORDS:
        assert prefectures[record.prefecture_code] == record.prefecture, record
        assert record.code[:2] == record.prefecture_code, record


def test_towns_and_villages_name_their_county_and_cities_do_not() -> None:
    for record in RECORDS:
        if record.kind in ("town", "village"):
            # The Tokyo islands (伊豆諸島, 小笠原) belong to a 支庁, not a 郡, and are listed without one.
            assert record.county.endswith("郡") or record.code.startswith(("133", "134")), record
        elif record.kind in ("city", "designated_city", "special_ward", "ward"):
            assert record.county == "", record


def test_each_ward_starts_with_the_name_of_its_designated_city() -> None:
    cities = [r for r in RECORDS if r.kind == "designated_city"]
    assert len(cities) == 20
    for ward in (r for r in RECORDS if r.kind == "ward"):
        assert any(
            ward.name.startswith(city.name) and ward.prefecture == city.prefecture for city in cities
        ), ward


def test_names_and_readings_are_never_blank() -> None:
    for record in RECORDS:
        assert record.name, record
        assert record.name_kana, record


def test_find_returns_a_record_by_its_six_digit_code() -> None:
    record = find_municipality("131016")
    assert record is not None
    assert (record.prefecture, record.name, record.kind) == ("東京都", "千代田区", "special_ward")
    assert find_municipality("999999") is None
