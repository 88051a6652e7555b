"""Survey management pages for survey managers (`surveys.manage`): the list of surveys, a new survey from an
XLSForm (imported, created and sampled in one transaction), a survey's page with the files its questionnaire
reads (attached there when the form was uploaded without them), its request letters (written by
the worker, downloadable when ready; each download is audited, the ZIP holds access keys), and reissuing one
household's key at the counter without touching any other household's key."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from chiiki.core import audit
from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.surveys import actions, queries
from chiiki.surveys.contact import credentials
from chiiki.surveys.contact.letters import FontMissing
from chiiki.surveys.exports.views import _survey as survey_or_404
from chiiki.surveys.models import Survey
from chiiki.surveys.staff.forms import AttachFilesForm, LettersForm, NewSurveyForm, ReissueForm
from chiiki.surveys.xlsform import FormRejected

MAX_PROBLEMS = 40


@municipality_permission("surveys.manage")
def survey_list(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The municipality's surveys with their progress."""
    surveys = queries.surveys_in(municipality)
    return render(request, "surveys/manage_list.html", {"municipality": municipality, "surveys": surveys})


@municipality_permission("surveys.manage")
def survey_new(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Create a survey round from an XLSForm and draw its households (all or nothing)."""
    form = NewSurveyForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["form_file"]
        try:
            created = actions.create_survey_round(
                municipality,
                upload.read(),
                form.new_survey(),
                form_filename=upload.name,
                by=Actor.from_request(request),
                files=form.attached_files(),
            )
        except FormRejected as error:
            problems = _problems(error)
        except (actions.SurveyError, PermissionDenied) as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("調査を作成し、%(cases)s 世帯を抽出しました。") % {"cases": f"{created.sample.cases:,}"},
            )
            missing = queries.missing_files(created.survey)
            if missing:
                messages.warning(
                    request,
                    _("調査票が読むファイルがまだ添付されていません: %(names)s。添付するまで回答できません。")
                    % {"names": ", ".join(missing)},
                )
            return redirect("surveys:manage_survey", code=municipality.code, survey_id=created.survey.pk)
    context = {"municipality": municipality, "form": form, "problems": problems}
    return render(
        request, "surveys/manage_new.html", context, status=400 if request.method == "POST" else 200
    )


def _problems(error: FormRejected) -> list[str]:
    errors = [p for p in error.problems if p.severity == "error"] or error.problems
    lines = [problem.describe() for problem in errors[:MAX_PROBLEMS]]
    if len(errors) > MAX_PROBLEMS:
        lines.append(_("ほか %(n)s 件") % {"n": len(errors) - MAX_PROBLEMS})
    return lines


@municipality_permission("surveys.manage")
def survey_manage(request: HttpRequest, municipality: Municipality, survey_id: str) -> HttpResponse:
    """One survey: progress, request letters (queued for the worker) and the reissue form."""
    survey = survey_or_404(municipality, survey_id)
    letters_form = LettersForm(request.POST or None)
    if request.method == "POST" and letters_form.is_valid():
        try:
            actions.request_letters(survey, by=Actor.from_request(request), **letters_form.cleaned_data)
        except actions.SurveyError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("依頼状の作成を受け付けました。できあがると、この下の一覧からダウンロードできます。"),
            )
        return redirect("surveys:manage_survey", code=municipality.code, survey_id=survey.pk)
    return render(request, "surveys/manage_survey.html", _survey_context(municipality, survey, letters_form))


def _survey_context(
    municipality: Municipality, survey: Survey, letters_form: LettersForm, **extra: object
) -> dict[str, object]:
    """What the survey's page shows: progress, the questionnaire's files, letters, the forms."""
    files = queries.declared_files(survey.questionnaire_version)
    return {
        "municipality": municipality,
        "survey": survey,
        "progress": queries.surveys_in(municipality).filter(pk=survey.pk).first(),
        "letters_form": letters_form,
        "reissue_form": ReissueForm(),
        "batches": queries.letters_of(survey),
        "declared_files": files,
        "missing_files": [f.name for f in files if not f.attached],
        "attach_form": AttachFilesForm(),
        "files_problems": [],
        **extra,
    }


@municipality_permission("surveys.manage")
def survey_files(request: HttpRequest, municipality: Municipality, survey_id: str) -> HttpResponse:
    """Attach files the survey's questionnaire reads (choice files, data extracts); all or nothing."""
    survey = survey_or_404(municipality, survey_id)
    if request.method != "POST":
        return redirect("surveys:manage_survey", code=municipality.code, survey_id=survey.pk)
    form = AttachFilesForm(request.POST, request.FILES)
    problems: list[str] = []
    if form.is_valid():
        try:
            done = actions.attach_questionnaire_files(
                survey, form.attached_files(), by=Actor.from_request(request)
            )
        except FormRejected as error:
            problems = _problems(error)
        except (actions.SurveyError, PermissionDenied) as error:
            problems = [str(error)]
        else:
            _report_attached(request, done)
            return redirect("surveys:manage_survey", code=municipality.code, survey_id=survey.pk)
    else:
        problems = [str(message) for messages_ in form.errors.values() for message in messages_]
    context = _survey_context(municipality, survey, LettersForm(), attach_form=form, files_problems=problems)
    return render(request, "surveys/manage_survey.html", context, status=400)


def _report_attached(request: HttpRequest, done: actions.FilesAttached) -> None:
    """The message after attaching: what was taken, and what is still missing (or that answering can start)."""
    names = ", ".join(done.attached)
    if done.missing:
        messages.warning(
            request,
            _("%(names)s を添付しました。まだ未添付のファイルがあります: %(missing)s")
            % {"names": names, "missing": ", ".join(done.missing)},
        )
    else:
        messages.success(
            request,
            _("%(names)s を添付しました。調査票が読むファイルはすべてそろいました。") % {"names": names},
        )
    for problem in done.warnings:
        messages.warning(request, problem.describe())


@municipality_permission("surveys.manage")
def letters_download(
    request: HttpRequest, municipality: Municipality, survey_id: str, job_id: int
) -> HttpResponse:
    """Serve a finished batch of letters (PDFs and the printer's CSV, with access keys); audited."""
    survey = survey_or_404(municipality, survey_id)
    job = queries.finished_letters(survey, job_id)
    if job is None or not default_storage.exists(job.file_name):
        raise Http404
    audit.record(
        "surveys.letters_downloaded",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="survey_letters",
        object_id=job.pk,
        detail={"survey": survey.pk, "letters": job.letters},
    )
    response = FileResponse(
        default_storage.open(job.file_name, "rb"),
        as_attachment=True,
        filename=f"letters-{survey.pk}-{job.pk}.zip",
        content_type="application/zip",
    )
    return cast(HttpResponse, response)


@municipality_permission("surveys.manage")
def key_reissue(request: HttpRequest, municipality: Municipality, survey_id: str) -> HttpResponse:
    """Reissue one household's key and hand its one-page letter (PDF) to print at the counter."""
    survey = survey_or_404(municipality, survey_id)
    form = ReissueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login_id = credentials.normalize_login_id(form.cleaned_data["login_id"])
        try:
            letter = actions.reissue_one_key(survey, login_id, by=Actor.from_request(request))
        except (actions.SurveyError, FontMissing) as error:
            form.add_error("login_id", str(error))
        else:
            response = HttpResponse(letter.pdf, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="letter-{letter.login_id}.pdf"'
            return response
    context = {"municipality": municipality, "survey": survey, "form": form}
    return render(
        request, "surveys/manage_reissue.html", context, status=400 if request.method == "POST" else 200
    )
