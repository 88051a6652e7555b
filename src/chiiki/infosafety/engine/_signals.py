"""Signal sets: the versioned data that says which words count as recruitment signals, and how much.

A signal set is a JSON document (layout in docs/apps/infosafety.md): a version, two thresholds, the sources
the signals come from (each with a tier: "official", "secondary" or "unverified"), substitutions undone
before matching, and the signals themselves (id, label, weight, literal patterns and regular expressions on
the folded text, source). `load_signal_set` checks all of it and names every problem; `diff_signal_sets`
says what changed between two versions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

FORMAT = "chiiki-infosafety-signals"
TIERS = ("official", "secondary", "unverified")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class SignalSetError(ValueError):
    """The signal set cannot be used; `problems` names each field and reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True, slots=True)
class Source:
    """Where signals come from, and how far that was checked."""

    key: str
    title: str
    publisher: str
    date: str
    tier: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Signal:
    """One signal: literal patterns and regular expressions on the folded text, and its weight."""

    id: str
    label: str
    label_en: str
    category: str
    weight: float
    source: str
    patterns: tuple[str, ...]
    regex: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class SignalSet:
    """A checked signal set; `raw` is the document as loaded (stored with the version)."""

    version: str
    watch: float
    flag: float
    sources: dict[str, Source]
    substitutions: dict[str, str]
    signals: tuple[Signal, ...]
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    def signal(self, signal_id: str) -> Signal:
        """The signal with this id (KeyError when there is none)."""
        for signal in self.signals:
            if signal.id == signal_id:
                return signal
        raise KeyError(signal_id)

    def tier_of(self, signal: Signal) -> str:
        """The provenance tier of a signal's source."""
        return self.sources[signal.source].tier


def default_signal_set() -> SignalSet:
    """The signal set shipped with Chiiki (engine/data/signals-ja.json)."""
    text = resources.files("chiiki.infosafety.engine").joinpath("data/signals-ja.json").read_text("utf-8")
    return load_signal_set(text)


def load_signal_set(document: str | bytes | dict[str, Any]) -> SignalSet:
    """Parse and check a signal set; raise SignalSetError naming every problem."""
    raw = _parse(document)
    problems: list[str] = []
    if raw.get("format") != FORMAT:
        problems.append(f'"format": "{FORMAT}" ではありません (not a signal set)')
    version = raw.get("version")
    if not isinstance(version, str) or not version.strip() or len(version) > 40:
        problems.append('"version": 1〜40文字の文字列が必要です')
    watch, flag = _thresholds(raw.get("thresholds"), problems)
    sources = _sources(raw.get("sources"), problems)
    substitutions = _substitutions(raw.get("substitutions", {}), problems)
    signals = _signals(raw.get("signals"), sources, problems)
    if problems:
        raise SignalSetError(problems)
    return SignalSet(str(version), watch, flag, sources, substitutions, tuple(signals), raw)


def _parse(document: str | bytes | dict[str, Any]) -> dict[str, Any]:
    if isinstance(document, dict):
        return document
    try:
        raw = json.loads(document)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        line = getattr(error, "lineno", None)
        where = f"{line}行目: " if line else ""
        raise SignalSetError([f"{where}JSON として読めません ({error})"]) from error
    if not isinstance(raw, dict):
        raise SignalSetError(["JSON のオブジェクト ({...}) が必要です"])
    return raw


def _thresholds(value: object, problems: list[str]) -> tuple[float, float]:
    if not isinstance(value, dict):
        problems.append('"thresholds": {"watch": 数, "flag": 数} が必要です')
        return 0.0, 0.0
    watch, flag = value.get("watch"), value.get("flag")
    if not all(isinstance(x, int | float) and 0 < x <= 1 for x in (watch, flag)) or watch > flag:  # type: ignore[operator]
        problems.append('"thresholds": 0 < watch ≤ flag ≤ 1 の数が必要です')
        return 0.0, 0.0
    return float(watch), float(flag)  # type: ignore[arg-type]


def _sources(value: object, problems: list[str]) -> dict[str, Source]:
    if not isinstance(value, dict) or not value:
        problems.append('"sources": 出典が一つ以上必要です')
        return {}
    sources: dict[str, Source] = {}
    for key, item in value.items():
        if not isinstance(item, dict) or item.get("tier") not in TIERS or not item.get("title"):
            problems.append(f'"sources"."{key}": title と tier ({" / ".join(TIERS)}) が必要です')
            continue
        sources[key] = Source(
            key,
            str(item["title"]),
            str(item.get("publisher", "")),
            str(item.get("date", "")),
            str(item["tier"]),
            str(item.get("note", "")),
        )
    return sources


def _substitutions(value: object, problems: list[str]) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        problems.append('"substitutions": 文字列から文字列への対応が必要です')
        return {}
    if any(not key for key in value):
        problems.append('"substitutions": 空の置き換え元は使えません')
    return dict(value)


def _signals(value: object, sources: dict[str, Source], problems: list[str]) -> list[Signal]:
    if not isinstance(value, list) or not value:
        problems.append('"signals": 手がかりが一つ以上必要です')
        return []
    signals: list[Signal] = []
    seen: set[str] = set()
    for number, item in enumerate(value, start=1):
        signal = _signal(number, item, sources, problems)
        if signal is None:
            continue
        if signal.id in seen:
            problems.append(f'"signals" {number}番目: id "{signal.id}" が重複しています')
        seen.add(signal.id)
        signals.append(signal)
    return signals


def _signal(number: int, item: object, sources: dict[str, Source], problems: list[str]) -> Signal | None:
    where = f'"signals" {number}番目'
    if not isinstance(item, dict):
        problems.append(f"{where}: オブジェクトが必要です")
        return None
    before = len(problems)
    signal_id = item.get("id")
    if not isinstance(signal_id, str) or not _ID.match(signal_id):
        problems.append(f"{where}: id は英小文字・数字・_ の40文字以内です")
    weight = item.get("weight")
    if not isinstance(weight, int | float) or not -1 <= weight <= 1:
        problems.append(f"{where} ({signal_id}): weight は -1〜1 の数です")
    if item.get("source") not in sources:
        problems.append(f'{where} ({signal_id}): source "{item.get("source")}" が "sources" にありません')
    patterns = _strings(item.get("patterns", []), f"{where} ({signal_id}) patterns", problems)
    regex = _strings(item.get("regex", []), f"{where} ({signal_id}) regex", problems)
    for expression in regex:
        try:
            re.compile(expression)
        except re.error as error:
            problems.append(f"{where} ({signal_id}): 正規表現 {expression!r} が読めません ({error})")
    if not patterns and not regex:
        problems.append(f"{where} ({signal_id}): patterns か regex が一つ以上必要です")
    if len(problems) > before:
        return None
    return Signal(
        id=str(signal_id),
        label=str(item.get("label") or signal_id),
        label_en=str(item.get("label_en") or item.get("label") or signal_id),
        category=str(item.get("category", "")),
        weight=float(weight),  # type: ignore[arg-type]
        source=str(item["source"]),
        patterns=tuple(patterns),
        regex=tuple(regex),
        note=str(item.get("note", "")),
    )


def _strings(value: object, where: str, problems: list[str]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
        problems.append(f"{where}: 空でない文字列のリストが必要です")
        return []
    return list(value)


@dataclass(frozen=True, slots=True)
class SignalSetDiff:
    """What changed from one signal set to the next: shown to staff before and after a reload."""

    old_version: str
    new_version: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    reweighted: tuple[tuple[str, float, float], ...]
    patterns_added: tuple[tuple[str, str], ...]
    patterns_removed: tuple[tuple[str, str], ...]
    thresholds_changed: bool

    @property
    def is_empty(self) -> bool:
        """True when the two sets match the same way."""
        return not (
            self.added
            or self.removed
            or self.reweighted
            or self.patterns_added
            or self.patterns_removed
            or self.thresholds_changed
        )

    def lines(self) -> list[str]:
        """The changes as short Japanese lines for the staff page and the audit record."""
        out = [f"+ 手がかり {x}" for x in self.added] + [f"- 手がかり {x}" for x in self.removed]
        out += [f"~ {x}: 重み {a:g} → {b:g}" for x, a, b in self.reweighted]
        out += [f"+ {x}: 「{p}」" for x, p in self.patterns_added]
        out += [f"- {x}: 「{p}」" for x, p in self.patterns_removed]
        if self.thresholds_changed:
            out.append("~ しきい値が変わりました")
        return out


def diff_signal_sets(old: SignalSet, new: SignalSet) -> SignalSetDiff:
    """Compare two signal sets signal by signal and pattern by pattern."""
    before = {s.id: s for s in old.signals}
    after = {s.id: s for s in new.signals}
    common = sorted(before.keys() & after.keys())
    added_patterns: list[tuple[str, str]] = []
    removed_patterns: list[tuple[str, str]] = []
    for key in common:
        old_patterns = set(before[key].patterns + before[key].regex)
        new_patterns = set(after[key].patterns + after[key].regex)
        added_patterns += [(key, p) for p in sorted(new_patterns - old_patterns)]
        removed_patterns += [(key, p) for p in sorted(old_patterns - new_patterns)]
    return SignalSetDiff(
        old_version=old.version,
        new_version=new.version,
        added=tuple(sorted(after.keys() - before.keys())),
        removed=tuple(sorted(before.keys() - after.keys())),
        reweighted=tuple(
            (k, before[k].weight, after[k].weight) for k in common if before[k].weight != after[k].weight
        ),
        patterns_added=tuple(added_patterns),
        patterns_removed=tuple(removed_patterns),
        thresholds_changed=(old.watch, old.flag) != (new.watch, new.flag),
    )
