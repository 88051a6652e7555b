"""Organizations: a company or startup registering, its page for the people acting for it, and the municipal
administrator's list of organizations of the prefecture to verify."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.talent import actions, forms, queries, signals
from chiiki.talent.access import can_act_for
from chiiki.talent.models import Organization
from chiiki.talent.views.common import form_page, int_or_none, page_context


@login_required
def organization_new(request: HttpRequest) -> HttpResponse:
    """A company or startup registers with its 法人番号; the registering person becomes its member."""
    form = forms.OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = actions.register_organization(**form.organization_fields(), by=Actor.from_request(request))
        except actions.TalentActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("登録しました。所在地の都道府県・市町村の確認後に推薦ができるようになります。")
            )
            return redirect("talent:organization", pk=org.pk)
    return form_page(request, form, _("企業・スタートアップの登録"), submit=_("登録する"))


@login_required
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An organization's page for the people acting for it: needs, accepted introductions, and what the apps
    built on the talent bank add (the side-job contracts)."""
    org = get_object_or_404(Organization, pk=pk)
    if not can_act_for(request.user, org):
        raise PermissionDenied
    return render(
        request,
        "talent/organization_detail.html",
        {
            **page_context(request),
            "org": org,
            "needs": org.needs.all(),
            "accepted": queries.accepted_introductions(org),
            "prefecture": queries.prefecture_label(org.prefecture),
            "sections": signals.page_sections(
                signals.organization_page_sections, organization=org, user=request.user
            ),
        },
    )


@municipality_permission("talent.verify_organization")
def verify(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Organizations of the municipality's prefecture, unverified first; verify one with its 法人番号 checked."""
    prefecture = int(municipality.prefecture_code)
    if request.method == "POST":
        org = get_object_or_404(
            Organization, pk=int_or_none(request.POST.get("organization")) or 0, prefecture=prefecture
        )
        actions.verify_organization(org, municipality, by=Actor.from_request(request))
        messages.success(request, _("%(name)s を確認済みにしました。") % {"name": org.name})
        return redirect("talent:verify", code=municipality.code)
    return render(
        request,
        "talent/verify.html",
        {"municipality": municipality, "orgs": queries.organizations_to_verify(prefecture)},
    )
