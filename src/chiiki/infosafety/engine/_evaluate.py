"""Precision and recall of a screener on labelled posts: overall (flag level) and per signal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from chiiki.infosafety.engine._screen import Screener


@dataclass(frozen=True, slots=True)
class LabelledPost:
    """A post, whether it is a recruitment post, and the signals whose phrases it contains."""

    text: str
    label: int
    signals: tuple[str, ...] = ()


@dataclass(slots=True)
class Counts:
    """True positives, false positives and false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 1.0 when nothing was to be found."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, predicted: bool, actual: bool) -> None:
        """Count one decision."""
        self.tp += predicted and actual
        self.fp += predicted and not actual
        self.fn += actual and not predicted


@dataclass(slots=True)
class Evaluation:
    """Overall counts at the flag level and at watch-or-above, and counts per signal."""

    posts: int = 0
    flag: Counts = field(default_factory=Counts)
    watch: Counts = field(default_factory=Counts)
    per_signal: dict[str, Counts] = field(default_factory=dict)

    def table(self) -> list[str]:
        """The figures as aligned text lines (for bench output and the docs)."""
        rows = [f"{'':24} {'precision':>9} {'recall':>7}   tp   fp   fn"]
        for name, c in [
            ("overall (flag)", self.flag),
            ("overall (watch+)", self.watch),
            *sorted(self.per_signal.items()),
        ]:
            rows.append(f"{name:24} {c.precision:9.3f} {c.recall:7.3f} {c.tp:4d} {c.fp:4d} {c.fn:4d}")
        return rows


def evaluate(screener: Screener, posts: Iterable[LabelledPost]) -> Evaluation:
    """Screen every post and compare with its labels; weights are never changed here."""
    # Context signals (negative weight) lower a score; the corpus has no gold for them, so they are not listed.
    result = Evaluation(per_signal={s.id: Counts() for s in screener.signal_set.signals if s.weight > 0})
    for post in posts:
        screening = screener.screen(post.text)
        result.posts += 1
        result.flag.add(screening.level == "flag", post.label == 1)
        result.watch.add(screening.level in ("watch", "flag"), post.label == 1)
        found = {m.signal_id for m in screening.matches}
        for signal_id, counts in result.per_signal.items():
            counts.add(signal_id in found, signal_id in post.signals)
    return result
