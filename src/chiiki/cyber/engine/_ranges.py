"""Version ranges with each ecosystem's own ordering (univers), never string comparison."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from univers.version_constraint import VersionConstraint, validate_comparators
from univers.version_range import RANGE_CLASS_BY_SCHEMES, VersionRange


class RangeError(ValueError):
    """A version range that cannot be read or cannot hold any version (introduced after fixed)."""


@dataclass(frozen=True, slots=True)
class Versions:
    """The versions an advisory names for one product: ranges (any matches), exact versions, or all versions."""

    scheme: str
    ranges: tuple[VersionRange, ...] = ()
    exact: frozenset[str] = frozenset()
    every_version: bool = False
    # Versions only described in words (JVN's VersionNumber, e.g. 「全てのバージョン」 or a vendor's own wording):
    # any version of the product is then uncertain, to be checked by hand, never a silent miss.
    described: str = ""

    @property
    def text(self) -> str:
        """How the range reads in an alert: vers strings and listed versions."""
        if self.every_version:
            return "全バージョン (all versions)"
        if self.described and not self.ranges and not self.exact:
            return self.described
        parts = [str(r) for r in self.ranges]
        if self.exact:
            parts.append("= " + ", ".join(sorted(self.exact)[:10]) + (" …" if len(self.exact) > 10 else ""))
        return " ; ".join(parts)

    def contains(self, version: str) -> bool | None:
        """True/False, or None when `version` is empty or not a version of this scheme (cannot be compared)."""
        if self.every_version:
            return True
        if version in self.exact:
            return True
        if not self.ranges:
            return None if self.described or not version else False
        parsed = parse_version(self.scheme, version)
        if parsed is None:
            return None
        return any(_in(parsed, r) for r in self.ranges)


def _in(version: Any, version_range: VersionRange) -> bool:
    try:
        return bool(version in version_range)
    except (TypeError, ValueError):
        return False


@lru_cache(maxsize=200_000)
def parse_version(scheme: str, text: str) -> Any:
    """The univers Version of `text` in `scheme`, or None when it is not one (cached: components repeat)."""
    if not text:
        return None
    try:
        version_class: Any = RANGE_CLASS_BY_SCHEMES[scheme].version_class
        return version_class(text.strip())
    except (
        ValueError,
        TypeError,
        AttributeError,
    ):  # univers raises bare ValueError/InvalidVersion subclasses
        return None


def from_events(scheme: str, events: list[dict[str, str]], *, where: str) -> tuple[VersionRange, ...]:
    """OSV `ranges[].events` (introduced / fixed / last_affected / limit) → one univers range per interval.

    An interval whose start is not below its end is an impossible range and is refused naming `where`.
    """
    range_class = RANGE_CLASS_BY_SCHEMES[scheme]
    version_class = range_class.version_class
    intervals: list[VersionRange] = []
    start: str | None = None
    for event in events:
        if "introduced" in event:
            start = event["introduced"]
            continue
        end_kind = "fixed" if "fixed" in event else "last_affected" if "last_affected" in event else ""
        if not end_kind or start is None:
            continue
        intervals.append(_interval(range_class, version_class, start, event[end_kind], end_kind, where))
        start = None
    if start is not None:
        intervals.append(_interval(range_class, version_class, start, None, "", where))
    return tuple(intervals)


def _interval(
    range_class: Any, version_class: Any, start: str, end: str | None, end_kind: str, where: str
) -> VersionRange:
    constraints = []
    try:
        low = None if start in ("0", "") else version_class(start)
        high = None if end is None else version_class(end)
    except (ValueError, TypeError) as error:
        raise RangeError(f"{where}: バージョン「{start}」/「{end}」を読めません: {error}") from error
    if (
        low is not None
        and high is not None
        and not low < high
        and not (end_kind == "last_affected" and low == high)
    ):
        raise RangeError(
            f"{where}: introduced {start} が {end_kind} {end} より後で、範囲に入るバージョンがありません"
        )
    if low is not None:
        constraints.append(VersionConstraint(comparator=">=", version=low))
    if high is not None:
        constraints.append(VersionConstraint(comparator="<" if end_kind == "fixed" else "<=", version=high))
    if not constraints:
        constraints.append(VersionConstraint(comparator="*", version=cast(Any, None)))
    return range_class(constraints=constraints)  # type: ignore[no-any-return]


def from_vers(text: str, *, scheme: str, where: str) -> VersionRange:
    """A `vers:` string (or a bare constraint list such as `<=4.2|>=5.0` read in `scheme`) → univers range."""
    value = text.strip().replace(" ", "")
    if not value.startswith("vers:"):
        value = f"vers:{scheme}/{value}"
    try:
        parsed: VersionRange = VersionRange.from_string(value)  # type: ignore[no-untyped-call]
    except (ValueError, TypeError, KeyError) as error:
        raise RangeError(f"{where}: バージョン範囲「{text}」を読めません: {error}") from error
    try:
        validate_comparators(parsed.constraints)  # type: ignore[no-untyped-call]
    except (ValueError, TypeError) as error:
        raise RangeError(f"{where}: バージョン範囲「{text}」は成り立ちません: {error}") from error
    return parsed
