"""Tests for chiiki.jp.names: splitting 姓/名 and comparing names part by part."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiiki.jp import NameAgreement, PersonName, compare_kana_names, compare_kanji_names, split_name

part = st.text(alphabet="山田太郎花子佐藤髙橋やまだタロウ", min_size=1, max_size=5)
space = st.sampled_from([" ", "　", "\t", "  ", " 　 ", "\u00a0"])


@pytest.mark.parametrize(
    "text", ["山田 太郎", "山田　太郎", "山田\t太郎", "山田  太郎", " 山田　　太郎 ", "山田 　太郎"]
)
def test_any_kind_of_space_separates_family_and_given_name(text: str) -> None:
    assert split_name(text) == PersonName(family="山田", given="太郎")


def test_a_name_without_space_is_all_family_name() -> None:
    name = split_name("山田太郎")
    assert name == PersonName(family="山田太郎", given="")
    assert not name.is_split


def test_words_after_the_first_space_stay_in_the_given_name() -> None:
    assert split_name("スミス ジョン  ポール") == PersonName(family="スミス", given="ジョン ポール")


def test_blank_text_gives_an_empty_name() -> None:
    assert split_name("　 ") == PersonName(family="", given="")


def test_a_name_prints_with_a_full_width_space() -> None:
    assert str(PersonName("山田", "太郎")) == "山田\u3000太郎"


@given(part, space, part)
def test_split_name_recovers_both_parts_whatever_the_space(
    family: str, separator: str, given_name: str
) -> None:
    name = split_name(family + separator + given_name)
    assert (name.family, name.given) == (family, given_name)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("山田 太郎", "山田　太郎", NameAgreement.EXACT),
        ("山田 太郎", "山田太郎", NameAgreement.EXACT),
        ("髙橋 一郎", "高橋 一郎", NameAgreement.EQUIVALENT),
        ("高橋 一郎", "高橋 次郎", NameAgreement.FAMILY_ONLY),
        ("佐藤 花子", "山田 花子", NameAgreement.GIVEN_ONLY),
        ("一郎 高橋", "高橋 一郎", NameAgreement.SWAPPED),
        ("高橋 一郎", "田中 次郎", NameAgreement.DIFFERENT),
        ("高橋 一郎", "高橋次郎", NameAgreement.FAMILY_ONLY),
        ("高橋 一郎", "", NameAgreement.MISSING),
        ("斉藤 一", "斎藤 一", NameAgreement.EQUIVALENT),
    ],
)
def test_kanji_names_are_compared_part_by_part(first: str, second: str, expected: NameAgreement) -> None:
    assert compare_kanji_names(first, second) == expected


def test_strict_comparison_keeps_sai_and_sai_apart() -> None:
    assert compare_kanji_names("斉藤 一", "斎藤 一", strict=True) == NameAgreement.GIVEN_ONLY


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("サトウ ハナコ", "さとう　はなこ", NameAgreement.EQUIVALENT),
        ("ｻﾄｳ ﾊﾅｺ", "サトー ハナコ", NameAgreement.EQUIVALENT),
        ("サトウ ハナコ", "サトウ ハナエ", NameAgreement.FAMILY_ONLY),
        ("サトウ ハナコ", "サト ハナコ", NameAgreement.GIVEN_ONLY),
        ("サトウ ハナコ", "サトウ ハナコ", NameAgreement.EXACT),
    ],
)
def test_kana_names_are_compared_with_the_kana_key(first: str, second: str, expected: NameAgreement) -> None:
    assert compare_kana_names(first, second) == expected


@given(part, space, part)
def test_a_name_agrees_exactly_with_itself_whatever_the_space(
    family: str, separator: str, given_name: str
) -> None:
    assert (
        compare_kanji_names(family + separator + given_name, f"{family} {given_name}") == NameAgreement.EXACT
    )


@given(part, part, part, part)
def test_comparison_is_symmetric(a: str, b: str, c: str, d: str) -> None:
    assert compare_kana_names(f"{a} {b}", f"{c} {d}") == compare_kana_names(f"{c} {d}", f"{a} {b}")
