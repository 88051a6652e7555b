"""Cyber endpoints of the JSON API (session authentication; the same TLP rule and audit as the pages)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.core.permissions import has_permission
from chiiki.cyber import queries

router = Router(tags=["cyber"])


class AlertOut(Schema):
    id: int
    body: str
    asset: str
    advisory: str
    title: str
    tlp: str
    cvss_score: float | None
    matched_via: str
    matched_range: str
    status: str
    resolution: str
    created_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None


@router.get("/municipalities/{code}/alerts", response=list[AlertOut])
def list_alerts(request: HttpRequest, code: str) -> list[AlertOut]:
    """The alerts the caller may see under TLP 2.0 (at most 500, open first)."""
    municipality = get_object_or_404(Municipality, code=code)
    if not has_permission(request.user, municipality, "cyber.respond"):
        raise PermissionDenied
    alerts = list(queries.visible_alerts(request.user, municipality)[:500])
    audit.record(
        "cyber.alerts_viewed", by=Actor.from_request(request), municipality=municipality,
        object_type="cyber_alert", detail={"api": True, "ids": [a.pk for a in alerts]},
    )  # fmt: skip
    return [
        AlertOut(
            id=a.pk, body=a.body.name, asset=str(a.asset), advisory=a.advisory.identifier, title=a.advisory.title,
            tlp=a.advisory.tlp, cvss_score=a.advisory.cvss_score, matched_via=a.matched_via,
            matched_range=a.matched_range, status=a.status, resolution=a.resolution, created_at=a.created_at,
            acknowledged_at=a.acknowledged_at, closed_at=a.closed_at,
        )
        for a in alerts
    ]  # fmt: skip
