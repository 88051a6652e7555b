"""Pages of the talent bank: search and browse, profiles and needs, match lists with explanations,
introductions, the person's own data (edit, skills, evidence, export, delete), side-job hours, and the
staff pages (regional dashboard, posting a municipality's need, verifying organizations)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chiiki.core import audit
from chiiki.core.access import municipality_permission
from chiiki.core.models import Municipality, User
from chiiki.core.permissions import has_permission
from chiiki.talent import actions, forms, queries, ranking, skills
from chiiki.talent.access import (
    acts_for_verified_organization,
    can_act_for,
    can_record_hours,
    listable_profiles,
    organizations_for,
    profile_of,
    visible_sections,
)
from chiiki.talent.explanations import explanation_lines
from chiiki.talent.hours import WORKER
from chiiki.talent.hours_text import warning_text
from chiiki.talent.matching import PREFECTURES, REGION_OF_PREFECTURE, RankingMode
from chiiki.talent.models import (
    Evidence,
    Introduction,
    ManagementAgreement,
    Need,
    Organization,
    SideJobContract,
    TalentProfile,
)

PROFILE_KINDS = (
    ("digital", gettext_lazy("デジタル人材")),
    ("mentor", gettext_lazy("メンター・ロールモデル")),
    ("management", gettext_lazy("経営人材")),
    ("side_job", gettext_lazy("副業・兼業プロフェッショナル")),
)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _own_profile(request: HttpRequest) -> TalentProfile:
    profile = profile_of(request.user)
    if profile is None:
        raise Http404(_("人材として登録されていません。"))
    return profile


def _common(request: HttpRequest) -> dict[str, Any]:
    return {
        "prefectures": list(enumerate(PREFECTURES, start=1)),
        "roles": skills.role_choices(),
        "need_kinds": Need.Kind.choices,
        "own_profile": profile_of(request.user),
    }


def _form_page(
    request: HttpRequest, form: Any, title: str, intro: str = "", submit: str = ""
) -> HttpResponse:
    return render(
        request,
        "talent/form.html",
        {"form": form, "title": title, "intro": intro, "submit": submit or _("保存する")},
    )


# --- search and browse -------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """Search and browse profiles the viewer may list (filters in the query string)."""
    g = request.GET
    results = queries.search_profiles(
        listable_profiles(request.user),
        kind=g.get("kind", ""),
        prefecture=_int(g.get("prefecture")),
        role=g.get("role", ""),
        skill=g.get("skill", ""),
        min_level=_int(g.get("min_level")) or 1,
        remote=g.get("remote") == "1",
        max_fee=_int(g.get("max_fee")),
        text=g.get("q", "")[:80],
    )
    page = Paginator(results, 30).get_page(g.get("page"))
    verified = acts_for_verified_organization(request.user)
    rows = [(p, visible_sections(p, request.user, verified_viewer=verified)) for p in page.object_list]
    if request.user.is_authenticated:
        audit.record(
            "talent.profiles_searched",
            actor=request.user,
            request=request,
            object_type="talent_profile",
            detail={"page": page.number, "ids": [p.pk for p, _sections in rows]},
        )
    return render(
        request,
        "talent/home.html",
        {
            **_common(request),
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
            actor=request.user,
            request=request,
            object_type="talent_profile",
            object_id=profile.pk,
            detail={"sections": sorted(sections)},
        )
    orgs = organizations_for(request.user)
    return render(
        request,
        "talent/profile_detail.html",
        {
            **_common(request),
            "profile": profile,
            "sections": sections,
            "own": own,
            "skill_rows": _skill_rows(profile),
            "evidence": profile.evidence.select_related("organization"),
            "endorse_form": forms.EndorseForm(organizations=orgs.filter(verified=True)) if orgs else None,
            "my_needs": Need.objects.filter(organization__in=orgs, status=Need.Status.OPEN) if orgs else [],
            "role_name": skills.role_name(profile.primary_role),
            "prefecture": actions.prefecture_label(profile.home_prefecture),
            "travel": [actions.prefecture_label(c) for c in profile.travel_prefectures],
        },
    )


def _skill_rows(profile: TalentProfile) -> list[dict[str, Any]]:
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
    else:
        try:
            actions.endorse(
                profile,
                form.cleaned_data["organization"],
                skill_id=form.cleaned_data["skill_id"],
                level=form.cleaned_data["level"],
                by=request.user,
                request=request,
            )
            messages.success(request, _("推薦を記録しました。"))
        except actions.TalentActionError as error:
            messages.error(request, str(error))
    return redirect("talent:profile", pk=pk)


def need_list(request: HttpRequest) -> HttpResponse:
    """Open needs with filters; anyone may browse."""
    g = request.GET
    results = queries.search_needs(
        kind=_int(g.get("kind")),
        prefecture=_int(g.get("prefecture")),
        role=g.get("role", ""),
        remote=g.get("remote") == "1",
        text=g.get("q", "")[:80],
    )
    page = Paginator(results, 30).get_page(g.get("page"))
    return render(request, "talent/need_list.html", {**_common(request), "page": page})


def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One need; its organization's people see the match list link, a talent may ask for an introduction."""
    need = get_object_or_404(Need.objects.select_related("organization"), pk=pk)
    return render(
        request,
        "talent/need_detail.html",
        {
            **_common(request),
            "need": need,
            "can_manage": can_act_for(request.user, need.organization),
            "role_name": skills.role_name(need.role_id),
            "required": [(skills.skill_name(k), v) for k, v in sorted(need.required.items())],
            "prefecture": actions.prefecture_label(need.prefecture),
        },
    )


@login_required
def need_matches(request: HttpRequest, pk: int) -> HttpResponse:
    """Candidates for a need with the engine's explanation, for the need's organization only."""
    need = get_object_or_404(Need.objects.select_related("organization"), pk=pk)
    if not can_act_for(request.user, need.organization):
        raise PermissionDenied
    # Fair exposure by default; ?mode=exact shows the pure score order. Either way the list counts as shown.
    mode = RankingMode.EXACT if request.GET.get("mode") == RankingMode.EXACT else RankingMode.FAIR
    results = ranking.show_candidates_for_need(
        need, listable_profiles(request.user).exclude(user_id=request.user.pk or 0), mode=mode
    )
    verified = acts_for_verified_organization(request.user)
    rows = [
        {
            "profile": r.profile,
            "match": r.match,
            "sections": visible_sections(r.profile, request.user, verified_viewer=verified),
            "lines": explanation_lines(r.match.explanation) if r.match.explanation else [],
        }
        for r in results
    ]
    audit.record(
        "talent.matches_viewed",
        actor=request.user,
        municipality=need.organization.municipality_id,
        request=request,
        object_type="talent_need",
        object_id=need.pk,
        detail={"mode": mode.value, "profiles": [r.profile.pk for r in results]},
    )
    return render(
        request,
        "talent/need_matches.html",
        {**_common(request), "need": need, "rows": rows, "fair": mode is RankingMode.FAIR},
    )


@login_required
@require_POST
def introduce(request: HttpRequest) -> HttpResponse:
    """Ask for an introduction: an organization to a person, or a person to a need's organization."""
    profile = get_object_or_404(TalentProfile, pk=_int(request.POST.get("profile")) or 0)
    need = Need.objects.filter(pk=_int(request.POST.get("need")) or 0).select_related("organization").first()
    org_id = _int(request.POST.get("organization"))
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
            by=request.user,
            message=request.POST.get("message", "")[:2000],
            request=request,
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
    profile = profile_of(request.user)
    mine = Introduction.objects.filter(profile=profile) if profile else Introduction.objects.none()
    orgs = organizations_for(request.user)
    for_orgs = Introduction.objects.filter(organization__in=orgs).select_related(
        "profile", "need", "organization"
    )
    return render(
        request,
        "talent/introduction_list.html",
        {**_common(request), "mine": mine.select_related("organization", "need"), "for_orgs": for_orgs},
    )


@login_required
def introduction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One introduction: accept or decline; the other side's contact details once both accepted (audited)."""
    intro = get_object_or_404(Introduction.objects.select_related("profile", "organization", "need"), pk=pk)
    side = actions.side_of(request.user, intro)
    if side is None:
        raise PermissionDenied
    if request.method == "POST":
        try:
            actions.respond_introduction(
                intro, accept=request.POST.get("answer") == "accept", by=request.user, request=request
            )
        except actions.TalentActionError as error:
            messages.error(request, str(error))
        return redirect("talent:introduction", pk=pk)
    contact = actions.contact_details(intro, by=request.user, request=request) if intro.accepted else None
    waiting_for_me = intro.declined_at is None and (
        (side == Introduction.Side.TALENT and intro.talent_accepted_at is None)
        or (side == Introduction.Side.ORGANIZATION and intro.organization_accepted_at is None)
    )
    return render(
        request,
        "talent/introduction_detail.html",
        {
            **_common(request),
            "intro": intro,
            "side": side,
            "contact": contact,
            "waiting_for_me": waiting_for_me,
        },
    )


# --- the person's own data ---------------------------------------------------------------------------


def join(request: HttpRequest) -> HttpResponse:
    """Register as talent: a new account, or a profile for the account already logged in."""
    if profile_of(request.user) is not None:
        return redirect("talent:me")
    logged_in = request.user.is_authenticated
    form_class = forms.ProfileForm if logged_in else forms.JoinForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if logged_in:
                assert isinstance(request.user, User)  # noqa: S101  # login checked above
                actions.create_profile(request.user, form.profile_fields(), request=request)
            else:
                profile = actions.register_talent(
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                    fields=form.profile_fields(),
                    request=request,
                )
                login(request, profile.user, backend="django.contrib.auth.backends.ModelBackend")
        except actions.TalentActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("登録しました。次にスキルを自己評価してください。"))
            return redirect("talent:me_skills")
    return _form_page(
        request,
        form,
        _("人材として登録する"),
        _(
            "デジタル人材、メンター・ロールモデル、経営人材、副業・兼業プロフェッショナルとして登録できます(複数可)。"
            "各項目の公開範囲はあとから変えられます。"
        ),
        _("登録する"),
    )


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The person's own page: everything held, with links to change, export or delete it."""
    profile = _own_profile(request)
    return render(
        request,
        "talent/me.html",
        {
            **_common(request),
            "profile": profile,
            "skill_rows": _skill_rows(profile),
            "evidence": profile.evidence.select_related("organization"),
            "evidence_form": forms.EvidenceForm(),
            "introductions": profile.introductions.select_related("organization", "need")[:20],
            "visibility": forms.VISIBILITY_LABELS,
            "role_name": skills.role_name(profile.primary_role),
        },
    )


@login_required
def me_edit(request: HttpRequest) -> HttpResponse:
    """Change one's profile and the visibility of each section."""
    profile = _own_profile(request)
    form = forms.ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        values = form.profile_fields()
        profile.refresh_from_db()  # the form wrote into the instance; let the action compare and save
        try:
            actions.update_profile(profile, values, by=request.user, request=request)
        except actions.TalentActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("保存しました。"))
            return redirect("talent:me")
    return _form_page(request, form, _("プロフィールの編集"))


@login_required
def me_skills(request: HttpRequest) -> HttpResponse:
    """Self-assessment on the DSS-P levels."""
    profile = _own_profile(request)
    current = {s.skill_id: s.declared for s in profile.skills.all()}
    form = forms.SkillsForm(request.POST or None, initial_levels=current)
    if request.method == "POST" and form.is_valid():
        actions.set_skills(profile, form.levels(), by=request.user, request=request)
        messages.success(request, _("スキルを保存しました。資格や実績を加えると「根拠あり」になります。"))
        return redirect("talent:me")
    standard = skills.current_standard()
    return _form_page(
        request,
        form,
        _("スキルの自己評価"),
        _("%(standard)s の各スキル項目について、今のレベルを選んでください。")
        % {"standard": standard.title_ja},
    )


@login_required
@require_POST
def me_evidence(request: HttpRequest) -> HttpResponse:
    """Add a certification, ITSS assessment or project; or remove one piece of evidence."""
    profile = _own_profile(request)
    remove = _int(request.POST.get("remove"))
    if remove is not None:
        evidence = get_object_or_404(Evidence, pk=remove, profile=profile)
        actions.remove_evidence(evidence, by=request.user, request=request)
        messages.success(request, _("削除しました。"))
        return redirect("talent:me")
    form = forms.EvidenceForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.add_evidence(
                profile,
                kind=d["kind"],
                certification_id=d["certification_id"] if d["kind"] == "certification" else "",
                itss_level=d["itss_level"] if d["kind"] == "itss" else None,
                role_id=d["role_id"] if d["kind"] == "itss" else "",
                skill_id=d["skill_id"] if d["kind"] == "project" else "",
                level=d["level"] if d["kind"] == "project" else None,
                description=d["description"],
                obtained_on=d["obtained_on"] if d["kind"] != "project" else None,
                by=request.user,
                request=request,
            )
            messages.success(request, _("根拠を追加しました。"))
        except actions.TalentActionError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("talent:me")


@login_required
def me_matches(request: HttpRequest) -> HttpResponse:
    """Open needs ranked for the person, with the explanation of each."""
    profile = _own_profile(request)
    results = ranking.needs_for_profile(profile)
    rows = [
        {
            "need": r.need,
            "match": r.match,
            "lines": explanation_lines(r.match.explanation) if r.match.explanation else [],
        }
        for r in results
    ]
    return render(request, "talent/me_matches.html", {**_common(request), "profile": profile, "rows": rows})


@login_required
def me_export(request: HttpRequest) -> HttpResponse:
    """Everything held about the person as a JSON file (audited)."""
    profile = _own_profile(request)
    data = actions.export_profile(profile, by=request.user, request=request)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="talent-{profile.pk}.json"'
    return response


@login_required
def me_delete(request: HttpRequest) -> HttpResponse:
    """Delete one's data after confirmation (audited); the account is closed."""
    profile = _own_profile(request)
    if request.method == "POST" and request.POST.get("confirm") == "delete":
        actions.delete_profile(profile, by=request.user, request=request)
        from django.contrib.auth import logout

        logout(request)
        messages.success(request, _("データを削除しました。ご利用ありがとうございました。"))
        return redirect("core:home")
    return render(request, "talent/me_delete.html", {**_common(request), "profile": profile})


@login_required
def me_hours(request: HttpRequest) -> HttpResponse:
    """The worker's contracts, combined hours and warnings; contracts with off-platform employers are added here."""
    profile = _own_profile(request)
    form = forms.ContractForm(request.POST or None, prefix="c")
    employer = request.POST.get("employer_name", "").strip()[:120]
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_contract(
                profile,
                by=request.user,
                kind=form.cleaned_data["kind"],
                concluded_on=form.cleaned_data["concluded_on"],
                employer_name=employer or _("本業"),
                agreement=form.agreement(),
                request=request,
            )
            messages.success(request, _("契約を登録しました。"))
            return redirect("talent:me_hours")
        except actions.TalentActionError as error:
            form.add_error(None, str(error))
    status = queries.hours_status(profile)
    agreements = queries.agreements_of(profile)
    current = next((a for a in agreements if a.ended_on is None), None)
    sides = [queries.model_side(current, side) for side in ("first", "second")] if current else []
    model_warnings = [w for side in sides for w in side.warnings if w.recipient == WORKER]
    return render(
        request,
        "talent/hours.html",
        {
            **_common(request),
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
    profile = _own_profile(request)
    form = forms.ManagementModelForm(request.POST or None, worker=profile)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            agreement = actions.propose_management_model(
                profile, contracts=(d["first_contract"], d["second_contract"]),
                first_cap_hours=d["first_cap_hours"], second_cap_hours=d["second_cap_hours"],
                starts_on=d["starts_on"], by=request.user, request=request,
            )  # fmt: skip
        except actions.TalentActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("管理モデルを設定しました。各使用者の同意を待っています。"))
            return redirect("talent:management_model", pk=agreement.pk)
    return _form_page(
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


def _model_sides_for(request: HttpRequest, agreement: ManagementAgreement) -> list[str]:
    """The sides `request.user` may see: the worker sees both; an employer only its own (not the other's hours)."""
    if agreement.worker.user_id == request.user.pk:
        return ["first", "second"]
    return [
        side
        for side in ("first", "second")
        if can_record_hours(request.user, getattr(agreement, f"{side}_contract"))
    ]


@login_required
def management_model_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A 管理モデル: caps, who has confirmed, and each visible side's own hours against its cap."""
    agreement = get_object_or_404(
        ManagementAgreement.objects.select_related(
            "worker", "first_contract__organization", "second_contract__organization"
        ),
        pk=pk,
    )
    visible = _model_sides_for(request, agreement)
    if not visible:
        raise PermissionDenied
    if request.method == "POST":
        operation = actions.confirm_management_model
        if request.POST.get("action") == "end":
            operation = actions.end_management_model
        try:
            operation(agreement, by=request.user, request=request)
            messages.success(request, _("更新しました。"))
        except actions.TalentActionError as error:
            messages.error(request, str(error))
        return redirect("talent:management_model", pk=pk)
    sides = [queries.model_side(agreement, side) for side in visible]
    own = {str(side.contract.pk) for side in sides}
    is_worker = agreement.worker.user_id == request.user.pk
    warnings = [
        w
        for side in sides
        for w in side.warnings
        if w.recipient in own or (is_worker and w.recipient == WORKER)
    ]
    can_confirm = agreement.ended_on is None and any(
        getattr(agreement, f"{side}_confirmed_at") is None for side in visible
    )
    return render(
        request,
        "talent/management_model.html",
        {**_common(request), "agreement": agreement, "sides": sides, "warnings": warnings,
         "can_confirm": can_confirm},
    )  # fmt: skip


# --- organizations, needs, contracts -----------------------------------------------------------------


@login_required
def organization_new(request: HttpRequest) -> HttpResponse:
    """A company or startup registers with its 法人番号; the registering person becomes its member."""
    form = forms.OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)  # noqa: S101  # login_required
        d = form.cleaned_data
        try:
            org = actions.register_organization(
                kind=d["kind"], name=d["name"], corporate_number=d["corporate_number"], prefecture=d["prefecture"],
                business_field=d["business_field"], startup_stage=d["startup_stage"],
                description=d["description"], contact_email=d["contact_email"], by=request.user, request=request,
            )  # fmt: skip
        except actions.TalentActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("登録しました。所在地の都道府県・市町村の確認後に推薦ができるようになります。")
            )
            return redirect("talent:organization", pk=org.pk)
    return _form_page(request, form, _("企業・スタートアップの登録"), submit=_("登録する"))


@login_required
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An organization's page for the people acting for it: needs, introductions, contracts."""
    org = get_object_or_404(Organization, pk=pk)
    if not can_act_for(request.user, org):
        raise PermissionDenied
    contracts = list(SideJobContract.objects.filter(organization=org).select_related("worker"))
    accepted = [i for i in org.introductions.select_related("profile") if i.accepted]
    ids = [c.pk for c in contracts]
    in_model = {
        pk
        for a in ManagementAgreement.objects.filter(ended_on__isnull=True).filter(
            Q(first_contract_id__in=ids) | Q(second_contract_id__in=ids)
        )
        if a.in_force
        for pk in (a.first_contract_id, a.second_contract_id)
    }
    return render(
        request,
        "talent/organization_detail.html",
        {
            **_common(request),
            "org": org,
            "needs": org.needs.all(),
            "contracts": [(c, c.pk in in_model) for c in contracts],
            "accepted": accepted,
            "prefecture": actions.prefecture_label(org.prefecture),
        },
    )


def _post_need(request: HttpRequest, org: Organization) -> HttpResponse:
    form = forms.NeedForm(request.POST or None, initial={"prefecture": org.prefecture})
    if request.method == "POST" and form.is_valid():
        try:
            need = actions.post_need(org, form.need_fields(), by=request.user, request=request)
        except actions.TalentActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("ニーズを公開しました。候補者の一覧を確認できます。"))
            return redirect("talent:need", pk=need.pk)
    return _form_page(request, form, _("ニーズを投稿する") + f"({org.name})", submit=_("投稿する"))


@login_required
def need_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A company or startup posts a need."""
    org = get_object_or_404(Organization, pk=pk)
    if not can_act_for(request.user, org):
        raise PermissionDenied
    return _post_need(request, org)


@login_required
@require_POST
def need_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a need."""
    need = get_object_or_404(Need, pk=pk)
    if not can_act_for(request.user, need.organization):
        raise PermissionDenied
    actions.close_need(need, by=request.user, request=request)
    return redirect("talent:need", pk=pk)


@login_required
def contract_new(request: HttpRequest, pk: int) -> HttpResponse:
    """An employer records its contract with a person whose introduction was accepted."""
    org = get_object_or_404(Organization, pk=pk)
    if not can_act_for(request.user, org):
        raise PermissionDenied
    profile = get_object_or_404(
        TalentProfile, pk=_int(request.GET.get("profile") or request.POST.get("profile")) or 0
    )
    # The page shows the person's name: only to an organization the person has accepted (as the action
    # requires), or anyone could register a company and read the names of private profiles by id.
    if not any(i.accepted for i in Introduction.objects.filter(profile=profile, organization=org)):
        raise Http404
    form = forms.ContractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contract = actions.create_contract(
                profile, by=request.user, kind=form.cleaned_data["kind"],
                concluded_on=form.cleaned_data["concluded_on"], organization=org, agreement=form.agreement(),
                request=request,
            )  # fmt: skip
        except actions.TalentActionError as error:
            form.add_error(None, str(error))
        else:
            return redirect("talent:contract", pk=contract.pk)
    return render(
        request,
        "talent/form.html",
        {
            "form": form,
            "title": _("契約の登録") + f"({profile.display_name})",
            "intro": _(
                "副業・兼業の労働時間を通算するために、契約の種類と締結日、36協定の内容を登録します。"
            ),
            "submit": _("登録する"),
            "hidden": {"profile": profile.pk},
        },
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
            actions.record_hours(contract, [entry], by=request.user, request=request)
            messages.success(request, _("記録しました。"))
            _warn_model_cap(request, agreement, contract, entry[0])
            return redirect("talent:contract", pk=pk)
        except actions.TalentActionError as error:
            form.add_error(None, str(error))
    status = queries.hours_status(contract.worker)
    model_side = None
    if agreement is not None and agreement.in_force:
        model_side = queries.model_side(agreement, agreement.side_of(contract.pk) or "first")
    audit.record(
        "talent.hours_viewed",
        actor=request.user,
        municipality=contract.organization.municipality_id if contract.organization else None,
        request=request,
        object_type="talent_contract",
        object_id=contract.pk,
    )
    entries = contract.entries.order_by("-day", "-start")[:60]
    return render(
        request,
        "talent/contract_detail.html",
        {**_common(request), "contract": contract, "form": form, "entries": entries, "agreement": agreement,
         "model_side": model_side,
         "warnings": [*status.for_contract(contract), *_own_model_warnings(model_side, contract)]},
    )  # fmt: skip


def _own_model_warnings(side: queries.ModelSide | None, contract: SideJobContract) -> list[Any]:
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


# --- staff pages -------------------------------------------------------------------------------------


@municipality_permission("talent.view_dashboard")
def dashboard(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Supply and demand by role and prefecture in the municipality's region, matches made, side-job hours."""
    region = REGION_OF_PREFECTURE[int(municipality.prefecture_code)]
    data = queries.dashboard(region, as_of=timezone.localdate())
    audit.record(
        "talent.dashboard_viewed",
        actor=request.user,
        municipality=municipality,
        request=request,
        object_type="talent",
    )
    max_hours = max([1, *(h for _m, h in data.hours_by_month)])
    return render(
        request,
        "talent/dashboard.html",
        {
            "municipality": municipality,
            "data": data,
            "kinds": Need.Kind.choices,
            "role_rows": [(skills.role_name(r), s, d) for r, s, d in data.supply_by_role],
            "max_hours": max_hours,
            "own_prefecture": int(municipality.prefecture_code),
            # Only offer the links this user may follow: an auditor sees the figures, not a 403 page.
            "can_post_need": has_permission(request.user, municipality, "talent.post_need"),
            "can_verify": has_permission(request.user, municipality, "talent.verify_organization"),
        },
    )


@municipality_permission("talent.post_need")
def staff_need_new(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Post a need as the municipality (its organization is created on first use)."""
    return _post_need(request, actions.municipality_organization(municipality))


@municipality_permission("talent.verify_organization")
def verify(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Organizations of the municipality's prefecture, unverified first; verify one with its 法人番号 checked."""
    prefecture = int(municipality.prefecture_code)
    if request.method == "POST":
        org = get_object_or_404(
            Organization, pk=_int(request.POST.get("organization")) or 0, prefecture=prefecture
        )
        actions.verify_organization(org, municipality, by=request.user, request=request)
        messages.success(request, _("%(name)s を確認済みにしました。") % {"name": org.name})
        return redirect("talent:verify", code=municipality.code)
    orgs = (
        Organization.objects.filter(prefecture=prefecture)
        .exclude(kind="municipality")
        .order_by("verified", "name")
    )
    return render(request, "talent/verify.html", {"municipality": municipality, "orgs": orgs})
