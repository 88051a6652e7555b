"""Tests for chiiki.jp.width: full/half width folding."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chiiki.jp import nfkc, to_fullwidth_katakana, to_halfwidth_ascii


def test_full_width_ascii_and_ideographic_space_become_ascii() -> None:
    assert to_halfwidth_ascii("ＡＢＣ　１２３－４５") == "ABC 123-45"


def test_to_halfwidth_ascii_leaves_kana_and_kanji_alone() -> None:
    assert to_halfwidth_ascii("山田ヤマダｶﾅ１") == "山田ヤマダｶﾅ1"


def test_half_width_katakana_becomes_full_width_with_voiced_marks_combined() -> None:
    assert to_fullwidth_katakana("ｶﾞｯｺｳ ﾊﾟﾝ ｳﾞｨ") == "ガッコウ パン ヴィ"


def test_to_fullwidth_katakana_leaves_ascii_alone() -> None:
    assert to_fullwidth_katakana("ABC 123") == "ABC 123"


def test_nfkc_composes_kana_typed_with_a_separate_voiced_mark() -> None:
    assert nfkc("カ゛ハ゜") == "ガパ"


def test_nfkc_unfolds_era_ligatures_and_full_width_digits() -> None:
    assert nfkc("㍻３１年") == "平成31年"


@given(st.text())
def test_to_halfwidth_ascii_is_idempotent(text: str) -> None:
    once = to_halfwidth_ascii(text)
    assert to_halfwidth_ascii(once) == once


@given(st.text(alphabet=st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E)))
def test_every_full_width_ascii_character_becomes_ascii(text: str) -> None:
    assert to_halfwidth_ascii(text).isascii()


@given(st.text(alphabet=st.characters(min_codepoint=0xFF66, max_codepoint=0xFF9D)))
def test_half_width_katakana_leaves_no_half_width_kana(text: str) -> None:
    converted = to_fullwidth_katakana(text)
    assert not any(0xFF61 <= ord(char) <= 0xFF9F for char in converted)
    assert nfkc(text) == nfkc(converted)
