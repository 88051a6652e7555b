"""Introductions: asking for one, the viewer's list, and one introduction (accept, decline, contact details)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiiki.core.acting import Actor
from chiiki.talent import actions, queries, signals
from chiiki.talent.access import side_of, visible_sections
from chiiki.talent.models import Introduction, Need, Organization, TalentProfile
from chiiki.talent.views.common import int_or_none, page_context


@login_required
@require_POST
def introduce(request: HttpRequest) -> HttpResponse:
    """Ask for an introduction: an organization to a person, or a person to a need's organization."""
    profile = get_object_or_404(TalentProfile, pk=int_or_none(request.POST.get("profile")) or 0)
    need = (
        Need.objects.filter(pk=int_or_none(request.POST.get("need")) or 0)
        .select_related("organization")
        .first()
    )
    org_id = int_or_none(request.POST.get("organization"))
    organization = need.organization if need else get_object_or_404(Organization, pk=org_id or 0)
    side = Introduction.Side.TALENT if profile.user_id == request.user.pk else Introduction.Side.ORGANIZATION
    if side == Introduction.Side.ORGANIZATION and not visible_sections(profile, request.user):
        raise Http404
    try:
        intro = actions.request_introduction(
            profile,
            organization,
            side=side,
            need=need,
            by=Actor.from_request(request),
            message=request.POST.get("message", "")[:2000],
        )
    except actions.TalentActionError as error:
        messages.error(request, str(error))
        back = request.POST.get("next", "")
        if back.startswith("/") and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(back)  # only a page of this site: a forged form must not send the user elsewhere
        return redirect("talent:introductions")
    messages.success(request, _("紹介を申し込みました。相手が承諾すると連絡先が表示されます。"))
    return redirect("talent:introduction", pk=intro.pk)


@login_required
def introduction_list(request: HttpRequest) -> HttpResponse:
    """The viewer's introductions, as a person and for each organization they act for."""
    mine, for_orgs = queries.introductions_for(request.user)
    return render(
        request,
        "talent/introduction_list.html",
        {**page_context(request), "mine": mine, "for_orgs": for_orgs},
    )


@login_required
def introduction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One introduction: accept or decline; the other side's contact details once both accepted (audited)."""
    intro = get_object_or_404(Introduction.objects.select_related("profile", "organization", "need"), pk=pk)
    side = side_of(request.user, intro)
    if side is None:
        raise PermissionDenied
    if request.method == "POST":
        try:
            actions.respond_introduction(
                intro, accept=request.POST.get("answer") == "accept", by=Actor.from_request(request)
            )
        except actions.TalentActionError as error:
            messages.error(request, str(error))
        return redirect("talent:introduction", pk=pk)
    contact = actions.contact_details(intro, by=Actor.from_request(request)) if intro.accepted else None
    waiting_for_me = intro.declined_at is None and (
        (side == Introduction.Side.TALENT and intro.talent_accepted_at is None)
        or (side == Introduction.Side.ORGANIZATION and intro.organization_accepted_at is None)
    )
    return render(
        request,
        "talent/introduction_detail.html",
        {
            **page_context(request),
            "intro": intro,
            "side": side,
            "contact": contact,
            "waiting_for_me": waiting_for_me,
            "sections": signals.page_sections(
                signals.accepted_introduction_sections, introduction=intro, side=side, user=request.user
            )
            if contact
            else [],
        },
    )
