"""Read-side queries of the registry. Callers write the audit record for each read of personal data."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from chiiki.core.models import Municipality
from chiiki.registry.models import Household, Person, RegistryUpload


def households(municipality: Municipality, *, district: str = "") -> QuerySet[Household]:
    """Current households of a municipality with their member counts, optionally within one district code."""
    result = (
        Household.objects.filter(municipality=municipality, removed_on__isnull=True)
        .select_related("district")
        .annotate(size=Count("members"))
        .order_by("household_code")
    )
    return result.filter(district__code=district) if district else result


def household(municipality: Municipality, household_id: int) -> Household | None:
    """One household of this municipality (never of another one)."""
    return (
        Household.objects.filter(municipality=municipality, pk=household_id)
        .select_related("district")
        .first()
    )


def members(household: Household) -> QuerySet[Person]:
    """The persons of a household, head first."""
    return household.members.order_by("id")


def recent_uploads(municipality: Municipality, *, limit: int = 20) -> QuerySet[RegistryUpload]:
    """The municipality's latest extract uploads with their job state, newest first."""
    return RegistryUpload.objects.filter(municipality=municipality).order_by("-queued_at")[:limit]
