"""Assignment of follow-up households to enumerators, balanced by workload."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiiki.fieldwork.balancing import DistrictWork, balance


def _districts(sizes: list[int]) -> list[DistrictWork]:
    start = 0
    result = []
    for number, size in enumerate(sizes, start=1):
        result.append(DistrictWork(number, tuple(range(start, start + size))))
        start += size
    return result


def test_small_districts_stay_whole_and_loads_are_even() -> None:
    areas = balance(_districts([5, 4, 3, 3, 2, 1]), [10, 20])
    assert sorted(a.load for a in areas) == [9, 9]
    for area in areas:
        assert len(area.district_ids) == len(set(area.district_ids))
    # no district is split between the two enumerators
    assert not set(areas[0].district_ids) & set(areas[1].district_ids)


def test_a_district_larger_than_the_fair_share_is_cut_in_address_order() -> None:
    areas = balance(_districts([10, 1]), [1, 2])
    assert sorted(a.load for a in areas) == [5, 6]
    first = next(a for a in areas if 1 in a.district_ids and a.households[0] == 0)
    assert first.households[:6] == [0, 1, 2, 3, 4, 5]  # one consecutive run


def test_an_enumerator_already_busy_elsewhere_gets_less() -> None:
    areas = balance(_districts([2, 2, 2, 2]), [1, 2], current_load={1: 4})
    loads = {a.enumerator_id: a.load for a in areas}
    assert loads == {1: 2, 2: 6}


def test_it_refuses_no_enumerators_and_duplicates() -> None:
    with pytest.raises(ValueError, match="no enumerators"):
        balance(_districts([1]), [])
    with pytest.raises(ValueError, match="twice"):
        balance(_districts([1]), [1, 1])


@given(
    st.lists(st.integers(min_value=0, max_value=40), max_size=15),
    st.integers(min_value=1, max_value=6),
)
def test_every_household_is_assigned_once_and_loads_differ_by_at_most_one_piece(
    sizes: list[int], enumerators: int
) -> None:
    areas = balance(_districts(sizes), list(range(1, enumerators + 1)))
    assigned = [h for a in areas for h in a.households]
    assert sorted(assigned) == list(range(sum(sizes)))
    share = -(-sum(sizes) // enumerators) if sum(sizes) else 0
    loads = [a.load for a in areas]
    # Pieces are at most one fair share, and the least loaded enumerator always gets the next piece.
    assert max(loads) - min(loads) <= max(share, 1)
