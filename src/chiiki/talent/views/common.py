"""What the talent pages share (and the pages of apps built on the talent bank reuse): the viewer's own
profile, the context the navigation needs, the generic form page, and reading an integer from a query."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from chiiki.talent import skills
from chiiki.talent.access import profile_of
from chiiki.talent.matching import PREFECTURES
from chiiki.talent.models import Need, TalentProfile


def int_or_none(value: str | None) -> int | None:
    """The integer in a query or form value, or None when it is missing or not a number."""
    try:
        return int(value) if value else None
    except ValueError:
        return None


def own_profile(request: HttpRequest) -> TalentProfile:
    """The signed-in person's profile; 404 when they have not registered in the talent bank."""
    profile = profile_of(request.user)
    if profile is None:
        raise Http404(_("人材として登録されていません。"))
    return profile


def page_context(request: HttpRequest) -> dict[str, Any]:
    """What the talent navigation and search boxes need on every page."""
    return {
        "prefectures": list(enumerate(PREFECTURES, start=1)),
        "roles": skills.role_choices(),
        "need_kinds": Need.Kind.choices,
        "own_profile": profile_of(request.user),
    }


def form_page(
    request: HttpRequest,
    form: Any,
    title: str,
    intro: str = "",
    submit: str = "",
    hidden: dict[str, Any] | None = None,
) -> HttpResponse:
    """One form on a page of its own, with its error summary."""
    return render(
        request,
        "talent/form.html",
        {
            "form": form,
            "title": title,
            "intro": intro,
            "submit": submit or _("保存する"),
            "hidden": hidden or {},
        },
    )


def skill_rows(profile: TalentProfile) -> list[dict[str, Any]]:
    """The profile's skills for a table: name, declared and supported level, evidence tier (page language)."""
    codes = "zdcba"
    return [
        {
            "name": skills.skill_name(s.skill_id),
            "declared": codes[s.declared],
            "supported": codes[s.supported],
            # The same msgids as chiiki.talent.explanations, so the English profile page says it in English.
            "tier": _(skills.TIER_JA[s.tier]),
            "tier_value": s.tier,
        }
        for s in profile.skills.order_by("-declared", "skill_id")
    ]
