"""Near-duplicate claims: character n-gram shingles of the folded text and their Jaccard similarity.

Rumours are short and retold with small changes (a word added, a place renamed, kana for kanji), so
character 3-grams of the folded text (width, kana, symbols, URLs and mentions removed) catch retellings
that word-level comparison misses. `best_match` finds the most similar earlier claim above a threshold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chiiki.infosafety.engine._fold import fold

SHINGLE = 3
DEFAULT_THRESHOLD = 0.45


def shingles(text: str, *, size: int = SHINGLE) -> frozenset[str]:
    """The set of character n-grams of the folded text (the whole key when it is shorter than n)."""
    key = fold(text, {})
    if len(key) <= size:
        return frozenset({key}) if key else frozenset()
    return frozenset(key[i : i + size] for i in range(len(key) - size + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b|; 0 for two empty sets."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True, slots=True)
class Match:
    """The most similar earlier item and how similar it is."""

    key: object
    similarity: float


def best_match(
    text: str, candidates: Iterable[tuple[object, str]], *, threshold: float = DEFAULT_THRESHOLD
) -> Match | None:
    """The candidate (key, text) most similar to `text`, if at least `threshold`; None otherwise."""
    mine = shingles(text)
    best: Match | None = None
    for key, other in candidates:
        score = jaccard(mine, shingles(other))
        if score >= threshold and (best is None or score > best.similarity):
            best = Match(key, score)
    return best
