"""Tests for chiiki.jp.itaiji: the curated variant table and kanji_key."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiiki.jp import kanji_key, load_variant_pairs, representative, variant_groups

ISSUE_GROUPS = [
    "髙高",
    "﨑崎嵜",
    "邊邉辺",
    "齋齊斎斉",
    "澤沢",
    "濱浜",
    "廣広",
    "國国",
    "櫻桜",
    "眞真",
    "德徳",
    "惠恵",
    "實実",
    "壽寿",
    "龍竜",
    "嶋島",
]
DISTINCT_PAIRS = ["崎埼", "藤籐", "斎斑", "沢択", "高亮", "島鳥", "辺近", "土士", "未末", "己已"]

name_chars = st.text(alphabet="".join(ISSUE_GROUPS) + "田中山川一郎子藤佐々木埼　 ", max_size=12)


@pytest.mark.parametrize("group", ISSUE_GROUPS)
def test_every_variant_group_named_in_the_issue_folds_to_one_key(group: str) -> None:
    assert len({kanji_key(char) for char in group}) == 1


@pytest.mark.parametrize("pair", DISTINCT_PAIRS)
def test_different_characters_are_never_merged(pair: str) -> None:
    first, second = pair
    assert kanji_key(first) != kanji_key(second)
    assert kanji_key(first, strict=True) != kanji_key(second, strict=True)


def test_saki_and_sai_stay_apart_although_unihan_links_them() -> None:
    assert kanji_key("長﨑") == kanji_key("長崎") != kanji_key("長埼")
    assert kanji_key("埼玉") == "埼玉"


def test_strict_keys_keep_confusable_surnames_apart() -> None:
    assert kanji_key("齊藤") == kanji_key("斎藤")
    assert kanji_key("齊藤", strict=True) == kanji_key("斉藤", strict=True)
    assert kanji_key("斉藤", strict=True) != kanji_key("斎藤", strict=True)
    assert kanji_key("齋藤", strict=True) == kanji_key("斎藤", strict=True)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("髙橋　一郎", "高橋 一郎"),
        ("渡邉 眞由美", "渡辺真由美"),
        ("佐々木", "佐佐木"),
        ("葛\U000e0100城", "葛城"),  # ideographic variation selector
        ("塚本", "塚本"),  # CJK compatibility ideograph U+FA10
        ("𠮷田", "吉田"),
        ("濵田", "浜田"),
        ("ＡＢＣ", "ABC"),
    ],
)
def test_names_in_different_glyphs_share_a_key(first: str, second: str) -> None:
    assert kanji_key(first) == kanji_key(second)


def test_every_row_of_the_table_names_a_source_and_a_known_kind() -> None:
    for pair in load_variant_pairs():
        assert pair.sources, pair
        assert pair.kind in ("variant", "name-confusable")
        assert len(pair.variant) == 1, pair
        assert len(pair.representative) == 1, pair
        assert pair.variant != pair.representative


def test_each_variant_appears_once_and_no_row_is_undone_by_nfkc() -> None:
    variants = Counter(pair.variant for pair in load_variant_pairs())
    assert [char for char, count in variants.items() if count > 1] == []
    for pair in load_variant_pairs():
        # A row whose variant NFKC already folds would be dead; a representative NFKC changes would never match.
        assert unicodedata.normalize("NFKC", pair.representative) == pair.representative
        assert unicodedata.normalize("NFKC", pair.variant) != pair.representative or pair.variant == "﨑"


def test_the_table_covers_well_over_the_issue_list() -> None:
    assert len(load_variant_pairs()) >= 150


def test_groups_are_disjoint_and_contain_their_representative() -> None:
    groups = variant_groups()
    seen: set[str] = set()
    for group in groups:
        assert not group & seen
        seen |= group
        assert len({representative(char) for char in group}) == 1
        assert representative(next(iter(group))) in group


def test_representative_leaves_unknown_characters_alone() -> None:
    assert representative("田") == "田"
    assert representative("髙") == "高"


@given(name_chars)
def test_kanji_key_is_idempotent(text: str) -> None:
    key = kanji_key(text)
    assert kanji_key(key) == key


@given(name_chars)
def test_kanji_key_removes_every_space(text: str) -> None:
    assert not any(char.isspace() for char in kanji_key(text))


@given(st.text(max_size=20))
def test_kanji_key_is_idempotent_on_any_text(text: str) -> None:
    key = kanji_key(text)
    assert kanji_key(key) == key


@given(name_chars, st.booleans())
def test_strict_keys_are_never_coarser_than_loose_keys(text: str, strict: bool) -> None:
    # Anything equal under strict folding is also equal under loose folding.
    assert kanji_key(kanji_key(text, strict=True)) == kanji_key(text)
