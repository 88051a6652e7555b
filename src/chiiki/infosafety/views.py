"""Pages of infosafety: the public fact-check pages and report form, and the editors' desk and screening."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from chiiki.core import audit
from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.links import safe_link
from chiiki.core.models import Municipality, User
from chiiki.infosafety import actions, line, queries
from chiiki.infosafety.archives import ARCHIVE_TYPES, CAPTURE_TYPES
from chiiki.infosafety.claimreview import claim_review, script_json
from chiiki.infosafety.engine import (
    SCALES,
    PostFileError,
    PostRow,
    Screener,
    SignalSetError,
    format_patterns,
    read_posts,
)
from chiiki.infosafety.forms import (
    ArchiveForm,
    BatchForm,
    CaptureForm,
    CorrectionForm,
    DeclineForm,
    DraftForm,
    ImportForm,
    MergeForm,
    ReportForm,
    ScreenForm,
    SignalSetForm,
    SourceForm,
    SplitForm,
    WatchModeForm,
    WatchPatternsForm,
)
from chiiki.infosafety.images import IMAGE_TYPES
from chiiki.infosafety.models import Claim, Report, TakedownReport
from chiiki.infosafety.takedown_report import ihc_record, platform_text, report_zip
from chiiki.infosafety.throttle import report_throttle
from chiiki.tables import excel_safe_row

# ---------------------------------------------------------------- public pages


def public_list(request: HttpRequest, area: str) -> HttpResponse:
    """The municipality's published fact-checks."""
    municipality = get_object_or_404(Municipality, code=area)
    return render(
        request,
        "infosafety/public_list.html",
        {"municipality": municipality, "checks": queries.published_checks(municipality), "scales": SCALES},
    )


def public_detail(request: HttpRequest, area: str, claim_id: int) -> HttpResponse:
    """One published fact-check with its ClaimReview JSON-LD."""
    municipality = get_object_or_404(Municipality, code=area)
    claim = queries.published_check(municipality, claim_id)
    if claim is None:
        raise Http404
    reports = list(queries.reports(claim))
    appearances = [{"@type": "CreativeWork", "url": r.link} for r in reports if safe_link(r.link)]
    data = claim_review(
        claim,
        url=request.build_absolute_uri(),
        first=reports[0] if reports else None,
        appearances=appearances,
    )
    return render(
        request,
        "infosafety/public_detail.html",
        {
            "municipality": municipality,
            "claim": claim,
            "rating": SCALES[claim.scale].rating(claim.rating),
            "sources": claim.sources.all(),
            "history": queries.history(claim),
            "jsonld": mark_safe(script_json(data)),  # noqa: S308 - escaped for <script> by script_json
        },
    )


def public_report(request: HttpRequest, area: str) -> HttpResponse:
    """The no-JavaScript form where residents report a rumour they saw (a few per address per period)."""
    municipality = get_object_or_404(Municipality, code=area)
    if request.method == "POST":
        wait = report_throttle(request, municipality)
        if wait:
            form = ReportForm(None)
            context = {"municipality": municipality, "form": form, "sent": False, "throttled": wait}
            return render(request, "infosafety/public_report.html", context, status=429)
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if _submit(request, municipality, form, Report.Channel.WEB):
            return redirect(f"{request.path}?sent=1")
    return render(
        request,
        "infosafety/public_report.html",
        {"municipality": municipality, "form": form, "sent": request.GET.get("sent") == "1"},
        status=400 if form.errors else 200,
    )


def prevention(request: HttpRequest, area: str) -> HttpResponse:
    """For young people, parents and schools: what recruitment posts look like, what to do, where to call."""
    municipality = get_object_or_404(Municipality, code=area)
    return render(request, "infosafety/prevention.html", {"municipality": municipality})


def _submit(request: HttpRequest, municipality: Municipality, form: ReportForm, channel: str) -> bool:
    data = form.cleaned_data
    intake = actions.Intake(
        text=data["text"],
        link=data["link"],
        where_seen=data["where_seen"],
        seen_at=data["seen_at"],
        contact=data["contact"],
        channel=channel,
        screenshot=data["screenshot"],
    )
    try:
        actions.submit_report(municipality, intake, by=Actor.from_request(request, label=_label(request)))
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


def _label(request: HttpRequest) -> str:
    return "" if request.user.is_authenticated else "resident (web form)"


@csrf_exempt  # LINE signs the body instead (X-Line-Signature); nothing is stored without a valid signature
@require_POST
def line_webhook(request: HttpRequest, area: str) -> HttpResponse:
    """The Messaging API webhook of the municipality's LINE account."""
    channel = queries.line_channel(area)
    if channel is None:
        raise Http404
    if not line.signature_is_valid(
        channel.channel_secret, request.body, request.headers.get("X-Line-Signature", "")
    ):
        return HttpResponse("invalid signature", status=401, content_type="text/plain")
    try:
        events = json.loads(request.body)["events"]
    except (ValueError, KeyError, TypeError):
        return HttpResponse("malformed body", status=400, content_type="text/plain")
    if not isinstance(events, list):
        return HttpResponse("malformed body", status=400, content_type="text/plain")
    actions.receive_line_events(channel, events, by=Actor.from_request(request, label="LINE webhook"))
    return HttpResponse("ok", content_type="text/plain")


# ---------------------------------------------------------------- the desk


@municipality_permission("infosafety.factcheck")
def desk(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Claims on the desk by state."""
    status = request.GET.get("status", "")
    claims = list(queries.desk(municipality, status=status)[:200])
    _viewed("infosafety.desk_viewed", municipality, request, "claim", ids=[c.pk for c in claims])
    return render(
        request,
        "infosafety/desk.html",
        {
            "municipality": municipality,
            "claims": claims,
            "counts": queries.status_counts(municipality),
            "statuses": Claim.Status.choices,
            "status": status,
        },
    )


@municipality_permission("infosafety.factcheck")
def staff_report(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Staff enter a rumour they found or were told about."""
    form = ReportForm(request.POST or None, request.FILES or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _submit(request, municipality, form, Report.Channel.STAFF)
    ):
        messages.success(request, _("受け付けました。"))
        return redirect("infosafety:desk", code=municipality.code)
    return render(
        request,
        "infosafety/staff_report.html",
        {"municipality": municipality, "form": form},
        status=400 if form.errors else 200,
    )


@municipality_permission("infosafety.factcheck")
def report_screenshot(request: HttpRequest, municipality: Municipality, report_id: int) -> HttpResponse:
    """The screenshot sent with a report, for editors only (an audited read; never linked from public pages)."""
    report = queries.report_with_screenshot(municipality, report_id)
    if report is None or report.screenshot_type not in IMAGE_TYPES:
        raise Http404
    _viewed("infosafety.screenshot_viewed", municipality, request, "rumour_report", object_id=report.pk)
    with report.screenshot.open("rb") as stored:
        response = HttpResponse(stored.read(), content_type=report.screenshot_type)
    response["Content-Disposition"] = (
        f'inline; filename="report-{report.pk}.{IMAGE_TYPES[report.screenshot_type]}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@municipality_permission("infosafety.factcheck")
def source_archive(request: HttpRequest, municipality: Municipality, source_id: int) -> HttpResponse:
    """The archived copy of a source, for editors only: always a download (a saved page never runs here),
    with its checked type; each download is audited."""
    source = queries.archived_source(municipality, source_id)
    if source is None or source.archive_type not in ARCHIVE_TYPES:
        raise Http404
    _viewed("infosafety.archive_downloaded", municipality, request, "claim", object_id=source.claim_id)
    with source.archive.open("rb") as stored:
        response = HttpResponse(stored.read(), content_type=source.archive_type)
    response["Content-Disposition"] = (
        f'attachment; filename="source-{source.pk}.{ARCHIVE_TYPES[source.archive_type]}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@municipality_permission("infosafety.factcheck")
def import_posts(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Bring a file of posts exported from X or Bluesky (or a CSV) into the desk; a bad line refuses it all."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            rows = read_posts(content, name=upload.name or "")
            if len(rows) > actions.MAX_IMPORT:  # a large file: the worker imports it
                actions.check_rows(rows, limit=actions.MAX_IMPORT_JOB)
                actions.request_import(
                    municipality, content, name=upload.name or "", by=Actor.from_request(request)
                )
                messages.success(
                    request,
                    _("%(posts)s 件のファイルを受け付けました。取り込みの進み具合はこのページに出ます。")
                    % {"posts": len(rows)},
                )
                return redirect("infosafety:import", code=municipality.code)
            result = actions.import_posts(
                municipality, rows, name=upload.name or "", by=Actor.from_request(request)
            )
        except PostFileError as error:
            form.add_error("file", str(error))
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            messages.success(
                request,
                _(
                    "%(reports)s 件を取り込みました(新しいうわさ %(new)s 件、既存のうわさに追加 %(joined)s 件、"
                    "取り込み済みで飛ばした投稿 %(skipped)s 件)。"
                )
                % {
                    "reports": result.reports,
                    "new": result.new_claims,
                    "joined": result.joined_claims,
                    "skipped": result.skipped,
                },
            )
            return redirect("infosafety:desk", code=municipality.code)
    return render(
        request,
        "infosafety/import.html",
        {
            "municipality": municipality,
            "form": form,
            "limit": actions.MAX_IMPORT,
            "imports": queries.post_imports(municipality)[:20],
        },
        status=400 if form.errors else 200,
    )


def _claim_or_404(municipality: Municipality, claim_id: int) -> Claim:
    claim = queries.claim(municipality, claim_id)
    if claim is None:
        raise Http404
    return claim


@municipality_permission("infosafety.factcheck")
def claim_detail(request: HttpRequest, municipality: Municipality, claim_id: int) -> HttpResponse:
    """A claim with its reports, sources, verdict and the forms of the next steps."""
    claim = _claim_or_404(municipality, claim_id)
    _viewed("infosafety.claim_viewed", municipality, request, "claim", object_id=claim.pk)
    return render(request, "infosafety/claim.html", _claim_context(request, municipality, claim, {}))


def _viewed(
    action: str,
    municipality: Municipality,
    request: HttpRequest,
    object_type: str,
    *,
    object_id: int | str = "",
    ids: list[int] | None = None,
) -> None:
    """Audit a read of what residents reported or people posted (they may name people)."""
    audit.record(
        action,
        by=Actor.from_request(request),
        municipality=municipality,
        object_type=object_type,
        object_id=object_id,
        detail={"ids": ids} if ids is not None else {},
    )


def _claim_context(
    request: HttpRequest, municipality: Municipality, claim: Claim, forms: dict[str, Any]
) -> dict[str, Any]:
    initial = {
        "rating": f"{claim.scale}:{claim.rating}" if claim.rating else "",
        "explanation": claim.explanation,
    }
    return {
        "municipality": municipality,
        "claim": claim,
        "reports": queries.reports(claim),
        "sources": claim.sources.all(),
        "history": queries.history(claim),
        "rating": SCALES[claim.scale].rating(claim.rating) if claim.rating else None,
        "can_publish": claim.status == Claim.Status.DRAFTED and claim.drafted_by_id != request.user.pk,
        "source_form": forms.get("source", SourceForm()),
        "archive_form": forms.get("archive", ArchiveForm(sources=_source_choices(claim))),
        "draft_form": forms.get("draft", DraftForm(initial=initial)),
        "correct_form": forms.get("correct", CorrectionForm(initial=initial)),
        "decline_form": forms.get("decline", DeclineForm()),
        "merge_form": forms.get("merge", MergeForm()),
        "split_form": forms.get("split", SplitForm(claim_reports=_report_choices(claim))),
    }


def _report_choices(claim: Claim) -> list[tuple[int, str]]:
    return [(r.pk, f"#{r.pk} {r.text[:80]}") for r in queries.reports(claim)]


Step = Callable[[HttpRequest, Claim, Actor], "dict[str, Any] | None"]


def _step_assign(request: HttpRequest, claim: Claim, by: Actor) -> dict[str, Any] | None:
    if not isinstance(request.user, User):
        raise PermissionDenied
    actions.assign_claim(claim, to=request.user, by=by)
    return None


def _step_source(request: HttpRequest, claim: Claim, by: Actor) -> dict[str, Any] | None:
    form = SourceForm(request.POST, request.FILES)
    if not form.is_valid():
        return {"source": form}
    actions.add_source(claim, **form.cleaned_data, by=by)
    return None


def _source_choices(claim: Claim) -> list[tuple[int, str]]:
    return [(s.pk, s.title) for s in claim.sources.all() if not s.archive]


def _step_archive(request: HttpRequest, claim: Claim, by: Actor) -> dict[str, Any] | None:
    form = ArchiveForm(request.POST, request.FILES, sources=_source_choices(claim))
    if not form.is_valid():
        return {"archive": form}
    source = claim.sources.get(pk=form.cleaned_data["source"])  # one of this claim's, by the choices
    actions.archive_source(source, form.cleaned_data["archive"], by=by)
    return None


def _step_draft(request: HttpRequest, claim: Claim, by: Actor) -> dict[str, Any] | None:
    form = DraftForm(request.POST)
    if not form.is_valid():
        return {"draft": form}
    scale, rating = form.cleaned_data["rating"].split(":", 1)
    actions.draft_verdict(
        claim, scale=scale, rating=rating, explanation=form.cleaned_data["explanation"], by=by
    )
    return None


def _step_publish(request: HttpRequest, claim: Claim, by: Actor) -> dict[str, Any] | None:
    actions.publish_verdict(claim, by=by)
    return None


def _step_correct(request: HttpRequest, claim: Claim, by: Actor) -> dict[str, Any] | None:
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        return {"correct": form}
    scale, rating = form.cleaned_data["rating"].split(":", 1)
    if scale != claim.scale:
        form.add_error("rating", _("公開した判定と同じ尺度から選んでください"))
        return {"correct": form}
    actions.correct_verdict(
        claim,
        rating=rating,
        explanation=form.cleaned_data["explanation"],
        note=form.cleaned_data["note"],
        by=by,
    )
    return None


def _step_decline(request: HttpRequest, claim: Claim, by: Actor) -> dict[str, Any] | None:
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return {"decline": form}
    actions.decline_claim(claim, reason=form.cleaned_data["reason"], by=by)
    return None


def _step_merge(request: HttpRequest, claim: Claim, by: Actor) -> dict[str, Any] | None:
    form = MergeForm(request.POST)
    if not form.is_valid():
        return {"merge": form}
    other = queries.claim(claim.municipality, form.cleaned_data["other"])
    if other is None:
        form.add_error("other", _("その番号のうわさはありません"))
        return {"merge": form}
    actions.merge_claims(claim, other, by=by)
    return None


def _step_split(request: HttpRequest, claim: Claim, by: Actor) -> dict[str, Any] | None:
    form = SplitForm(request.POST, claim_reports=_report_choices(claim))
    if not form.is_valid():
        return {"split": form}
    new = actions.split_claim(claim, form.cleaned_data["reports"], by=by)
    messages.success(request, _("報告を新しいうわさ #%(number)s に分けました。") % {"number": new.pk})
    return None


STEPS: dict[str, Step] = {
    "assign": _step_assign,
    "source": _step_source,
    "archive": _step_archive,
    "draft": _step_draft,
    "publish": _step_publish,
    "correct": _step_correct,
    "decline": _step_decline,
    "merge": _step_merge,
    "split": _step_split,
}


@municipality_permission("infosafety.factcheck")
@require_POST
def claim_step(request: HttpRequest, municipality: Municipality, claim_id: int, step: str) -> HttpResponse:
    """Do one step of the workflow (assign, source, draft, publish, correct, decline, merge, split)."""
    claim = _claim_or_404(municipality, claim_id)
    handler = STEPS.get(step)
    if handler is None:
        raise Http404
    try:
        invalid = handler(request, claim, Actor.from_request(request))
    except (actions.FactCheckError, actions.ArchiveError) as error:
        messages.error(request, str(error))
        return redirect("infosafety:claim", code=municipality.code, claim_id=claim.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("infosafety:claim", code=municipality.code, claim_id=claim.pk)
    if invalid is not None:
        context = _claim_context(request, municipality, claim, invalid)
        return render(request, "infosafety/claim.html", context, status=400)
    messages.success(request, _("保存しました。"))
    return redirect("infosafety:claim", code=municipality.code, claim_id=claim.pk)


@municipality_permission("infosafety.factcheck")
def dashboard(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Disaster or election mode: switch it on, and the last 24 hours at a glance."""
    form = WatchModeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.start_watch_mode(municipality, **form.cleaned_data, by=Actor.from_request(request))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("注意モードを設定しました。"))
            return redirect("infosafety:dashboard", code=municipality.code)
    return _dashboard_page(request, municipality, form, {})


def _dashboard_page(
    request: HttpRequest,
    municipality: Municipality,
    form: WatchModeForm,
    invalid: dict[int, WatchPatternsForm],
) -> HttpResponse:
    board = queries.dashboard(municipality)
    _viewed(
        "infosafety.dashboard_viewed", municipality, request, "report", ids=[r.pk for r in board.watch_hits]
    )
    mode_forms = [
        (
            mode,
            invalid.get(mode.pk)
            or WatchPatternsForm(
                initial={"patterns": format_patterns(mode.patterns)}, auto_id=f"id_mode{mode.pk}_%s"
            ),
        )
        for mode in board.active_modes
    ]
    return render(
        request,
        "infosafety/dashboard.html",
        {"municipality": municipality, "board": board, "form": form, "mode_forms": mode_forms},
        status=400 if form.errors or invalid else 200,
    )


@municipality_permission("infosafety.factcheck")
@require_POST
def watch_patterns(request: HttpRequest, municipality: Municipality, mode_id: int) -> HttpResponse:
    """Replace the watch list of a running or coming mode with the words staff wrote."""
    mode = queries.watch_mode(municipality, mode_id)
    if mode is None:
        raise Http404
    form = WatchPatternsForm(request.POST, auto_id=f"id_mode{mode.pk}_%s")
    if form.is_valid():
        try:
            actions.update_watch_patterns(mode, form.cleaned_data["patterns"], by=Actor.from_request(request))
        except actions.FactCheckError as error:
            form.add_error("patterns", str(error))
        else:
            messages.success(request, _("注意する言葉を保存しました。"))
            return redirect("infosafety:dashboard", code=municipality.code)
    return _dashboard_page(request, municipality, WatchModeForm(), {mode.pk: form})


# ---------------------------------------------------------------- screening


@municipality_permission("infosafety.screen")
def screening(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Screen one post on the page (the result is kept), and the list of bulk screenings."""
    form = ScreenForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        signal_set = queries.current_signal_set(municipality)
        row = PostRow(0, form.cleaned_data["text"], form.cleaned_data["url"])
        screening_result = Screener(signal_set).screen(row.text)
        result = actions.screen_post(municipality, row, screening_result, by=Actor.from_request(request))
    return render(
        request,
        "infosafety/screening.html",
        {
            "municipality": municipality,
            "form": form,
            "result": result,
            "batch_form": BatchForm(),
            "batches": queries.batches(municipality),
            "version": queries.current_signal_set(municipality).version,
        },
    )


@municipality_permission("infosafety.screen")
@require_POST
def screening_upload(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Upload a file of posts; the worker screens it."""
    form = BatchForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request,
            "infosafety/screening.html",
            {
                "municipality": municipality,
                "form": ScreenForm(),
                "batch_form": form,
                "batches": queries.batches(municipality),
                "version": queries.current_signal_set(municipality).version,
            },
            status=400,
        )
    actions.request_bulk_screening(municipality, form.cleaned_data["file"], by=Actor.from_request(request))
    messages.success(request, _("受け付けました。確認が終わると、下の一覧に結果が出ます。"))
    return redirect("infosafety:screening", code=municipality.code)


@municipality_permission("infosafety.screen")
def batch_detail(request: HttpRequest, municipality: Municipality, batch_id: int) -> HttpResponse:
    """The posts of one bulk screening, highest score first."""
    batch = queries.batch(municipality, batch_id)
    if batch is None:
        raise Http404
    level = request.GET.get("level", "")
    posts = list(queries.batch_posts(batch, level=level)[:500])
    _viewed("infosafety.batch_viewed", municipality, request, "screening_batch", object_id=batch.pk)
    return render(
        request,
        "infosafety/batch.html",
        {
            "municipality": municipality,
            "batch": batch,
            "posts": posts,
            "recipients": TakedownReport.Recipient.choices,
        },
    )


@municipality_permission("infosafety.signals")
def signals(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The signal set in use, its sources, the loaded versions, and loading a new one (with what changed)."""
    form = SignalSetForm(request.POST or None, request.FILES or None)
    diff_lines: list[str] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            _row, diff = actions.load_signal_set_version(
                municipality, form.cleaned_data["file"].read(), by=Actor.from_request(request)
            )
            diff_lines = diff.lines() or [_("手がかりの中身は前の版と同じです。")]
        except SignalSetError as error:
            for problem in error.problems:
                form.add_error("file", problem)
    signal_set = queries.current_signal_set(municipality)
    return render(
        request,
        "infosafety/signals.html",
        {
            "municipality": municipality,
            "form": form,
            "signal_set": signal_set,
            "signals": [(s, signal_set.sources[s.source]) for s in signal_set.signals],
            "versions": queries.signal_set_versions(municipality),
            "diff_lines": diff_lines,
        },
        status=400 if form.errors else 200,
    )


# ---------------------------------------------------------------- reports to platforms

IHC_COLUMNS = (
    "通報番号",
    "作成日時",
    "通報先",
    "URL",
    "情報の種別",
    "理由",
    "点数",
    "状態",
    "記録ファイル名",
    "記録SHA-256",
)


@municipality_permission("infosafety.screen")
def takedowns(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Reports of screened posts and their outcome; `?format=csv` gives the documented hand-over file."""
    rows = list(queries.takedowns(municipality)[:500])
    _viewed("infosafety.takedowns_viewed", municipality, request, "takedown", ids=[r.pk for r in rows])
    if request.GET.get("format") == "csv":
        return _takedowns_csv(municipality, rows)
    return render(
        request,
        "infosafety/takedowns.html",
        {"municipality": municipality, "reports": rows, "statuses": TakedownReport.Status.choices},
    )


def _takedowns_csv(municipality: Municipality, rows: list[TakedownReport]) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(IHC_COLUMNS)
    for r in rows:
        writer.writerow(
            excel_safe_row(
                [
                    r.pk,
                    r.created_at.isoformat(timespec="minutes"),
                    r.get_recipient_display(),
                    r.url,
                    "犯罪実行者募集情報",
                    r.reason,
                    r.post.score,
                    r.get_status_display(),
                    r.capture_name,
                    r.capture_sha256 if r.capture_name else "",
                ]
            )
        )
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="takedowns-{municipality.code}.csv"'
    return response


@municipality_permission("infosafety.screen")
@require_POST
def takedown_new(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Write a report of one screened post to a platform or the Internet Hotline Center."""
    post = queries.screened_post(municipality, _int(request.POST.get("post")))
    if post is None:
        raise Http404
    try:
        report = actions.draft_takedown(
            post, recipient=request.POST.get("recipient", ""), by=Actor.from_request(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("infosafety:takedowns", code=municipality.code)
    messages.success(
        request, _("通報を作成しました。投稿の記録(キャプチャ)を加え、送ったら「送信済み」にしてください。")
    )
    return redirect("infosafety:takedown", code=municipality.code, report_id=report.pk)


def _takedown_or_404(municipality: Municipality, report_id: int) -> TakedownReport:
    report = queries.takedowns(municipality).filter(pk=report_id).first()
    if report is None:
        raise Http404
    return report


def _takedown_page(
    request: HttpRequest, municipality: Municipality, report: TakedownReport, form: CaptureForm | None = None
) -> HttpResponse:
    return render(
        request,
        "infosafety/takedown.html",
        {
            "municipality": municipality,
            "report": report,
            "text": platform_text(report),
            "record": json.dumps(ihc_record(report), ensure_ascii=False, indent=2),
            "form": form or CaptureForm(),
        },
        status=400 if form is not None and form.errors else 200,
    )


@municipality_permission("infosafety.screen")
def takedown_detail(request: HttpRequest, municipality: Municipality, report_id: int) -> HttpResponse:
    """One report: its text for the platform, its record for the Internet Hotline Center, its capture."""
    report = _takedown_or_404(municipality, report_id)
    _viewed("infosafety.takedown_viewed", municipality, request, "takedown", object_id=report.pk)
    return _takedown_page(request, municipality, report)


@municipality_permission("infosafety.screen")
@require_POST
def takedown_capture(request: HttpRequest, municipality: Municipality, report_id: int) -> HttpResponse:
    """Attach the capture of the reported post (once; a capture is evidence and is not replaced)."""
    report = _takedown_or_404(municipality, report_id)
    form = CaptureForm(request.POST, request.FILES)
    if not form.is_valid():
        return _takedown_page(request, municipality, report, form)
    try:
        actions.attach_capture(report, form.cleaned_data["capture"], by=Actor.from_request(request))
    except actions.CaptureError as error:
        form.add_error(None, str(error))  # the form is no longer shown: the summary says why
        return _takedown_page(request, municipality, report, form)
    except ValidationError as error:
        form.add_error("capture", " ".join(error.messages))
        return _takedown_page(request, municipality, report, form)
    messages.success(request, _("投稿の記録を保存しました。"))
    return redirect("infosafety:takedown", code=municipality.code, report_id=report.pk)


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _capture_bytes(report: TakedownReport) -> bytes:
    with report.capture.open("rb") as stored:
        content: bytes = stored.read()
    return content


@municipality_permission("infosafety.screen")
def takedown_capture_file(request: HttpRequest, municipality: Municipality, report_id: int) -> HttpResponse:
    """The capture of a reported post, for staff only: always a download, with its checked type; audited."""
    report = _takedown_or_404(municipality, report_id)
    if not report.capture_name or report.capture_type not in CAPTURE_TYPES:
        raise Http404
    _viewed("infosafety.capture_downloaded", municipality, request, "takedown", object_id=report.pk)
    return _attachment(_capture_bytes(report), report.capture_type, report.capture_name)


@municipality_permission("infosafety.screen")
def takedown_export(request: HttpRequest, municipality: Municipality, report_id: int) -> HttpResponse:
    """The report as a ZIP: its text for the platform, its JSON record, the capture and SHA256SUMS; audited."""
    report = _takedown_or_404(municipality, report_id)
    capture = _capture_bytes(report) if report.capture_name else None
    _viewed("infosafety.takedown_exported", municipality, request, "takedown", object_id=report.pk)
    return _attachment(report_zip(report, capture), "application/zip", f"takedown-{report.pk}.zip")


@municipality_permission("infosafety.screen")
@require_POST
def takedown_status(request: HttpRequest, municipality: Municipality, report_id: int) -> HttpResponse:
    """Record that a report was sent, or what became of the post."""
    report = _takedown_or_404(municipality, report_id)
    try:
        actions.record_takedown_status(
            report, status=request.POST.get("status", ""), by=Actor.from_request(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("infosafety:takedowns", code=municipality.code)


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0
