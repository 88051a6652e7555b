"""Staff pages of fieldwork: an enumerator's own follow-up list and visit form, and the survey manager's pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiiki.core import audit
from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, User
from chiiki.fieldwork import actions, charts, queries
from chiiki.fieldwork.models import DashboardSnapshot
from chiiki.surveys.models import Survey, VisitOutcome


def enumerator_answer_url(code: str, case_id: int) -> str:
    """The link into the answering pages in enumerator mode (`fieldwork.enumerating`)."""
    return reverse("fieldwork:enumerate_home", kwargs={"code": code, "case_id": case_id})


def _survey(municipality: Municipality, survey_id: str) -> Survey:
    survey = queries.survey_of(municipality, _object_id(survey_id))
    if survey is None:
        raise Http404
    return survey


def _object_id(text: str) -> int:
    """An object id from the URL (routes take <str:…> so the permission check runs first); 404 if malformed."""
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise Http404
    return int(text)


def _staff(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


ASSIGNMENTS_PER_PAGE = 50  # a day or two of visits; a phone shows it without endless scrolling


@municipality_permission("surveys.fieldwork")
def my_assignments(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The enumerator's own households (names and addresses), a page at a time in visiting order.

    Only the households on the page are read, and the audit record names exactly those.
    """
    enumerator = _staff(request)
    after_text = request.GET.get("after", "")
    after = (
        int(after_text) if after_text.isascii() and after_text.isdigit() and len(after_text) <= 18 else None
    )
    assignments, more = queries.assignments_after(municipality, enumerator, after, ASSIGNMENTS_PER_PAGE)
    audit.record(
        "fieldwork.assignments_viewed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="survey_case",
        detail={"cases": [a.case_id for a in assignments]},
    )
    context = {
        "municipality": municipality,
        "assignments": assignments,
        "next_after": assignments[-1].pk if more and assignments else None,
        "continued": after is not None,
        "total": queries.assignments_of(municipality, enumerator).count() if more or after is not None else 0,
    }
    return render(request, "fieldwork/assignments.html", context)


class VisitForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("訪問結果"), choices=VisitOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("メモ(任意)"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("回答の内容は書かないでください。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@municipality_permission("surveys.fieldwork")
def visit(request: HttpRequest, municipality: Municipality, assignment_id: str) -> HttpResponse:
    """One assigned household: record a visit outcome, or answer with the household (enumerator mode)."""
    staff = _staff(request)
    assignment = queries.assignment_of(municipality, staff, _object_id(assignment_id))
    if assignment is None:
        raise Http404
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.record_visit(
            assignment,
            form.cleaned_data["outcome"],
            by=Actor.from_request(request),
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("訪問結果を記録しました。"))
        return redirect("fieldwork:assignments", code=municipality.code)
    audit.record(
        "fieldwork.assignment_viewed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="survey_case",
        object_id=assignment.case_id,
    )
    members = queries.current_members(assignment.case)
    return render(
        request,
        "fieldwork/visit.html",
        {
            "municipality": municipality,
            "assignment": assignment,
            "members": members,
            "form": form,
            "answer_url": enumerator_answer_url(municipality.code, assignment.case_id),
        },
    )


@municipality_permission("surveys.manage")
def survey_list(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The municipality's surveys, each with its fieldwork page and dashboard."""
    surveys = queries.surveys_of(municipality)
    return render(request, "fieldwork/survey_list.html", {"municipality": municipality, "surveys": surveys})


class ScheduleForm(forms.Form):
    days = forms.CharField(
        label=gettext_lazy("督促の日(回答受付開始から何日後か、カンマ区切り)"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("例: 7,14,21。空にすると督促を送りません。"),
    )

    def clean_days(self) -> list[int]:
        try:
            return actions.parse_days(self.cleaned_data["days"])
        except actions.FieldworkError as error:
            raise forms.ValidationError(str(error)) from error


class BuildForm(forms.Form):
    rebuild = forms.BooleanField(label=gettext_lazy("作成済みのリストを作り直す"), required=False)


@municipality_permission("surveys.manage")
def survey_manage(request: HttpRequest, municipality: Municipality, survey_id: str) -> HttpResponse:
    """A survey's reminder schedule, follow-up lists and reminders-now button."""
    survey = _survey(municipality, survey_id)
    schedule = queries.reminder_schedule_of(survey)
    initial_days = ",".join(str(d) for d in schedule.days_after_opening) if schedule else ""
    forms_shown = {"schedule_form": ScheduleForm(initial={"days": initial_days}), "build_form": BuildForm()}
    if request.method == "POST":
        try:
            done = _manage_action(request, survey, forms_shown)
        except actions.FieldworkError as error:
            messages.error(request, str(error))
        else:
            if done:
                return redirect("fieldwork:survey", code=municipality.code, survey_id=survey.pk)
    return render(
        request,
        "fieldwork/survey_manage.html",
        {
            "municipality": municipality,
            "survey": survey,
            "schedule": schedule,
            "areas": queries.areas_of(survey),
            **forms_shown,
        },
    )


def _manage_action(request: HttpRequest, survey: Survey, forms_shown: dict[str, forms.Form]) -> bool:
    """Do what the survey page's button asked; True when done (else the bound form shows its errors)."""
    by = Actor.from_request(request)
    what = request.POST.get("action", "")
    if what == "schedule":
        schedule_form = forms_shown["schedule_form"] = ScheduleForm(request.POST)
        if not schedule_form.is_valid():
            return False
        actions.set_reminder_schedule(survey, schedule_form.cleaned_data["days"], by=by)
        messages.success(request, _("督促の予定を保存しました。"))
        return True
    if what == "build":
        build_form = forms_shown["build_form"] = BuildForm(request.POST)
        if not build_form.is_valid():
            return False
        summary = actions.build_follow_up(survey, by=by, rebuild=build_form.cleaned_data["rebuild"])
        messages.success(
            request,
            _("未回答の %(n)d 世帯を %(a)d 人の調査員に割り当てました。")
            % {"n": summary.non_responders, "a": len(summary.areas)},
        )
        return True
    if what == "remind":
        _remind(request, survey, by)
        return True
    return False


def _remind(request: HttpRequest, survey: Survey, by: Actor) -> None:
    result = actions.send_reminders(survey, by=by)
    if result.round is None:
        messages.info(request, result.reason)
        return
    messages.success(
        request,
        _("第%(r)d回の督促を %(n)d 世帯に送りました(経路: %(c)s)。")
        % {"r": result.round, "n": result.sent, "c": result.channel},
    )


MODE_LABELS = {
    "web": gettext_lazy("インターネット回答"),
    "assisted": gettext_lazy("支援付き回答"),
    "enumerator": gettext_lazy("調査員による回答"),
    "unknown": gettext_lazy("不明"),
}
DEVICE_LABELS = {
    "mobile": gettext_lazy("スマートフォン"),
    "tablet": gettext_lazy("タブレット"),
    "desktop": gettext_lazy("パソコン"),
    "unknown": gettext_lazy("不明"),
}


def _charts(board: queries.Dashboard, by_mode: list[tuple[str, int, float]]) -> dict[str, str]:
    """The dashboard's inline SVG charts, each described in words for screen readers."""
    return {
        "by_day": charts.line_chart(
            "chart-day",
            _("回答率の推移(累計)"),
            [(f"{row.day:%m/%d}", row.rate) for row in board.by_day],
        ),
        "by_district": charts.bar_chart(
            "chart-district", _("地区別の回答率"), [(row.label, row.rate) for row in board.by_district]
        ),
        "by_mode": charts.bar_chart(
            "chart-mode",
            _("回答方法別(対象世帯に占める割合)"),
            [(label, rate) for label, _n, rate in by_mode],
        ),
        "by_age": charts.bar_chart(
            "chart-age", _("世帯主の年齢別の回答率"), [(row.label, row.rate) for row in board.by_age]
        ),
        "workload": charts.bar_chart(
            "chart-workload",
            _("調査員ごとの残りの訪問世帯数"),
            [(row.enumerator, float(row.outstanding)) for row in board.workload],
            unit=_("世帯"),
            maximum=0.0,
        ),
    }


@municipality_permission("surveys.manage")
def survey_dashboard(request: HttpRequest, municipality: Municipality, survey_id: str) -> HttpResponse:
    """Response rates and fieldwork workload of one survey, as tables and inline SVG charts (no JavaScript)."""
    survey = _survey(municipality, survey_id)
    by = Actor.from_request(request)
    audit.record(
        "fieldwork.dashboard_viewed",
        by=by,
        municipality=municipality,
        object_type="survey",
        object_id=survey.pk,
    )
    if queries.dashboard_is_live(survey):
        return _dashboard_page(request, municipality, survey, queries.dashboard(survey), snapshot=None)
    # A large survey: the worker's last aggregation, and a new one asked for when it is too old.
    snapshot = queries.dashboard_snapshot(survey)
    if queries.snapshot_is_stale(snapshot) or request.method == "POST":
        actions.request_dashboard_refresh(survey, by=by)
        snapshot = queries.dashboard_snapshot(survey)
    if request.method == "POST":
        return redirect("fieldwork:dashboard", code=municipality.code, survey_id=survey.pk)
    if snapshot is None or snapshot.data is None:
        return render(
            request,
            "fieldwork/dashboard_pending.html",
            {"municipality": municipality, "survey": survey, "snapshot": snapshot},
        )
    board = queries.dashboard_from_data(survey, snapshot.data)
    return _dashboard_page(request, municipality, survey, board, snapshot=snapshot)


def _dashboard_page(
    request: HttpRequest,
    municipality: Municipality,
    survey: Survey,
    board: queries.Dashboard,
    *,
    snapshot: DashboardSnapshot | None,
) -> HttpResponse:
    by_mode = [(str(MODE_LABELS.get(mode, mode)), count, rate) for mode, count, rate in board.by_mode]
    svg = _charts(board, by_mode)
    return render(
        request,
        "fieldwork/dashboard.html",
        {
            "municipality": municipality,
            "survey": survey,
            "board": board,
            "snapshot": snapshot,
            "stale": snapshot is not None and queries.snapshot_is_stale(snapshot),
            "by_mode": by_mode,
            "devices": [(str(DEVICE_LABELS.get(d, d)), n) for d, n in board.devices],
            # The SVG is built from escaped text by chiiki.fieldwork.charts.
            "svg": {key: mark_safe(value) for key, value in svg.items()},  # noqa: S308
        },
    )
