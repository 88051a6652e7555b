"""Staff pages of fieldwork: an enumerator's own follow-up list and visit form, and the survey manager's pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiiki.core import audit
from chiiki.core.access import municipality_permission
from chiiki.core.models import Municipality, User
from chiiki.fieldwork import actions, charts, queries
from chiiki.fieldwork.models import FollowUpArea, ReminderSchedule, VisitOutcome
from chiiki.surveys.models import Survey

# The answering pages in enumerator mode (mode = enumerator), provided by the surveys app.
ENUMERATOR_ANSWER_URL_NAME = "surveys:enumerate_home"


def enumerator_answer_url(code: str, case_id: int) -> str | None:
    """The link into the answering pages in enumerator mode, or None if the surveys app has no such page."""
    try:
        return reverse(ENUMERATOR_ANSWER_URL_NAME, kwargs={"code": code, "case_id": case_id})
    except NoReverseMatch:
        return None


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
    page = Paginator(queries.assignments_of(municipality, _staff(request)), ASSIGNMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    assignments = list(page.object_list)
    audit.record(
        "fieldwork.assignments_viewed",
        actor=request.user,
        municipality=municipality,
        request=request,
        object_type="survey_case",
        detail={"cases": [a.case_id for a in assignments]},
    )
    return render(
        request,
        "fieldwork/assignments.html",
        {"municipality": municipality, "assignments": assignments, "page": page},
    )


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
            by=staff,
            note=form.cleaned_data["note"],
            request=request,
        )
        messages.success(request, _("訪問結果を記録しました。"))
        return redirect("fieldwork:assignments", code=municipality.code)
    audit.record(
        "fieldwork.assignment_viewed",
        actor=request.user,
        municipality=municipality,
        request=request,
        object_type="survey_case",
        object_id=assignment.case_id,
    )
    members = assignment.case.household.members.filter(removed_on__isnull=True).order_by("id")
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
    surveys = Survey.objects.filter(municipality=municipality).order_by("-opens_at")
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
    survey = get_object_or_404(Survey, municipality=municipality, pk=_object_id(survey_id))
    schedule = ReminderSchedule.objects.filter(survey=survey).first()
    initial_days = ",".join(str(d) for d in schedule.days_after_opening) if schedule else ""
    schedule_form = ScheduleForm(initial={"days": initial_days})
    build_form = BuildForm()
    if request.method == "POST":
        what = request.POST.get("action", "")
        try:
            if what == "schedule":
                schedule_form = ScheduleForm(request.POST)
                if schedule_form.is_valid():
                    actions.set_reminder_schedule(survey, schedule_form.cleaned_data["days"], by=request.user)
                    messages.success(request, _("督促の予定を保存しました。"))
                    return redirect("fieldwork:survey", code=municipality.code, survey_id=survey.pk)
            elif what == "build":
                build_form = BuildForm(request.POST)
                if build_form.is_valid():
                    summary = actions.build_follow_up(
                        survey, by=request.user, rebuild=build_form.cleaned_data["rebuild"]
                    )
                    messages.success(
                        request,
                        _("未回答の %(n)d 世帯を %(a)d 人の調査員に割り当てました。")
                        % {"n": summary.non_responders, "a": len(summary.areas)},
                    )
                    return redirect("fieldwork:survey", code=municipality.code, survey_id=survey.pk)
            elif what == "remind":
                result = actions.send_reminders(survey, by=request.user)
                if result.round is None:
                    messages.info(request, result.reason)
                else:
                    messages.success(
                        request,
                        _("第%(r)d回の督促を %(n)d 世帯に送りました(経路: %(c)s)。")
                        % {"r": result.round, "n": result.sent, "c": result.channel},
                    )
                return redirect("fieldwork:survey", code=municipality.code, survey_id=survey.pk)
        except actions.FieldworkError as error:
            messages.error(request, str(error))
    areas = (
        FollowUpArea.objects.filter(survey=survey).select_related("enumerator").prefetch_related("districts")
    )
    return render(
        request,
        "fieldwork/survey_manage.html",
        {
            "municipality": municipality,
            "survey": survey,
            "schedule": schedule,
            "schedule_form": schedule_form,
            "build_form": build_form,
            "areas": areas,
        },
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


@municipality_permission("surveys.manage")
def survey_dashboard(request: HttpRequest, municipality: Municipality, survey_id: str) -> HttpResponse:
    """Response rates and fieldwork workload of one survey, as tables and inline SVG charts (no JavaScript)."""
    survey = get_object_or_404(Survey, municipality=municipality, pk=_object_id(survey_id))
    board = queries.dashboard(survey)
    by_mode = [(str(MODE_LABELS.get(mode, mode)), count, rate) for mode, count, rate in board.by_mode]
    svg = {
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
    audit.record(
        "fieldwork.dashboard_viewed",
        actor=request.user,
        municipality=municipality,
        request=request,
        object_type="survey",
        object_id=survey.pk,
    )
    return render(
        request,
        "fieldwork/dashboard.html",
        {
            "municipality": municipality,
            "survey": survey,
            "board": board,
            "by_mode": by_mode,
            "devices": [(str(DEVICE_LABELS.get(d, d)), n) for d, n in board.devices],
            # The SVG is built from escaped text by chiiki.fieldwork.charts.
            "svg": {key: mark_safe(value) for key, value in svg.items()},  # noqa: S308
        },
    )
