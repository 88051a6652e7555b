"""Side-job endpoints of the JSON API: the regional figures of the staff dashboard (aggregates only)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.core.permissions import has_permission
from chiiki.sidejob import queries
from chiiki.talent.matching import REGION_OF_PREFECTURE
from chiiki.talent.queries import prefectures_of_region

router = Router(tags=["sidejob"])


class PrefectureHoursOut(Schema):
    prefecture: int
    name: str
    side_job_hours: int


class MonthHoursOut(Schema):
    month: dt.date
    hours: int


class RegionalHoursOut(Schema):
    prefectures: list[PrefectureHoursOut]
    months: list[MonthHoursOut]
    workers_warned: int


@router.get("/dashboard/{code}", response=RegionalHoursOut)
def dashboard(request: HttpRequest, code: str) -> RegionalHoursOut:
    """Side-job hours recorded by employers of the municipality's region over about six months, per prefecture
    and per month, and the workers warned this month; for staff with talent.view_dashboard (the talent bank's
    regional dashboard shows the same figures)."""
    municipality = get_object_or_404(Municipality, code=code)
    if not has_permission(request.user, municipality, "talent.view_dashboard"):
        raise PermissionDenied
    region = REGION_OF_PREFECTURE[int(municipality.prefecture_code)]
    hours = queries.regional_hours(prefectures_of_region(region), as_of=timezone.localdate())
    audit.record(
        "talent.dashboard_viewed", by=Actor.from_request(request), municipality=municipality,
        object_type="sidejob", detail={"api": True},
    )  # fmt: skip
    return RegionalHoursOut(
        prefectures=[
            PrefectureHoursOut(prefecture=c, name=n, side_job_hours=h) for c, n, h in hours.by_prefecture
        ],
        months=[MonthHoursOut(month=m, hours=h) for m, h in hours.by_month],
        workers_warned=hours.workers_warned,
    )
