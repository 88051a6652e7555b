"""Workload-balanced assignment of follow-up households to enumerators. Django-free.

Enumerator districts are built from registry districts: a district is kept whole when it fits one enumerator's
fair share (an enumerator walks one area, not scattered houses), and a district larger than the fair share is
cut into consecutive runs of households (in address order) of at most that share. The pieces are then given out
largest first, each to the enumerator with the least work so far (longest-processing-time rule), so no
enumerator carries more than the fair share plus one piece more than another.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["Area", "DistrictWork", "balance"]


@dataclass(frozen=True, slots=True)
class DistrictWork:
    """The households to visit in one registry district, in walking (address) order."""

    district_id: int
    households: tuple[int, ...]


@dataclass(slots=True)
class Area:
    """An enumerator district: pieces of registry districts given to one enumerator."""

    enumerator_id: int
    district_ids: list[int] = field(default_factory=list)
    households: list[int] = field(default_factory=list)

    @property
    def load(self) -> int:
        return len(self.households)


def _pieces(districts: Sequence[DistrictWork], share: int) -> list[DistrictWork]:
    pieces: list[DistrictWork] = []
    for district in districts:
        if not district.households:
            continue
        for start in range(0, len(district.households), share):
            pieces.append(DistrictWork(district.district_id, district.households[start : start + share]))
    return pieces


def balance(
    districts: Sequence[DistrictWork],
    enumerator_ids: Sequence[int],
    *,
    current_load: dict[int, int] | None = None,
) -> list[Area]:
    """Group the districts' households into one area per enumerator, balancing the number of households.

    `current_load` counts households an enumerator already has (from other surveys) so that they get less.
    Deterministic: ties go to the lower enumerator id, pieces of equal size keep district order.
    """
    if not enumerator_ids:
        raise ValueError("no enumerators to assign to")
    if len(set(enumerator_ids)) != len(enumerator_ids):
        raise ValueError("an enumerator is listed twice")
    load = {e: (current_load or {}).get(e, 0) for e in enumerator_ids}
    total = sum(len(d.households) for d in districts)
    share = max(1, math.ceil((total + sum(load.values())) / len(enumerator_ids)))
    areas = {e: Area(e) for e in enumerator_ids}
    pieces = _pieces(districts, share)
    order = sorted(range(len(pieces)), key=lambda i: (-len(pieces[i].households), i))
    for index in order:
        piece = pieces[index]
        enumerator = min(enumerator_ids, key=lambda e: (load[e], e))
        area = areas[enumerator]
        if piece.district_id not in area.district_ids:
            area.district_ids.append(piece.district_id)
        area.households.extend(piece.households)
        load[enumerator] += len(piece.households)
    return [areas[e] for e in enumerator_ids]
