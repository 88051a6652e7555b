"""Procedures endpoints of the JSON API (session authentication; the pages' permission checks and audit)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.core.permissions import has_permission
from chiiki.procedures import queries

router = Router(tags=["procedures"])


class AllowanceOut(Schema):
    id: int
    code: str
    name: str
    rule_set: str
    reference_date: date
    fiscal_year: int
    parameters: str
    households_by_status: dict[str, int]


class ApplicationOut(Schema):
    receipt_number: str
    procedure: str
    submitted_at: datetime
    status: str
    channel: str
    answers: dict[str, Any]


def _municipality(request: HttpRequest, code: str, permission: str) -> Municipality:
    municipality = get_object_or_404(Municipality, code=code)
    if not has_permission(request.user, municipality, permission):
        raise PermissionDenied
    return municipality


@router.get("/municipalities/{code}/allowances", response=list[AllowanceOut])
def list_allowances(request: HttpRequest, code: str) -> list[AllowanceOut]:
    """Allowances with their rules, dated parameters and how many households are in each status (no personal data)."""
    municipality = _municipality(request, code, "procedures.process")
    return [
        AllowanceOut(
            id=a.pk,
            code=a.code,
            name=a.name,
            rule_set=a.rule_set,
            reference_date=a.reference_date,
            fiscal_year=a.fiscal_year,
            parameters=a.parameters,
            households_by_status={status: n for status, (n, _yen) in queries.status_counts(a).items()},
        )
        for a in queries.allowances(municipality)
    ]


@router.get("/municipalities/{code}/applications", response=list[ApplicationOut])
def list_applications(
    request: HttpRequest, code: str, offset: int = 0, limit: int = 100
) -> list[ApplicationOut]:
    """Received applications with their answers, for an existing core system (audited; at most 500 per call)."""
    municipality = _municipality(request, code, "procedures.process")
    if limit > 500 or limit < 1 or offset < 0:
        raise HttpError(400, "limit は 1〜500、offset は 0 以上です")
    rows = list(queries.applications(municipality)[offset : offset + limit])
    audit.record(
        "procedures.applications_viewed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="application",
        detail={"api": True, "ids": [a.pk for a in rows]},
    )
    return [
        ApplicationOut(
            receipt_number=a.receipt_number or "",
            procedure=a.procedure.code,
            submitted_at=a.submitted_at or a.created_at or timezone.now(),
            status=a.status,
            channel=a.channel,
            answers=a.answers,
        )
        for a in rows
    ]
