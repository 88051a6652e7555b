"""Survey frames and samples drawn from the resident registry, without Django.

The frame is every household current at the reference date (registered on or before it, not removed by it),
described by its district, its size (members current at that date) and the age of its head at that date.
A survey takes either all of them (census) or a stratified simple random sample without replacement:
strata are district x household-size class x age class of the head (or any subset of the three); the sample size is allocated
proportionally to stratum size with a minimum per stratum (largest-remainder rounding, so the total is exact),
and each stratum is sampled with a generator seeded from the survey's seed and the stratum key, so the same
seed and frame always give the same sample. Each household's selection probability is n_h / N_h.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

__all__ = [
    "STRATUM_VARIABLES",
    "Allocation",
    "FrameUnit",
    "SampleError",
    "SampledUnit",
    "age_class",
    "age_on",
    "allocate",
    "census",
    "is_current",
    "parse_variables",
    "size_class",
    "stratified_sample",
    "stratify",
    "stratum_of",
]

STRATUM_VARIABLES = ("district", "size", "age")
AGE_CLASSES: tuple[tuple[int, str], ...] = ((39, "-39"), (64, "40-64"), (74, "65-74"))


class SampleError(ValueError):
    """The requested sample cannot be drawn from this frame (message in Japanese, then English)."""


@dataclass(frozen=True, slots=True)
class FrameUnit:
    """One household of the frame."""

    household_id: int
    district: str
    size: int
    head_age: int | None


@dataclass(frozen=True, slots=True)
class SampledUnit:
    """One selected household with its stratum and selection probability."""

    household_id: int
    stratum: str
    probability: float


@dataclass(frozen=True, slots=True)
class Allocation:
    """Sample size of one stratum."""

    stratum: str
    population: int
    sample: int


def is_current(registered_on: date | None, removed_on: date | None, reference_date: date) -> bool:
    """True when a household or person belongs to the registry on `reference_date` (unknown start: yes)."""
    if registered_on is not None and registered_on > reference_date:
        return False
    return removed_on is None or removed_on > reference_date


def age_on(birth_date: date, reference_date: date) -> int:
    """Age in completed years on `reference_date` (a birthday on that day counts)."""
    before_birthday = (reference_date.month, reference_date.day) < (birth_date.month, birth_date.day)
    return reference_date.year - birth_date.year - int(before_birthday)


def size_class(size: int) -> str:
    """Household size class: 1, 2, 3, 4, 5+."""
    return "5+" if size >= 5 else str(max(size, 0))


def age_class(age: int | None) -> str:
    """Age class of the head: -39, 40-64, 65-74, 75+, or "?" when the registry names no head."""
    if age is None:
        return "?"
    for upper, label in AGE_CLASSES:
        if age <= upper:
            return label
    return "75+"


def parse_variables(text: str) -> tuple[str, ...]:
    """Stratification variables from "district,size,age" (any subset, in any order; empty means one stratum)."""
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [name for name in names if name not in STRATUM_VARIABLES]
    if unknown or len(set(names)) != len(names):
        raise SampleError(
            f"層化の変数 {text!r} が読めません。district, size, age から選んでください "
            "(strata variables must be chosen from district, size, age)"
        )
    return tuple(name for name in STRATUM_VARIABLES if name in names)


def stratum_of(unit: FrameUnit, variables: Sequence[str] = STRATUM_VARIABLES) -> str:
    """The stratum key, e.g. "07/2/75+" for district / size class / age class of the head; "all" for none."""
    parts = {"district": unit.district, "size": size_class(unit.size), "age": age_class(unit.head_age)}
    return "/".join(parts[name] for name in variables) or "all"


def stratify(
    frame: Iterable[FrameUnit], variables: Sequence[str] = STRATUM_VARIABLES
) -> dict[str, list[FrameUnit]]:
    """The frame split into strata, each sorted by household id (so sampling does not depend on input order)."""
    strata: dict[str, list[FrameUnit]] = defaultdict(list)
    for unit in frame:
        strata[stratum_of(unit, variables)].append(unit)
    return {key: sorted(units, key=lambda u: u.household_id) for key, units in sorted(strata.items())}


def census(frame: Iterable[FrameUnit], variables: Sequence[str] = STRATUM_VARIABLES) -> list[SampledUnit]:
    """Every household, with probability 1 (strata are kept for tabulation)."""
    return [
        SampledUnit(unit.household_id, key, 1.0)
        for key, units in stratify(frame, variables).items()
        for unit in units
    ]


def allocate(populations: dict[str, int], sample_size: int, *, minimum: int = 2) -> list[Allocation]:
    """Proportional allocation with at least `minimum` per stratum (or the whole stratum when smaller).

    The total is exactly `sample_size`. Raises SampleError when the sample is larger than the frame or
    smaller than the minimums together.
    """
    total = sum(populations.values())
    if sample_size <= 0:
        raise SampleError(f"標本の大きさは1以上にしてください (sample size must be positive: {sample_size})")
    if sample_size > total:
        raise SampleError(
            f"標本の大きさ {sample_size} が母集団の世帯数 {total} を超えています (sample larger than frame)"
        )
    floors = {key: min(minimum, size) for key, size in populations.items()}
    if sample_size < sum(floors.values()):
        raise SampleError(
            f"標本の大きさ {sample_size} では各層の最低数 {minimum} を満たせません"
            f"(層の数 {len(populations)}、必要 {sum(floors.values())})。最低数を下げるか層化の変数を減らしてください"
            " (sample too small for the strata: lower the minimum or use fewer strata variables)"
        )
    ideal = {key: sample_size * size / total for key, size in populations.items()}
    counts = {key: min(populations[key], max(floors[key], math.floor(ideal[key]))) for key in populations}
    # Largest remainder: give the missing units to the strata furthest below their ideal share, and take
    # surplus units (caused by the minimums) from the strata furthest above it. Ties break on the key.
    while (gap := sample_size - sum(counts.values())) != 0:
        if gap > 0:
            open_keys = [key for key in populations if counts[key] < populations[key]]
            key = max(open_keys, key=lambda k: (ideal[k] - counts[k], k))
            counts[key] += 1
        else:
            open_keys = [key for key in populations if counts[key] > floors[key]]
            key = max(open_keys, key=lambda k: (counts[k] - ideal[k], k))
            counts[key] -= 1
    return [Allocation(key, populations[key], counts[key]) for key in sorted(populations)]


def stratified_sample(
    frame: Sequence[FrameUnit],
    sample_size: int,
    *,
    seed: int,
    minimum: int = 2,
    variables: Sequence[str] = STRATUM_VARIABLES,
) -> list[SampledUnit]:
    """A stratified simple random sample of `sample_size` households, reproducible from `seed`."""
    strata = stratify(frame, variables)
    allocations = allocate({key: len(units) for key, units in strata.items()}, sample_size, minimum=minimum)
    selected: list[SampledUnit] = []
    for allocation in allocations:
        if allocation.sample == 0:
            continue
        units = strata[allocation.stratum]
        # A generator per stratum: adding a household to one stratum does not reshuffle the others.
        rng = random.Random(f"{seed}:{allocation.stratum}")  # noqa: S311 - statistical sampling, not secrets
        probability = allocation.sample / allocation.population
        for unit in sorted(rng.sample(units, allocation.sample), key=lambda u: u.household_id):
            selected.append(SampledUnit(unit.household_id, allocation.stratum, probability))
    return selected
