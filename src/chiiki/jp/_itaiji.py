"""異体字 (variant kanji) folding for names, driven by the curated table ``data/itaiji.csv``.

Names are written with old, popular or registry-specific forms of the same character: 髙橋/高橋, 﨑/崎,
渡邊/渡邉/渡辺, 齋藤/斎藤, 澤/沢, 濱/浜. :func:`kanji_key` folds them to one representative so that such
spellings compare equal, while distinct characters stay distinct (崎 and 埼 are *not* merged, although
Unicode's Unihan kZVariant links them).

Each table row says how sure the pairing is: ``variant`` rows are forms of the same character; the few
``name-confusable`` rows join different characters that are routinely confused in surnames (斉藤/斎藤).
``strict=True`` folds only the ``variant`` rows, so a linkage engine can score the two levels differently.
The sources of every row are listed in the table and explained in ``data/README.md``.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Literal

__all__ = ["VariantPair", "kanji_key", "load_variant_pairs", "representative", "variant_groups"]

PairKind = Literal["variant", "name-confusable"]

# Ideographic variation selectors (IVS, e.g. 葛 + U+E0100) and standard variation selectors pick a glyph,
# not a different character, so keys ignore them.
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_SPACES = re.compile(r"\s+")
_ITERATION_MARK = "々"


@dataclass(frozen=True)
class VariantPair:
    """One row of the table: `variant` folds to `representative`."""

    variant: str
    representative: str
    kind: PairKind
    sources: tuple[str, ...]
    note: str


@functools.cache
def load_variant_pairs() -> tuple[VariantPair, ...]:
    """Read ``data/itaiji.csv`` once and return its rows."""
    text = resources.files("chiiki.jp").joinpath("data/itaiji.csv").read_text(encoding="utf-8")
    pairs = []
    for row in csv.DictReader(io.StringIO(text)):
        kind = row["kind"]
        if kind not in ("variant", "name-confusable"):
            raise ValueError(f"itaiji.csv: unknown kind {kind!r} for {row['variant']}")
        pairs.append(
            VariantPair(
                variant=row["variant"],
                representative=row["representative"],
                kind="variant" if kind == "variant" else "name-confusable",
                sources=tuple(row["sources"].split()),
                note=row["note"],
            )
        )
    return tuple(pairs)


@functools.cache
def _folding(strict: bool) -> dict[int, str]:
    """Map every variant to the end of its chain (齊 -> 斉 -> 斎 unless strict)."""
    step = {
        pair.variant: pair.representative
        for pair in load_variant_pairs()
        if not strict or pair.kind == "variant"
    }
    table: dict[int, str] = {}
    for variant in step:
        target = step[variant]
        seen = {variant}
        while target in step:
            if target in seen:
                raise ValueError(f"itaiji.csv: cycle through {target}")
            seen.add(target)
            target = step[target]
        table[ord(variant)] = target
    return table


def representative(char: str, *, strict: bool = False) -> str:
    """Return the representative form of one character (髙 -> 高); characters not in the table return as is."""
    return _folding(strict).get(ord(char), char) if len(char) == 1 else char


def variant_groups(*, strict: bool = False) -> list[frozenset[str]]:
    """Return the groups of characters that :func:`kanji_key` treats as the same, representative included."""
    groups: dict[str, set[str]] = {}
    for code, target in _folding(strict).items():
        groups.setdefault(target, {target}).add(chr(code))
    return [frozenset(members) for _, members in sorted(groups.items())]


@functools.lru_cache(maxsize=1 << 16)
def kanji_key(text: str, *, strict: bool = False) -> str:
    """Return the comparison key of a name written in kanji; equal keys mean "the same name, other glyphs".

    Applies NFKC (which also maps CJK compatibility ideographs such as 塚 to 塚 and full-width letters to
    ASCII), drops ideographic variation selectors and all spaces, expands 々 to the character before it
    (佐々木 -> 佐佐木), and folds the variants of ``data/itaiji.csv``. ``strict=True`` leaves out the
    ``name-confusable`` pairs (斉/斎). The stored name is never changed; this is for comparison only.
    """
    text = _SPACES.sub("", unicodedata.normalize("NFKC", _VARIATION_SELECTORS.sub("", text)))
    # NFKC can turn a character into a space plus a combining mark (¨ -> " ̈"); once the space is gone the
    # mark composes with the letter before it, so normalize again to keep the key a fixed point.
    text = unicodedata.normalize("NFKC", text)
    if _ITERATION_MARK in text:
        chars: list[str] = []
        for char in text:
            chars.append(chars[-1] if char == _ITERATION_MARK and chars else char)
        text = "".join(chars)
    return text.translate(_folding(strict))
