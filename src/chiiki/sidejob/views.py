"""Side-job pages: the worker's combined hours and contracts, setting up a 管理モデル, one 管理モデル with each
visible side's own hours against its cap, an employer recording its contract and the hours worked under it.

They keep the /talent/… addresses they had inside the talent bank, and its navigation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.sidejob import actions, forms, queries
from chiiki.sidejob.access import can_record_hours, is_worker, visible_model_sides
from chiiki.sidejob.hours import WORKER, LimitWarning
from chiiki.sidejob.hours_text import warning_text
from chiiki.sidejob.models import ManagementAgreement, SideJobContract
from chiiki.talent.access import can_act_for
from chiiki.talent.models import Organization, TalentProfile
from chiiki.talent.queries import accepted_introductions
from chiiki.talent.views.common import form_page, int_or_none, own_profile, page_context


@login_required
def me_hours(request: HttpRequest) -> HttpResponse:
    """The worker's contracts, combined hours and warnings; contracts with off-platform employers are added here."""
    profile = own_profile(request)
    form = forms.ContractForm(request.POST or None, prefix="c")
    employer = request.POST.get("employer_name", "").strip()[:120]
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_contract(
                profile,
                by=Actor.from_request(request),
                kind=form.cleaned_data["kind"],
                concluded_on=form.cleaned_data["concluded_on"],
                employer_name=employer or _("本業"),
                agreement=form.agreement(),
            )
            messages.success(request, _("契約を登録しました。"))
            return redirect("sidejob:me_hours")
        except actions.SideJobActionError as error:
            form.add_error(None, str(error))
    status = queries.hours_status(profile)
    agreements = queries.agreements_of(profile)
    current = next((a for a in agreements if a.ended_on is None), None)
    sides = [queries.model_side(current, side) for side in ("first", "second")] if current else []
    model_warnings = [w for side in sides for w in side.warnings if w.recipient == WORKER]
    return render(
        request,
        "sidejob/hours.html",
        {
            **page_context(request),
            "status": status,
            "warnings": [*status.for_worker(), *model_warnings],
            "form": form,
            "profile": profile,
            "agreements": agreements,
            "current_model": current,
            "model_sides": sides,
        },
    )


@login_required
def me_hours_model(request: HttpRequest) -> HttpResponse:
    """The worker sets up a 管理モデル between two employers; each employer then confirms its own cap."""
    profile = own_profile(request)
    form = forms.ManagementModelForm(request.POST or None, worker=profile)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            agreement = actions.propose_management_model(
                profile, contracts=(d["first_contract"], d["second_contract"]),
                first_cap_hours=d["first_cap_hours"], second_cap_hours=d["second_cap_hours"],
                starts_on=d["starts_on"], by=Actor.from_request(request),
            )  # fmt: skip
        except actions.SideJobActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("管理モデルを設定しました。各使用者の同意を待っています。"))
            return redirect("sidejob:management_model", pk=agreement.pk)
    return form_page(
        request,
        form,
        _("管理モデルの設定"),
        intro=_(
            "管理モデルでは、先に契約した使用者Aの時間外・休日労働と、後に契約した使用者Bの労働時間に、"
            "あらかじめ月の上限を決めます。上限の合計は月100時間未満かつ80時間以内(複数月平均)で、"
            "それぞれ各使用者の36協定の範囲内でなければなりません。各使用者は自社の実績だけを上限と比べます。"
        ),
        submit=_("設定する"),
    )


@login_required
def management_model_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A 管理モデル: caps, who has confirmed, and each visible side's own hours against its cap."""
    agreement = get_object_or_404(
        ManagementAgreement.objects.select_related(
            "worker", "first_contract__organization", "second_contract__organization"
        ),
        pk=pk,
    )
    visible = visible_model_sides(request.user, agreement)
    if not visible:
        raise PermissionDenied
    if request.method == "POST":
        operation = actions.confirm_management_model
        if request.POST.get("action") == "end":
            operation = actions.end_management_model
        try:
            operation(agreement, by=Actor.from_request(request))
            messages.success(request, _("更新しました。"))
        except actions.SideJobActionError as error:
            messages.error(request, str(error))
        return redirect("sidejob:management_model", pk=pk)
    sides = [queries.model_side(agreement, side) for side in visible]
    own = {str(side.contract.pk) for side in sides}
    worker = is_worker(request.user, agreement)
    warnings = [
        w for side in sides for w in side.warnings if w.recipient in own or (worker and w.recipient == WORKER)
    ]
    can_confirm = agreement.ended_on is None and any(
        getattr(agreement, f"{side}_confirmed_at") is None for side in visible
    )
    return render(
        request,
        "sidejob/management_model.html",
        {**page_context(request), "agreement": agreement, "sides": sides, "warnings": warnings,
         "can_confirm": can_confirm},
    )  # fmt: skip


@login_required
def contract_new(request: HttpRequest, pk: int) -> HttpResponse:
    """An employer records its contract with a person whose introduction was accepted."""
    org = get_object_or_404(Organization, pk=pk)
    if not can_act_for(request.user, org):
        raise PermissionDenied
    profile = get_object_or_404(
        TalentProfile, pk=int_or_none(request.GET.get("profile") or request.POST.get("profile")) or 0
    )
    # The page shows the person's name: only to an organization the person has accepted (as the action
    # requires), or anyone could register a company and read the names of private profiles by id.
    if not any(i.profile_id == profile.pk for i in accepted_introductions(org)):
        raise Http404
    form = forms.ContractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contract = actions.create_contract(
                profile, by=Actor.from_request(request), kind=form.cleaned_data["kind"],
                concluded_on=form.cleaned_data["concluded_on"], organization=org, agreement=form.agreement(),
            )  # fmt: skip
        except actions.SideJobActionError as error:
            form.add_error(None, str(error))
        else:
            return redirect("sidejob:contract", pk=contract.pk)
    return form_page(
        request,
        form,
        _("契約の登録") + f"({profile.display_name})",
        _("副業・兼業の労働時間を通算するために、契約の種類と締結日、36協定の内容を登録します。"),
        _("登録する"),
        hidden={"profile": profile.pk},
    )


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Record hours under a contract; warnings addressed to this employer (and the combined ones) are shown."""
    contract = get_object_or_404(SideJobContract.objects.select_related("worker", "organization"), pk=pk)
    if not can_record_hours(request.user, contract):
        raise PermissionDenied
    form = forms.HoursForm(request.POST or None)
    agreement = queries.agreement_for_contract(contract)
    if request.method == "POST" and form.is_valid():
        try:
            entry = form.entry()
            actions.record_hours(contract, [entry], by=Actor.from_request(request))
            messages.success(request, _("記録しました。"))
            _warn_model_cap(request, agreement, contract, entry[0])
            return redirect("sidejob:contract", pk=pk)
        except actions.SideJobActionError as error:
            form.add_error(None, str(error))
    status = queries.hours_status(contract.worker)
    model_side = None
    if agreement is not None and agreement.in_force:
        model_side = queries.model_side(agreement, agreement.side_of(contract.pk) or "first")
    audit.record(
        "talent.hours_viewed",
        by=Actor.from_request(request),
        municipality=contract.organization.municipality_id if contract.organization else None,
        object_type="talent_contract",
        object_id=contract.pk,
    )
    return render(
        request,
        "sidejob/contract_detail.html",
        {**page_context(request), "contract": contract, "form": form, "entries": queries.recent_entries(contract),
         "agreement": agreement, "model_side": model_side,
         "warnings": [*status.for_contract(contract), *_own_model_warnings(model_side, contract)]},
    )  # fmt: skip


def _own_model_warnings(side: queries.ModelSide | None, contract: SideJobContract) -> list[LimitWarning]:
    return [w for w in side.warnings if w.recipient == str(contract.pk)] if side else []


def _warn_model_cap(
    request: HttpRequest, agreement: ManagementAgreement | None, contract: SideJobContract, day: Any
) -> None:
    """After recording: warn when this employer's own hours approach or pass its agreed cap in that month."""
    if agreement is None or not agreement.in_force or day < agreement.starts_on:
        return
    side = queries.model_side(agreement, agreement.side_of(contract.pk) or "first", until=day)
    for w in _own_model_warnings(side, contract):
        if w.month == day.replace(day=1):
            messages.warning(request, warning_text(w))
