"""Every page of the demo, as every staff role, as a resident answering the census, as a person and a company in
the talent bank, and as a visitor, at 360 CSS pixels in Japanese and English, in headless Chromium.

The pages come from the URL resolver (a new app's pages are walked without being listed here); their parameters
are filled from the demo data (`chiiki demo load`'s loader, with a smaller registry). On each page shown:
no server error, no sideways scrolling, no text wrapped into a column narrower than four characters, no
internal code (model choices, roles, audit event names, label maps, questionnaire page names) standing as a
word, and, once per page and language, no serious or critical axe-core violation and the same layout checks
at 1,280 px. Every failure is listed at the end; CHIIKI_WALK_REPORT=path writes them to a file as well.

One browser and one server (the answering test's, on this test's database transaction) serve the whole walk.
axe-core comes from the axe-playwright-python package (MIT), which bundles axe.min.js (MPL-2.0).
"""

from __future__ import annotations

import base64
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django_otp.oath import TOTP
from tests.browser import walk

from chiiki.core.acting import Actor
from chiiki.core.actions import grant_role
from chiiki.core.models import Municipality, Role, User
from chiiki.demo.city import STAFF, DemoSummary, demo_password, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
LANGUAGES = ("ja", "en")
FILE = -1  # what Walk._open says for a download or another file that is not an HTML page
ASSIST_RECEIPT = "/staff/m/<str:code>/surveys/assist/<str:case_id>/receipt/"
PERSONS = int(os.environ.get("CHIIKI_WALK_PERSONS", "3000"))
RESIDENT_PASSWORD = "midori-walk-2025"
WALKER_PASSWORD = "walker-correct-horse-battery"


# ------------------------------------------------------------------------------------------ who walks


@dataclass
class Walker:
    """Someone who walks the site: a name for the findings and how they sign in."""

    name: str
    sign_in: Callable[[Any, str], None]
    # The routes this walker opens (a regular expression); the extra residents only walk the answering pages.
    only: str = ""


def _staff_sign_in(username: str, password: str) -> Callable[[Any, str], None]:
    def sign_in(page: Any, base: str) -> None:
        page.goto(f"{base}/staff/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.press("#id_password", "Enter")
        page.wait_for_load_state()
        assert "/staff/login/" not in page.url, f"{username} could not sign in"

    return sign_in


def _cyber_sign_in(username: str, password: str, code: str) -> Callable[[Any, str], None]:
    """The cyber app's staff pass a second factor: enrol an authenticator from the secret the page shows the
    first time, then give a fresh code (each code is accepted once) at each later sign-in."""
    staff = _staff_sign_in(username, password)
    state: dict[str, Any] = {"key": None, "last_step": -1}

    def sign_in(page: Any, base: str) -> None:
        staff(page, base)
        page.goto(f"{base}/staff/m/{code}/cyber/")
        if state["key"] is None:
            secret = page.inner_text("#totp-secret").replace(" ", "")
            state["key"] = base64.b32decode(secret + "=" * (-len(secret) % 8))
        totp = TOTP(state["key"])
        step = max(int(time.time() // 30), state["last_step"] + 1)
        totp.time = step * 30
        state["last_step"] = step
        page.fill("#id_token", f"{totp.token():06d}")
        page.press("#id_token", "Enter")
        page.wait_for_load_state()
        assert "/two-factor/" not in page.url, f"{username} did not pass the second factor"

    return sign_in


def _resident_sign_in(login_id: str, key: str) -> Callable[[Any, str], None]:
    """The first sign-in sets a password (the letter's key then no longer works), later ones use it."""
    secret = {"value": key}

    def sign_in(page: Any, base: str) -> None:
        page.goto(f"{base}/answer/")
        page.fill("#id_login_id", login_id)
        page.fill("#id_secret", secret["value"])
        page.press("#id_secret", "Enter")
        page.wait_for_load_state()
        if "/answer/password/" in page.url:
            page.fill("#id_password", RESIDENT_PASSWORD)
            page.fill("#id_confirmation", RESIDENT_PASSWORD)
            page.press("#id_confirmation", "Enter")
            page.wait_for_load_state()
            secret["value"] = RESIDENT_PASSWORD
        assert "/answer/start/" in page.url or "/answer/q/" in page.url, f"resident stuck at {page.url}"

    return sign_in


def _resident_first_sign_in(login_id: str, key: str) -> Callable[[Any, str], None]:
    """A resident who signs in with the letter's key and has not chosen a password yet (never chooses one)."""

    def sign_in(page: Any, base: str) -> None:
        page.goto(f"{base}/answer/")
        page.fill("#id_login_id", login_id)
        page.fill("#id_secret", key)
        page.press("#id_secret", "Enter")
        page.wait_for_load_state()
        assert "/answer/password/" in page.url, f"first sign-in did not ask for a password: {page.url}"

    return sign_in


def _applicant_sign_in(town_code: str) -> Callable[[Any, str], None]:
    """A resident who starts an application for bulky-waste collection and saves it half way, so that the
    pages of their own application (status, attachments, review, withdrawal) open in this session."""

    def sign_in(page: Any, base: str) -> None:
        page.goto(f"{base}/procedures/{town_code}/sodai-gomi/apply/")
        page.fill("#id_applicant_name", "緑川 花子")
        page.locator("main button[value=save]").click()
        page.wait_for_load_state()
        assert page.locator("main").inner_text(), f"no page after saving a draft: {page.url}"

    return sign_in


def _helpdesk_sign_in(username: str, code: str, login_id: str) -> Callable[[Any, str], None]:
    """A help-desk supporter signs in and opens a household's case, as with the resident at the counter."""
    staff = _staff_sign_in(username, demo_password(username))

    def sign_in(page: Any, base: str) -> None:
        staff(page, base)
        page.goto(f"{base}/staff/m/{code}/surveys/assist/")
        page.fill("#id_login_id", login_id)
        page.press("#id_login_id", "Enter")
        page.wait_for_load_state()

    return sign_in


def walkers(demo: DemoSummary, roles_without_demo_account: list[Role]) -> list[Walker]:
    """A visitor, every staff role, a resident, the talent bank's person and company."""
    people: list[Walker] = [Walker("visitor", lambda page, base: None)]
    helpdesk_case = demo.survey.keys[1][0]
    for username, _display, role in STAFF:
        sign_in = (
            _helpdesk_sign_in(username, demo.municipality.code, helpdesk_case)
            if role == Role.HELPDESK
            else _staff_sign_in(username, demo_password(username))
        )
        people.append(Walker(f"{role.value} ({username})", sign_in))
    for role in roles_without_demo_account:
        people.append(
            Walker(f"{role.value} (walk-{role.value})", _staff_sign_in(_username(role), WALKER_PASSWORD))
        )
    login_id, key = demo.survey.keys[0]
    people.append(Walker("resident", _resident_sign_in(login_id, key)))
    answering = r"^/answer/|/surveys/assist/"
    people.append(
        Walker("resident at first sign-in", _resident_first_sign_in(*demo.survey.keys[2]), answering)
    )
    answered_id, answered_key = _answered_household(demo)
    people.append(Walker("resident who answered", _resident_sign_in(answered_id, answered_key), answering))
    people.append(Walker("applicant", _applicant_sign_in(demo.municipality.code), r"^/procedures/my/"))
    helpdesk = next(username for username, _display, role in STAFF if role == Role.HELPDESK)
    people.append(
        Walker(
            "helpdesk, a household that answered",
            _helpdesk_sign_in(helpdesk, demo.municipality.code, answered_id),
            answering,
        )
    )
    for username, password, _label in demo.talent.accounts:
        people.append(Walker(username.removeprefix("demo-"), _staff_sign_in(username, password)))
    for username, password, _label in demo.cyber.accounts if demo.cyber else ():
        sign_in = _cyber_sign_in(username, password, demo.cyber.prefecture.code)
        people.append(Walker(username.removeprefix("demo-"), sign_in))
    return people


def _answered_case(demo: DemoSummary) -> Any:
    """The first household whose answer the demo census holds."""
    from chiiki.surveys.models import SurveyCase

    survey = demo.survey.survey
    case = (
        SurveyCase.objects.filter(survey=survey, answer__receipt_number__isnull=False).order_by("pk").first()
    )
    assert case is not None, "the demo census has no answered household"
    return case


def _answered_household(demo: DemoSummary) -> tuple[str, str]:
    """The answered household given a fresh key, as at the counter: (login ID, key)."""
    from chiiki.surveys.actions.credentials import issue_access_keys_to

    survey, case = demo.survey.survey, _answered_case(demo)
    manager = next(username for username, _display, role in STAFF if role == Role.SURVEY_MANAGER)
    [issued] = issue_access_keys_to(survey, [case], by=Actor.for_user(User.objects.get(username=manager)))
    return issued.login_id, issued.access_key


def _username(role: Role) -> str:
    return f"walk-{role.value}".replace("_", "-")


def add_staff_for_roles_the_demo_lacks(town: Municipality) -> list[Role]:
    """An account for each role with no demo account (the roles of apps still to come), so they walk too."""
    demo_roles = {role for _username, _display, role in STAFF}
    missing = [role for role in Role if role not in demo_roles]
    for role in missing:
        user = User.objects.create_user(username=_username(role), password=WALKER_PASSWORD)
        grant_role(user, town, role, by=Actor.system("walkthrough"))
    return missing


# ------------------------------------------------------------------------------------------ the walk


@dataclass
class Walk:
    base: str
    axe_script: str
    codes: list[walk.KnownCode]
    findings: list[walk.Finding] = field(default_factory=list)
    shown: set[tuple[str, str, str]] = field(default_factory=set)  # (path, who, language)
    deep_checked: set[tuple[str, str]] = field(default_factory=set)  # (path, language)
    routes_shown: set[str] = field(default_factory=set)
    # Routes that answer GET with 405: the target of a form's POST, not a page (shown through their form's page).
    form_targets: set[str] = field(default_factory=set)
    # Routes that answer with a file (a PDF, a spreadsheet, a feed): served, but no page to check.
    files: set[str] = field(default_factory=set)
    views: int = 0

    def visit(self, page: Any, route: str, url: str, who: str, language: str) -> Any:
        """Open `url` and check it; returns the tab to go on with (a fresh one after a browser error page).

        The server is asked first, with the tab's cookies and without drawing anything: most routes answer a
        walker with a refusal or a redirection to a page checked already, which the browser drew at a much
        higher cost (the whole walk took 683 s that way, 397 s this way). The browser opens only what it would
        check, and what it shows is judged the same way.
        """
        if not self._to_check(route, url, who, language, *self._ask_server(page, url)):
            return page
        status, page = self._open(page, url)
        if status is None or not self._to_check(route, url, who, language, status, urlparse(page.url).path):
            return page
        path = urlparse(page.url).path
        self.shown.add((path, who, language))
        self.views += 1
        problems = walk.layout_problems(page)
        problems += [
            f"internal code shown: {code}"
            for code in walk.codes_in(_visible_text(page), self.codes, language=language)
        ]
        self._found(route, path, who, language, PHONE["width"], problems)
        if (path, language) not in self.deep_checked:
            self.deep_checked.add((path, language))
            self._deep_check(page, route, path, who, language)
        return page

    def _ask_server(self, page: Any, url: str) -> tuple[int, str]:
        """The status (FILE for a file) and the final path of the server's answer to `url`, redirections
        followed."""
        response = page.request.get(self.base + url)
        status = int(response.status)
        if status < 400 and "text/html" not in (response.headers.get("content-type") or ""):
            return FILE, ""
        return status, urlparse(response.url).path

    def _to_check(self, route: str, url: str, who: str, language: str, status: int, path: str) -> bool:
        """Record what an answer shows of the route (a server error, a form's target, a file, a page shown);
        whether it is a page this walker has not had checked yet."""
        if status == HTTPStatus.METHOD_NOT_ALLOWED:
            self.form_targets.add(route)
            return False
        if status == FILE:
            self.files.add(route)
            return False
        if status >= 500:
            self._found(route, url, who, language, PHONE["width"], [f"HTTP {status}"])
            return False
        if status == 200 and path == urlparse(url).path:
            # Counted even when the page was checked already (reached earlier through another route's redirect).
            self.routes_shown.add(route)
        return status == 200 and (path, who, language) not in self.shown

    def _deep_check(self, page: Any, route: str, path: str, who: str, language: str) -> None:
        """axe-core once per page and language; the layout at 1,280 px once per page (in Japanese)."""
        self._found(route, path, who, language, PHONE["width"], walk.axe_problems(page, self.axe_script))
        if language == "ja":
            page.set_viewport_size(DESKTOP)
            self._found(route, path, who, language, DESKTOP["width"], walk.layout_problems(page))
            page.set_viewport_size(PHONE)

    def _open(self, page: Any, url: str) -> tuple[int | None, Any]:
        """The HTTP status of the page at `url`: FILE for a download or another file, None for no page."""
        try:
            response = page.goto(self.base + url)
        except Exception:
            # Chromium puts its own error page in place of an empty 4xx/5xx body (a GET on a form's target
            # answers an empty 405) and refuses to show a download: ask the server for the status directly,
            # and go on in a new tab of the same session (the old one may still be on its way to the error page).
            status = int(page.request.get(self.base + url).status)
            fresh = page.context.new_page()
            page.close()
            if status < 400:
                return FILE, fresh
            return (status if status >= 500 or status == HTTPStatus.METHOD_NOT_ALLOWED else None), fresh
        if response is None:
            return None, page
        if response.status < 400 and "text/html" not in (response.headers.get("content-type") or ""):
            return FILE, page
        return int(response.status), page

    def _found(self, route: str, url: str, who: str, language: str, width: int, problems: list[str]) -> None:
        self.findings += [walk.Finding(route, url, who, language, width, p) for p in problems]


def progress(line: str) -> None:
    """One line per walker and language on stderr (seen with -s), so a slow walk shows where it is."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


# The page's visible text, less what is marked as another language than the page's (the English name of a
# procedure under its Japanese one, `<p lang="en">`): an English word there is not an internal code.
VISIBLE_TEXT_SCRIPT = """() => {
  let text = document.body.innerText;
  const own = (document.documentElement.lang || 'ja').slice(0, 2);
  for (const el of document.body.querySelectorAll('[lang]')) {
    if (!el.lang.startsWith(own) && el.innerText) text = text.split(el.innerText).join(' ');
  }
  return text;
}"""


def _visible_text(page: Any) -> str:
    return str(page.evaluate(VISIBLE_TEXT_SCRIPT))


# ------------------------------------------------------------------------------------------ demo data


def _link_some_records(town: Municipality) -> None:
    """A linkage run on the demo registry: a copied record, one without address or postal code, a stranger."""
    from chiiki.linkage import actions
    from chiiki.linkage.tasks import run_linkage
    from chiiki.registry.models import Person

    first, second = Person.objects.filter(municipality=town).select_related("household").order_by("id")[:2]
    lines = ["record_id,name_kanji,name_kana,birth_date,sex,address,postal_code"]
    for record_id, person, with_address in (("R1", first, True), ("R2", second, False)):
        address = f"{person.household.address},{person.household.postal_code}" if with_address else ","
        lines.append(
            f"{record_id},{person.family_name} {person.given_name},{person.family_name_kana} "
            f"{person.given_name_kana},{person.birth_date.isoformat()},{person.sex},{address}"
        )
    lines.append("R3,鬼頭 龍之介,キトウ リュウノスケ,1901-01-01,1,北海道夕張市本町1-1,0680000")
    upload = SimpleUploadedFile("records.csv", "\n".join(lines).encode(), content_type="text/csv")
    officer = User.objects.get(username="demo-linkage")
    run = actions.request_linkage_run(town, upload, by=Actor.for_user(officer))
    run_linkage.call(run.pk)


def _publish_a_dataset(town: Municipality, folder: Path) -> None:
    from chiiki.opendata.actions import import_file

    csv = folder / "midorikawa_aed.csv"
    csv.write_text(
        "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,所在地_連結表記,緯度,経度,設置位置\n"
        f"{town.code},1,{town.prefecture}{town.name},緑川市役所,ミドリカワシヤクショ,{town.prefecture}{town.name}本町1番,34.40,132.45,1階\n"
        f"{town.code},2,{town.prefecture}{town.name},緑川公民館,ミドリカワコウミンカン,{town.prefecture}{town.name}中町2番,34.41,132.46,玄関\n",
        encoding="utf-8",
    )
    import_file(town, csv, "aed", by=Actor.system("walkthrough"), publish_now=True)
    # An upload of another town's list, refused until staff confirm it (the staff page's confirmation form).
    from chiiki.opendata.actions import request_import
    from chiiki.opendata.tasks import convert_upload

    other = csv.read_text(encoding="utf-8").replace(f"{town.code},", "343021,")
    upload = request_import(
        town,
        SimpleUploadedFile("other_town_aed.csv", other.encode()),
        kind="aed",
        dataset_name="",
        by=Actor.for_user(User.objects.get(username="demo-opendata")),
    )
    convert_upload.call(upload.pk)


def _pay_a_benefit(town: Municipality) -> None:
    """The demo benefit's queued issuing run done, one household's confirmation, and its payment file."""
    from datetime import date

    from chiiki.procedures import actions
    from chiiki.procedures.models import EligibilityRun, Entitlement
    from chiiki.procedures.tasks import run_eligibility

    for run in EligibilityRun.objects.filter(municipality=town, status="queued"):
        run_eligibility.call(run.pk)
    first = (
        Entitlement.objects.filter(municipality=town, status="notified").exclude(account_number="").first()
    )
    if first is not None:
        by = Actor.system("walkthrough")
        actions.answer_notice(first.pk, accept=True, by=by)
        actions.create_payment_batch(first.allowance, transfer_date=date(2026, 7, 1), by=by)


def _report(walk_: Walk, people: list[Walker], routes: list[str], unfilled: list[str], seconds: float) -> str:
    lines = [
        f"walked {len(walk_.routes_shown)} of {len(routes)} page routes as {len(people)} walkers "
        f"in {len(LANGUAGES)} languages: {walk_.views} page views in {seconds:.0f} s",
        f"form targets (GET answers 405; their forms are on pages walked): {sorted(walk_.form_targets)}",
        f"files (served, no page to check): {sorted(walk_.files)}",
        "routes never shown (no walker reached them, or no demo value): "
        f"{sorted(set(routes) - walk_.routes_shown - walk_.form_targets - walk_.files)}",
        *[f"no demo value for {u}" for u in unfilled],
        f"{len(walk_.findings)} failures:",
        *[f.line() for f in walk_.findings],
    ]
    return "\n".join(lines)


def test_every_page_as_every_role_in_both_languages(
    chromium: Any, axe_source: str, answer_server: Any, tmp_path: Path
) -> None:
    started = time.monotonic()
    demo = load_demo(persons=PERSONS)
    town = demo.municipality
    _link_some_records(town)
    _publish_a_dataset(town, tmp_path)
    _pay_a_benefit(town)
    people = walkers(demo, add_staff_for_roles_the_demo_lacks(town))
    values = walk.demo_values(demo)
    values.by_route[re.escape(ASSIST_RECEIPT)] = {"case_id": str(_answered_case(demo).pk)}
    routes = walk.page_routes()
    filled = [(route, *walk.fill(route, values)) for route in routes]
    unfilled = [f"{route}: {missing}" for route, url, missing in filled if url is None]
    the_walk = Walk(answer_server.url, axe_source, walk.known_codes(walk.extra_codes(demo)))
    for person in people:
        for language in LANGUAGES:
            context = chromium.new_context(viewport=PHONE, locale="ja-JP" if language == "ja" else "en-US")
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": answer_server.url}]
            )
            page = context.new_page()
            person.sign_in(page, answer_server.url)
            for route, url, _missing in filled:
                if url is not None and re.search(person.only, route):
                    page = the_walk.visit(page, route, url, person.name, language)
            context.close()
            progress(f"{time.monotonic() - started:6.0f} s  {person.name} {language}: {the_walk.views} views")
    report = _report(the_walk, people, routes, unfilled, time.monotonic() - started)
    print(report)  # noqa: T201 - the walk's figures, shown with -s
    if os.environ.get("CHIIKI_WALK_REPORT"):
        Path(os.environ["CHIIKI_WALK_REPORT"]).write_text(report + "\n", encoding="utf-8")
    assert not unfilled, report
    assert not the_walk.findings, report
