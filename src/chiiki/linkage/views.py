"""Staff pages of linkage: runs and upload, the review queue, the case page, and the second officer's confirmation.

Every page that shows records or registry values writes an audit record. Ids in the URLs are plain strings
parsed here, so that a wrong id is a 404 only after the municipality permission check has passed.
"""

from __future__ import annotations

import csv

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiiki.core import audit
from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.core.uploads import within_upload_limit
from chiiki.linkage import actions, queries
from chiiki.linkage.evidence import reason_text, side_by_side, waterfall
from chiiki.linkage.models import Candidate, LinkageRun, LinkCase
from chiiki.tables import excel_safe_row

PERMISSION = "linkage.review"


def _id(value: str) -> int:
    if not value.isdigit() or len(value) > 18:
        raise Http404
    return int(value)


def _run(municipality: Municipality, run_id: str) -> LinkageRun:
    found = queries.run(municipality, _id(run_id))
    if found is None:
        raise Http404
    return found


def _case(municipality: Municipality, run_id: str, case_id: str) -> tuple[LinkageRun, LinkCase]:
    run = _run(municipality, run_id)
    found = queries.case(run, _id(case_id))
    if found is None:
        raise Http404
    return run, found


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("照合するレコード(CSV または TSV。UTF-8・Shift_JIS のどちらでも)"),
        help_text=gettext_lazy(
            "見出し行: record_id,name_kanji,name_kana,birth_date,sex,address,postal_code(空欄があっても構いません)。"
            "性別は 1/2、男/女、M/F のどれでも、生年月日は西暦でも和暦(昭和55年5月17日、S55.5.17)でも読めます。"
            "読めない行があれば、その行と列をすぐにお知らせします。"
        ),
    )

    def clean_file(self) -> object:
        upload = within_upload_limit(self.cleaned_data["file"])
        return upload


@municipality_permission(PERMISSION)
def run_list(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The runs of the municipality, and the upload of a new records file (linked by the worker)."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_linkage_run(
                municipality, form.cleaned_data["file"], by=Actor.from_request(request)
            )
        except actions.InputError as error:
            # Refused at once, naming the row and column; nothing was stored.
            form.add_error("file", str(error).splitlines())
        else:
            messages.success(request, _("受け付けました。照合が終わると、この一覧に結果が出ます。"))
            return redirect("linkage:runs", code=municipality.code)
    runs = Paginator(queries.runs(municipality), 20).get_page(request.GET.get("page"))
    return render(
        request, "linkage/run_list.html", {"municipality": municipality, "form": form, "page": runs}
    )


@municipality_permission(PERMISSION)
def run_detail(request: HttpRequest, municipality: Municipality, run_id: str) -> HttpResponse:
    """One run: its counts, the review queue and the decisions waiting for a second officer."""
    run = _run(municipality, run_id)
    queue = Paginator(queries.review_queue(run), 50).get_page(request.GET.get("page"))
    waiting = list(queries.awaiting_confirmation(run)[:200])
    audit.record(
        "linkage.queue_viewed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="linkage_run",
        object_id=run.pk,
        detail={"cases": [case.pk for case in queue.object_list], "awaiting": [r.case_id for r in waiting]},
    )
    return render(
        request,
        "linkage/run_detail.html",
        {"municipality": municipality, "run": run, "page": queue, "waiting": waiting},
    )


class ReviewForm(forms.Form):
    choice = forms.ChoiceField(label=gettext_lazy("判断"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=gettext_lazy("メモ(任意)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["choice"].choices = choices  # type: ignore[attr-defined]


def _case_context(
    request: HttpRequest,
    municipality: Municipality,
    run: LinkageRun,
    case: LinkCase,
    candidates: list[Candidate],
) -> dict[str, object]:
    review = queries.pending_review(case)
    return {
        "review": review,
        # The officer who decided sees that a colleague must confirm; any other officer gets the link to do so.
        "own_decision": review is not None and review.officer_id == request.user.pk,
        "municipality": municipality,
        "run": run,
        "case": case,
        "candidates": candidates,
        "rows": side_by_side(case, candidates),
        "reason": reason_text(case.reason),
        "waterfalls": [(candidate, waterfall(candidate)) for candidate in candidates],
        "history": list(queries.history(case)),
    }


@municipality_permission(PERMISSION)
def case_detail(request: HttpRequest, municipality: Municipality, run_id: str, case_id: str) -> HttpResponse:
    """A review case: the record beside its candidates, the evidence, and the first officer's decision."""
    run, case = _case(municipality, run_id, case_id)
    candidates = list(queries.candidates(case))
    context = _case_context(request, municipality, run, case, candidates)
    choices = [
        (str(c.pk), _("候補%(rank)d(住民番号 %(code)s)を紐付ける") % {"rank": c.rank, "code": c.person_code})
        for c in candidates
    ] + [("reject_all", _("どの候補とも紐付けない"))]
    form = ReviewForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["choice"]
        chosen = next((c for c in candidates if str(c.pk) == choice), None)
        try:
            actions.review_case(
                case,
                by=Actor.from_request(request),
                candidate=chosen,
                reject_all=choice == "reject_all",
                note=form.cleaned_data["note"],
            )
        except actions.ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("判断を記録しました。別の職員の承認で確定します。"))
            return redirect("linkage:run", code=municipality.code, run_id=run.pk)
    audit.record(
        "linkage.case_viewed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="linkage_case",
        object_id=case.pk,
        detail={
            "run": run.pk,
            "record_id": case.record_id,
            "candidates": [c.person_code for c in candidates],
        },
    )
    return render(request, "linkage/case_detail.html", {**context, "form": form})


class ConfirmForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("メモ(任意)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


@municipality_permission(PERMISSION)
def confirm(request: HttpRequest, municipality: Municipality, run_id: str, case_id: str) -> HttpResponse:
    """The second officer sees the first decision with the same evidence and confirms or returns it."""
    run, case = _case(municipality, run_id, case_id)
    review = queries.pending_review(case)
    if review is None:
        messages.info(request, _("この案件に承認待ちの判断はありません。"))
        return redirect("linkage:run", code=municipality.code, run_id=run.pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.confirm_review(
                review,
                by=Actor.from_request(request),
                approve=request.POST.get("action") == "confirm",
                note=form.cleaned_data["note"],
            )
        except actions.ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("承認しました。") if request.POST.get("action") == "confirm" else _("差し戻しました。"),
            )
            return redirect("linkage:run", code=municipality.code, run_id=run.pk)
    audit.record(
        "linkage.case_viewed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="linkage_case",
        object_id=case.pk,
        detail={"run": run.pk, "record_id": case.record_id, "page": "confirm"},
    )
    context = _case_context(request, municipality, run, case, list(queries.candidates(case)))
    return render(request, "linkage/confirm.html", {**context, "form": form})


@municipality_permission(PERMISSION)
def links_export(request: HttpRequest, municipality: Municipality, run_id: str) -> HttpResponse:
    """The final links of a run as CSV (UTF-8 with BOM): automatic ones and those two officers confirmed."""
    run = _run(municipality, run_id)
    links = list(queries.final_links(run).values_list("record_id", "person_code", "source"))
    audit.record(
        "linkage.links_exported",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="linkage_run",
        object_id=run.pk,
        detail={"rows": len(links)},
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="linkage-{run.pk}-links.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        ["record_id", "person_id", "source"]
    )  # machine names, kept stable for the systems reading it
    writer.writerows(excel_safe_row(link) for link in links)  # record ids come from an uploaded file
    return response
