"""The resident's own application: sign in with its number and key, attachments, review, submit, status,
answer a 差戻し, withdraw, the decision letter.

The application open in this session is kept under `actions.SESSION_APPLICATION`; a new browser gets back to
it with the 12-digit number and the key shown when it was saved or submitted. Sign-in failures are throttled
like any sign-in. Every page that shows the application is audited.
"""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from chiiki.core import audit, throttle
from chiiki.core.acting import Actor
from chiiki.procedures import actions, queries
from chiiki.procedures.applying import check_answers, shown_fields
from chiiki.procedures.filecheck import FileRefused
from chiiki.procedures.forms import ApplicationSignInForm, AttachmentForm, ContactEmailForm, ReplyForm
from chiiki.procedures.models import Application
from chiiki.surveys.contact import credentials
from chiiki.surveys.xlsform import Form

_DUMMY_HASH = credentials.hash_access_key("ACEFHKMN")


def actor(request: HttpRequest, application: Application | None = None, login_id: str = "") -> Actor:
    """The resident as the audit log names them: by the application's number."""
    number = application.login_id if application is not None else login_id
    return Actor.from_request(request, label=f"application:{number}"[:150])


def current(request: HttpRequest) -> Application | None:
    """The application open in this session."""
    application_id = request.session.get(actions.SESSION_APPLICATION)
    if application_id is None:
        return None
    return queries.application_by_id(int(application_id))


@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    """The application's number and key open it (to resume a draft or see its status)."""
    form = ApplicationSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login_id = credentials.normalize_login_id(form.cleaned_data["login_id"])
        key = credentials.normalize_access_key(form.cleaned_data["access_key"])
        by = actor(request, login_id=login_id)
        if throttle.is_locked(by.label, by.address):
            form.add_error(None, _("入力の誤りが続いたため、しばらく待ってからもう一度入力してください。"))
        else:
            application = (
                queries.application_by_login(login_id) if credentials.is_valid_login_id(login_id) else None
            )
            stored = application.access_key_hash if application is not None else ""
            if check_password(key, stored or _DUMMY_HASH) and application is not None and stored:
                actions.sign_in(application, by=by, session=request.session)
                return redirect("procedures:my_application")
            actions.refuse_sign_in(by=by)
            form.add_error(None, _("申請番号か確認キーが違います。控えのとおりに入力してください。"))
    return render(request, "procedures/my_sign_in.html", {"form": form})


def _answers_shown(application: Application) -> list[tuple[str, str]]:
    form = Form.from_json(application.procedure.form)
    answers = {k: str(v) for k, v in application.answers.items()}
    shown = shown_fields(form, answers, {})
    rows = []
    for f in shown:
        value = dict(f.choices).get(f.value, f.value) if f.choices else f.value
        rows.append((f.label, value))
    return rows


def _viewed(request: HttpRequest, application: Application, page: str) -> None:
    audit.record(
        "procedures.application_viewed",
        by=actor(request, application),
        municipality=application.municipality_id,
        object_type="application",
        object_id=application.pk,
        detail={"page": page},
    )


@never_cache
def status(request: HttpRequest) -> HttpResponse:
    """Where the application stands, the messages from staff, the answer box when it was returned."""
    application = current(request)
    if application is None:
        return redirect("procedures:my_sign_in")
    contact_post = request.method == "POST" and "contact_email" in request.POST
    contact = ContactEmailForm(
        request.POST if contact_post else None, initial={"contact_email": application.contact_email}
    )
    if contact_post and contact.is_valid():
        actions.set_contact_email(
            application.pk, contact.cleaned_data["contact_email"], by=actor(request, application)
        )
        return redirect("procedures:my_application")
    reply = ReplyForm(None if contact_post else (request.POST or None))
    if request.method == "POST" and reply.is_valid():
        try:
            actions.resident_reply(application.pk, reply.cleaned_data["text"], by=actor(request, application))
        except actions.StepRefused as error:
            reply.add_error(None, str(error))
        else:
            return redirect("procedures:my_application")
    _viewed(request, application, "status")
    return render(
        request,
        "procedures/my_application.html",
        {
            "application": application,
            "answers": _answers_shown(application),
            "messages_": list(application.messages.all()),
            "attachments": list(application.attachments.all()),
            "reply": reply,
            "contact": contact,
        },
        status=400 if contact.errors else 200,
    )


@never_cache
def attachments(request: HttpRequest) -> HttpResponse:
    """Add or remove the files the procedure asks for (checked by content; size limited)."""
    application = current(request)
    if application is None:
        return redirect("procedures:my_sign_in")
    if not application.editable:
        return redirect("procedures:my_application")
    by = actor(request, application)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and "remove" in request.POST:
        try:
            actions.remove_attachment(application.pk, int(request.POST["remove"] or 0), by=by)
        except (actions.StepRefused, ValueError):
            pass
        return redirect("procedures:my_attachments")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            actions.add_attachment(application.pk, upload.read(), upload.name or "", by=by)
        except FileRefused as error:
            form.add_error("file", error.reason_en if _english(request) else error.reason)
        except actions.StepRefused as error:
            form.add_error(None, str(error))
        else:
            return redirect("procedures:my_attachments")
    _viewed(request, application, "attachments")
    return render(
        request,
        "procedures/my_attachments.html",
        {"application": application, "attachments": list(application.attachments.all()), "form": form},
        status=400 if form.errors else 200,
    )


def _english(request: HttpRequest) -> bool:
    return (getattr(request, "LANGUAGE_CODE", "ja") or "ja").startswith("en")


def _incomplete(application: Application) -> bool:
    """True when the stored answers do not pass the form's checks (a draft saved half way)."""
    form = Form.from_json(application.procedure.form)
    names = [f.name for f in shown_fields(form, {}, {})]
    items = queries.dictionary_in_use(application.procedure.municipality_id).items
    _values, errors = check_answers(form, {n: str(application.answers.get(n, "")) for n in names}, items)
    return bool(errors)


@never_cache
def review(request: HttpRequest) -> HttpResponse:
    """Everything once more before sending; the receipt (with the number and a key) after commit."""
    application = current(request)
    if application is None:
        return redirect("procedures:my_sign_in")
    if not application.editable:
        return redirect("procedures:my_application")
    by = actor(request, application)
    incomplete = _incomplete(application)
    if request.method == "POST" and not incomplete:
        try:
            done = actions.submit(application.pk, by=by)
        except actions.StepRefused as error:
            return render(request, "procedures/message.html", {"message": str(error)}, status=409)
        issued = actions.issue_key(done.pk, by=by)
        return render(
            request,
            "procedures/receipt.html",
            {"procedure": done.procedure, "application": done, "access_key": issued.access_key},
        )
    _viewed(request, application, "review")
    return render(
        request,
        "procedures/my_review.html",
        {
            "application": application,
            "answers": _answers_shown(application),
            "attachments": list(application.attachments.all()),
            "incomplete": incomplete,
        },
        status=400 if incomplete and request.method == "POST" else 200,
    )


@never_cache
def withdraw(request: HttpRequest) -> HttpResponse:
    """Ask once more, then withdraw (POST)."""
    application = current(request)
    if application is None:
        return redirect("procedures:my_sign_in")
    if request.method == "POST":
        try:
            actions.withdraw(application.pk, by=actor(request, application))
        except actions.StepRefused as error:
            return render(request, "procedures/message.html", {"message": str(error)}, status=409)
        return redirect("procedures:my_application")
    return render(request, "procedures/my_withdraw.html", {"application": application})


@never_cache
def letter(request: HttpRequest) -> HttpResponse:
    """The decision letter (PDF) of the application open in this session."""
    application = current(request)
    if application is None or not application.decision_letter:
        raise Http404
    _viewed(request, application, "decision_letter")
    with application.decision_letter.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="decision-{application.receipt_number}.pdf"'
    return response
