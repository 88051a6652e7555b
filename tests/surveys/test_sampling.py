"""Frames and samples from the registry: reproducible, exact sizes, correct selection probabilities."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiiki.surveys.sampling import (
    FrameUnit,
    SampleError,
    age_class,
    age_on,
    allocate,
    census,
    is_current,
    parse_variables,
    size_class,
    stratified_sample,
    stratum_of,
)


def make_frame(count: int, seed: int = 7) -> list[FrameUnit]:
    rng = random.Random(seed)
    return [
        FrameUnit(
            household_id=index + 1,
            district=rng.choice(["01", "02"]),
            size=rng.choice([1, 1, 2, 2, 3, 6]),
            head_age=rng.choice([25, 70, 82]),
        )
        for index in range(count)
    ]


def test_a_household_is_current_between_registration_and_removal() -> None:
    day = date(2025, 10, 1)
    assert is_current(None, None, day)
    assert is_current(date(2025, 10, 1), None, day)
    assert not is_current(date(2025, 10, 2), None, day)
    assert not is_current(date(2000, 1, 1), date(2025, 10, 1), day)
    assert is_current(date(2000, 1, 1), date(2025, 10, 2), day)


def test_age_counts_a_birthday_on_the_reference_date() -> None:
    assert age_on(date(1960, 10, 1), date(2025, 10, 1)) == 65
    assert age_on(date(1960, 10, 2), date(2025, 10, 1)) == 64


def test_classes_group_sizes_and_ages() -> None:
    assert [size_class(n) for n in (1, 4, 5, 9)] == ["1", "4", "5+", "5+"]
    assert [age_class(a) for a in (20, 39, 40, 64, 65, 74, 75, None)] == [
        "-39",
        "-39",
        "40-64",
        "40-64",
        "65-74",
        "65-74",
        "75+",
        "?",
    ]
    assert stratum_of(FrameUnit(1, "07", 2, 80)) == "07/2/75+"


def test_a_census_takes_every_household_with_probability_one() -> None:
    frame = make_frame(50)
    cases = census(frame)
    assert sorted(c.household_id for c in cases) == list(range(1, 51))
    assert all(c.probability == 1.0 for c in cases)


def test_the_same_seed_gives_the_same_sample_whatever_the_frame_order() -> None:
    frame = make_frame(300)
    first = stratified_sample(frame, 80, seed=42)
    shuffled = list(frame)
    random.Random(1).shuffle(shuffled)
    assert stratified_sample(shuffled, 80, seed=42) == first


def test_another_seed_gives_another_sample() -> None:
    frame = make_frame(300)
    one = {c.household_id for c in stratified_sample(frame, 80, seed=1)}
    two = {c.household_id for c in stratified_sample(frame, 80, seed=2)}
    assert one != two


def test_probabilities_sum_to_the_sample_size_in_every_stratum() -> None:
    frame = make_frame(400)
    sample = stratified_sample(frame, 120, seed=3, minimum=2)
    assert len(sample) == 120
    assert len({c.household_id for c in sample}) == 120
    population = Counter(stratum_of(u) for u in frame)
    drawn = Counter(c.stratum for c in sample)
    for stratum, size in population.items():
        in_stratum = [c for c in sample if c.stratum == stratum]
        # Horvitz-Thompson: the inverse probabilities of the drawn units add up to the stratum size.
        assert sum(1 / c.probability for c in in_stratum) == pytest.approx(size)
        # Every unit of the stratum has the same probability; over the stratum they add up to its sample size.
        assert {c.probability for c in in_stratum} == {drawn[stratum] / size}
        assert in_stratum[0].probability * size == pytest.approx(drawn[stratum])
        assert drawn[stratum] >= min(2, size)


def test_a_sample_larger_than_the_frame_is_refused() -> None:
    with pytest.raises(SampleError, match="母集団"):
        stratified_sample(make_frame(10), 11, seed=1)


def test_a_sample_too_small_for_the_minimums_is_refused() -> None:
    with pytest.raises(SampleError, match="最低数"):
        allocate({"a": 10, "b": 10, "c": 10}, 5, minimum=2)


@settings(max_examples=200, deadline=None)
@given(
    populations=st.dictionaries(st.text("abc", min_size=1, max_size=3), st.integers(1, 60), min_size=1),
    fraction=st.floats(0.0, 1.0),
    minimum=st.integers(0, 3),
)
def test_allocation_is_exact_and_respects_bounds(
    populations: dict[str, int], fraction: float, minimum: int
) -> None:
    total = sum(populations.values())
    floors = sum(min(minimum, n) for n in populations.values())
    size = max(1, floors, round(total * fraction))
    if size > total:
        return
    allocation = allocate(populations, size, minimum=minimum)
    assert sum(a.sample for a in allocation) == size
    for a in allocation:
        assert min(minimum, a.population) <= a.sample <= a.population


def test_strata_can_use_a_subset_of_the_variables() -> None:
    unit = FrameUnit(1, "07", 2, 80)
    assert stratum_of(unit, parse_variables("age, district")) == "07/75+"
    assert stratum_of(unit, parse_variables("")) == "all"
    frame = make_frame(200)
    sample = stratified_sample(frame, 30, seed=5, variables=parse_variables("district"))
    assert {c.stratum for c in sample} == {"01", "02"}
    assert len(sample) == 30


def test_unknown_strata_variables_are_refused() -> None:
    for text in ["ward", "district,district"]:
        with pytest.raises(SampleError, match="層化の変数"):
            parse_variables(text)
