"""Near-duplicate claims: what two short posts are about, compared word by word and character by character.

Rumours are short and retold with small changes (「拡散希望」 added, a sentence reordered, kana for kanji). Two
measures are taken and the higher one counts: the content words (nouns, verbs, adjectives in Sudachi's
normalized form, URLs and mentions removed) compared by the mean of Jaccard and overlap coefficients, which
forgives a retelling that adds or drops a clause; and character 3-grams of the folded text, which catch
spellings Sudachi splits differently. `best_match` finds the most similar earlier item above a threshold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chiiki.infosafety.engine._fold import fold, strip_noise
from chiiki.infosafety.engine._tokens import content_words

SHINGLE = 3
DEFAULT_THRESHOLD = 0.45
MIN_SHARED_WORDS = 2


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What is compared: content words and character shingles."""

    words: frozenset[str]
    chars: frozenset[str]


def fingerprint(text: str) -> Fingerprint:
    """The fingerprint of one post."""
    words = frozenset(fold(w, {}) for w in content_words(strip_noise(text)))
    return Fingerprint(words - {""}, shingles(text))


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """0..1: the higher of the word measure (mean of Jaccard and overlap) and the character Jaccard."""
    shared = len(a.words & b.words)
    words = 0.0
    if shared >= MIN_SHARED_WORDS:
        words = (shared / len(a.words | b.words) + shared / min(len(a.words), len(b.words))) / 2
    return max(words, jaccard(a.chars, b.chars))


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
    return best_match_among(
        fingerprint(text), ((key, fingerprint(other)) for key, other in candidates), threshold=threshold
    )


def best_match_among(
    mine: Fingerprint,
    candidates: Iterable[tuple[object, Fingerprint]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> Match | None:
    """As `best_match`, with fingerprints made once (an import compares many posts with the same reports)."""
    best: Match | None = None
    for key, other in candidates:
        score = similarity(mine, other)
        if score >= threshold and (best is None or score > best.similarity):
            best = Match(key, score)
    return best
