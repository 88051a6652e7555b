"""Searching and browsing profiles, one profile's page, and an organization endorsing a skill."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.talent import actions, forms, queries, skills
from chiiki.talent.access import (
    acts_for_verified_organization,
    listable_profiles,
    organizations_for,
    visible_sections,
)
from chiiki.talent.models import Need, TalentProfile
from chiiki.talent.views.common import int_or_none, page_context, skill_rows

PROFILE_KINDS = (
    ("digital", gettext_lazy("デジタル人材")),
    ("mentor", gettext_lazy("メンター・ロールモデル")),
    ("management", gettext_lazy("経営人材")),
    ("side_job", gettext_lazy("副業・兼業プロフェッショナル")),
)


def home(request: HttpRequest) -> HttpResponse:
    """Search and browse profiles the viewer may list (filters in the query string)."""
    g = request.GET
    results = queries.search_profiles(
        listable_profiles(request.user),
        kind=g.get("kind", ""),
        prefecture=int_or_none(g.get("prefecture")),
        role=g.get("role", ""),
        skill=g.get("skill", ""),
        min_level=int_or_none(g.get("min_level")) or 1,
        remote=g.get("remote") == "1",
        max_fee=int_or_none(g.get("max_fee")),
        text=g.get("q", "")[:80],
    )
    page = Paginator(results, 30).get_page(g.get("page"))
    verified = acts_for_verified_organization(request.user)
    rows = [(p, visible_sections(p, request.user, verified_viewer=verified)) for p in page.object_list]
    if request.user.is_authenticated:
        audit.record(
            "talent.profiles_searched",
            by=Actor.from_request(request),
            object_type="talent_profile",
            detail={"page": page.number, "ids": [p.pk for p, _sections in rows]},
        )
    return render(
        request,
        "talent/home.html",
        {
            **page_context(request),
            "page": page,
            "rows": rows,
            "skills_list": skills.skill_choices(),
            "kinds": PROFILE_KINDS,
            "organizations": organizations_for(request.user),
        },
    )


def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One profile, showing only the sections the viewer may see; organizations may endorse or introduce."""
    profile = get_object_or_404(TalentProfile.objects.select_related("user"), pk=pk, user__is_active=True)
    sections = visible_sections(profile, request.user)
    if not sections:
        raise Http404
    own = request.user.is_authenticated and profile.user_id == request.user.pk
    if request.user.is_authenticated and not own:
        audit.record(
            "talent.profile_viewed",
            by=Actor.from_request(request),
            object_type="talent_profile",
            object_id=profile.pk,
            detail={"sections": sorted(sections)},
        )
    orgs = organizations_for(request.user)
    return render(
        request,
        "talent/profile_detail.html",
        {
            **page_context(request),
            "profile": profile,
            "sections": sections,
            "own": own,
            "skill_rows": skill_rows(profile),
            "evidence": profile.evidence.select_related("organization"),
            "endorse_form": forms.EndorseForm(organizations=orgs.filter(verified=True)) if orgs else None,
            "my_needs": Need.objects.filter(organization__in=orgs, status=Need.Status.OPEN) if orgs else [],
            "role_name": skills.role_name(profile.primary_role),
            "prefecture": queries.prefecture_label(profile.home_prefecture),
            "travel": [queries.prefecture_label(c) for c in profile.travel_prefectures],
        },
    )


@login_required
@require_POST
def endorse(request: HttpRequest, pk: int) -> HttpResponse:
    """A verified organization endorses a skill of this person (only a person whose profile it may see)."""
    profile = get_object_or_404(TalentProfile, pk=pk, user__is_active=True)
    if not visible_sections(profile, request.user):
        raise Http404  # the same answer as the profile page: a hidden profile does not exist for this viewer
    form = forms.EndorseForm(
        request.POST, organizations=organizations_for(request.user).filter(verified=True)
    )
    if not form.is_valid():
        messages.error(request, _("推薦の内容を確認してください。"))
        return redirect("talent:profile", pk=pk)
    try:
        actions.endorse(
            profile,
            form.cleaned_data["organization"],
            skill_id=form.cleaned_data["skill_id"],
            level=form.cleaned_data["level"],
            by=Actor.from_request(request),
        )
        messages.success(request, _("推薦を記録しました。"))
    except actions.TalentActionError as error:
        messages.error(request, str(error))
    return redirect("talent:profile", pk=pk)
