"""Answering pages for residents (/answer/…) and for help-desk supporters answering with them (assisted).

Both run the same page flow (overview → pages → review → receipt) through a `Seat` that says who answers.
Pages work without JavaScript: skip logic and validation run on the server after each page, roster rows are
added and removed with ordinary submit buttons, and every page is saved as it is left, so the respondent can
stop at any point and resume on another device.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiiki.core import audit
from chiiki.core.access import municipality_permission
from chiiki.core.models import Municipality
from chiiki.fieldwork.models import FollowUpAssignment
from chiiki.fieldwork.paradata import SHOWN_FIELD, page_shown_token, record_case_event
from chiiki.surveys import answering, credentials, respondents
from chiiki.surveys.answer_page import PageView, build_page, field_id, page_title
from chiiki.surveys.answer_tree import page_digest
from chiiki.surveys.answering import AnswerConflict, AnsweringClosed, Seat
from chiiki.surveys.models import Answer, SurveyCase
from chiiki.surveys.xlsform import Form, Page

TEXT_COOKIE = "chiiki_text"
ASSIST_SESSION_KEY = "chiiki_assisting"


# ------------------------------------------------------------------------------------------ helpers


def _language() -> str:
    return "en" if (get_language() or "ja").startswith("en") else "ja"


@dataclass(frozen=True, slots=True)
class Links:
    """URLs of one seat's page flow (the respondent's own, or a supporter's or enumerator's for one case)."""

    code: str = ""
    case_id: int = 0
    flow: str = "answer"  # "answer", "assist" or "enumerate"

    def _name(self, name: str, **kwargs: Any) -> str:
        if self.code:
            return reverse(
                f"surveys:{self.flow}_{name}", kwargs={"code": self.code, "case_id": self.case_id, **kwargs}
            )
        return reverse(f"surveys:answer_{name}", kwargs=kwargs)

    def home(self) -> str:
        return self._name("home")

    def page(self, name: str) -> str:
        return self._name("page", page=name)

    def review(self) -> str:
        return self._name("review")

    def receipt(self) -> str:
        return self._name("receipt")


def _context(seat: Seat, links: Links, **extra: Any) -> dict[str, Any]:
    survey = seat.case.survey
    return {
        "seat": seat,
        "case": seat.case,
        "survey": survey,
        "links": links,
        "assisted": seat.mode != Answer.Mode.WEB,
        "enumerating": seat.mode == Answer.Mode.ENUMERATOR,
        "period": answering.period_state(survey),
        "home_url": links.home(),
        "review_url": links.review(),
        **extra,
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


def _assisting(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pass a supporter's seat for a case they opened by its login ID in this session."""

    @municipality_permission("surveys.assist")
    @wraps(view)
    def wrapped(
        request: HttpRequest, municipality: Municipality, case_id: str, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        # The route takes text (checked here, after the permission check) so that a URL for another town
        # answers 403 before anything else, whatever follows the town's code.
        if not case_id.isascii() or not case_id.isdigit():
            raise Http404
        if int(case_id) not in request.session.get(ASSIST_SESSION_KEY, []):
            return redirect("surveys:assist_open", code=municipality.code)
        case = get_object_or_404(
            SurveyCase.objects.select_related("survey", "survey__questionnaire_version"),
            pk=int(case_id),
            survey__municipality=municipality,
        )
        seat = Seat(case, Answer.Mode.ASSISTED, request.user)  # type: ignore[arg-type]
        return view(request, seat, Links(municipality.code, case.pk, "assist"), *args, **kwargs)

    return wrapped


def _enumerating(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pass an enumerator's seat for a household on their own follow-up list (mode = enumerator)."""

    @municipality_permission("surveys.fieldwork")
    @wraps(view)
    def wrapped(
        request: HttpRequest, municipality: Municipality, case_id: str, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        if not case_id.isascii() or not case_id.isdigit():
            raise Http404
        # Only households assigned to this enumerator in a survey still open; others look absent.
        assignment = (
            FollowUpAssignment.objects.filter(
                municipality=municipality, area__enumerator_id=request.user.pk, case_id=int(case_id)
            )
            .select_related("case__survey__questionnaire_version")
            .first()
        )
        if assignment is None:
            raise Http404
        seat = Seat(assignment.case, Answer.Mode.ENUMERATOR, request.user)  # type: ignore[arg-type]
        return view(request, seat, Links(municipality.code, assignment.case_id, "enumerate"), *args, **kwargs)

    return wrapped


# ------------------------------------------------------------------------------------------ sign-in


class LoginForm(forms.Form):
    login_id = forms.CharField(
        label=gettext_lazy("調査対象者ID(12桁の数字)"),
        max_length=40,
        help_text=gettext_lazy(
            "依頼状に書かれている12桁の数字です。ハイフンや空白はあってもなくてもかまいません。"
        ),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "username", "spellcheck": "false"}
        ),
    )
    secret = forms.CharField(
        label=gettext_lazy("アクセスキー または パスワード"),
        max_length=200,
        strip=False,
        help_text=gettext_lazy(
            "初めての方は依頼状のアクセスキー(英数字8文字)を、2回目からはご自分で決めたパスワードを入力してください。"
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "spellcheck": "false"}),
    )


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
            if result.must_set_password:
                return redirect("surveys:answer_password")
            return redirect("surveys:answer_home")
        if result.outcome == "malformed":
            form.add_error(
                "login_id",
                _("調査対象者IDは12桁の数字です。打ち間違いがないか、依頼状と見比べてください。"),
            )
        elif result.outcome == "locked":
            form.add_error(
                None,
                _(
                    "ログインの失敗が続いたため、しばらくの間ログインできません。15分ほど待ってから、もう一度お試しください。"
                    "お急ぎの場合は依頼状に書かれたお問い合わせ窓口にご連絡ください。"
                ),
            )
        else:
            form.add_error(
                None,
                _("調査対象者ID、アクセスキー、パスワードのいずれかが違います。依頼状をご確認ください。"),
            )
    return render(request, "surveys/answer_login.html", {"form": form})


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("新しいパスワード"),
        strip=False,
        max_length=200,
        help_text=gettext_lazy(
            "8文字以上で、英字と数字を混ぜてください。次回からはこのパスワードでログインします。"
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    confirmation = forms.CharField(
        label=gettext_lazy("新しいパスワード(確認のためもう一度)"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


def answer_password(request: HttpRequest) -> HttpResponse:
    """After the first sign-in with the access key, the respondent chooses a password to come back with."""
    case = respondents.current_case(request)
    if case is None:
        return redirect("surveys:answer_login")
    if case.password_hash:
        return redirect("surveys:answer_home")
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        problems = respondents.password_problems(
            case, form.cleaned_data["password"], form.cleaned_data["confirmation"]
        )
        for problem in problems:
            form.add_error("password", problem)
        if not problems:
            respondents.set_password(request, case, form.cleaned_data["password"])
            messages.success(
                request,
                _("パスワードを設定しました。次回からは調査対象者IDとこのパスワードでログインします。"),
            )
            return redirect("surveys:answer_home")
    return render(request, "surveys/answer_password.html", {"form": form, "case": case})


@require_POST
def answer_logout(request: HttpRequest) -> HttpResponse:
    """Sign out; the answers saved so far stay."""
    respondents.end_session(request)
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
    response = HttpResponseRedirect(target)
    if request.POST.get("size") == "large":
        response.set_cookie(
            TEXT_COOKIE, "large", max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure()
        )
    else:
        response.delete_cookie(TEXT_COOKIE, samesite="Lax")
    return response


# ------------------------------------------------------------------------------------------ the flow


def _overview(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    form = answering.form_of(seat.case.survey)
    answer = answering.answer_for(seat.case)
    language = _language()
    evaluation = answering.evaluate(form, answer.data, language)
    pages = []
    for page in form.pages():
        keys = evaluation.pages.get(page.name, [])
        answered = any(
            evaluation.fields[k].value not in (None, "", [])
            for k in keys
            if evaluation.fields[k].kind not in ("note", "calculate")
        )
        pages.append(
            {
                "title": page_title(form, page, language, evaluation),
                "url": links.page(page.name),
                "answered": answered,
                "complete": answered and not evaluation.errors_on_page(page.name),
            }
        )
    first = form.pages()[0].name if form.pages() else ""
    resume = links.page(answer.last_page or first) if (answer.last_page or first) else links.review()
    return render(
        request,
        "surveys/answer_home.html",
        _context(seat, links, answer=answer, pages=pages, resume=resume, receipt=_receipt_text(answer)),
    )


def _receipt_text(answer: Answer) -> str:
    return answering.format_receipt(answer.receipt_number) if answer.receipt_number else ""


def _page(request: HttpRequest, seat: Seat, links: Links, page_name: str) -> HttpResponse:  # noqa: C901, PLR0912, PLR0915
    survey = seat.case.survey
    if answering.period_state(survey) != "open":
        return redirect(links.home())
    form = answering.form_of(survey)
    pages = form.pages()
    page = answering.page_named(form, page_name)
    if page is None:
        raise Http404
    index = pages.index(page)
    language = _language()
    answer = answering.answer_for(seat.case)
    notice = ""
    conflict = False
    show_errors: set[str] | None = set()
    if request.GET.get("check"):
        show_errors = None
    data: dict[str, Any] = answer.data if isinstance(answer.data, dict) else {}
    version = answer.version
    if request.method == "POST":
        action = request.POST.get("action", "next")
        shown = request.POST.getlist("shown")
        posted = {key: request.POST.getlist(key) for key in shown}
        roster = action if action.startswith(("add:", "remove:")) else ""
        try:
            result = answering.save_page(
                seat,
                page,
                posted=posted,
                shown=shown,
                version=_int(request.POST.get("version")),
                digest=request.POST.get("digest", ""),
                roster_action=roster,
                language=language,
                request=request,
            )
        except AnsweringClosed:
            return redirect(links.home())
        except AnswerConflict:
            conflict = True
            fresh = answering.answer_for(seat.case)
            # Show what this person typed, on top of the latest saved answers, so nothing typed is lost.
            data = dict(fresh.data) if isinstance(fresh.data, dict) else {}
            page_data_digest = page_digest(data, page)
            answering.apply_posted(form, page, data, posted, shown, language)
            version = fresh.version
            evaluation = answering.evaluate(form, data, language)
            view = build_page(form, page, evaluation, language, show_errors=set())
            return _render_page(
                request, seat, links, form, page, index, view, version, page_data_digest, conflict=True
            )
        data = result.answer.data
        version = result.answer.version
        evaluation = result.evaluation
        if roster:
            target = links.page(page.name)
            anchor = roster.split(":")[1]
            return redirect(f"{target}#{field_id(anchor)}")
        if action == "back":
            return redirect(links.page(pages[index - 1].name) if index > 0 else links.home())
        if action == "pause":
            record_case_event(seat.case, "saved", request=request, page=page.name, mode=seat.mode)
            if seat.mode == Answer.Mode.WEB:
                respondents.end_session(request)
                messages.success(
                    request,
                    _(
                        "回答を保存しました。調査対象者IDとパスワードでログインすれば、別の端末からでも続きから回答できます。"
                    ),
                )
                return redirect("surveys:answer_login")
            messages.success(request, _("回答を保存しました。"))
            return redirect(links.home())
        shown_set = set(shown)
        new_questions = [
            key
            for key in evaluation.pages.get(page.name, [])
            if key not in shown_set
            and evaluation.fields[key].relevant
            and evaluation.fields[key].kind not in ("note", "calculate")
            and evaluation.fields[key].value in (None, "", [])
        ]
        page_errors = {k for k in evaluation.errors_on_page(page.name) if k in shown_set}
        # Choices filtered by an answer on this same page: without JavaScript the page showed the old ones.
        new_choices = [
            key
            for key in result.choices_changed
            if key in shown_set and evaluation.fields[key].value in (None, "", [])
        ]
        if not page_errors and not new_questions and not new_choices:
            if index + 1 < len(pages):
                return redirect(links.page(pages[index + 1].name))
            return redirect(links.review())
        if new_questions:
            notice = _("回答に応じて質問が増えました。追加された質問に答えてから「次へ」を押してください。")
        elif new_choices:
            notice = _("回答に応じて選択肢が変わりました。選択肢を確かめてから「次へ」を押してください。")
        show_errors = page_errors
    else:
        evaluation = answering.evaluate(form, data, language)
    view = build_page(form, page, evaluation, language, show_errors=show_errors)
    return _render_page(
        request,
        seat,
        links,
        form,
        page,
        index,
        view,
        version,
        page_digest(data, page),
        notice=notice,
        conflict=conflict,
    )


def _render_page(
    request: HttpRequest,
    seat: Seat,
    links: Links,
    form: Form,
    page: Page,
    index: int,
    view: PageView,
    version: int,
    digest: str,
    *,
    notice: str = "",
    conflict: bool = False,
) -> HttpResponse:
    pages = form.pages()
    status = 200 if not view.errors and not conflict else 422 if view.errors else 409
    return render(
        request,
        "surveys/answer_page.html",
        _context(
            seat,
            links,
            view=view,
            page=page,
            page_url=links.page(page.name),
            error_links=[
                {"href": f"#{e.anchor}", "label": e.label, "message": e.message} for e in view.errors
            ],
            number=index + 1,
            total=len(pages),
            version=version,
            digest=digest,
            notice=notice,
            conflict=conflict,
            previous=index > 0,
            shown_field=SHOWN_FIELD,
            shown_token=page_shown_token(page.name),  # paradata: seconds on page are counted from here
        ),
        status=status if request.method == "POST" else 200,
    )


def _int(text: str | None) -> int:
    try:
        return int(text or "")
    except ValueError:
        return -1


def _review(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    survey = seat.case.survey
    form = answering.form_of(survey)
    language = _language()
    conflict = False
    if request.method == "POST":
        if answering.period_state(survey) != "open":
            return redirect(links.home())
        try:
            result = answering.submit(
                seat, version=_int(request.POST.get("version")), language=language, request=request
            )
        except AnsweringClosed:
            return redirect(links.home())
        except AnswerConflict:
            conflict = True
        else:
            if result.accepted:
                # The receipt page reads the committed row: the respondent sees it only after the commit.
                return redirect(links.receipt())
    answer = answering.answer_for(seat.case)
    evaluation = answering.evaluate(form, answer.data, language)
    sections = []
    errors: list[dict[str, str]] = []
    for page in form.pages():
        view = build_page(form, page, evaluation, language, show_errors=None)
        sections.append({"title": view.title, "items": view.items, "url": links.page(page.name)})
        errors.extend(
            {"href": f"{links.page(page.name)}?check=1#{e.anchor}", "label": e.label, "message": e.message}
            for e in view.errors
        )
    status = 200
    if request.method == "POST":
        status = 409 if conflict else 422
    return render(
        request,
        "surveys/answer_review.html",
        _context(
            seat,
            links,
            answer=answer,
            sections=sections,
            errors=errors,
            conflict=conflict,
            submitted_attempt=request.method == "POST",
        ),
        status=status,
    )


def _receipt(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    answer = answering.answer_for(seat.case)
    if answer.receipt_number is None:
        return redirect(links.review())
    return render(
        request,
        "surveys/answer_receipt.html",
        _context(seat, links, answer=answer, receipt=_receipt_text(answer)),
    )


@_respondent
def answer_home(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """The respondent's overview: status, pages, resume, receipt."""
    return _overview(request, seat, links)


@_respondent
def answer_page(request: HttpRequest, seat: Seat, links: Links, page: str) -> HttpResponse:
    """One page of the questionnaire."""
    return _page(request, seat, links, page)


@_respondent
def answer_review(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """All answers for checking, and the submit button."""
    return _review(request, seat, links)


@_respondent
def answer_receipt(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """The receipt number after submission."""
    return _receipt(request, seat, links)


# ------------------------------------------------------------------------------------------ assisted


class AssistForm(forms.Form):
    login_id = forms.CharField(
        label=gettext_lazy("調査対象者ID(依頼状の12桁の数字)"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )


@municipality_permission("surveys.assist")
def assist_open(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """A supporter opens a household's case by the login ID on its letter, with the respondent present."""
    form = AssistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login_id = credentials.normalize_login_id(form.cleaned_data["login_id"])
        case = None
        if credentials.is_valid_login_id(login_id):
            case = SurveyCase.objects.filter(login_id=login_id, survey__municipality=municipality).first()
        if case is None:
            form.add_error(
                "login_id",
                _("この調査対象者IDは、この団体の調査にありません。依頼状の番号をご確認ください。"),
            )
        else:
            opened = [i for i in request.session.get(ASSIST_SESSION_KEY, []) if i != case.pk][-19:]
            request.session[ASSIST_SESSION_KEY] = [*opened, case.pk]
            audit.record(
                "surveys.assist_opened",
                actor=request.user,
                municipality=municipality,
                object_type="survey_case",
                object_id=case.pk,
                request=request,
                detail={"login_id": case.login_id},
            )
            record_case_event(case, "assisted_opened", request=request)  # paradata
            return redirect("surveys:assist_home", code=municipality.code, case_id=case.pk)
    return render(request, "surveys/assist_open.html", {"form": form, "municipality": municipality})


@_assisting
def assist_home(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """The assisted case's overview."""
    return _overview(request, seat, links)


@_assisting
def assist_page(request: HttpRequest, seat: Seat, links: Links, page: str) -> HttpResponse:
    """One page, answered with the respondent."""
    return _page(request, seat, links, page)


@_assisting
def assist_review(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """Review and submit with the respondent."""
    return _review(request, seat, links)


@_assisting
def assist_receipt(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """The receipt to hand to the respondent."""
    return _receipt(request, seat, links)


# ------------------------------------------------------------------------------------------ enumerator


@_enumerating
def enumerate_home(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """An enumerator opens an assigned household's answers on a tablet, with the household (audited)."""
    audit.record(
        "surveys.enumerate_opened",
        actor=request.user,
        municipality=seat.case.survey.municipality_id,
        object_type="survey_case",
        object_id=seat.case.pk,
        request=request,
    )
    return _overview(request, seat, links)


@_enumerating
def enumerate_page(request: HttpRequest, seat: Seat, links: Links, page: str) -> HttpResponse:
    """One page, answered with the household by its enumerator."""
    return _page(request, seat, links, page)


@_enumerating
def enumerate_review(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """Review and submit with the household."""
    return _review(request, seat, links)


@_enumerating
def enumerate_receipt(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """The receipt for the household."""
    return _receipt(request, seat, links)
