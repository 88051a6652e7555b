"""The person's own data: registering, their page, editing the profile and its visibility, the
self-assessment, evidence, the needs that fit them, and exporting or deleting everything held."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiiki.core.acting import Actor
from chiiki.core.models import User
from chiiki.talent import actions, forms, ranking, signals, skills
from chiiki.talent.access import profile_of
from chiiki.talent.explanations import explanation_lines
from chiiki.talent.models import Evidence
from chiiki.talent.views.common import form_page, int_or_none, own_profile, page_context, skill_rows


def join(request: HttpRequest) -> HttpResponse:
    """Register as talent: a new account, or a profile for the account already logged in."""
    if profile_of(request.user) is not None:
        return redirect("talent:me")
    user = request.user if isinstance(request.user, User) and request.user.is_authenticated else None
    form = (forms.ProfileForm if user else forms.JoinForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if user is not None:
                actions.create_profile(user, form.profile_fields(), by=Actor.from_request(request))
            else:
                profile = actions.register_talent(
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                    fields=form.profile_fields(),
                    by=Actor.from_request(request),
                )
                login(request, profile.user, backend="django.contrib.auth.backends.ModelBackend")
        except actions.TalentActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("登録しました。次にスキルを自己評価してください。"))
            return redirect("talent:me_skills")
    return form_page(
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
    profile = own_profile(request)
    return render(
        request,
        "talent/me.html",
        {
            **page_context(request),
            "profile": profile,
            "skill_rows": skill_rows(profile),
            "evidence": profile.evidence.select_related("organization"),
            "evidence_form": forms.EvidenceForm(),
            "introductions": profile.introductions.select_related("organization", "need")[:20],
            "visibility": forms.VISIBILITY_LABELS,
            "role_name": skills.role_name(profile.primary_role),
            "sections": signals.page_sections(signals.own_page_sections, profile=profile, user=request.user),
        },
    )


@login_required
def me_edit(request: HttpRequest) -> HttpResponse:
    """Change one's profile and the visibility of each section."""
    profile = own_profile(request)
    form = forms.ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        values = form.profile_fields()
        profile.refresh_from_db()  # the form wrote into the instance; let the action compare and save
        try:
            actions.update_profile(profile, values, by=Actor.from_request(request))
        except actions.TalentActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("保存しました。"))
            return redirect("talent:me")
    return form_page(request, form, _("プロフィールの編集"))


@login_required
def me_skills(request: HttpRequest) -> HttpResponse:
    """Self-assessment on the DSS-P levels."""
    profile = own_profile(request)
    current = {s.skill_id: s.declared for s in profile.skills.all()}
    form = forms.SkillsForm(request.POST or None, initial_levels=current)
    if request.method == "POST" and form.is_valid():
        actions.set_skills(profile, form.levels(), by=Actor.from_request(request))
        messages.success(request, _("スキルを保存しました。資格や実績を加えると「根拠あり」になります。"))
        return redirect("talent:me")
    standard = skills.current_standard()
    return form_page(
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
    profile = own_profile(request)
    remove = int_or_none(request.POST.get("remove"))
    if remove is not None:
        evidence = get_object_or_404(Evidence, pk=remove, profile=profile)
        actions.remove_evidence(evidence, by=Actor.from_request(request))
        messages.success(request, _("削除しました。"))
        return redirect("talent:me")
    form = forms.EvidenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("talent:me")
    try:
        actions.add_evidence(profile, **form.evidence_fields(), by=Actor.from_request(request))
        messages.success(request, _("根拠を追加しました。"))
    except actions.TalentActionError as error:
        messages.error(request, str(error))
    return redirect("talent:me")


@login_required
def me_matches(request: HttpRequest) -> HttpResponse:
    """Open needs ranked for the person, with the explanation of each."""
    profile = own_profile(request)
    rows = [
        {
            "need": r.need,
            "match": r.match,
            "lines": explanation_lines(r.match.explanation) if r.match.explanation else [],
        }
        for r in ranking.needs_for_profile(profile)
    ]
    return render(
        request, "talent/me_matches.html", {**page_context(request), "profile": profile, "rows": rows}
    )


@login_required
def me_export(request: HttpRequest) -> HttpResponse:
    """Everything held about the person as a JSON file (audited)."""
    profile = own_profile(request)
    data = actions.export_profile(profile, by=Actor.from_request(request))
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="talent-{profile.pk}.json"'
    return response


@login_required
def me_delete(request: HttpRequest) -> HttpResponse:
    """Delete one's data after confirmation (audited); the account is closed."""
    profile = own_profile(request)
    if request.method == "POST" and request.POST.get("confirm") == "delete":
        actions.delete_profile(profile, by=Actor.from_request(request))
        logout(request)
        messages.success(request, _("データを削除しました。ご利用ありがとうございました。"))
        return redirect("core:home")
    return render(request, "talent/me_delete.html", {**page_context(request), "profile": profile})
