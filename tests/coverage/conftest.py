"""Coverage fixtures: town A with representative points for its districts and an extent."""

from __future__ import annotations

import pytest

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.coverage.actions import PlaceInput, set_places
from chiiki.coverage.grid import Extent
from chiiki.registry.models import District

# A box in the hills north of 府中町 (test data; not the town's real extent).
EXTENT = Extent(34.38, 132.48, 34.44, 132.56)


@pytest.fixture
def placed_town(town_a: Municipality) -> Municipality:
    """Town A whose districts each have a point inside EXTENT, spread on a line south-west to north-east."""
    codes = list(District.objects.filter(municipality=town_a).order_by("code").values_list("code", flat=True))
    places = [PlaceInput(code, 34.385 + i * 0.0025, 132.485 + i * 0.0035) for i, code in enumerate(codes)]
    set_places(town_a, places, EXTENT, source="test", by=Actor.system("test"))
    return town_a
