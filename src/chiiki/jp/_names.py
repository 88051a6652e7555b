"""Personal names: split 姓 (family) and 名 (given) and compare them part by part.

Registers and forms write a name as one string with some kind of space between family and given name:
a half-width or full-width space, a tab, or several of them. Kanji and kana (reading) are compared
separately, each with its own key (:func:`chiiki.jp.kanji_key`, :func:`chiiki.jp.kana_key`),
and family and given name separately, so that a record whose given name differs is not mistaken for a match.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from chiiki.jp._itaiji import kanji_key
from chiiki.jp._kana import kana_key
from chiiki.jp._width import nfkc

__all__ = ["NameAgreement", "PersonName", "compare_kana_names", "compare_kanji_names", "split_name"]

_SEPARATORS = re.compile(r"\s+")  # \s covers the ideographic space U+3000, tabs and NBSP


@dataclass(frozen=True)
class PersonName:
    """A name split into family name (姓) and given name (名); `given` is "" when no space was found."""

    family: str
    given: str

    @property
    def full(self) -> str:
        """Family and given name without a space between them."""
        return self.family + self.given

    @property
    def is_split(self) -> bool:
        """True when the name had a separator, so family and given name are known."""
        return bool(self.family and self.given)

    def __str__(self) -> str:
        return f"{self.family}\u3000{self.given}" if self.given else self.family


def split_name(text: str) -> PersonName:
    """Split "山田　太郎", "山田 太郎", "山田\\t太郎" or "山田  太郎" into family "山田" and given "太郎".

    The first run of whitespace separates the parts; further words stay in the given name, joined by one
    space ("スミス ジョン ポール" -> "スミス", "ジョン ポール"). Without any space, the whole text is the
    family name and `given` is "". The characters themselves are returned unchanged.
    """
    parts = _SEPARATORS.split(text.strip(), maxsplit=1)
    if len(parts) < 2:
        return PersonName(family=parts[0], given="")
    return PersonName(family=parts[0], given=" ".join(_SEPARATORS.split(parts[1])))


class NameAgreement(StrEnum):
    """How two names agree, from strongest to weakest."""

    EXACT = "exact"  # the same characters (ignoring width and spaces)
    EQUIVALENT = "equivalent"  # the same after variant folding (髙/高, ヂ/ジ, サトウ/サトー)
    FAMILY_ONLY = "family_only"  # family names agree, given names differ
    GIVEN_ONLY = "given_only"  # given names agree, family names differ (marriage, adoption)
    SWAPPED = "swapped"  # family and given name exchanged
    DIFFERENT = "different"
    MISSING = "missing"  # one side is blank


def compare_kanji_names(first: str, second: str, *, strict: bool = False) -> NameAgreement:
    """Compare two names written in kanji, using 異体字 folding (``strict`` as in :func:`kanji_key`)."""
    return _compare(first, second, lambda text: kanji_key(text, strict=strict))


def compare_kana_names(first: str, second: str) -> NameAgreement:
    """Compare two readings (フリガナ), folding hiragana/katakana, width, small kana and long vowels."""
    return _compare(first, second, kana_key)


def _plain(text: str) -> str:
    return _SEPARATORS.sub("", nfkc(text))


def _compare(first: str, second: str, key: Callable[[str], str]) -> NameAgreement:
    a, b = split_name(first), split_name(second)
    if not a.full or not b.full:
        return NameAgreement.MISSING
    if a.is_split and b.is_split:
        return _compare_parts(a, b, key)
    return _compare_whole(a, b, key)


def _compare_whole(a: PersonName, b: PersonName, key: Callable[[str], str]) -> NameAgreement:
    """Without both splits only the whole name, or a known part at the right end, can be compared."""
    if _plain(a.full) == _plain(b.full):
        return NameAgreement.EXACT
    whole_a, whole_b = key(a.full), key(b.full)
    if whole_a == whole_b:
        return NameAgreement.EQUIVALENT
    split, whole = (a, whole_b) if a.is_split else (b, whole_a) if b.is_split else (None, "")
    if split is not None and whole.startswith(key(split.family)):
        return NameAgreement.FAMILY_ONLY
    if split is not None and whole.endswith(key(split.given)):
        return NameAgreement.GIVEN_ONLY
    return NameAgreement.DIFFERENT


def _compare_parts(a: PersonName, b: PersonName, key: Callable[[str], str]) -> NameAgreement:
    """Family and given name compared separately: as written, then by key, then one part, then swapped."""
    if _plain(a.family) == _plain(b.family) and _plain(a.given) == _plain(b.given):
        return NameAgreement.EXACT
    family_a, given_a, family_b, given_b = key(a.family), key(a.given), key(b.family), key(b.given)
    if family_a == family_b and given_a == given_b:
        return NameAgreement.EQUIVALENT
    if family_a == family_b:
        return NameAgreement.FAMILY_ONLY
    if given_a == given_b:
        return NameAgreement.GIVEN_ONLY
    if family_a == given_b and given_a == family_b:
        return NameAgreement.SWAPPED
    return NameAgreement.DIFFERENT
