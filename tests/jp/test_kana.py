"""Tests for chiiki.jp.kana: one key for the many ways a reading is typed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiiki.jp import kana_key, to_katakana

HIRAGANA = "".join(chr(code) for code in range(0x3041, 0x3097))
KATAKANA = "".join(chr(code) for code in range(0x30A1, 0x30F7))
kana_text = st.text(alphabet=HIRAGANA + "ー ・　", max_size=20)


@pytest.mark.parametrize(
    "spellings",
    [
        ("サトウ", "さとう", "ｻﾄｳ", "サトー", "サトオ", "ｻﾄｰ"),
        ("ヤマダ タロウ", "やまだ　たろう", "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ・タロー", "ヤマダタロウ"),
        ("キャリー", "キヤリー", "きゃりい"),
        ("ハットリ", "ハツトリ", "はっとり"),
        ("ヴァイオリン", "バイオリン", "ゔぁいおりん"),
        ("ヴィヴィ", "ビビ"),
        ("チヂミ", "チジミ"),
        ("ツヅキ", "ツズキ", "つづき"),
        ("カヲル", "カオル"),
        ("ヱミ", "エミ"),
        ("スヽキ", "ススキ", "すゝき"),
        ("ミスヾ", "ミスズ"),
        ("カ゛ク", "ガク"),
        ("ユ-コ", "ユウコ", "ユーコ", "ゆうこ"),
        ("ケイコ", "ケーコ", "けいこ"),
        ("オオノ", "オーノ", "おおの"),
    ],
)
def test_spellings_of_one_reading_share_a_key(spellings: tuple[str, ...]) -> None:
    keys = {kana_key(spelling) for spelling in spellings}
    assert len(keys) == 1, keys


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("サトウ", "サト"),  # 佐藤 and 里 are different names
        ("オノ", "オオノ"),  # 小野 and 大野
        ("ヤマダ", "ヤマタ"),
        ("ケイイチ", "ケイチ"),
        ("ユキ", "ユウキ"),
    ],
)
def test_different_readings_keep_different_keys(first: str, second: str) -> None:
    assert kana_key(first) != kana_key(second)


def test_kana_key_does_not_change_its_argument() -> None:
    original = "やまだ　たろう"
    kana_key(original)
    assert original == "やまだ　たろう"


def test_to_katakana_turns_only_hiragana() -> None:
    assert to_katakana("やまだ Taro 山田") == "ヤマダ Taro 山田"


@given(st.text(max_size=30))
def test_kana_key_is_idempotent(text: str) -> None:
    key = kana_key(text)
    assert kana_key(key) == key


@given(kana_text)
def test_hiragana_and_katakana_give_the_same_key(text: str) -> None:
    assert kana_key(text) == kana_key(to_katakana(text))


@given(st.text(alphabet=KATAKANA + "ー", max_size=20))
def test_half_width_katakana_gives_the_same_key_as_full_width(text: str) -> None:
    import jaconv

    half = jaconv.z2h(text, kana=True, ascii=False, digit=False)
    assert kana_key(half) == kana_key(text)


@given(kana_text, kana_text)
def test_spaces_between_parts_do_not_change_the_key(first: str, second: str) -> None:
    assert kana_key(first + "　" + second) == kana_key(first + second)


@given(st.text(max_size=30))
def test_the_key_has_no_hiragana_small_kana_or_spaces(text: str) -> None:
    key = kana_key(text)
    assert not any(0x3041 <= ord(char) <= 0x3096 for char in key)
    assert not any(char in "ァィゥェォッャュョヮヵヶ" for char in key)
    assert not any(char.isspace() for char in key)
