"""Pages of the e-mail-verified account (residents without the My Number card): ask for a link, use it, the account.

Asking answers the same page for every address (whether it has an account, was limited or the mail failed), so
nothing tells which addresses are known. The link's page asks for a click before using it (mail scanners that
open links must not use them up). The account lists its applications to resume them.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.procedures import actions, queries
from chiiki.procedures.forms import EmailLinkForm
from chiiki.procedures.models import Application, ResidentAccount

logger = logging.getLogger(__name__)
LINK_ACTOR = "email-link"


def account_actor(request: HttpRequest, account: ResidentAccount) -> Actor:
    """The resident as the audit log names them: by the account's number, never the address."""
    return Actor.from_request(request, label=f"email-account:{account.pk}")


def signed_in_account(request: HttpRequest, municipality_code: str | None = None) -> ResidentAccount | None:
    """The e-mail-verified account of this session (of that municipality when one is named)."""
    account_id = request.session.get(actions.SESSION_ACCOUNT)
    if not isinstance(account_id, int):
        return None
    return queries.resident_account(account_id, municipality_code)


def _next_for(town: str, value: str) -> str:
    """Only a page of this municipality's procedures may follow the sign-in."""
    return value if value.startswith(f"/procedures/{town}/") and "//" not in value else ""


def _send(request: HttpRequest, municipality: Municipality, link: actions.LinkToSend) -> None:
    url = request.build_absolute_uri(reverse("procedures:email_verify")) + f"?t={link.token}"
    minutes = settings.CHIIKI_PROCEDURES_EMAIL_LINK_SECONDS // 60
    body = (
        f"{municipality.name}のオンライン手続で、このメールアドレスでのサインインが求められました。\n"
        f"次のリンクを開き、「サインインする」を押してください。リンクは{minutes}分間、一度だけ使えます。\n\n"
        f"{url}\n\n"
        "心当たりがないときは、このメールを捨ててください。何も作られません。\n\n"
        f"Someone asked to sign in to the online procedures of {municipality.name} with this address. Open the link "
        f"above and press the sign-in button; it works once, for {minutes} minutes. If it was not you, delete "
        "this mail: nothing is created.\n"
    )
    sender = settings.CHIIKI_NOTIFIER_EMAIL_FROM or settings.DEFAULT_FROM_EMAIL
    send_mail(f"【{municipality.name}】オンライン手続のサインイン用リンク", body, sender, [link.email])


@never_cache
def request_link(request: HttpRequest, town: str) -> HttpResponse:
    """Type an address, get a one-time link by e-mail; the answer is the same page for every address."""
    municipality = get_object_or_404(Municipality, code=town)
    form = EmailLinkForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        by = Actor.from_request(request, label=LINK_ACTOR)
        next_url = _next_for(town, form.cleaned_data["next"] or "")
        link = actions.request_email_link(municipality, form.cleaned_data["email"], next_url=next_url, by=by)
        if link is not None:
            try:
                _send(request, municipality, link)
            except Exception:  # SMTP and network errors alike; the answer must not differ by address
                logger.exception("procedures: the sign-in link could not be sent")
                audit.record(
                    "procedures.email_link_not_sent",
                    by=by,
                    municipality=municipality,
                    object_type="email_link",
                    detail={"address": actions.address_hash(link.email)},
                )
        return render(
            request,
            "procedures/email_sent.html",
            {
                "municipality": municipality,
                "link_minutes": settings.CHIIKI_PROCEDURES_EMAIL_LINK_SECONDS // 60,
            },
        )
    return render(
        request,
        "procedures/email_request.html",
        {"municipality": municipality, "form": form},
        status=400 if form.errors else 200,
    )


@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """The mail's link: a button to sign in (GET uses nothing up); the POST checks and uses the link once."""
    token = (request.POST.get("t") or request.GET.get("t", ""))[:1000]
    if request.method != "POST":
        return render(request, "procedures/email_verify.html", {"token": token})
    try:
        _account, next_url = actions.use_email_link(
            token, by=Actor.from_request(request, label=LINK_ACTOR), session=request.session
        )
    except actions.LinkRefused as refused:
        return render(
            request,
            "procedures/email_refused.html",
            {"reason": refused.reason, "code": refused.code},
            status=400,
        )
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("procedures:my_account")


def _resume(request: HttpRequest, account: ResidentAccount, application_id: str) -> HttpResponse:
    application = (
        queries.account_application(account, int(application_id)) if application_id.isdigit() else None
    )
    if application is None:
        raise Http404
    actions.sign_in(application, by=account_actor(request, account), session=request.session)
    if application.status == Application.Status.DRAFT:
        return redirect(
            "procedures:apply", town=application.municipality_id, procedure_code=application.procedure.code
        )
    return redirect("procedures:my_application")


@never_cache
def account_page(request: HttpRequest) -> HttpResponse:
    """The account's applications (open one to resume it or see its status), what it may start, sign out."""
    account = signed_in_account(request)
    if account is None:
        return render(request, "procedures/email_account.html", {"account": None})
    if request.method == "POST":
        if request.POST.get("action") == "sign_out":
            town = account.municipality_id
            actions.sign_out_email(request.session, account=account, by=account_actor(request, account))
            return redirect("procedures:catalog", town=town)
        return _resume(request, account, request.POST.get("application", ""))
    applications = queries.account_applications(account)
    audit.record(
        "procedures.account_viewed",
        by=account_actor(request, account),
        municipality=account.municipality_id,
        object_type="resident_account",
        object_id=account.pk,
    )
    return render(
        request,
        "procedures/email_account.html",
        {
            "account": account,
            "applications": applications,
            "procedures": queries.email_procedures(account.municipality),
        },
    )
