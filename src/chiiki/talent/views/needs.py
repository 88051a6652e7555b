"""Needs: browsing them, one need's page, posting and closing one, and its candidate list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.talent import actions, forms, queries, skills
from chiiki.talent.access import (
    acts_for_verified_organization,
    can_act_for,
    listable_profiles,
    visible_sections,
)
from chiiki.talent.explanations import explanation_lines
from chiiki.talent.matching import RankingMode
from chiiki.talent.models import Need, Organization
from chiiki.talent.views.common import form_page, int_or_none, page_context


def need_list(request: HttpRequest) -> HttpResponse:
    """Open needs with filters; anyone may browse."""
    g = request.GET
    results = queries.search_needs(
        kind=int_or_none(g.get("kind")),
        prefecture=int_or_none(g.get("prefecture")),
        role=g.get("role", ""),
        remote=g.get("remote") == "1",
        text=g.get("q", "")[:80],
    )
    page = Paginator(results, 30).get_page(g.get("page"))
    return render(request, "talent/need_list.html", {**page_context(request), "page": page})


def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One need; its organization's people see the match list link, a talent may ask for an introduction."""
    need = get_object_or_404(Need.objects.select_related("organization"), pk=pk)
    return render(
        request,
        "talent/need_detail.html",
        {
            **page_context(request),
            "need": need,
            "can_manage": can_act_for(request.user, need.organization),
            "role_name": skills.role_name(need.role_id),
            "required": [(skills.skill_name(k), v) for k, v in sorted(need.required.items())],
            "prefecture": queries.prefecture_label(need.prefecture),
        },
    )


CANDIDATES_PER_PAGE = 20


@login_required
def need_matches(request: HttpRequest, pk: int) -> HttpResponse:
    """Candidates for a need with the engine's explanation, page by page, for the need's organization only."""
    need = get_object_or_404(Need.objects.select_related("organization"), pk=pk)
    if not can_act_for(request.user, need.organization):
        raise PermissionDenied
    # Fair exposure by default; ?mode=exact shows the pure score order. Either way the list counts as shown.
    mode = RankingMode.EXACT if request.GET.get("mode") == RankingMode.EXACT else RankingMode.FAIR
    number = max(1, int_or_none(request.GET.get("page")) or 1)
    shown = actions.show_candidates_for_need(
        need,
        listable_profiles(request.user).exclude(user_id=request.user.pk or 0),
        k=CANDIDATES_PER_PAGE,
        offset=(number - 1) * CANDIDATES_PER_PAGE,
        mode=mode,
        by=Actor.from_request(request),
    )
    pages = Paginator(range(shown.total), CANDIDATES_PER_PAGE)
    if number > pages.num_pages:  # a page past the end (the list got shorter): the last page instead
        return redirect(f"{request.path}?{_query(request, page=pages.num_pages)}")
    verified = acts_for_verified_organization(request.user)
    rows = [
        {
            "profile": r.profile,
            "match": r.match,
            "sections": visible_sections(r.profile, request.user, verified_viewer=verified),
            "lines": explanation_lines(r.match.explanation) if r.match.explanation else [],
        }
        for r in shown.results
    ]
    return render(
        request,
        "talent/need_matches.html",
        {
            **page_context(request),
            "need": need,
            "rows": rows,
            "shown": shown,
            "page": pages.page(number),
            "fair": mode is RankingMode.FAIR,
            "verified_viewer": verified,
        },
    )


def _query(request: HttpRequest, **values: object) -> str:
    query = request.GET.copy()
    for name, value in values.items():
        query[name] = str(value)
    return query.urlencode()


def _post_need(request: HttpRequest, org: Organization) -> HttpResponse:
    form = forms.NeedForm(request.POST or None, initial={"prefecture": org.prefecture})
    if request.method == "POST" and form.is_valid():
        try:
            need = actions.post_need(org, form.need_fields(), by=Actor.from_request(request))
        except actions.TalentActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("ニーズを公開しました。候補者の一覧を確認できます。"))
            return redirect("talent:need", pk=need.pk)
    return form_page(request, form, _("ニーズを投稿する") + f"({org.name})", submit=_("投稿する"))


@login_required
def need_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A company or startup posts a need."""
    org = get_object_or_404(Organization, pk=pk)
    if not can_act_for(request.user, org):
        raise PermissionDenied
    return _post_need(request, org)


@municipality_permission("talent.post_need")
def staff_need_new(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Post a need as the municipality (its organization is created on first use)."""
    return _post_need(
        request, actions.municipality_organization(municipality, by=Actor.from_request(request))
    )


@login_required
@require_POST
def need_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a need."""
    need = get_object_or_404(Need, pk=pk)
    if not can_act_for(request.user, need.organization):
        raise PermissionDenied
    actions.close_need(need, by=Actor.from_request(request))
    return redirect("talent:need", pk=pk)
