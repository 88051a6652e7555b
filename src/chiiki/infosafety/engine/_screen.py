"""Scoring a post for recruitment signals, with the reasons.

Each post is seen two ways: its folded surface text, and the folded text of Sudachi's normalized forms (so
受取り and 受け取り, or ﾃﾚｸﾞﾗﾑ and テレグラム, read the same). A signal matches when one of its literal
patterns (folded the same way) is in either view, or one of its regular expressions matches the folded
surface. The score is the sum of the weights of the matched signals, each counted once, kept in 0..1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from chiiki.infosafety.engine._fold import fold, squeeze, strip_noise
from chiiki.infosafety.engine._signals import Signal, SignalSet
from chiiki.infosafety.engine._tokens import normalized_tokens

LEVELS = ("low", "watch", "flag")


@dataclass(frozen=True, slots=True)
class SignalMatch:
    """One matched signal and the (folded) words that matched it."""

    signal_id: str
    label: str
    label_en: str
    weight: float
    tier: str
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Screening:
    """The outcome for one post: score 0..1, level (low / watch / flag) and every matched signal."""

    score: float
    level: str
    matches: tuple[SignalMatch, ...]
    version: str

    @property
    def flagged(self) -> bool:
        """At or above the flag threshold."""
        return self.level == "flag"

    def explain(self) -> list[str]:
        """One plain line per matched signal, strongest first."""
        return [
            f"{m.label} ({m.weight:+.2f}): 「{'」「'.join(m.evidence)}」"
            for m in sorted(self.matches, key=lambda m: -abs(m.weight))
        ]


@dataclass(frozen=True, slots=True)
class _Compiled:
    signal: Signal
    tier: str
    literal: re.Pattern[str] | None
    spelled: dict[str, str]  # folded key -> the pattern as the signal set writes it (shown as evidence)
    regex: tuple[re.Pattern[str], ...]


class Screener:
    """A signal set compiled for matching; reuse one for many posts."""

    def __init__(self, signal_set: SignalSet, *, use_tokenizer: bool = True) -> None:
        self.signal_set = signal_set
        self.use_tokenizer = use_tokenizer
        self._compiled = tuple(self._compile(s) for s in signal_set.signals)

    def _compile(self, signal: Signal) -> _Compiled:
        spelled: dict[str, str] = {}
        for pattern in signal.patterns:
            spelled.setdefault(fold(pattern, self.signal_set.substitutions), pattern)
            if self.use_tokenizer:
                spelled.setdefault(self._lemma_view(pattern), pattern)
        spelled.pop("", None)
        alternation = "|".join(re.escape(k) for k in sorted(spelled, key=len, reverse=True))
        return _Compiled(
            signal,
            self.signal_set.tier_of(signal),
            re.compile(alternation) if alternation else None,
            spelled,
            tuple(re.compile(r) for r in signal.regex),
        )

    def _lemma_view(self, text: str) -> str:
        squeezed = squeeze(strip_noise(text), self.signal_set.substitutions)
        return fold("".join(normalized_tokens(squeezed)), {}) if squeezed else ""

    def screen(self, text: str) -> Screening:
        """Score one post and say why."""
        surface = fold(text, self.signal_set.substitutions)
        lemma = self._lemma_view(text) if self.use_tokenizer else ""
        matches = [m for c in self._compiled if (m := _match(c, surface, lemma)) is not None]
        score = max(0.0, min(1.0, sum(m.weight for m in matches)))
        level = (
            "flag" if score >= self.signal_set.flag else "watch" if score >= self.signal_set.watch else "low"
        )
        return Screening(round(score, 4), level, tuple(matches), self.signal_set.version)

    def screen_many(self, texts: Iterable[str]) -> Iterator[Screening]:
        """Score posts one after another (a generator: memory stays flat for any number of posts)."""
        for text in texts:
            yield self.screen(text)


def _match(compiled: _Compiled, surface: str, lemma: str) -> SignalMatch | None:
    found: list[str] = []
    if compiled.literal is not None:
        for view in (surface, lemma):
            found += [compiled.spelled.get(hit, hit) for hit in compiled.literal.findall(view)]
    for expression in compiled.regex:
        hit = expression.search(surface)
        if hit:
            found.append(hit.group())
    if not found:
        return None
    signal = compiled.signal
    evidence = tuple(dict.fromkeys(found))[:5]
    return SignalMatch(signal.id, signal.label, signal.label_en, signal.weight, compiled.tier, evidence)
