"""Resident pages of online procedures: the catalog with search, a procedure's page, its standard form, the receipt.

The form is the procedure's XLSForm: each value is first put in its item's stored form (`standard.normalize`,
with chiiki.jp), then checked by the XLSForm engine; errors are shown next to each field and in a summary.
The receipt number is shown only after `actions.submit_application` has committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.procedures import actions, oidc, queries
from chiiki.procedures.email_account import account_actor, signed_in_account
from chiiki.procedures.models import Application, Procedure, ResidentAccount
from chiiki.procedures.prefill import SESSION_PREFILL, Prefill, prefill_for
from chiiki.procedures.signin import signed_in_claims
from chiiki.procedures.standard import FormatError, load_dictionary, normalize
from chiiki.procedures.standard.exchange import dictionary_layout
from chiiki.surveys.xlsform import Field, Form, evaluate_answers, pick_text


@dataclass
class ShownField:
    """One field as the page shows it: label, hint and choices in the page's language, value and errors."""

    name: str
    kind: str
    label: str
    hint: str
    value: str
    choices: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _language() -> str:
    return "en" if (get_language() or "ja").startswith("en") else "ja"


def shown_fields(form: Form, values: dict[str, str], errors: dict[str, list[str]]) -> list[ShownField]:
    """The form's answer fields for the template."""
    language = _language()
    shown = []
    for node, _parents in form.walk():
        if not isinstance(node, Field) or not node.holds_answer:
            continue
        choices = []
        if node.choice_list and node.choice_list in form.choice_lists:
            choices = [
                (c.name, pick_text(c.label, language, "ja"))
                for c in form.choice_lists[node.choice_list].choices
            ]
        shown.append(
            ShownField(
                node.name,
                node.kind,
                pick_text(node.label, language, "ja"),
                pick_text(node.hint, language, "ja"),
                values.get(node.name, ""),
                choices,
                errors.get(node.name, []),
            )
        )
    return shown


def check_answers(
    form: Form, posted: dict[str, str], items: dict[str, dict[str, Any]] | None = None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Normalize each value by its standard item (`items`: the municipality's dictionary in use, by default the
    shipped one) and check the whole form; (values to store, errors by field)."""
    items = load_dictionary().items if items is None else items
    normalized: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for name, value in posted.items():
        try:
            normalized[name] = normalize(items[name], value) if name in items else value.strip()
        except FormatError:
            normalized[name] = value
            errors[name] = [
                "日付を読めません。1960-04-01 や 昭和35年4月1日 の形で入力してください"
                if _language() == "ja"
                else "Enter a date like 1960-04-01"
            ]
    evaluation = evaluate_answers(form, normalized, language=_language())
    for name, messages in evaluation.errors().items():
        errors.setdefault(name, []).extend(messages)
    return evaluation.values(), errors


def catalog(request: HttpRequest, town: str) -> HttpResponse:
    """The municipality's procedures; `q` searches names in kanji, kana (any width, hiragana or katakana) or English."""
    municipality = get_object_or_404(Municipality, code=town)
    query = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "procedures/catalog.html",
        {
            "municipality": municipality,
            "query": query,
            "procedures": queries.search_procedures(municipality, query),
        },
    )


def _procedure(town: str, procedure_code: str) -> Procedure:
    procedure = queries.procedure(town, procedure_code)
    if procedure is None:
        raise Http404
    return procedure


def procedure_page(request: HttpRequest, town: str, procedure_code: str) -> HttpResponse:
    """What the procedure is, who may apply, what to prepare, fee and days, then the button to start."""
    procedure = _procedure(town, procedure_code)
    return render(request, "procedures/procedure.html", {"procedure": procedure})


def _editable_draft(request: HttpRequest, procedure: Procedure) -> Application | None:
    """The application of this procedure open in this session, when it can still be changed."""
    application_id = request.session.get(actions.SESSION_APPLICATION)
    if application_id is None:
        return None
    application = queries.application_by_id(int(application_id))
    if application is None or application.procedure_id != procedure.pk or not application.editable:
        return None
    return application


def _resident(
    request: HttpRequest, application: Application | None, account: ResidentAccount | None = None
) -> Actor:
    number = application.login_id if application is not None else ""
    if number:
        return Actor.from_request(request, label=f"application:{number}")
    return (
        account_actor(request, account)
        if account is not None
        else Actor.from_request(request, label="resident")
    )


def _card_required(
    request: HttpRequest, procedure: Procedure, account: ResidentAccount | None
) -> HttpResponse:
    """The card-only page: sign in with the card, or (where the procedure allows it) with an e-mail address.

    An e-mail-verified account meeting a card-only procedure is told so plainly, and the refusal is audited."""
    if account is not None:
        audit.record(
            "procedures.email_account_refused",
            by=account_actor(request, account),
            municipality=procedure.municipality_id,
            object_type="procedure",
            object_id=procedure.code,
        )
    return render(
        request,
        "procedures/card_required.html",
        {"procedure": procedure, "card_sign_in": oidc.configured(), "account": account},
        status=403,
    )


def _known(request: HttpRequest, procedure: Procedure) -> Prefill:
    """What the registry says of the signed-in card holder: only after a `linked` match, else nothing."""
    match = request.session.get(SESSION_PREFILL)
    if (
        not isinstance(match, dict)
        or match.get("municipality", procedure.municipality_id) != procedure.municipality_id
    ):
        return Prefill()
    return prefill_for(procedure.municipality, match)


def apply(request: HttpRequest, town: str, procedure_code: str) -> HttpResponse:
    """The procedure's standard form. "保存" keeps a draft (with a number and key to resume it elsewhere);
    "確認へ" checks every answer and goes on to the review page, where the application is sent."""
    procedure = _procedure(town, procedure_code)
    claims = signed_in_claims(request)
    account = signed_in_account(request, procedure.municipality_id)
    if procedure.card_required and claims is None and not (procedure.email_allowed and account is not None):
        return _card_required(request, procedure, account)
    account = account if procedure.email_allowed else None
    form = Form.from_json(procedure.form)
    draft = _editable_draft(request, procedure)
    names = [f.name for f in shown_fields(form, {}, {})]
    if request.method == "POST":
        posted = {name: request.POST.get(name, "") for name in names}
    else:
        stored = draft.answers if draft is not None else {}
        posted = {name: str(stored.get(name, "")) for name in names}
    known = _known(request, procedure) if claims is not None else Prefill()
    if request.method != "POST" and draft is None:
        posted.update({name: value for name, value in known.answers.items() if name in posted})
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        by = _resident(request, draft, account)
        if request.POST.get("action") == "save":
            kept = {name: value.strip() for name, value in posted.items() if value.strip()}
            application = actions.save_draft(
                procedure, kept, application_id=draft.pk if draft else None, by=by, account=account
            )
            request.session[actions.SESSION_APPLICATION] = application.pk
            issued = actions.issue_key(application.pk, by=_resident(request, application))
            return render(
                request,
                "procedures/saved.html",
                {"procedure": procedure, "application": application, "access_key": issued.access_key},
            )
        values, errors = check_answers(
            form, posted, queries.dictionary_in_use(procedure.municipality_id).items
        )
        if not errors:
            application = actions.save_draft(
                procedure, values, application_id=draft.pk if draft else None, by=by, account=account
            )
            request.session[actions.SESSION_APPLICATION] = application.pk
            return redirect("procedures:my_review")
    return render(
        request,
        "procedures/apply.html",
        {
            "procedure": procedure,
            "fields": shown_fields(form, posted, errors),
            "has_errors": bool(errors),
            "draft": draft,
            "household": known.household,
            "prefilled": bool(known.answers),
            "account": account,
        },
        status=400 if errors else 200,
    )


def form_xlsform(request: HttpRequest, town: str, procedure_code: str) -> HttpResponse:
    """The procedure's form as an XLSForm workbook, for another e-application system."""
    procedure = _procedure(town, procedure_code)
    response = HttpResponse(
        bytes(procedure.xlsform),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{procedure.code}.xlsx"'
    return response


def dictionary_json(request: HttpRequest, town: str) -> JsonResponse:
    """The municipality's standard-item dictionary in use, in the layout its import reads."""
    municipality = Municipality.objects.filter(pk=town).first()
    if municipality is None:
        raise Http404
    return JsonResponse(
        dictionary_layout(queries.dictionary_in_use(municipality)), json_dumps_params={"ensure_ascii": False}
    )


def form_description(request: HttpRequest, town: str, procedure_code: str) -> JsonResponse:
    """The procedure and its form's items as JSON, with the standard dictionary's version."""
    procedure = _procedure(town, procedure_code)
    items = queries.dictionary_in_use(procedure.municipality_id).items
    names = [node.name for node, _ in Form.from_json(procedure.form).walk()]
    return JsonResponse(
        {
            "code": procedure.code,
            "name": procedure.name,
            "name_kana": procedure.name_kana,
            "name_en": procedure.name_en,
            "legal_basis": procedure.legal_basis,
            "who_may_apply": procedure.who_may_apply,
            "attachments": procedure.attachments,
            "fee_yen": procedure.fee,
            "processing_days": procedure.processing_days,
            "my_number_card_required": procedure.card_required,
            "email_account_allowed": procedure.email_allowed,
            "second_approval_required": procedure.second_approval,
            "dictionary_version": procedure.dictionary_version,
            "items": [items.get(name, {"name": name}) for name in names],
        },
        json_dumps_params={"ensure_ascii": False},
    )
