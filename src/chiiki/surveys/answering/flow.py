"""The answering page flow shared by every seat: overview → pages → review → receipt.

Respondents (`answering.views`), help-desk supporters (`answering.views`) and enumerators (the fieldwork app)
run the same flow through a `Seat` that says who answers and `Links` that say where its pages are. Pages
work without JavaScript: skip logic and validation run on the server after each page, roster rows are added
and removed with ordinary submit buttons, and every page is saved as it is left, so the respondent can stop
at any point and resume on another device. With JavaScript, questions that depend on answers on the same
page appear as those are typed (surveys/answer.js, conditions from xlsform.client_conditions); the server
still decides relevance and validates when the page is posted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chiiki.core import audit
from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.surveys import actions, queries
from chiiki.surveys.answering import drafts
from chiiki.surveys.answering.drafts import AnswerConflict, AnsweringClosed, PostedPage, SaveResult, Seat
from chiiki.surveys.answering.pages import PageView, build_page, field_id, page_title
from chiiki.surveys.answering.tree import page_digest
from chiiki.surveys.answering.uploads import take_uploads
from chiiki.surveys.models import Answer
from chiiki.surveys.paradata import SHOWN_FIELD, page_shown_token, request_session_tag, seconds_on_page
from chiiki.surveys.xlsform import Evaluation, Form, Page, client_conditions, server_today

if TYPE_CHECKING:
    from chiiki.surveys.models import SurveyCase

__all__ = [
    "TEXT_COOKIE",
    "Links",
    "audit_staff_read",
    "set_text_size",
    "show_overview",
    "show_page",
    "show_receipt",
    "show_review",
    "staff_seat",
]

TEXT_COOKIE = "chiiki_text"  # read by base.html: "large" puts class="large-text" on <html>

# The header's controls on an answering page are buttons of the page's form (no script needed): pressing one
# saves what was typed, then does what it says. Also the link back to the list of pages and roster questions.
LEAVING_ACTIONS = ("language:", "text:", "logout", "home", "stay", "remove:")


def set_text_size(request: HttpRequest, response: HttpResponse, *, large: bool) -> HttpResponse:
    """Switch the larger-text mode on or off for this browser (the cookie base.html reads)."""
    if large:
        response.set_cookie(
            TEXT_COOKIE, "large", max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure()
        )
    else:
        response.delete_cookie(TEXT_COOKIE, samesite="Lax")
    return response


def _set_language(response: HttpResponse, code: str) -> HttpResponse:
    """What Django's set_language does with the cookie, for a page that saved its answers first."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def language() -> str:
    """The respondent's language for the questionnaire: English when the interface is, else Japanese."""
    return "en" if (get_language() or "ja").startswith("en") else "ja"


@dataclass(frozen=True, slots=True)
class Links:
    """URLs of one seat's page flow: URL names `<prefix>_home`, `_page`, `_review`, `_receipt`; staff flows
    (a supporter's, an enumerator's) name the municipality and the case in the URL."""

    prefix: str = "surveys:answer"
    code: str = ""
    case_id: int = 0

    def _url(self, name: str, **kwargs: Any) -> str:
        if self.code:
            kwargs = {"code": self.code, "case_id": self.case_id, **kwargs}
        return reverse(f"{self.prefix}_{name}", kwargs=kwargs)

    def home(self) -> str:
        return self._url("home")

    def page(self, name: str) -> str:
        return self._url("page", page=name)

    def review(self) -> str:
        return self._url("review")

    def receipt(self) -> str:
        return self._url("receipt")


@dataclass(frozen=True, slots=True)
class ShownPage:
    """One page of the questionnaire as it is being answered: the form, the page, its position, the language."""

    form: Form
    page: Page
    index: int
    language: str

    @property
    def pages(self) -> list[Page]:
        return self.form.pages()


def _context(seat: Seat, links: Links, **extra: Any) -> dict[str, Any]:
    survey = seat.case.survey
    return {
        "seat": seat,
        "case": seat.case,
        "survey": survey,
        "links": links,
        "assisted": seat.by_staff,
        "enumerating": seat.mode == Answer.Mode.ENUMERATOR,
        "period": drafts.period_state(survey),
        "home_url": links.home(),
        "review_url": links.review(),
        **extra,
    }


def audit_staff_read(request: HttpRequest, seat: Seat, page: str) -> None:
    """Record that a supporter or an enumerator was shown a household's answers (every read of personal data by
    staff is audited; a respondent reading their own answers is not)."""
    if not seat.by_staff or request.method != "GET":
        return  # a POST is a change, audited by the action it calls
    audit.record(
        "surveys.case_viewed",
        by=Actor.from_request(request),
        municipality=seat.case.survey.municipality_id,
        object_type="survey_case",
        object_id=seat.case.pk,
        detail={"mode": str(seat.mode), "page": page},
    )


CaseFinder = Callable[[HttpRequest, Municipality, int], "SurveyCase | HttpResponse | None"]


def staff_seat(
    permission: str, find_case: CaseFinder, links_name: str, mode: Answer.Mode, view_prefix: str
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view of one household's answers opened by staff (a help-desk supporter, an enumerator).

    The route's `case_id` is text checked after the permission (so another town's URL answers 403 before
    anything else); `find_case` returns the case this person may open, a response to send instead (back to the
    search), or None (404). The view gets the seat (answers recorded with `mode`) and the links of its pages,
    and every page shown is audited as a read of personal data.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @municipality_permission(permission)
        @wraps(view)
        def wrapped(
            request: HttpRequest, municipality: Municipality, case_id: str, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            if not case_id.isascii() or not case_id.isdigit() or len(case_id) > 18:
                raise Http404
            found = find_case(request, municipality, int(case_id))
            if isinstance(found, HttpResponse):
                return found
            if found is None:
                raise Http404
            seat = Seat(found, mode)
            audit_staff_read(request, seat, kwargs.get("page", view.__name__.removeprefix(view_prefix)))
            return view(request, seat, Links(links_name, municipality.code, found.pk), *args, **kwargs)

        return wrapped

    return decorate


def _int(text: str | None) -> int:
    try:
        return int(text or "")
    except ValueError:
        return -1


def _receipt_text(answer: Answer) -> str:
    return drafts.format_receipt(answer.receipt_number) if answer.receipt_number else ""


def _draft(answer: Answer) -> dict[str, Any]:
    return answer.data if isinstance(answer.data, dict) else {}


# ------------------------------------------------------------------------------------------ overview


def _answered(evaluation: Evaluation, page: Page) -> bool:
    keys = evaluation.pages.get(page.name, [])
    return any(
        evaluation.fields[k].value not in (None, "", [])
        for k in keys
        if evaluation.fields[k].kind not in ("note", "calculate")
    )


def show_overview(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """The case's overview: status, the pages (answered, complete), where to resume, the receipt."""
    if drafts.period_state(seat.case.survey) == "files_missing":
        # The questionnaire cannot be evaluated without its files: say so plainly, show no page.
        missing = drafts.form_of(seat.case.survey).missing_files()
        return render(request, "surveys/answer_home.html", _context(seat, links, missing_files=missing))
    form = drafts.form_of(seat.case.survey)
    answer = queries.answer_of(seat.case)
    lang = language()
    evaluation = drafts.evaluate(form, _draft(answer), lang)
    pages = []
    for page in form.pages():
        answered = _answered(evaluation, page)
        pages.append(
            {
                "title": page_title(form, page, lang, evaluation),
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


# ------------------------------------------------------------------------------------------ one page


def show_page(request: HttpRequest, seat: Seat, links: Links, page_name: str) -> HttpResponse:
    """One page of the questionnaire: shown, or saved when posted (then the next page, or this one again)."""
    if drafts.period_state(seat.case.survey) != "open":
        return redirect(links.home())
    form = drafts.form_of(seat.case.survey)
    page = drafts.page_named(form, page_name)
    if page is None:
        raise Http404
    shown = ShownPage(form, page, form.pages().index(page), language())
    if request.method == "POST":
        return _save_page(request, seat, links, shown)
    answer = queries.answer_of(seat.case)
    data = _draft(answer)
    evaluation = drafts.evaluate(form, data, shown.language)
    show_errors: set[str] | None = None if request.GET.get("check") else set()
    view = _build(shown, evaluation, show_errors, confirm_remove=request.GET.get("remove", ""))
    return _render_page(request, seat, links, shown, view, answer.version, page_digest(data, page))


def _build(
    shown: ShownPage, evaluation: Evaluation, show_errors: set[str] | None, confirm_remove: str = ""
) -> PageView:
    """The page's display items, with the relevance conditions the page's script can evaluate (questions
    that depend on answers on this page appear as soon as they are answered; without the script, as before,
    after the page is posted)."""
    conditions = client_conditions(shown.form, shown.page, evaluation, shown.language)
    return build_page(
        shown.form,
        shown.page,
        evaluation,
        shown.language,
        show_errors=show_errors,
        confirm_remove=confirm_remove,
        conditions=conditions,
    )


def _posted(request: HttpRequest, action: str) -> PostedPage:
    shown = request.POST.getlist("shown")
    # "remove:<repeat>:<n>" only asks (the page comes back with a confirmation); "confirm-remove:…" removes.
    roster = action if action.startswith("add:") else ""
    if action.startswith("confirm-remove:"):
        roster = action.removeprefix("confirm-")
    return PostedPage(
        values={key: request.POST.getlist(key) for key in shown},
        shown=shown,
        version=_int(request.POST.get("version")),
        digest=request.POST.get("digest", ""),
        roster_action=roster,
        paused=action == "pause",
    )


def _leave(request: HttpRequest, seat: Seat, links: Links, shown: ShownPage, action: str) -> HttpResponse:
    """After the page was saved: do what the header control or link pressed says."""
    here = links.page(shown.page.name)
    if action.startswith("language:"):
        code = action.removeprefix("language:")
        codes = {code for code, _name in settings.LANGUAGES}
        return _set_language(HttpResponseRedirect(here), code if code in codes else settings.LANGUAGE_CODE)
    if action.startswith("text:"):
        return set_text_size(request, HttpResponseRedirect(here), large=action == "text:large")
    if action == "logout":
        if seat.by_staff:
            logout(request)
            return redirect(settings.LOGIN_URL)
        actions.sign_out_respondent(seat.case, session=request.session)
        messages.success(
            request, _("入力した内容を保存して、ログアウトしました。保存した回答は残っています。")
        )
        return redirect("surveys:answer_login")
    if action == "home":
        return redirect(links.home())
    if action.startswith("remove:"):
        parts = action.split(":")
        anchor = field_id(f"{parts[1]}[{parts[2]}]") if len(parts) == 3 else ""
        return redirect(f"{here}?remove={parts[1]}:{parts[2]}#{anchor}" if anchor else here)
    return redirect(here)  # "stay"


def _save_page(request: HttpRequest, seat: Seat, links: Links, shown: ShownPage) -> HttpResponse:
    action = request.POST.get("action", "next")
    posted = take_uploads(shown.form, _posted(request, action), request.FILES, seat.case)
    try:
        result = actions.save_page(
            seat,
            shown.page,
            posted,
            by=seat.actor(request),
            language=shown.language,
            seconds=seconds_on_page(request, shown.page.name),
            session=request_session_tag(request),
        )
    except AnsweringClosed:
        return redirect(links.home())
    except AnswerConflict:
        return _conflict(request, seat, links, shown, posted)
    if posted.roster_action:
        anchor = posted.roster_action.split(":")[1]
        return redirect(f"{links.page(shown.page.name)}#{field_id(anchor)}")
    if action.startswith(LEAVING_ACTIONS):
        return _leave(request, seat, links, shown, action)
    if action == "back":
        return redirect(links.page(shown.pages[shown.index - 1].name) if shown.index > 0 else links.home())
    if posted.paused:
        return _paused(request, seat, links)
    return _after_save(request, seat, links, shown, posted, result)


def _conflict(
    request: HttpRequest, seat: Seat, links: Links, shown: ShownPage, posted: PostedPage
) -> HttpResponse:
    """Someone else changed this page meanwhile: show what this person typed on top of the latest saved
    answers, so nothing typed is lost, and say so (409)."""
    fresh = queries.answer_of(seat.case)
    data = dict(_draft(fresh))
    digest = page_digest(data, shown.page)
    drafts.apply_posted(shown.form, shown.page, data, posted.values, posted.shown, shown.language)
    evaluation = drafts.evaluate(shown.form, data, shown.language)
    view = _build(shown, evaluation, set())
    return _render_page(request, seat, links, shown, view, fresh.version, digest, conflict=True)


def _paused(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    if seat.by_staff:
        messages.success(request, _("回答を保存しました。"))
        return redirect(links.home())
    actions.sign_out_respondent(seat.case, session=request.session)
    messages.success(
        request,
        _(
            "回答を保存しました。調査対象者IDとパスワードでログインすれば、別の端末からでも続きから回答できます。"
        ),
    )
    return redirect("surveys:answer_login")


def _blank(evaluation: Evaluation, key: str) -> bool:
    return evaluation.fields[key].value in (None, "", [])


def _after_save(
    request: HttpRequest, seat: Seat, links: Links, shown: ShownPage, posted: PostedPage, result: SaveResult
) -> HttpResponse:
    """Next page (or the review) when the page is complete; else the page again, saying why."""
    evaluation, shown_keys = result.evaluation, set(posted.shown)
    new_questions = [
        key
        for key in evaluation.pages.get(shown.page.name, [])
        if key not in shown_keys
        and evaluation.fields[key].relevant
        and evaluation.fields[key].kind not in ("note", "calculate")
        and _blank(evaluation, key)
    ]
    page_errors = {key for key in evaluation.errors_on_page(shown.page.name) if key in shown_keys}
    # Choices filtered by an answer on this same page: without JavaScript the page showed the old ones.
    new_choices = [key for key in result.choices_changed if key in shown_keys and _blank(evaluation, key)]
    if not page_errors and not new_questions and not new_choices:
        following = shown.pages[shown.index + 1 :]
        return redirect(links.page(following[0].name) if following else links.review())
    notice = ""
    if new_questions:
        notice = _("回答に応じて質問が増えました。追加された質問に答えてから「次へ」を押してください。")
    elif new_choices:
        notice = _("回答に応じて選択肢が変わりました。選択肢を確かめてから「次へ」を押してください。")
    view = _build(shown, evaluation, page_errors)
    digest = page_digest(_draft(result.answer), shown.page)
    return _render_page(request, seat, links, shown, view, result.answer.version, digest, notice=notice)


def _render_page(
    request: HttpRequest,
    seat: Seat,
    links: Links,
    shown: ShownPage,
    view: PageView,
    version: int,
    digest: str,
    *,
    notice: str = "",
    conflict: bool = False,
) -> HttpResponse:
    status = 200 if not view.errors and not conflict else 422 if view.errors else 409
    context = _context(
        seat,
        links,
        view=view,
        page=shown.page,
        page_url=links.page(shown.page.name),
        error_links=[{"href": f"#{e.anchor}", "label": e.label, "message": e.message} for e in view.errors],
        number=shown.index + 1,
        total=len(shown.pages),
        version=version,
        digest=digest,
        notice=notice,
        conflict=conflict,
        previous=shown.index > 0,
        shown_field=SHOWN_FIELD,
        shown_token=page_shown_token(shown.page.name),  # paradata: seconds on page are counted from here
        today=server_today().isoformat(),  # today() in the page script's conditions: the server's date
    )
    return render(
        request, "surveys/answer_page.html", context, status=status if request.method == "POST" else 200
    )


# ------------------------------------------------------------------------------------------ review, receipt


def _submit(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse | bool:
    """Submit the reviewed answers: the receipt page when accepted, else whether it was a conflict."""
    try:
        result = actions.submit_answers(
            seat,
            version=_int(request.POST.get("version")),
            by=seat.actor(request),
            language=language(),
            session=request_session_tag(request),
        )
    except AnsweringClosed:
        return redirect(links.home())
    except AnswerConflict:
        return True
    # The receipt page reads the committed row: the respondent sees it only after the commit.
    return redirect(links.receipt()) if result.accepted else False


def show_review(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """Every answer for checking, with links to the pages to correct; the submit button."""
    conflict = False
    state = drafts.period_state(seat.case.survey)
    if state == "files_missing" or (request.method == "POST" and state != "open"):
        return redirect(links.home())
    if request.method == "POST":
        submitted = _submit(request, seat, links)
        if isinstance(submitted, HttpResponse):
            return submitted
        conflict = submitted
    form = drafts.form_of(seat.case.survey)
    lang = language()
    answer = queries.answer_of(seat.case)
    evaluation = drafts.evaluate(form, _draft(answer), lang)
    sections: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    for page in form.pages():
        view = build_page(form, page, evaluation, lang, show_errors=None)
        sections.append({"title": view.title, "items": view.items, "url": links.page(page.name)})
        errors.extend(
            {"href": f"{links.page(page.name)}?check=1#{e.anchor}", "label": e.label, "message": e.message}
            for e in view.errors
        )
    status = 200 if request.method != "POST" else 409 if conflict else 422
    context = _context(
        seat,
        links,
        answer=answer,
        sections=sections,
        errors=errors,
        conflict=conflict,
        submitted_attempt=request.method == "POST",
    )
    return render(request, "surveys/answer_review.html", context, status=status)


def show_receipt(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """The receipt number after submission (the review again when there is none yet)."""
    answer = queries.answer_of(seat.case)
    if answer.receipt_number is None:
        return redirect(links.review())
    return render(
        request,
        "surveys/answer_receipt.html",
        _context(seat, links, answer=answer, receipt=_receipt_text(answer)),
    )
