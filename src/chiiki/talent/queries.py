"""Read-side queries of the talent bank: search, introductions, organizations and the regional dashboard.

Callers write the audit record for each read of personal data (a profile opened by an organization).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from chiiki.talent.access import organizations_for, profile_of
from chiiki.talent.matching import PREFECTURES, REGION_NAMES, REGION_OF_PREFECTURE
from chiiki.talent.models import Introduction, Need, Organization, TalentProfile

if TYPE_CHECKING:
    from chiiki.talent.access import Viewer

KIND_FIELDS = {
    "digital": "is_digital_talent",
    "mentor": "is_mentor",
    "management": "is_management",
    "side_job": "is_side_job",
}


def prefectures_of_region(region: int) -> list[int]:
    """JIS codes of the prefectures in one of the eight regions (0 北海道 … 5 中国 … 7 九州・沖縄)."""
    return [code for code in range(1, 48) if REGION_OF_PREFECTURE[code] == region]


def search_profiles(
    profiles: QuerySet[TalentProfile],
    *,
    kind: str = "",
    prefecture: int | None = None,
    role: str = "",
    skill: str = "",
    min_level: int = 1,
    remote: bool = False,
    max_fee: int | None = None,
    text: str = "",
) -> QuerySet[TalentProfile]:
    """Filter `profiles` (already limited to what the viewer may list)."""
    result = profiles
    if kind in KIND_FIELDS:
        result = result.filter(**{KIND_FIELDS[kind]: True})
    if prefecture:
        result = result.filter(home_prefecture=prefecture)
    if role:
        result = result.filter(primary_role=role)
    if skill:
        result = result.filter(skills__skill_id=skill, skills__declared__gte=min_level)
    if remote:
        result = result.filter(remote_ok=True)
    if max_fee is not None:
        result = result.filter(fee_min_per_hour__lte=max_fee)
    if text:
        result = result.filter(Q(display_name__icontains=text) | Q(headline__icontains=text))
    return result.distinct().order_by("id")


def search_needs(
    *,
    kind: int | None = None,
    prefecture: int | None = None,
    role: str = "",
    remote: bool = False,
    text: str = "",
    include_closed: bool = False,
) -> QuerySet[Need]:
    """Needs are public: anyone may browse open needs with filters."""
    result = Need.objects.select_related("organization")
    if not include_closed:
        result = result.filter(status=Need.Status.OPEN)
    if kind is not None:
        result = result.filter(kind=kind)
    if prefecture:
        result = result.filter(prefecture=prefecture)
    if role:
        result = result.filter(role_id=role)
    if remote:
        result = result.filter(work_mode=Need.WorkMode.REMOTE)
    if text:
        result = result.filter(Q(title__icontains=text) | Q(description__icontains=text))
    return result


# --- regional dashboard ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DashboardRow:
    """One prefecture's figures."""

    prefecture: int
    name: str
    supply: dict[str, int]
    demand: dict[int, int]
    matches: int

    @property
    def supply_total(self) -> int:
        return self.supply.get("total", 0)

    @property
    def demand_total(self) -> int:
        return sum(self.demand.values())


@dataclass(slots=True)
class Dashboard:
    """Supply and demand by role and prefecture in one region, and matches made (aggregates)."""

    region: int
    region_name: str
    rows: list[DashboardRow]
    supply_by_role: list[tuple[str, int, int]]  # role id, profiles with it as main role, open needs for it
    max_value: int = field(default=1)


def dashboard(region: int) -> Dashboard:
    """Figures for the prefectures of `region` (no personal data: counts only)."""
    codes = prefectures_of_region(region)
    supply, demand, matches = _supply(codes), _demand(codes), _matches(codes)
    rows = [
        DashboardRow(code, PREFECTURES[code - 1], supply[code], demand[code], matches[code]) for code in codes
    ]
    result = Dashboard(
        region=region, region_name=REGION_NAMES[region], rows=rows, supply_by_role=_supply_by_role(codes)
    )
    result.max_value = max([1, *(r.supply_total for r in rows), *(r.demand_total for r in rows)])
    return result


def _supply(codes: list[int]) -> dict[int, dict[str, int]]:
    """Active profiles per prefecture of residence, in all and per capacity."""
    supply: dict[int, dict[str, int]] = defaultdict(dict)
    kind_counts = TalentProfile.objects.filter(home_prefecture__in=codes, user__is_active=True).values(
        "home_prefecture"
    )
    aggregates = {name: Count("id", filter=Q(**{f: True})) for name, f in KIND_FIELDS.items()}
    for row in kind_counts.annotate(total=Count("id"), **aggregates):
        supply[row["home_prefecture"]] = {k: row[k] for k in ("total", *KIND_FIELDS)}
    return supply


def _demand(codes: list[int]) -> dict[int, dict[int, int]]:
    """Open needs per prefecture and kind."""
    demand: dict[int, dict[int, int]] = defaultdict(dict)
    for row in (
        Need.objects.filter(prefecture__in=codes, status=Need.Status.OPEN)
        .values("prefecture", "kind")
        .annotate(n=Count("id"))
    ):
        demand[row["prefecture"]][row["kind"]] = row["n"]
    return demand


def _matches(codes: list[int]) -> dict[int, int]:
    """Introductions both sides accepted, per prefecture of the organization."""
    rows = (
        Introduction.objects.filter(
            organization__prefecture__in=codes,
            declined_at__isnull=True,
            organization_accepted_at__isnull=False,
            talent_accepted_at__isnull=False,
        )
        .values("organization__prefecture")
        .annotate(n=Count("id"))
    )
    matches: dict[int, int] = defaultdict(int)
    for row in rows:
        matches[row["organization__prefecture"]] = row["n"]
    return matches


def _supply_by_role(codes: list[int]) -> list[tuple[str, int, int]]:
    """Per DSS-P role: profiles with it as their main role and open needs asking for it, busiest first."""
    roles: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in (
        TalentProfile.objects.filter(home_prefecture__in=codes)
        .exclude(primary_role="")
        .values("primary_role")
        .annotate(n=Count("id"))
    ):
        roles[row["primary_role"]][0] = row["n"]
    for row in (
        Need.objects.filter(prefecture__in=codes, status=Need.Status.OPEN)
        .exclude(role_id="")
        .values("role_id")
        .annotate(n=Count("id"))
    ):
        roles[row["role_id"]][1] = row["n"]
    return sorted(((r, s, d) for r, (s, d) in roles.items()), key=lambda t: (-t[1] - t[2], t[0]))


def accepted_introductions(organization: Organization) -> list[Introduction]:
    """The organization's introductions both sides accepted (contact details are shown), newest first."""
    return [i for i in organization.introductions.select_related("profile", "need") if i.accepted]


def prefecture_label(code: int) -> str:
    """The prefecture's name for a JIS code (empty when out of range)."""
    return PREFECTURES[code - 1] if 1 <= code <= 47 else ""


def introductions_for(user: Viewer) -> tuple[QuerySet[Introduction], QuerySet[Introduction]]:
    """The viewer's introductions as a person, and those of the organizations the viewer acts for."""
    profile = profile_of(user)
    mine = Introduction.objects.filter(profile=profile) if profile else Introduction.objects.none()
    for_orgs = Introduction.objects.filter(organization__in=organizations_for(user))
    return (
        mine.select_related("organization", "need"),
        for_orgs.select_related("profile", "need", "organization"),
    )


def organizations_to_verify(prefecture: int) -> QuerySet[Organization]:
    """Companies and startups of a prefecture, unverified first (municipal organizations need no check)."""
    return (
        Organization.objects.filter(prefecture=prefecture)
        .exclude(kind=Organization.Kind.MUNICIPALITY)
        .order_by("verified", "name")
    )
