"""The regional dashboard of municipal staff: aggregates only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.core.permissions import has_permission
from chiiki.talent import queries, signals, skills
from chiiki.talent.matching import REGION_OF_PREFECTURE
from chiiki.talent.models import Need


@municipality_permission("talent.view_dashboard")
def dashboard(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Supply and demand by role and prefecture in the municipality's region, matches made, and what the apps
    built on the talent bank add (side-job hours)."""
    region = REGION_OF_PREFECTURE[int(municipality.prefecture_code)]
    today = timezone.localdate()
    data = queries.dashboard(region)
    audit.record(
        "talent.dashboard_viewed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="talent",
    )
    return render(
        request,
        "talent/dashboard.html",
        {
            "municipality": municipality,
            "data": data,
            "kinds": Need.Kind.choices,
            "role_rows": [(skills.role_name(r), s, d) for r, s, d in data.supply_by_role],
            "own_prefecture": int(municipality.prefecture_code),
            # Only offer the links this user may follow: an auditor sees the figures, not a 403 page.
            "can_post_need": has_permission(request.user, municipality, "talent.post_need"),
            "can_verify": has_permission(request.user, municipality, "talent.verify_organization"),
            "sections": signals.page_sections(
                signals.dashboard_sections,
                municipality=municipality,
                prefectures=queries.prefectures_of_region(region),
                as_of=today,
            ),
        },
    )
