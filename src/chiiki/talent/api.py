"""Talent bank endpoints of the JSON API: the same access rules, actions and audit as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.core.permissions import has_permission
from chiiki.talent import actions, queries, ranking, skills
from chiiki.talent.access import can_act_for, listable_profiles, profile_of, side_of, visible_sections
from chiiki.talent.matching import REGION_OF_PREFECTURE, Match, RankingMode
from chiiki.talent.models import Introduction, Need, TalentProfile

router = Router(tags=["talent"])


class RoleOut(Schema):
    id: str
    name_ja: str
    required: dict[str, str]
    # False until the role's row was checked against the official table: its levels are only a guide.
    matrix_verified: bool


class StandardOut(Schema):
    tag: str
    title_ja: str
    source_document: str
    skills: int
    roles: int
    matrix_verified: bool
    notice: str


class ProfileOut(Schema):
    id: int
    display_name: str
    kinds: list[str]
    headline: str
    home_prefecture: int
    primary_role: str
    skills: dict[str, str] | None = None
    evidence_tiers: dict[str, str] | None = None
    hours_per_month: int | None = None
    remote_ok: bool | None = None
    on_site_ok: bool | None = None
    available_from: dt.date | None = None
    fee_min_per_hour: int | None = None


class NeedOut(Schema):
    id: int
    organization: str
    organization_verified: bool
    kind: int
    title: str
    role_id: str
    required: dict[str, str]
    standard: str
    hours_per_month: int
    work_mode: int
    prefecture: int
    budget_per_hour: int
    start_on: dt.date
    status: str


class MatchOut(Schema):
    rank: int
    profile_id: int
    need_id: int
    score: int
    # The order used: "fair" (exposure-adjusted within the tolerance) or "exact" (score only).
    mode: str = "exact"
    adjusted_score: int = 0
    skills_met: list[str]
    skills_short: list[str]
    evidence_strength: float
    explanation_ja: str


class IntroductionIn(Schema):
    profile_id: int
    need_id: int
    message: str = ""


class IntroductionOut(Schema):
    id: int
    profile_id: int
    organization_id: int
    need_id: int | None
    state: str
    accepted: bool
    contact: dict[str, str] | None = None


class DashboardRowOut(Schema):
    prefecture: int
    name: str
    supply: dict[str, int]
    demand: dict[str, int]
    matches: int


def _profile_out(profile: TalentProfile, sections: set[str]) -> ProfileOut:
    out = ProfileOut(
        id=profile.pk,
        display_name=profile.display_name,
        kinds=profile.kinds_ja(),
        headline=profile.headline,
        home_prefecture=profile.home_prefecture,
        primary_role=profile.primary_role,
    )
    if "skills" in sections:
        rows = list(profile.skills.all())
        out.skills = {s.skill_id: "zdcba"[s.declared] for s in rows}
        out.evidence_tiers = {s.skill_id: skills.TIER_JA[s.tier] for s in rows}
    if "availability" in sections:
        out.hours_per_month, out.remote_ok, out.on_site_ok = (
            profile.hours_per_month,
            profile.remote_ok,
            profile.on_site_ok,
        )
        out.available_from = profile.available_from
    if "fees" in sections:
        out.fee_min_per_hour = profile.fee_min_per_hour
    return out


def _need_out(need: Need) -> NeedOut:
    return NeedOut(
        id=need.pk,
        organization=need.organization.name,
        organization_verified=need.organization.verified,
        kind=need.kind,
        title=need.title,
        role_id=need.role_id,
        required=need.required,
        standard=need.standard_tag,
        hours_per_month=need.hours_per_month,
        work_mode=need.work_mode,
        prefecture=need.prefecture,
        budget_per_hour=need.budget_per_hour,
        start_on=need.start_on,
        status=need.status,
    )


def _match_out(match: Match, *, show_skills: bool = True, mode: str = "exact") -> MatchOut:
    e = match.explanation
    return MatchOut(
        rank=match.rank,
        profile_id=match.profile_id,
        need_id=match.need_id,
        score=match.score,
        mode=mode,
        adjusted_score=match.adjusted_score,
        skills_met=[f.describe_ja() for f in e.skills_met] if e and show_skills else [],
        skills_short=[f.describe_ja() for f in e.skills_short] if e and show_skills else [],
        evidence_strength=e.evidence_strength if e and show_skills else 0.0,
        explanation_ja=e.summary_ja() if e and show_skills else "",
    )


# Beyond this an offset only overflows the database's integer (a server error on PostgreSQL), never finds rows.
MAX_OFFSET = 1_000_000


@router.get("/standard", response=StandardOut, auth=None)
def standard_in_use(request: HttpRequest) -> StandardOut:
    """The skill-standard version profiles and needs are assessed against, and whether its role table is verified."""
    standard = skills.current_standard()
    notice = (
        "" if standard.matrix_verified else "role x skill levels not yet verified against the official table"
    )
    return StandardOut(
        tag=standard.tag,
        title_ja=standard.title_ja,
        source_document=standard.source_document,
        skills=len(standard.skills),
        roles=len(standard.roles),
        matrix_verified=standard.matrix_verified,
        notice=notice,
    )


@router.get("/standard/roles", response=list[RoleOut], auth=None)
def standard_roles(request: HttpRequest) -> list[RoleOut]:
    """DSS-P roles with the level each requires per skill item (non-z items only)."""
    return [
        RoleOut(
            id=r.id,
            name_ja=r.name_ja,
            required={k: v.code for k, v in r.required.items() if v > 0},
            matrix_verified=r.matrix_verified,
        )
        for r in skills.current_standard().roles
    ]


@router.get("/profiles", response=list[ProfileOut], auth=None)
def list_profiles(
    request: HttpRequest,
    kind: str = "",
    prefecture: int | None = None,
    role: str = "",
    skill: str = "",
    min_level: int = 1,
    remote: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> list[ProfileOut]:
    """Profiles the caller may list, with only the sections the caller may see."""
    if not 1 <= limit <= 200 or not 0 <= offset <= MAX_OFFSET:
        raise HttpError(400, "limit は 1〜200、offset は 0〜1000000 です")
    rows = list(
        queries.search_profiles(
            listable_profiles(request.user), kind=kind, prefecture=prefecture, role=role, skill=skill,
            min_level=min_level, remote=remote,
        )[offset : offset + limit]
    )  # fmt: skip
    if request.user.is_authenticated:
        audit.record(
            "talent.profiles_searched",
            by=Actor.from_request(request),
            object_type="talent_profile",
            detail={"api": True, "ids": [p.pk for p in rows]},
        )
    return [_profile_out(p, visible_sections(p, request.user)) for p in rows]


@router.get("/profiles/{profile_id}", response=ProfileOut, auth=None)
def get_profile(request: HttpRequest, profile_id: int) -> ProfileOut:
    """One profile's visible sections."""
    profile = get_object_or_404(TalentProfile, pk=profile_id, user__is_active=True)
    sections = visible_sections(profile, request.user)
    if not sections:
        raise HttpError(404, "見つかりません (not found)")
    if request.user.is_authenticated and profile.user_id != request.user.pk:
        audit.record(
            "talent.profile_viewed", by=Actor.from_request(request), object_type="talent_profile",
            object_id=profile.pk, detail={"api": True},
        )  # fmt: skip
    return _profile_out(profile, sections)


@router.get("/needs", response=list[NeedOut], auth=None)
def list_needs(
    request: HttpRequest,
    kind: int | None = None,
    prefecture: int | None = None,
    role: str = "",
    remote: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> list[NeedOut]:
    """Open needs (public)."""
    if not 1 <= limit <= 200 or not 0 <= offset <= MAX_OFFSET:
        raise HttpError(400, "limit は 1〜200、offset は 0〜1000000 です")
    rows = queries.search_needs(kind=kind, prefecture=prefecture, role=role, remote=remote)[
        offset : offset + limit
    ]
    return [_need_out(n) for n in rows]


@router.get("/needs/{need_id}", response=NeedOut, auth=None)
def get_need(request: HttpRequest, need_id: int) -> NeedOut:
    """One need (public)."""
    return _need_out(get_object_or_404(Need.objects.select_related("organization"), pk=need_id))


@router.get("/needs/{need_id}/matches", response=list[MatchOut])
def need_matches(
    request: HttpRequest,
    response: HttpResponse,
    need_id: int,
    k: int = 20,
    offset: int = 0,
    mode: str = "fair",
) -> list[MatchOut]:
    """Candidates for a need with explanations; only for the people acting for the need's organization.
    `k` candidates after the first `offset` (a page; `rank` counts from the top), and the response header
    `X-Total-Count` says how many candidates meet the need's requirements in all. `mode` "fair" (default) lets
    less-shown profiles within the tolerance move up; "exact" orders by score only. Every item says which mode
    ordered it; the profiles returned are counted as shown."""
    need = get_object_or_404(Need.objects.select_related("organization"), pk=need_id)
    if not can_act_for(request.user, need.organization):
        raise PermissionDenied
    if not 1 <= k <= 100:
        raise HttpError(400, "k は 1〜100 です")
    if not 0 <= offset <= MAX_OFFSET:
        raise HttpError(400, "offset は 0〜1000000 です")
    if mode not in {m.value for m in RankingMode}:
        raise HttpError(400, "mode は fair または exact です (mode must be fair or exact)")
    shown = actions.show_candidates_for_need(
        need,
        listable_profiles(request.user).exclude(user_id=request.user.pk or 0),
        k=k,
        offset=offset,
        mode=RankingMode(mode),
        by=Actor.from_request(request),
        via_api=True,
    )
    response["X-Total-Count"] = str(shown.total)
    return [
        _match_out(r.match, show_skills="skills" in visible_sections(r.profile, request.user), mode=mode)
        for r in shown.results
    ]


@router.get("/me/matches", response=list[MatchOut])
def my_matches(request: HttpRequest, k: int = 20) -> list[MatchOut]:
    """Open needs ranked for the caller's own profile."""
    profile = profile_of(request.user)
    if profile is None:
        raise HttpError(404, "人材として登録されていません (no talent profile)")
    return [_match_out(r.match) for r in ranking.needs_for_profile(profile, k=max(1, min(k, 100)))]


@router.get("/me/export", response=dict[str, Any])
def my_export(request: HttpRequest) -> dict[str, Any]:
    """Everything held about the caller (audited)."""
    profile = profile_of(request.user)
    if profile is None:
        raise HttpError(404, "人材として登録されていません (no talent profile)")
    return actions.export_profile(profile, by=Actor.from_request(request))


def _intro_out(intro: Introduction, request: HttpRequest) -> IntroductionOut:
    contact = actions.contact_details(intro, by=Actor.from_request(request)) if intro.accepted else None
    return IntroductionOut(
        id=intro.pk,
        profile_id=intro.profile_id,
        organization_id=intro.organization_id,
        need_id=intro.need_id,
        state=intro.state_ja,
        accepted=intro.accepted,
        contact=contact,
    )


@router.post("/introductions", response={201: IntroductionOut})
def create_introduction(request: HttpRequest, payload: IntroductionIn) -> Status[IntroductionOut]:
    """Ask for an introduction about a need: as the person, or as the need's organization."""
    need = get_object_or_404(Need.objects.select_related("organization"), pk=payload.need_id)
    profile = get_object_or_404(TalentProfile, pk=payload.profile_id, user__is_active=True)
    side = Introduction.Side.TALENT if profile.user_id == request.user.pk else Introduction.Side.ORGANIZATION
    if side == Introduction.Side.ORGANIZATION and not visible_sections(profile, request.user):
        raise HttpError(404, "見つかりません (not found)")
    try:
        intro = actions.request_introduction(
            profile, need.organization, side=side, need=need, by=Actor.from_request(request),
            message=payload.message[:2000],
        )  # fmt: skip
    except actions.TalentActionError as error:
        raise HttpError(400, str(error)) from None
    return Status(201, _intro_out(intro, request))


@router.post("/introductions/{intro_id}/{answer}", response=IntroductionOut)
def answer_introduction(request: HttpRequest, intro_id: int, answer: str) -> IntroductionOut:
    """Accept or decline on the caller's side (`answer` is `accept` or `decline`)."""
    if answer not in ("accept", "decline"):
        raise HttpError(404, "accept か decline を指定してください")
    intro = get_object_or_404(Introduction.objects.select_related("profile", "organization"), pk=intro_id)
    if side_of(request.user, intro) is None:
        raise PermissionDenied
    try:
        actions.respond_introduction(intro, accept=answer == "accept", by=Actor.from_request(request))
    except actions.TalentActionError as error:
        raise HttpError(400, str(error)) from None
    return _intro_out(intro, request)


@router.get("/dashboard/{code}", response=list[DashboardRowOut])
def dashboard(request: HttpRequest, code: str) -> list[DashboardRowOut]:
    """The regional dashboard's per-prefecture figures (aggregates) for staff with talent.view_dashboard."""
    municipality = get_object_or_404(Municipality, code=code)
    if not has_permission(request.user, municipality, "talent.view_dashboard"):
        raise PermissionDenied
    data = queries.dashboard(REGION_OF_PREFECTURE[int(municipality.prefecture_code)])
    audit.record(
        "talent.dashboard_viewed", by=Actor.from_request(request), municipality=municipality,
        object_type="talent", detail={"api": True},
    )  # fmt: skip
    return [
        DashboardRowOut(
            prefecture=r.prefecture,
            name=r.name,
            supply=r.supply,
            demand={str(Need.Kind(k).name.lower()): n for k, n in r.demand.items()},
            matches=r.matches,
        )
        for r in data.rows
    ]
