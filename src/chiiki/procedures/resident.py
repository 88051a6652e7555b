"""Resident pages of push-type benefits: sign in with the notice's number and key, see why, answer.

The answer is acknowledged only after `actions.answer_notice` has committed; every view of the notice is audited.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.hashers import check_password
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from chiiki.core import audit, throttle
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.procedures import actions, queries
from chiiki.procedures.forms import AnswerForm, NoticeSignInForm
from chiiki.procedures.models import Entitlement
from chiiki.procedures.prefill import SESSION_PREFILL
from chiiki.procedures.signin import signed_in_claims
from chiiki.surveys.contact import credentials

# A hash of a random key, checked when no notice has the typed number, so timing says nothing about numbers.
_DUMMY_HASH = credentials.hash_access_key("ACEFHKMN")


def _actor(request: HttpRequest, login_id: str) -> Actor:
    return Actor.from_request(request, label=f"notice:{login_id}"[:150])


@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    """The notice's number and key open its page; failures are throttled like any sign-in."""
    # The link in an e-mail, SMS or inbox message fills in the notice number; the key is typed from the letter.
    notice = request.GET.get("notice", "")[:20]
    form = NoticeSignInForm(request.POST or None, initial={"login_id": notice} if notice.isdigit() else None)
    if request.method == "POST" and form.is_valid():
        login_id = credentials.normalize_login_id(form.cleaned_data["login_id"])
        key = credentials.normalize_access_key(form.cleaned_data["access_key"])
        by = _actor(request, login_id)
        if throttle.is_locked(by.label, by.address):
            form.add_error(None, _("入力の誤りが続いたため、しばらく待ってからもう一度入力してください。"))
        else:
            entitlement = (
                queries.entitlement_by_login(login_id) if credentials.is_valid_login_id(login_id) else None
            )
            stored = entitlement.access_key_hash if entitlement is not None else _DUMMY_HASH
            if check_password(key, stored) and entitlement is not None:
                actions.sign_in_with_notice(entitlement, by=by, session=request.session)
                return redirect("procedures:confirm_answer")
            actions.refuse_notice_sign_in(by=by)
            form.add_error(None, _("確認書番号か確認キーが違います。確認書のとおりに入力してください。"))
    return render(request, "procedures/confirm_sign_in.html", {"form": form})


def _signed_in(request: HttpRequest) -> Entitlement | None:
    entitlement_id = request.session.get(actions.SESSION_KEY)
    if entitlement_id is None:
        return None
    return queries.entitlement_by_id(int(entitlement_id))


def account_input(form: forms.Form) -> actions.AccountInput | None:
    """The account typed in an answer form, when the resident chose to correct it."""
    data = form.cleaned_data
    if data.get("choice") != "correct":
        return None
    return actions.AccountInput(
        data["bank_code"].strip(),
        data["branch_code"].strip(),
        data["account_type"] or "1",
        data["account_number"].strip(),
        data["holder_kana"].strip(),
    )


def answer_problems(form: forms.Form) -> bool:
    """Put each problem of a corrected account next to its field; True when there was one."""
    account = account_input(form)
    if account is None:
        return False
    problems = actions.check_account(account)
    for name, message in problems.items():
        form.add_error(name, message)
    return bool(problems)


@never_cache
def answer(request: HttpRequest) -> HttpResponse:
    """The notice: amount, why, the account on file; confirm, correct the account, or decline."""
    entitlement = _signed_in(request)
    if entitlement is None:
        return redirect("procedures:confirm")
    by = _actor(request, entitlement.login_id or "")
    if entitlement.status != Entitlement.Status.NOTIFIED:
        return render(request, "procedures/confirm_done.html", {"entitlement": entitlement})
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not answer_problems(form):
        try:
            done = actions.answer_notice(
                entitlement.pk,
                accept=form.cleaned_data["choice"] != "decline",
                account=account_input(form),
                by=by,
            )
        except actions.AnswerRefused as error:
            form.add_error(None, str(error))
        else:
            return render(request, "procedures/confirm_done.html", {"entitlement": done, "just_now": True})
    audit.record(
        "procedures.entitlement_viewed",
        by=by,
        municipality=entitlement.municipality_id,
        object_type="entitlement",
        object_id=entitlement.pk,
    )
    return render(
        request,
        "procedures/confirm_answer.html",
        {"entitlement": entitlement, "form": form, "account": actions.masked_account(entitlement)},
    )


@never_cache
def inbox(request: HttpRequest, town: str) -> HttpResponse:
    """The signed-in resident's inbox (お知らせ箱): the notices sent to them, each with the notice number filled
    into the confirmation page. Open only after card sign-in matched `linked` to this municipality's registry;
    the answer itself still takes the key from the letter, as for everyone."""
    municipality = get_object_or_404(Municipality, code=town)
    claims = signed_in_claims(request)
    match = request.session.get(SESSION_PREFILL) or {}
    linked = (
        claims is not None
        and match.get("municipality") == municipality.code
        and match.get("decision") == "linked"
        and bool(match.get("person_code"))
    )
    context: dict[str, object] = {
        "municipality": municipality,
        "signed_in": claims is not None,
        "linked": linked,
        "signin_url": f"{reverse('procedures:signin')}?next={reverse('procedures:inbox', args=[municipality.code])}",
    }
    if linked:
        messages = queries.inbox(municipality, str(match["person_code"]))
        audit.record(
            "procedures.inbox_viewed",
            by=Actor.from_request(request, label=f"oidc:{claims['sub']}"[:150] if claims else ""),
            municipality=municipality,
            object_type="resident",
            object_id=str(match["person_code"])[:64],
            detail={"messages": len(messages)},
        )
        context["inbox"] = [(m, m.read_at is None) for m in messages]
        actions.mark_read(messages)
    return render(request, "procedures/inbox.html", context)
