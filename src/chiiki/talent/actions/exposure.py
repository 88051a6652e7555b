"""Showing a need's candidate list to its organization: rank, count one showing of each profile placed in the
list in the fair-exposure ledger, and audit who saw which profiles. The ranking itself is read-only
(chiiki.talent.ranking); only the ledger is written here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.talent.matching import RankingMode
from chiiki.talent.models import Exposure, Need, TalentProfile
from chiiki.talent.ranking import ProfileMatch, candidates_for_need, effective_exposure


@transaction.atomic
def show_candidates_for_need(
    need: Need,
    profiles: QuerySet[TalentProfile],
    *,
    by: Actor,
    k: int = 20,
    day: dt.date | None = None,
    mode: RankingMode = RankingMode.FAIR,
    via_api: bool = False,
) -> list[ProfileMatch]:
    """Rank as `ranking.candidates_for_need` and, in the same transaction, count one showing for each profile
    placed in the list (in either mode: it is exposure all the same) and audit the showing."""
    results = candidates_for_need(need, profiles, k=k, day=day, mode=mode)
    record_exposure(need, [r.profile.pk for r in results])
    detail = {"mode": mode.value, "profiles": [r.profile.pk for r in results]}
    audit.record(
        "talent.matches_viewed",
        by=by,
        municipality=need.organization.municipality_id,
        object_type="talent_need",
        object_id=need.pk,
        detail={"api": True, **detail} if via_api else detail,
    )
    return results


def record_exposure(need: Need, profile_ids: Sequence[int]) -> None:
    """Count one showing for each profile in `need`'s ledger (decayed first), locking the rows it changes.
    Part of showing a list, so no audit record of its own; touches at most len(profile_ids) rows."""
    if not profile_ids:
        return
    now = timezone.now()
    rows = {
        e.profile_id: e
        for e in Exposure.objects.select_for_update().filter(need=need, profile_id__in=list(profile_ids))
    }
    for row in rows.values():
        row.times_shown = effective_exposure(row.times_shown, row.last_shown, now) + 1
        row.last_shown = now
    Exposure.objects.bulk_update(list(rows.values()), ["times_shown", "last_shown"])
    Exposure.objects.bulk_create(
        [
            Exposure(need=need, profile_id=pid, times_shown=1, last_shown=now)
            for pid in profile_ids
            if pid not in rows
        ],
        ignore_conflicts=True,  # a concurrent first showing of the same profile: one count may be lost, no error
    )
