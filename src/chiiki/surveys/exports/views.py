"""Staff pages for exports of a survey's answers: ask for one, see past ones, download the ZIP.

Only survey managers (``surveys.manage``) of the survey's municipality see the page or a file; each download
is a read of personal data and is audited. The export itself runs in the task worker (`surveys.tasks`).
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiiki.core import audit
from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.surveys import actions, queries
from chiiki.surveys.models import Survey

FORMAT_CHOICES = [
    ("csv", "CSV"),
    ("parquet", "Parquet"),
    ("stata", "Stata (.dta)"),
    ("spss", "SPSS (.sav)"),
]


class ExportForm(forms.Form):
    """Which format to export the submitted answers in."""

    fmt = forms.ChoiceField(
        label=gettext_lazy("形式"),
        choices=FORMAT_CHOICES,
        help_text=gettext_lazy("ZIPファイルに、表と変数の説明(コードブック)が入ります。"),
    )


def _survey(municipality: Municipality, survey_id: str) -> Survey:
    """The municipality's survey with that id; 404 for a malformed id or another municipality's survey."""
    if not survey_id.isascii() or not survey_id.isdigit() or len(survey_id) > 18:
        raise Http404
    survey = queries.survey_of(municipality, int(survey_id))
    if survey is None:
        raise Http404
    return survey


@municipality_permission("surveys.manage")
def survey_exports(request: HttpRequest, municipality: Municipality, survey_id: str) -> HttpResponse:
    """List the survey's past exports and ask for a new one (the file is made by the task worker)."""
    survey = _survey(municipality, survey_id)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.request_export(survey, form.cleaned_data["fmt"], by=Actor.from_request(request))
        messages.success(
            request, _("書き出しを受け付けました。できあがると、この一覧からダウンロードできます。")
        )
        return redirect("surveys:survey_exports", code=municipality.code, survey_id=survey.pk)
    return render(
        request,
        "surveys/exports.html",
        {"municipality": municipality, "survey": survey, "form": form, "exports": queries.exports_of(survey)},
    )


@municipality_permission("surveys.manage")
def export_download(
    request: HttpRequest, municipality: Municipality, survey_id: str, export_id: int
) -> HttpResponse:
    """Serve a finished export's ZIP to a survey manager of its municipality; audited as a read."""
    survey = _survey(municipality, survey_id)
    export = queries.finished_export(survey, export_id)
    if export is None or not export.file_name or not default_storage.exists(export.file_name):
        raise Http404
    audit.record(
        "surveys.export_downloaded",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="survey_export",
        object_id=export.pk,
        detail={"survey": survey.pk, "format": export.fmt, "file": export.file_name},
    )
    download_name = f"survey-{survey.pk}-export-{export.pk}-{export.fmt}.zip"
    response = FileResponse(
        default_storage.open(export.file_name, "rb"),
        as_attachment=True,
        filename=download_name,
        content_type="application/zip",
    )
    # A streamed file, not an HttpResponse; the permission decorator's View type only names the latter.
    return cast(HttpResponse, response)
