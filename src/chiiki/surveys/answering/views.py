"""Answering pages for residents (/answer/…) and for help-desk supporters answering with them (assisted).

Both run the shared page flow (`answering.flow`) through a `Seat` that says who answers; the enumerator mode
is the fieldwork app's (it owns the follow-up lists that say which households an enumerator may open).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.surveys import actions, queries
from chiiki.surveys.answering import respondents
from chiiki.surveys.answering.drafts import Seat
from chiiki.surveys.answering.flow import (
    Links,
    set_text_size,
    show_overview,
    show_page,
    show_receipt,
    show_review,
    staff_seat,
)
from chiiki.surveys.answering.forms import AssistForm, LoginForm, PasswordForm
from chiiki.surveys.contact import credentials
from chiiki.surveys.models import Answer, SurveyCase

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ASSIST_SESSION_KEY = "chiiki_assisting"
ASSISTED_CASES_KEPT = 20  # cases a supporter has open in one session

# What the sign-in page says for each refusal, and next to which field (None: above the form).
SIGN_IN_REFUSALS: dict[str, tuple[str | None, StrOrPromise]] = {
    "locked": (
        None,
        gettext_lazy(
            "ログインの失敗が続いたため、しばらくの間ログインできません。15分ほど待ってから、もう一度お試しください。"
            "お急ぎの場合は依頼状に書かれたお問い合わせ窓口にご連絡ください。"
        ),
    ),
    "malformed": (
        "login_id",
        gettext_lazy("調査対象者IDは12桁の数字です。打ち間違いがないか、依頼状と見比べてください。"),
    ),
    "failed": (
        None,
        gettext_lazy("調査対象者ID、アクセスキー、パスワードのいずれかが違います。依頼状をご確認ください。"),
    ),
}


def _respondent(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pass the signed-in respondent's seat, or send them to the login page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        case = respondents.current_case(request)
        if case is None:
            messages.info(request, _("もう一度ログインしてください。"))
            return redirect("surveys:answer_login")
        if not case.password_hash:
            return redirect("surveys:answer_password")
        return view(request, Seat(case), Links(), *args, **kwargs)

    return wrapped


def _opened_case(
    request: HttpRequest, municipality: Municipality, case_id: int
) -> HttpResponse | SurveyCase | None:
    """A case the supporter opened by its login ID in this session (else back to the search by login ID)."""
    if case_id not in request.session.get(ASSIST_SESSION_KEY, []):
        return redirect("surveys:assist_open", code=municipality.code)
    return queries.case_in(municipality, case_id)


# A supporter's seat for a case they opened in this session (answers recorded with mode = assisted).
_assisting = staff_seat("surveys.assist", _opened_case, "surveys:assist", Answer.Mode.ASSISTED, "assist_")


# ------------------------------------------------------------------------------------------ sign-in


def answer_login(request: HttpRequest) -> HttpResponse:
    """Sign in with the login ID and the access key (first time) or password; one message for any failure.

    The letter's QR code opens /answer/?id=<login ID>: the ID is filled in, the key is still typed.
    """
    scanned = credentials.normalize_login_id(request.GET.get("id", ""))[:12]
    initial = {"login_id": scanned} if credentials.is_valid_login_id(scanned) else {}
    form = LoginForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        result = respondents.sign_in(request, form.cleaned_data["login_id"], form.cleaned_data["secret"])
        if result.outcome == "ok":
            return redirect("surveys:answer_password" if result.must_set_password else "surveys:answer_home")
        field, message = SIGN_IN_REFUSALS.get(result.outcome, SIGN_IN_REFUSALS["failed"])
        form.add_error(field, str(message))
    return render(request, "surveys/answer_login.html", {"form": form})


def answer_password(request: HttpRequest) -> HttpResponse:
    """After the first sign-in with the access key, the respondent chooses a password to come back with."""
    case = respondents.current_case(request)
    if case is None:
        return redirect("surveys:answer_login")
    if case.password_hash:
        return redirect("surveys:answer_home")
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password"]
        problems = respondents.password_problems(case, password, form.cleaned_data["confirmation"])
        for problem in problems:
            form.add_error("password", problem)
        if not problems:
            respondents.set_password(request, case, password)
            messages.success(
                request,
                _("パスワードを設定しました。次回からは調査対象者IDとこのパスワードでログインします。"),
            )
            return redirect("surveys:answer_home")
    return render(request, "surveys/answer_password.html", {"form": form, "case": case})


@require_POST
def answer_logout(request: HttpRequest) -> HttpResponse:
    """Sign out; the answers saved so far stay."""
    respondents.sign_out(request)
    messages.success(request, _("ログアウトしました。保存した回答は残っています。"))
    return redirect("surveys:answer_login")


@require_POST
def text_size(request: HttpRequest) -> HttpResponse:
    """Switch the larger-text mode on or off (a cookie read by base.html) and go back."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("surveys:answer_login")
    return set_text_size(request, HttpResponseRedirect(target), large=request.POST.get("size") == "large")


# ------------------------------------------------------------------------------------------ respondents


@_respondent
def answer_home(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """The respondent's overview: status, pages, resume, receipt."""
    return show_overview(request, seat, links)


@_respondent
def answer_page(request: HttpRequest, seat: Seat, links: Links, page: str) -> HttpResponse:
    """One page of the questionnaire."""
    return show_page(request, seat, links, page)


@_respondent
def answer_review(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """All answers for checking, and the submit button."""
    return show_review(request, seat, links)


@_respondent
def answer_receipt(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """The receipt number after submission."""
    return show_receipt(request, seat, links)


# ------------------------------------------------------------------------------------------ assisted


@municipality_permission("surveys.assist")
def assist_open(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """A supporter opens a household's case by the login ID on its letter, with the respondent present."""
    form = AssistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login_id = credentials.normalize_login_id(form.cleaned_data["login_id"])
        case = None
        if credentials.is_valid_login_id(login_id):
            case = queries.case_by_login_id(login_id, municipality=municipality)
        if case is None:
            form.add_error(
                "login_id",
                _("この調査対象者IDは、この団体の調査にありません。依頼状の番号をご確認ください。"),
            )
        else:
            actions.open_assisted_case(case, by=Actor.from_request(request))
            opened = [i for i in request.session.get(ASSIST_SESSION_KEY, []) if i != case.pk]
            request.session[ASSIST_SESSION_KEY] = [*opened[-(ASSISTED_CASES_KEPT - 1) :], case.pk]
            return redirect("surveys:assist_home", code=municipality.code, case_id=case.pk)
    return render(request, "surveys/assist_open.html", {"form": form, "municipality": municipality})


@_assisting
def assist_home(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """The assisted case's overview."""
    return show_overview(request, seat, links)


@_assisting
def assist_page(request: HttpRequest, seat: Seat, links: Links, page: str) -> HttpResponse:
    """One page, answered with the respondent."""
    return show_page(request, seat, links, page)


@_assisting
def assist_review(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """Review and submit with the respondent."""
    return show_review(request, seat, links)


@_assisting
def assist_receipt(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """The receipt to hand to the respondent."""
    return show_receipt(request, seat, links)
