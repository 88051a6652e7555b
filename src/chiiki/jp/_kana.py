"""Comparison keys for kana readings (フリガナ).

The same reading is typed in many ways: ひらがな or カタカナ, half-width ｶﾅ, small kana written large
by older systems (キヤ for キャ), long vowels as ー, as a repeated vowel or as ウ/イ (サトー, サトオ, サトウ),
ヂ/ジ and ヅ/ズ, ヴ or バ (ヴァイオリン, バイオリン), historical ヲ/ヰ/ヱ, and spaces or ・ between
family and given name. :func:`kana_key` maps all of these to one key. It is for comparison only; the
stored reading is never rewritten.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from chiiki.jp._width import nfkc

__all__ = ["kana_key", "to_katakana"]

_HIRAGANA_FIRST, _HIRAGANA_LAST = 0x3041, 0x3096  # ぁ .. ゖ
_KATAKANA_SHIFT = 0x60  # distance from a hiragana to the same katakana
_HIRAGANA_TO_KATAKANA = {code: code + _KATAKANA_SHIFT for code in range(_HIRAGANA_FIRST, _HIRAGANA_LAST + 1)}
_HIRAGANA_TO_KATAKANA.update({ord("ゝ"): ord("ヽ"), ord("ゞ"): ord("ヾ")})

_SMALL_TO_LARGE = str.maketrans(
    {
        "ァ": "ア",
        "ィ": "イ",
        "ゥ": "ウ",
        "ェ": "エ",
        "ォ": "オ",
        "ッ": "ツ",
        "ャ": "ヤ",
        "ュ": "ユ",
        "ョ": "ヨ",
        "ヮ": "ワ",
        "ヵ": "カ",
        "ヶ": "ケ",
        "ㇰ": "ク",
        "ㇱ": "シ",
        "ㇲ": "ス",
        "ㇳ": "ト",
        "ㇴ": "ヌ",
        "ㇵ": "ハ",
        "ㇶ": "ヒ",
        "ㇷ": "フ",
        "ㇸ": "ヘ",
        "ㇹ": "ホ",
        "ㇺ": "ム",
        "ㇻ": "ラ",
        "ㇼ": "リ",
        "ㇽ": "ル",
        "ㇾ": "レ",
        "ㇿ": "ロ",
    }
)
# Readings that sound alike and are written either way in names.
_SAME_SOUND = str.maketrans(
    {
        "ヂ": "ジ",
        "ヅ": "ズ",
        "ヲ": "オ",
        "ヰ": "イ",
        "ヱ": "エ",
        "ヷ": "バ",
        "ヸ": "ビ",
        "ヹ": "ベ",
        "ヺ": "ボ",
    }
)
_VU = re.compile("ヴ([ァィゥェォュ]?)")
_VU_SYLLABLE = {"ァ": "バ", "ィ": "ビ", "ゥ": "ブ", "ェ": "ベ", "ォ": "ボ", "ュ": "ビュ", "": "ブ"}
# Dashes and tildes typed in place of the long vowel mark ー.
_LONG_MARKS = str.maketrans(dict.fromkeys("-‐‑‒–—―−~〜～ｰ", "ー"))

_VOWEL_OF: dict[str, str] = {}
for _vowel, _row in {
    "a": "アカサタナハマヤラワガザダバパ",
    "i": "イキシチニヒミリギジビピ",
    "u": "ウクスツヌフムユルグズブプ",
    "e": "エケセテネヘメレゲゼデベペ",
    "o": "オコソトノホモヨロゴゾドボポ",
}.items():
    for _char in _row:
        _VOWEL_OF[_char] = _vowel
_VOWEL_KANA = {"ア": "a", "イ": "i", "ウ": "u", "エ": "e", "オ": "o"}


def to_katakana(text: str) -> str:
    """Turn hiragana into katakana, leaving everything else unchanged ("やまだ タロウ" -> "ヤマダ タロウ")."""
    return text.translate(_HIRAGANA_TO_KATAKANA)


@functools.lru_cache(maxsize=1 << 16)
def kana_key(text: str) -> str:
    """Return the comparison key of a kana reading; equal keys mean "the same reading, typed differently".

    Folds: hiragana/katakana, half/full width, small kana to large, long vowels (ー, a repeated vowel, オウ
    and エイ all become ー), ヂ/ジ, ヅ/ズ, ヴァ/バ and the other ヴ forms, ヲ/オ, ヰ/イ, ヱ/エ, the iteration
    marks ヽ/ヾ, and removes spaces and punctuation such as ・. Latin letters are upper-cased; kanji and
    other characters pass through. The key is idempotent: ``kana_key(kana_key(s)) == kana_key(s)``.
    """
    # One pass can expose a new fold (small ヮ plus a stray voiced mark composes to ヷ only once ヮ is
    # enlarged; upper-casing can produce a character NFKC folds). Both leave the pass's output not in NFKC,
    # so further passes run only then, until nothing changes; real readings take a single pass.
    key = _one_pass(text)
    for _ in range(4):
        if unicodedata.is_normalized("NFKC", key):
            break
        again = _one_pass(key)
        if again == key:
            break
        key = again
    return key


def _one_pass(text: str) -> str:
    # Iteration marks first: ヾ must see the kana it repeats before that kana is folded (ワヾ -> ワヷ -> ワバ).
    text = _expand_iteration_marks(to_katakana(nfkc(text)))
    text = _VU.sub(lambda match: _VU_SYLLABLE[match.group(1)], text)
    text = text.translate(_SMALL_TO_LARGE).translate(_SAME_SOUND).translate(_LONG_MARKS)
    text = "".join(char for char in text if unicodedata.category(char)[0] not in "ZPC").upper()
    return _fold_long_vowels(text)


def _expand_iteration_marks(text: str) -> str:
    """ヽ repeats the kana before it and ヾ repeats it voiced (スヽキ -> ススキ, ミスヾ -> ミスズ)."""
    if "ヽ" not in text and "ヾ" not in text:
        return text
    out: list[str] = []
    for char in text:
        if char in "ヽヾ" and out:
            previous = out[-1]
            if char == "ヾ":
                voiced = unicodedata.normalize("NFC", previous + "\u3099")
                previous = voiced if len(voiced) == 1 else previous
            out.append(previous)
        else:
            out.append(char)
    return "".join(out)


def _fold_long_vowels(text: str) -> str:
    """Write every long vowel as one ー after its syllable: サトウ, サトオ, サトー and サトーー -> サトー.

    A vowel kana lengthens the syllable before it when it repeats its vowel, or is ウ after an o-syllable
    or イ after an e-syllable. After a long vowel a vowel kana starts a new syllable (ケイイチ -> ケーイチ),
    which keeps the key idempotent.
    """
    out: list[str] = []
    vowel: str | None = None  # vowel of the last syllable that can still be lengthened
    for char in text:
        if char == "ー":
            if out and out[-1] == "ー":
                continue
            out.append(char)
            vowel = None
            continue
        own = _VOWEL_KANA.get(char)
        if (
            own is not None
            and vowel is not None
            and (own == vowel or (vowel, own) in {("o", "u"), ("e", "i")})
        ):
            out.append("ー")
            vowel = None
            continue
        out.append(char)
        vowel = _VOWEL_OF.get(char)
    return "".join(out)
