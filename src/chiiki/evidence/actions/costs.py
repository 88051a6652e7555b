"""The unit costs (yen) of a survey's field work, used by the next evidence run."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.evidence import queries
from chiiki.evidence.actions._common import EvidenceError, require
from chiiki.evidence.models import SurveyCosts

if TYPE_CHECKING:
    from chiiki.core.acting import Actor
    from chiiki.surveys.models import Survey


@transaction.atomic
def set_costs(survey: Survey, costs: Mapping[str, float], *, by: Actor) -> SurveyCosts:
    """Set the unit costs (yen) of a survey's field work; unknown keys and negative costs are refused."""
    require(by, survey.municipality_id)
    unknown = set(costs) - set(queries.DEFAULT_COSTS)
    if unknown:
        raise EvidenceError(f"知らない費用の項目です: {', '.join(sorted(unknown))} (unknown cost items)")
    if any(float(v) < 0 or not math.isfinite(float(v)) for v in costs.values()):
        raise EvidenceError("費用は 0 以上の数にしてください (costs must be non-negative numbers)")
    row, _ = SurveyCosts.objects.update_or_create(
        survey=survey,
        defaults={
            "costs": {k: float(v) for k, v in costs.items()},
            "updated_at": timezone.now(),
            "updated_by": by.user,
        },
    )
    audit.record(
        "evidence.costs_set",
        by=by,
        municipality=survey.municipality_id,
        object_type="survey",
        object_id=survey.pk,
        detail={"costs": row.costs},
    )
    return row
