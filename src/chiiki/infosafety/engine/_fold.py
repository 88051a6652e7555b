"""Folding text into the key that signals are matched against: one fold for posts and patterns alike.

Evasion is undone before matching: full/half width and compatibility forms (NFKC: ﾔﾐﾊﾞｲﾄ -> ヤミバイト,
Ⓣ -> T), hiragana/katakana and long vowels (`chiiki.jp.kana_key`), spaces, punctuation and symbols between
characters (闇 バ イ ト, 闇/バ/イ/ト, #闇バイト), homoglyphs (Cyrillic а for Latin a, 卜 for ト) and emoji
written for words (💰 for 金). The substitution tables are data in the signal set, so staff can extend them.
Because the same fold is applied to the patterns, folding too much only ever merges spellings, never
misses one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from chiiki.jp import kana_key, nfkc, replace_kanji_numerals

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_MENTION = re.compile(r"@[A-Za-z0-9_]{1,30}")
_MAN_SEN = re.compile(r"([0-9]+)万([0-9]+)千")
_MAN = re.compile(r"([0-9]+(?:\.[0-9]+)?)万")
_SEN = re.compile(r"([0-9]+)千")
MAX_CHARS = (
    4000  # a post longer than this is cut: signals are in the first lines, and Sudachi has a size limit
)


def strip_noise(text: str) -> str:
    """NFKC, then remove URLs and @mentions (kept apart: a link is evidence, not wording)."""
    return _MENTION.sub(" ", _URL.sub(" ", nfkc(text[:MAX_CHARS])))


def squeeze(text: str, substitutions: Mapping[str, str]) -> str:
    """Replace emoji and homoglyphs, then drop everything that is not a letter or a digit."""
    for source, target in substitutions.items():
        if source in text:
            text = text.replace(source, target)
    return "".join(char for char in text if unicodedata.category(char)[0] in "LN")


def amounts_as_digits(text: str) -> str:
    """Write amounts in digits only: 5万 -> 50000, 1万2千 -> 12000, 三万五千 -> 35000."""
    text = _MAN_SEN.sub(lambda m: str(int(m.group(1)) * 10000 + int(m.group(2)) * 1000), text)
    text = _MAN.sub(lambda m: str(round(float(m.group(1)) * 10000)), text)
    text = _SEN.sub(lambda m: str(int(m.group(1)) * 1000), text)
    return replace_kanji_numerals(text)


def fold(text: str, substitutions: Mapping[str, str]) -> str:
    """The matching key of a text: squeezed, amounts in digits, kana and width folded."""
    squeezed = squeeze(strip_noise(text), substitutions)
    return kana_key(amounts_as_digits(squeezed)) if squeezed else ""
