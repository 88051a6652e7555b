"""Tests for chiiki.jp.address: parsing and comparison keys across the common ways of writing an address."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiiki.jp import Address, address_key, load_municipalities, parse_address

MUNICIPAL = [record for record in load_municipalities() if record.kind != "prefecture"]
_NAME_COUNTS = Counter(record.name for record in MUNICIPAL)
UNIQUE = [record for record in MUNICIPAL if _NAME_COUNTS[record.name] == 1]
TOWNS = ["本町", "霞が関", "上野", "栄町", "桜丘", "新町", "大手町"]
FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")
KANJI_DIGITS = "〇一二三四五六七八九"


def kanji_number(value: int) -> str:
    """Write 1..99 in positional kanji numerals (十二, 二十, 三十五)."""
    tens, ones = divmod(value, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else KANJI_DIGITS[tens] + "十")
    return head + (KANJI_DIGITS[ones] if ones else "")


CANONICAL = "東京都千代田区霞ケ関1-2-3"


@pytest.mark.parametrize(
    "text",
    [
        "東京都千代田区霞が関一丁目2番3号",
        "東京都千代田区霞が関1丁目2番3号 中央合同庁舎101号室",
        "千代田区霞ヶ関1-2-3 中央合同庁舎 101",
        "東京都千代田区霞ケ関１－２－３",
        "東京都　千代田区　霞が関　一丁目二番三号",
        "〒100-8926 東京都千代田区霞が関1-2-3",
        "東京都千代田区霞が関1ー2ー3",
        "東京都千代田区霞ガ関一丁目2番地の3",
    ],
)
def test_spellings_of_one_address_share_a_key(text: str) -> None:
    assert address_key(text) == CANONICAL


def test_a_full_address_is_split_into_its_parts() -> None:
    assert parse_address("東京都千代田区霞が関一丁目2番3号 中央合同庁舎101号室") == Address(
        prefecture="東京都",
        municipality="千代田区",
        municipality_code="131016",
        town="霞が関",
        chome=1,
        banchi="2",
        go="3",
        building="中央合同庁舎",
        room="101",
        rest=None,
    )


def test_the_prefecture_is_completed_from_a_unique_municipality() -> None:
    address = parse_address("さいたま市浦和区高砂3丁目15番1号")
    assert address.prefecture == "埼玉県"
    assert address.municipality == "さいたま市浦和区"
    assert address.municipality_code == "111074"


def test_the_county_may_be_written_or_left_out() -> None:
    with_county = parse_address("広島県安芸郡府中町大須二丁目1番1号")
    without = parse_address("広島県府中町大須2-1-1")
    assert with_county.municipality_code == without.municipality_code == "343021"
    assert with_county.county == "安芸郡"
    assert address_key("広島県安芸郡府中町大須二丁目1番1号") == address_key("広島県府中町大須2-1-1")


def test_an_ambiguous_municipality_without_prefecture_gets_no_code() -> None:
    address = parse_address("伊達市梅本町1")
    assert address.municipality == "伊達市"
    assert address.prefecture is None
    assert address.municipality_code is None
    assert parse_address("北海道伊達市梅本町1").municipality_code == "012335"
    assert parse_address("福島県伊達市保原町1").municipality_code == "072133"


def test_the_prefecture_chooses_between_towns_of_the_same_name() -> None:
    assert parse_address("東京都府中市宮西町2-24").municipality_code == "132063"


def test_sapporo_block_names_keep_their_numbers_in_the_town() -> None:
    address = parse_address("北海道札幌市中央区北一条西二丁目1番地")
    assert (address.town, address.chome, address.banchi) == ("北一条西", 2, "1")
    assert address_key("札幌市中央区北1条西2-1") == address_key("北海道札幌市中央区北一条西二丁目1番地")


def test_a_town_named_with_a_number_keeps_it() -> None:
    address = parse_address("千代田区一番町3-5 ABCビル5F")
    assert (address.town, address.banchi, address.go) == ("一番町", "3", "5")
    assert (address.building, address.room) == ("ABCビル", "5F")


def test_banchi_with_a_branch_number_in_a_rural_oaza() -> None:
    address = parse_address("長野県上田市大字上野1234番地の5")
    assert (address.town, address.chome, address.banchi, address.go) == ("大字上野", None, "1234", "5")
    assert address_key("長野県上田市大字上野1234番地の5") == address_key("長野県上田市上野1234-5")


def test_a_fourth_number_is_the_room() -> None:
    address = parse_address("大阪府大阪市北区梅田1-1-3-1001")
    assert (address.chome, address.banchi, address.go, address.room) == (1, "1", "3", "1001")


def test_different_house_numbers_give_different_keys() -> None:
    assert address_key("東京都千代田区霞が関1-2-3") != address_key("東京都千代田区霞が関1-2-4")
    assert address_key("東京都千代田区霞が関1-2-3") != address_key("東京都中央区霞が関1-2-3")


def test_unknown_places_are_kept_in_rest_without_error() -> None:
    address = parse_address("どこか遠く 1-2")
    assert address.municipality is None
    assert address.rest == "どこか遠く 1-2"
    assert parse_address("").rest is None


@given(st.text(max_size=40))
def test_parse_address_never_raises(text: str) -> None:
    parse_address(text)
    address_key(text)


@st.composite
def addresses(draw: st.DrawFn) -> tuple[str, str, str, int, int, int]:
    record = draw(st.sampled_from(UNIQUE))
    town = draw(st.sampled_from(TOWNS))
    chome, banchi, go = draw(st.integers(1, 9)), draw(st.integers(1, 60)), draw(st.integers(1, 40))
    return record.prefecture, record.county + record.name, town, chome, banchi, go


@given(addresses(), st.integers(0, 6), st.sampled_from(["", " サンハイツ201号室", " 山田ビル"]))
def test_every_written_form_of_a_generated_address_has_the_same_key(
    parts: tuple[str, str, str, int, int, int], form: int, building: str
) -> None:
    prefecture, municipality, town, chome, banchi, go = parts
    canonical = address_key(f"{prefecture}{municipality}{town}{chome}丁目{banchi}番{go}号")
    written = [
        f"{prefecture}{municipality}{town}{chome}-{banchi}-{go}",
        f"{municipality}{town}{chome}-{banchi}-{go}",
        f"{prefecture}{municipality}{town}{kanji_number(chome)}丁目{kanji_number(banchi)}番{kanji_number(go)}号",
        f"{prefecture}{municipality}{town}{chome}-{banchi}-{go}".translate(FULL_WIDTH),
        f"{prefecture}　{municipality}　{town}　{chome}丁目{banchi}番{go}号",
        f"{prefecture}{municipality}{town.replace('が', 'ヶ')}{chome}丁目{banchi}-{go}",
        f"{prefecture}{municipality}{town}{chome}丁目{banchi}番地の{go}",
    ][form]
    assert address_key(written + building) == canonical


@given(addresses())
def test_parsing_recovers_the_generated_parts(parts: tuple[str, str, str, int, int, int]) -> None:
    prefecture, municipality, town, chome, banchi, go = parts
    address = parse_address(f"{municipality}{town}{chome}丁目{banchi}番{go}号 サンハイツ201号室")
    assert address.prefecture == prefecture
    assert address.municipality_code is not None
    assert (address.town, address.chome, address.banchi, address.go) == (town, chome, str(banchi), str(go))
    assert (address.building, address.room) == ("サンハイツ", "201")


@given(addresses())
def test_address_key_is_idempotent_on_addresses(parts: tuple[str, str, str, int, int, int]) -> None:
    prefecture, municipality, town, chome, banchi, go = parts
    key = address_key(f"{prefecture}{municipality}{town}{chome}丁目{banchi}番{go}号")
    assert address_key(key) == key


def test_town_key_and_numbers_agree_where_the_written_forms_differ() -> None:
    first = parse_address("東京都千代田区霞が関1丁目2番")
    second = parse_address("東京都千代田区霞ヶ関1-2")
    assert (first.chome, first.banchi) != (second.chome, second.banchi)  # the hyphen form is ambiguous
    assert first.numbers == second.numbers == ("1", "2")
    assert first.town_key == second.town_key == "霞ケ関"
    assert parse_address("長野県上田市大字上野1").town_key == "上野"
    assert parse_address("北海道札幌市中央区北一条西2-1").town_key == "北1条西"


def test_a_prefecture_written_without_its_suffix_is_recognized() -> None:
    assert parse_address("東京千代田区霞が関1-2-3").municipality_code == "131016"
    assert address_key("東京千代田区霞が関1-2-3") == CANONICAL
    assert parse_address("京都市中京区烏丸通三条上る場之町599").prefecture == "京都府"
