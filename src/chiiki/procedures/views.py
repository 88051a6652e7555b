"""Staff pages of procedures: allowances, eligibility runs, follow-up, payment files, data loads, the help desk."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiiki.core import audit
from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.core.permissions import has_permission
from chiiki.procedures import actions, queries
from chiiki.procedures.applying import check_answers, shown_fields
from chiiki.procedures.extracts import ExtractRejected, parse_account_extract, parse_tax_extract
from chiiki.procedures.forms import (
    AllowanceForm,
    AssistForm,
    AssistLookupForm,
    DictionaryImportForm,
    FormImportForm,
    PaymentForm,
    UploadForm,
)
from chiiki.procedures.models import Allowance, Entitlement, ResidentMessage
from chiiki.procedures.resident import account_input, answer_problems
from chiiki.procedures.rules import RULE_SETS, RulesRejected
from chiiki.procedures.standard.exchange import ImportRejected
from chiiki.procedures.zengin import ZenginError
from chiiki.surveys.contact.credentials import normalize_login_id
from chiiki.surveys.xlsform import Form
from chiiki.tables import excel_safe_row


@municipality_permission("procedures.process")
def index(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The municipality's allowances."""
    return render(
        request,
        "procedures/index.html",
        {
            "municipality": municipality,
            "allowances": queries.allowances(municipality),
            "can_define": has_permission(request.user, municipality, "procedures.define_benefit"),
        },
    )


@municipality_permission("procedures.define_benefit")
def define(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Define an allowance: a reviewed rule set with dated parameters; refusals name the rule or parameter."""
    form = AllowanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            allowance = actions.define_allowance(
                municipality, **form.cleaned_data, by=Actor.from_request(request)
            )
        except RulesRejected as error:
            for problem in error.problems:
                form.add_error("parameters", problem)
        else:
            return redirect("procedures:allowance", code=municipality.code, allowance_id=allowance.pk)
    return render(request, "procedures/define.html", {"municipality": municipality, "form": form})


def _allowance(municipality: Municipality, allowance_id: int) -> Allowance:
    allowance = queries.allowance(municipality, allowance_id)
    if allowance is None:
        raise Http404
    return allowance


@municipality_permission("procedures.process")
def allowance_detail(request: HttpRequest, municipality: Municipality, allowance_id: int) -> HttpResponse:
    """An allowance: its rules and parameters, runs, counts per status, payment files; buttons for the next step."""
    allowance = _allowance(municipality, allowance_id)
    if request.method == "POST" and "run" in request.POST:
        if not has_permission(request.user, municipality, "procedures.define_benefit"):
            return HttpResponse(status=403)
        actions.request_eligibility_run(
            allowance, issue_notices=request.POST["run"] == "issue", by=Actor.from_request(request)
        )
        return redirect("procedures:allowance", code=municipality.code, allowance_id=allowance.pk)
    context: dict[str, Any] = {
        "municipality": municipality,
        "allowance": allowance,
        "rule_set": RULE_SETS.get(allowance.rule_set),
        "runs": queries.runs(allowance)[:20],
        "counts": _counts(allowance),
        "batches": queries.payment_batches(allowance),
        "payment_form": PaymentForm(),
        "can_define": has_permission(request.user, municipality, "procedures.define_benefit"),
        "can_pay": has_permission(request.user, municipality, "procedures.pay"),
    }
    return render(request, "procedures/allowance.html", context)


def _counts(allowance: Allowance) -> list[tuple[str, int, int]]:
    counts = queries.status_counts(allowance)
    return [(str(label), *counts.get(value, (0, 0))) for value, label in Entitlement.Status.choices]


@municipality_permission("procedures.process")
def run_detail(
    request: HttpRequest, municipality: Municipality, allowance_id: int, eligibility_run_id: int
) -> HttpResponse:
    """A run's counts by district and age band and its sample explanations (which name households: audited)."""
    allowance = _allowance(municipality, allowance_id)
    run = queries.run(allowance, eligibility_run_id)
    if run is None:
        raise Http404
    audit.record(
        "procedures.eligibility_run_viewed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="eligibility_run",
        object_id=run.pk,
        detail={"households": [s["household_id"] for s in run.summary.get("sample", [])]},
    )
    return render(
        request, "procedures/run.html", {"municipality": municipality, "allowance": allowance, "run": run}
    )


@municipality_permission("procedures.process")
def notices_pdf(
    request: HttpRequest, municipality: Municipality, allowance_id: int, eligibility_run_id: int
) -> HttpResponse:
    """The run's notices (確認書) as one PDF; it holds access keys, so every download is audited."""
    run = queries.run(_allowance(municipality, allowance_id), eligibility_run_id)
    if run is None or not run.notices_pdf:
        raise Http404
    audit.record(
        "procedures.notices_downloaded",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="eligibility_run",
        object_id=run.pk,
    )
    with run.notices_pdf.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="notices-{run.pk}.pdf"'
    return response


@municipality_permission("procedures.process")
def follow_up(request: HttpRequest, municipality: Municipality, allowance_id: int) -> HttpResponse:
    """Households that cannot be paid as things stand (no account, no tax facts, no head): audited read."""
    allowance = _allowance(municipality, allowance_id)
    rows = list(queries.entitlements(allowance, status=Entitlement.Status.FOLLOW_UP)[:500])
    audit.record(
        "procedures.follow_up_viewed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="entitlement",
        detail={"ids": [e.pk for e in rows]},
    )
    return render(
        request,
        "procedures/follow_up.html",
        {"municipality": municipality, "allowance": allowance, "rows": rows},
    )


@municipality_permission("procedures.pay")
@require_POST
def create_payment(request: HttpRequest, municipality: Municipality, allowance_id: int) -> HttpResponse:
    """Make the payment file of every confirmed household not yet paid (a form's POST target)."""
    allowance = _allowance(municipality, allowance_id)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        return redirect("procedures:allowance", code=municipality.code, allowance_id=allowance.pk)
    try:
        batch = actions.create_payment_batch(
            allowance, transfer_date=form.cleaned_data["transfer_date"], by=Actor.from_request(request)
        )
    except (actions.NothingToPay, ZenginError) as error:
        return render(
            request,
            "procedures/message.html",
            {"municipality": municipality, "allowance": allowance, "message": str(error)},
            status=400,
        )
    return redirect(
        "procedures:payment_file", code=municipality.code, allowance_id=allowance.pk, batch_id=batch.pk
    )


@municipality_permission("procedures.pay")
def payment_file(
    request: HttpRequest, municipality: Municipality, allowance_id: int, batch_id: int
) -> HttpResponse:
    """Download a payment file (names and accounts of every payee: audited)."""
    batch = queries.payment_batch(_allowance(municipality, allowance_id), batch_id)
    if batch is None:
        raise Http404
    audit.record(
        "procedures.payment_file_downloaded",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="payment_batch",
        object_id=batch.pk,
    )
    response = HttpResponse(bytes(batch.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="sogo-furikomi-{batch.pk}.txt"'
    return response


@municipality_permission("procedures.process")
def load_data(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Load a tax extract or a receipt-account extract; a file with any problem is refused whole, by row and column."""
    form = UploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    done = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        by = Actor.from_request(request)
        try:
            if form.cleaned_data["kind"] == "tax":
                count = actions.load_tax_extract(municipality, parse_tax_extract(data), by=by)
            else:
                count = actions.load_account_extract(municipality, parse_account_extract(data), by=by)
        except ExtractRejected as error:
            problems = [str(p) for p in error.problems]
        else:
            done = _("%(count)d 行を読み込みました。") % {"count": count}
    return render(
        request,
        "procedures/load.html",
        {"municipality": municipality, "form": form, "problems": problems, "done": done},
        status=400 if problems else 200,
    )


@municipality_permission("procedures.assist")
def assist(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The help desk: open a resident's notice by its number (the resident is at the desk with the notice)."""
    form = AssistLookupForm(request.GET or None)
    if form.is_valid():
        entitlement = queries.entitlement_by_login(normalize_login_id(form.cleaned_data["login_id"]))
        if entitlement is not None and entitlement.municipality_id == municipality.code:
            return redirect("procedures:assist_answer", code=municipality.code, entitlement_id=entitlement.pk)
        form.add_error("login_id", _("この番号の確認書はありません。"))
    return render(
        request,
        "procedures/assist_lookup.html",
        {
            "municipality": municipality,
            "form": form,
            "procedures": queries.search_procedures(municipality, ""),
        },
    )


@municipality_permission("procedures.assist")
def assist_answer(request: HttpRequest, municipality: Municipality, entitlement_id: int) -> HttpResponse:
    """Answer a notice on the resident's behalf, their consent recorded and the helper named in the audit log."""
    entitlement = queries.entitlement_of(municipality, entitlement_id)
    if entitlement is None:
        raise Http404
    by = Actor.from_request(request)
    form = AssistForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not answer_problems(form):
        try:
            actions.answer_notice(
                entitlement.pk,
                accept=form.cleaned_data["choice"] != "decline",
                account=account_input(form),
                helper_consent=form.cleaned_data["consent"],
                by=by,
            )
        except actions.AnswerRefused as error:
            form.add_error(None, str(error))
        else:
            return redirect("procedures:assist", code=municipality.code)
    audit.record(
        "procedures.entitlement_viewed",
        by=by,
        municipality=municipality,
        object_type="entitlement",
        object_id=entitlement.pk,
        detail={"assisted": True},
    )
    return render(
        request,
        "procedures/assist_answer.html",
        {
            "municipality": municipality,
            "entitlement": entitlement,
            "form": form,
            "account": actions.masked_account(entitlement),
        },
    )


@municipality_permission("procedures.process")
def applications(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Received applications (applicants' names: the page read is audited)."""
    rows = list(queries.applications(municipality)[:200])
    audit.record(
        "procedures.applications_viewed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="application",
        detail={"ids": [a.pk for a in rows]},
    )
    return render(
        request,
        "procedures/applications.html",
        {
            "municipality": municipality,
            "rows": rows,
            "procedures": queries.search_procedures(municipality, ""),
        },
    )


@municipality_permission("procedures.process")
@require_POST
def load_catalog(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Create or refresh the starter catalog of procedures (a form's POST target)."""
    actions.load_starter_catalog(municipality, by=Actor.from_request(request))
    return redirect("procedures:catalog", town=municipality.code)


@municipality_permission("procedures.process")
def import_standard(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Import a standard-item dictionary (shown as a diff, installed on confirmation) or a procedure's form."""
    by = Actor.from_request(request)
    step = request.POST.get("step", "")
    dictionary_form = DictionaryImportForm(
        request.POST if step == "dictionary" else None, request.FILES if step == "dictionary" else None
    )
    form_form = FormImportForm(
        request.POST if step == "form" else None, request.FILES if step == "form" else None
    )
    context: dict[str, Any] = {
        "municipality": municipality,
        "dictionary_form": dictionary_form,
        "form_form": form_form,
        "in_use": queries.dictionary_in_use(municipality),
        "problems": [],
    }
    try:
        if step == "dictionary" and dictionary_form.is_valid():
            content = dictionary_form.cleaned_data["file"].read()
            new, current, diff = actions.check_dictionary(municipality, content, by=by)
            context.update(
                new=new, diff=diff, content=content.decode("utf-8-sig"), items=current.items | new.items
            )
        elif step == "install":
            content = request.POST.get("content", "").encode("utf-8")
            new, _current, _diff = actions.check_dictionary(municipality, content, by=by)
            actions.install_dictionary(municipality, new, by=by)
            context["done"] = _("標準項目辞書 %(version)s を使い始めました。") % {"version": new.version}
            context["in_use"] = new
        elif step == "form" and form_form.is_valid():
            procedure = actions.import_form(
                municipality,
                form_form.cleaned_data["workbook"].read(),
                form_form.cleaned_data["description"].read(),
                by=by,
            )
            context["done"] = _("手続「%(name)s」の申請書を取り込みました。") % {"name": procedure.name}
    except ImportRejected as error:
        context["problems"] = error.problems
    return render(request, "procedures/import.html", context, status=400 if context["problems"] else 200)


@municipality_permission("procedures.assist")
def assist_apply(request: HttpRequest, municipality: Municipality, procedure_code: str) -> HttpResponse:
    """Apply on a resident's behalf at the help desk: the same form, the resident's consent, the helper named."""
    procedure = queries.procedure(municipality.code, procedure_code)
    if procedure is None:
        raise Http404
    form = Form.from_json(procedure.form)
    posted = {f.name: request.POST.get(f.name, "") for f in shown_fields(form, {}, {})}
    consent = request.POST.get("consent", "").strip()
    errors: dict[str, list[str]] = {}
    context: dict[str, Any] = {"municipality": municipality, "procedure": procedure, "consent": consent}
    if request.method == "POST":
        values, errors = check_answers(form, posted, queries.dictionary_in_use(municipality).items)
        if not consent:
            context["consent_error"] = _("本人の同意を確かめた方法を入力してください。")
        elif not errors:
            context["receipt"] = actions.submit_application(
                procedure, values, by=Actor.from_request(request), helper_consent=consent
            )
            posted, context["consent"] = {}, ""
    context.update(fields=shown_fields(form, posted, errors), has_errors=bool(errors))
    return render(request, "procedures/assist_apply.html", context, status=400 if errors else 200)


@municipality_permission("procedures.process")
def applications_csv(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Every received application of one procedure as CSV for an existing core system (Excel-safe; audited)."""
    procedure = queries.procedure(municipality.code, request.GET.get("procedure", ""))
    if procedure is None:
        raise Http404
    rows = list(queries.applications(municipality).filter(procedure=procedure).order_by("submitted_at"))
    audit.record(
        "procedures.applications_exported",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="application",
        detail={"procedure": procedure.code, "ids": [a.pk for a in rows]},
    )
    items = [node.name for node, _ in Form.from_json(procedure.form).walk()]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["receipt_number", "submitted_at", "status", "channel", *items])
    for a in rows:
        submitted = a.submitted_at.isoformat() if a.submitted_at else ""
        cells = [a.receipt_number or "", submitted, a.status, a.channel]
        writer.writerow(excel_safe_row([*cells, *(str(a.answers.get(name, "")) for name in items)]))
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="applications-{procedure.code}.csv"'
    return response


MESSAGES_SHOWN = 200


@municipality_permission("procedures.process")
def messages(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Messages to residents and what became of them (failed ones can be sent again); the page shows
    recipients, so each view is audited."""
    if request.method == "POST":
        try:
            message_id = int(request.POST.get("resend", ""))
            actions.resend_message(municipality, message_id, by=Actor.from_request(request))
        except (ValueError, ResidentMessage.DoesNotExist):
            return HttpResponse(_("送り直せるのは送信に失敗したお知らせだけです。"), status=400)
        return redirect(f"{request.path}?status=queued")
    status = request.GET.get("status", "")
    if status not in ResidentMessage.Status.values:
        status = ""
    rows = list(queries.resident_messages(municipality, status)[:MESSAGES_SHOWN])
    counts = queries.message_counts(municipality)
    audit.record(
        "procedures.messages_viewed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="resident_message",
        detail={"status": status, "rows": len(rows)},
    )
    return render(
        request,
        "procedures/messages.html",
        {
            "municipality": municipality,
            "rows": rows,
            "status": status,
            "statuses": ResidentMessage.Status.choices,
            "counts": [(label, counts.get(value, 0)) for value, label in ResidentMessage.Status.choices],
            "shown": MESSAGES_SHOWN,
        },
    )
