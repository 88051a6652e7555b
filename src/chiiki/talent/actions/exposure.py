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
from chiiki.talent.ranking import CandidatePage, candidate_page, effective_exposure


@transaction.atomic
def show_candidates_for_need(
    need: Need,
    profiles: QuerySet[TalentProfile],
    *,
    by: Actor,
    k: int = 20,
    offset: int = 0,
    day: dt.date | None = None,
    mode: RankingMode = RankingMode.FAIR,
    via_api: bool = False,
) -> CandidatePage:
    """Rank one page as `ranking.candidate_page` and, in the same transaction, count one showing for each
    profile on the page (in either mode: it is exposure all the same) and audit the showing."""
    page = candidate_page(need, profiles, k=k, offset=offset, day=day, mode=mode)
    shown = [r.profile.pk for r in page.results]
    record_exposure(need, shown)
    detail: dict[str, object] = {"mode": mode.value, "offset": offset, "total": page.total, "profiles": shown}
    audit.record(
        "talent.matches_viewed",
        by=by,
        municipality=need.organization.municipality_id,
        object_type="talent_need",
        object_id=need.pk,
        detail={"api": True, **detail} if via_api else detail,
    )
    return page


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
