"""Staff pages of received applications: the queue per procedure, one application with its steps (assign,
差戻し, first and second approval, decision), its files and its decision letter. Every read is audited."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from chiiki.core import audit
from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.procedures import actions, queries
from chiiki.procedures.filecheck import CONTENT_TYPES
from chiiki.procedures.forms import DecisionForm, ReturnForm
from chiiki.procedures.mine import _answers_shown
from chiiki.procedures.models import Application


@municipality_permission("procedures.process")
def queue(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Open applications of one procedure (or all), oldest first, with who has each; "mine" narrows to me."""
    procedures = list(queries.search_procedures(municipality, ""))
    chosen = next((p for p in procedures if p.code == request.GET.get("procedure")), None)
    rows = queries.queue(municipality, chosen)
    me = Actor.from_request(request).user
    if request.GET.get("mine") and me is not None:
        rows = rows.filter(assigned_to=me)
    shown = list(rows[:200])
    audit.record(
        "procedures.applications_viewed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="application",
        detail={"ids": [a.pk for a in shown], "queue": chosen.code if chosen else ""},
    )
    counts = queries.queue_counts(municipality)
    return render(
        request,
        "procedures/queue.html",
        {
            "municipality": municipality,
            "rows": shown,
            "chosen": chosen,
            "procedures": [(p, counts.get(p.code, 0)) for p in procedures],
            "mine": bool(request.GET.get("mine")),
        },
    )


def _application(municipality: Municipality, application_id: int) -> Application:
    application = queries.application_of(municipality, application_id)
    if application is None:
        raise Http404
    return application


@municipality_permission("procedures.process")
def application(request: HttpRequest, municipality: Municipality, application_id: int) -> HttpResponse:
    """One application: answers, files, messages; assign, return for correction, approve or reject."""
    found = _application(municipality, application_id)
    by = Actor.from_request(request)
    step = request.POST.get("step", "")
    returning = ReturnForm(request.POST if step == "return" else None, prefix="return")
    deciding = DecisionForm(request.POST if step == "decide" else None, prefix="decide")
    if request.method == "POST":
        try:
            if step == "assign_me":
                actions.assign(found.pk, by.user, by=by)
            elif step == "unassign":
                actions.assign(found.pk, None, by=by)
            elif step == "return" and returning.is_valid():
                actions.return_for_correction(found.pk, returning.cleaned_data["message"], by=by)
            elif step == "decide" and deciding.is_valid():
                actions.decide(
                    found.pk,
                    approve=deciding.cleaned_data["decision"] == "approve",
                    reason=deciding.cleaned_data["reason"],
                    by=by,
                )
            else:
                raise _Invalid
        except actions.StepRefused as error:
            (deciding if step == "decide" else returning).add_error(None, str(error))
        except _Invalid:
            pass
        else:
            return redirect("procedures:application", code=municipality.code, application_id=found.pk)
    audit.record(
        "procedures.application_viewed",
        by=by,
        municipality=municipality,
        object_type="application",
        object_id=found.pk,
    )
    context: dict[str, Any] = {
        "municipality": municipality,
        "application": found,
        "answers": _answers_shown(found),
        "attachments": list(found.attachments.all()),
        "messages_": list(found.messages.all()),
        "returning": returning,
        "deciding": deciding,
        "second_needed": found.status == Application.Status.AWAITING_SECOND,
        "i_approved_first": found.first_approver_id == getattr(request.user, "pk", None),
    }
    bad = bool(returning.errors or deciding.errors)
    return render(request, "procedures/application.html", context, status=400 if bad else 200)


class _Invalid(Exception):
    """A posted step whose form did not validate: the page shows the errors."""


@municipality_permission("procedures.process")
def attachment(
    request: HttpRequest, municipality: Municipality, application_id: int, attachment_id: int
) -> HttpResponse:
    """One attached file, as it was checked (its kind from the content); audited."""
    found = _application(municipality, application_id)
    file = found.attachments.filter(pk=attachment_id).first()
    if file is None:
        raise Http404
    audit.record(
        "procedures.attachment_downloaded",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="application",
        object_id=found.pk,
        detail={"attachment": file.pk},
    )
    with file.file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type=CONTENT_TYPES[file.kind])
    response["Content-Disposition"] = (
        f'attachment; filename="attachment-{file.pk}.{file.file.name.rsplit(".", 1)[-1]}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@municipality_permission("procedures.process")
def letter(request: HttpRequest, municipality: Municipality, application_id: int) -> HttpResponse:
    """The decision letter (PDF); audited."""
    found = _application(municipality, application_id)
    if not found.decision_letter:
        raise Http404
    audit.record(
        "procedures.decision_letter_downloaded",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="application",
        object_id=found.pk,
    )
    with found.decision_letter.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="decision-{found.receipt_number}.pdf"'
    return response
