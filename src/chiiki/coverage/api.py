"""Coverage endpoints of the JSON API (session authentication; the same permission check as the pages).

Only aggregates leave through here: cells with their status and area coverage, never a report's place.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from chiiki.core.models import Municipality
from chiiki.core.permissions import has_permission
from chiiki.coverage import queries

router = Router(tags=["coverage"])


class CellOut(Schema):
    mesh: str
    carrier: str
    technology: str
    status: str
    evidence: str
    samples: int
    reporters: int | None  # withheld (null) below the small-count threshold
    reports: int | None


class AreaCoverageOut(Schema):
    carrier: str
    technology: str
    population: int
    lower_percent: float | None
    upper_percent: float | None
    target_area: str | None
    target_fiscal_year: int | None
    target_percent: float | None
    target_verified: bool | None
    verdict: str


def _municipality(request: HttpRequest, code: str) -> Municipality:
    municipality = get_object_or_404(Municipality, code=code)
    if not has_permission(request.user, municipality, "coverage.manage"):
        raise PermissionDenied
    return municipality


@router.get("/municipalities/{code}/cells", response=list[CellOut])
def cells(request: HttpRequest, code: str, level: int = 5) -> list[CellOut]:
    """Cells with evidence at level 4 (500 m) or 5 (250 m), per carrier and technology."""
    municipality = _municipality(request, code)
    if level not in (4, 5):
        raise HttpError(400, "level は 4(500m)か 5(250m)です")
    frame = queries.published_cells(municipality, level=level)
    return [CellOut(**row) for row in frame.iter_rows(named=True)]


@router.get("/municipalities/{code}/coverage", response=list[AreaCoverageOut])
def coverage(request: HttpRequest, code: str) -> list[AreaCoverageOut]:
    """Population coverage per carrier and technology against the target in force."""
    municipality = _municipality(request, code)
    rows, _grid = queries.area_coverage(municipality)
    return [
        AreaCoverageOut(
            carrier=r.carrier,
            technology=r.technology,
            population=r.population,
            lower_percent=r.lower_percent,
            upper_percent=r.upper_percent,
            target_area=r.target.area_name if r.target else None,
            target_fiscal_year=r.target.fiscal_year if r.target else None,
            target_percent=r.target.target_percent if r.target else None,
            target_verified=r.target.verified if r.target else None,
            verdict=r.verdict,
        )
        for r in rows
    ]
