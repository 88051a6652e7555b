"""Registry endpoints of the JSON API (session authentication; same permission check and audit as the pages)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.core.permissions import has_permission
from chiiki.registry import queries

router = Router(tags=["registry"])


class HouseholdOut(Schema):
    id: int
    household_code: str
    district: str
    address: str
    size: int


class PersonOut(Schema):
    id: int
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    sex: str
    birth_date: date
    relationship: str


MAX_OFFSET = 2**31 - 1


def _municipality(request: HttpRequest, code: str) -> Municipality:
    municipality = get_object_or_404(Municipality, code=code)
    if not has_permission(request.user, municipality, "registry.view"):
        raise PermissionDenied
    return municipality


@router.get("/municipalities/{code}/households", response=list[HouseholdOut])
def list_households(request: HttpRequest, code: str, offset: int = 0, limit: int = 100) -> list[HouseholdOut]:
    """Households of a municipality (at most 500 per call)."""
    municipality = _municipality(request, code)
    # An offset beyond the database's integer is an overflow (a server error), never a page of rows.
    if limit > 500 or limit < 1 or not 0 <= offset <= MAX_OFFSET:
        raise HttpError(400, f"limit は 1〜500、offset は 0〜{MAX_OFFSET} です")
    rows = list(queries.households(municipality)[offset : offset + limit])
    audit.record(
        "registry.households_viewed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="household",
        detail={"api": True, "ids": [h.pk for h in rows]},
    )
    return [
        HouseholdOut(
            id=h.pk,
            household_code=h.household_code,
            district=h.district.name,
            address=h.address,
            size=h.size,  # type: ignore[attr-defined]  # annotated by queries.households
        )
        for h in rows
    ]


@router.get("/municipalities/{code}/households/{household_id}/members", response=list[PersonOut])
def household_members(request: HttpRequest, code: str, household_id: int) -> list[PersonOut]:
    """Members of one household."""
    municipality = _municipality(request, code)
    household = queries.household(municipality, household_id)
    if household is None:
        raise HttpError(404, "世帯が見つかりません")
    audit.record(
        "registry.household_viewed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="household",
        object_id=household.pk,
        detail={"api": True},
    )
    return [PersonOut.model_validate(p, from_attributes=True) for p in queries.members(household)]
