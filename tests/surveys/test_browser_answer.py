"""A resident goes from the letter to the receipt in headless Chromium, with an axe-core accessibility check.

Chromium is Debian's package, launched by path (nothing downloads a browser); axe-core comes bundled in the
axe-playwright-python package (a dev dependency). Without either, the tests skip and say why.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from html import escape
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections

from chiiki.core.models import Municipality
from chiiki.surveys.answering.typed import plain_number
from chiiki.surveys.models import Answer
from chiiki.surveys.xlsform import Form, client_conditions, evaluate_answers, load_form, server_today

from .answering_setup import Letter, open_survey, workplaces_definition

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("CHIIKI_CHROMIUM", "/usr/bin/chromium"))  # Debian's package
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script as the axe-playwright-python package bundles it (a dev dependency: nothing is
    downloaded at test time)."""
    try:
        return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
    except ModuleNotFoundError:
        pytest.skip("axe-playwright-python is not installed (pip install -e '.[dev]')")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (launched by path), for this module only.

    While Playwright runs, its event loop counts as running in this thread, so Django's async-safety check
    needs DJANGO_ALLOW_ASYNC_UNSAFE; both end with the module, before any other test runs.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium が {CHROMIUM} にありません (Chromium not installed: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright)")
    # Playwright's sync API keeps an event loop around; the test's ORM calls happen between its calls.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Django keeps connections per context, and Playwright's running loop makes a new context: close the
    # connections on each side, or the one left behind stays open and the test database cannot be dropped.
    connections.close_all()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
            connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def settled(page: Any) -> Any:
    """The page once the document a click led to has loaded.

    Playwright's click returns when a navigation it started has committed; the new document may still be empty
    then (on a loaded machine it was: `content()` gave '' and `documentElement` was null). Every reading of the
    page goes through here first.
    """
    page.wait_for_load_state("load")
    return page


def html_class_once_loaded(page: Any, expected: str) -> str:
    """The class of <html> on the document a click led to, once it carries `expected` (or the wait times out).

    A locator's wait goes on across the navigation, where reading `documentElement` right after the click may
    meet the old document being torn down or the new one still empty (it did on a loaded CI machine).
    """
    page.locator(f"html.{expected}").wait_for(state="attached")
    return str(settled(page).evaluate("document.documentElement.className"))


def loaded_html(page: Any) -> str:
    """The page's HTML once it has loaded (see `settled`)."""
    return str(settled(page).content())


def check_accessibility(page: Any, axe_source: str) -> None:
    """No serious or critical WCAG 2.2 AA violation on the page, as axe-core finds them."""
    settled(page)
    # Evaluated through the browser's debugging protocol: the pages' Content-Security-Policy refuses inline scripts.
    page.evaluate("(source) => { (0, eval)(source); }", axe_source)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[(n['target'], n.get('failureSummary')) for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}: {bad}"


def small_targets(page: Any, selector: str) -> list[str]:
    """Visible controls matching `selector` less than 48 CSS pixels tall (the design system's touch target)."""
    return list(
        settled(page).evaluate(
            """(selector) => [...document.querySelectorAll(selector)]
                .filter(e => e.offsetParent && !e.closest('[aria-hidden="true"]') && !e.matches('[aria-hidden="true"]'))
                .filter(e => e.getBoundingClientRect().height < 47.5)
                .map(e => e.outerHTML.slice(0, 120))""",
            selector,
        )
    )


def has_focus(page: Any, element_id: str) -> bool:
    """Whether the element `element_id` takes the focus once the page has loaded (waited for: a slow machine may
    still be loading the page a click led to); False when it has not within ten seconds."""
    try:
        page.wait_for_function(
            "id => document.activeElement && document.activeElement.id === id", arg=element_id, timeout=10_000
        )
    except Exception:
        return False
    return True


def no_horizontal_scrolling(page: Any) -> bool:
    """Whether the loaded page fits the viewport's width (no sideways scrolling)."""
    return bool(settled(page).evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


@pytest.fixture
def answer_server(db: None, settings: Any) -> Iterator[Any]:
    """An HTTP server on a free port answering from this test's own database connection and transaction.

    This stands in for pytest-django's `live_server`, whose transactional tests end with a flush that the
    append-only audit table refuses (its triggers forbid DELETE on SQLite and PostgreSQL). Requests are
    served one at a time in one thread, which is all a single browser page needs.
    """
    # Serve the stylesheets straight from the apps (no collectstatic in tests): WhiteNoise reads this at start.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    connection = connections["default"]
    connection.inc_thread_sharing()
    # The handler would close the shared connection after each request; keep it open for the test.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    server = WSGIServer(("127.0.0.1", 0), _SilentHandler, allow_reuse_address=False)
    server.set_app(WSGIHandler())

    def serve() -> None:
        connections["default"] = connection
        server.serve_forever(poll_interval=0.05)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        connection.dec_thread_sharing()


class _SilentHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def letter(town_a: Municipality, answer_server: Any) -> Letter:
    return open_survey(town_a, letters=1)[1][0]


def test_a_resident_answers_on_a_phone_from_letter_to_receipt(
    chromium: Any, axe_source: str, letter: Letter, answer_server: Any, tmp_path: Path
) -> None:
    """The whole flow without the pages' script (as when it does not load): questions that depend on answers on
    the same page appear after the page is posted, with a notice. The script's way: test_questions_appear_…;
    with JavaScript switched off: test_without_javascript_… (axe-core needs JavaScript, so not here)."""
    context = chromium.new_context(viewport=PHONE, locale="ja-JP", device_scale_factor=1)
    context.route("**/surveys/answer.js", lambda route: route.abort())
    page = context.new_page()
    page.goto(f"{answer_server.url}/answer/")
    check_accessibility(page, axe_source)
    page.get_by_label("調査対象者ID").fill(letter.login_id)
    page.get_by_label("アクセスキー または パスワード").fill(letter.access_key.lower())
    page.get_by_role("button", name="ログイン").click()

    page.fill("#id_password", "midori-2025")
    page.get_by_label("確認のためもう一度").fill("midori-2025")
    page.get_by_role("button", name="パスワードを設定して回答へ進む").click()
    page.get_by_role("link", name="回答を始める").click()

    # An empty page sent as is: the error summary links to the fields, which carry their own messages.
    page.get_by_role("button", name="保存して次へ").click()
    summary = page.locator("#error-summary")
    assert "この項目は必須です" in summary.inner_text()
    # Without any script, the summary takes the focus, so a screen reader reads it first.
    assert has_focus(page, "error-summary")
    check_accessibility(page, axe_source)
    summary.get_by_role("link").first.click()
    assert has_focus(page, "f-household--hh_size")

    page.get_by_label("この世帯に住んでいる人は何人ですか").fill("2")
    page.get_by_label("一戸建").check()
    page.get_by_label("持ち家").check()
    page.get_by_label("住宅の延べ床面積 (m²)").fill("95.5")
    page.screenshot(path=str(tmp_path / "household.png"), full_page=True)
    assert no_horizontal_scrolling(page)
    assert small_targets(page, "button, input[type=text], .choice label") == []
    page.get_by_role("button", name="保存して次へ").click()

    for number, (name, relation, sex, year) in enumerate(
        [("緑川 一郎", "head", "male", "1968"), ("緑川 さくら", "child", "female", "2019")], start=1
    ):
        prefix = f"#f-members-{number}--"
        page.fill(f"{prefix}member_name", name)
        page.check(f"{prefix}relation-{1 if relation == 'head' else 3}")
        page.check(f"{prefix}sex-{1 if sex == 'male' else 2}")
        page.fill(f"{prefix}birth_year", year)
        page.fill(f"{prefix}birth_month", "5")
    check_accessibility(page, axe_source)
    page.screenshot(path=str(tmp_path / "members.png"), full_page=True)
    # Enter in a text box must act as "next" (not as the first roster button on the page).
    page.press("#f-members-2--birth_month", "Enter")
    page.wait_for_selector("#f-members-1--work_status-1")
    assert "回答に応じて質問が増えました" in loaded_html(page)
    # A child is not asked about work: the question is on the page only for the script, hidden and disabled.
    assert page.locator("#f-members-2--work_status-1").is_hidden()
    assert page.locator("#f-members-2--work_status-1").is_disabled()
    page.check("#f-members-1--work_status-1")  # worked: the employer question follows on this page
    page.get_by_role("button", name="保存して次へ").click()
    page.fill("#f-members-1--workplace", "緑川農協")
    page.get_by_role("button", name="保存して次へ").click()

    page.get_by_role("button", name="回答内容の確認へ進む").click()
    assert "緑川 さくら" in loaded_html(page)
    check_accessibility(page, axe_source)
    page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
    page.get_by_role("button", name="この内容で送信する").click()

    assert page.get_by_role("heading", name="回答を受け付けました").is_visible()
    check_accessibility(page, axe_source)
    answer = Answer.objects.get(case__login_id=letter.login_id)
    assert answer.receipt_number is not None
    assert answer.receipt_number[:4] in page.locator(".receipt__number").inner_text()
    assert answer.submitted_data is not None
    assert answer.submitted_data["members"][0]["workplace"] == "緑川農協"
    page.screenshot(path=str(tmp_path / "receipt.png"), full_page=True)
    shots = os.environ.get("CHIIKI_SCREENSHOT_DIR")
    if shots:
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, Path(shots) / shot.name)
    context.close()


def test_the_larger_text_mode_and_narrow_screens_keep_the_page_usable(
    chromium: Any, axe_source: str, answer_server: Any
) -> None:
    context = chromium.new_context(viewport={"width": 320, "height": 640}, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{answer_server.url}/answer/")
    # The switch is in the header's menu (a <details>, no script).
    page.locator("summary.site-menu__button").click()
    page.get_by_role("button", name="文字を大きく").click()
    assert html_class_once_loaded(page, "large-text") == "large-text"
    page.locator("summary.site-menu__button").click()
    assert page.get_by_role("button", name="文字を大きく").get_attribute("aria-pressed") == "true"
    # 320 CSS pixels wide is what a 1280-pixel window shows at 400 % zoom (WCAG reflow).
    assert no_horizontal_scrolling(page)
    check_accessibility(page, axe_source)
    assert small_targets(page, "button, input, a.button") == []
    context.close()


def test_cascading_choices_and_filled_in_labels_work_without_script_and_stay_accessible(
    chromium: Any, axe_source: str, town_a: Municipality, answer_server: Any
) -> None:
    letter = open_survey(town_a, letters=1, form=workplaces_definition())[1][0]
    # Choices filtered by an answer change through plain forms and reloads (the pages' script only shows and
    # hides questions; this form has no condition for it).
    context = chromium.new_context(viewport=PHONE, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{answer_server.url}/answer/")
    page.get_by_label("調査対象者ID").fill(letter.login_id)
    page.get_by_label("アクセスキー または パスワード").fill(letter.access_key)
    page.get_by_role("button", name="ログイン").click()
    page.fill("#id_password", "midori-2025")
    page.get_by_label("確認のためもう一度").fill("midori-2025")
    page.get_by_role("button", name="パスワードを設定して回答へ進む").click()
    page.get_by_role("link", name="回答を始める").click()

    # No prefecture yet: the city question says there is nothing to choose instead of an empty group.
    assert page.locator("#f-home--city").is_visible()
    assert page.locator("input[name='home/city']").count() == 0
    check_accessibility(page, axe_source)
    page.get_by_label("世帯の人数").fill("1")
    page.get_by_label("大阪府").check()
    page.get_by_role("button", name="保存して次へ").click()
    assert "回答に応じて選択肢が変わりました" in loaded_html(page)
    page.get_by_label("吹田市").check()
    page.get_by_label("東京都").check()  # the cities shown are still Osaka's: 吹田市 becomes stale
    page.get_by_role("button", name="保存して次へ").click()
    assert "選択肢が変わりました。もう一度選んでください" in page.locator("#error-summary").inner_text()
    check_accessibility(page, axe_source)
    page.locator("#error-summary").get_by_role("link").first.click()
    assert page.url.endswith("#f-home--city-1")
    page.get_by_label("新宿区").check()
    page.get_by_role("button", name="保存して次へ").click()

    page.fill("#f-members-1--member_name", "<b>緑川</b>")
    page.get_by_role("button", name="保存して次へ").click()
    # The answer is quoted as text in the next question's label, never as markup.
    legend = page.locator("#f-members-1--work_pref-1").locator("xpath=ancestor::fieldset[1]/legend")
    assert legend.inner_text().startswith("<b>緑川</b>さんの勤め先の都道府県")
    assert page.locator("legend b").count() == 0
    check_accessibility(page, axe_source)
    context.close()


def test_nothing_typed_is_lost_by_the_header_controls_at_360_px(
    chromium: Any, axe_source: str, letter: Letter, answer_server: Any
) -> None:
    """Issue 18 §5: an elderly resident types, then presses 文字を大きく, English, ページの一覧へ or ログアウト."""
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{answer_server.url}/answer/")
    page.get_by_label("調査対象者ID").fill(letter.login_id)
    page.get_by_label("アクセスキー または パスワード").fill(letter.access_key)
    page.get_by_role("button", name="ログイン").click()
    page.fill("#id_password", "midori-2025")
    page.get_by_label("確認のためもう一度").fill("midori-2025")
    page.get_by_role("button", name="パスワードを設定して回答へ進む").click()
    page.get_by_role("link", name="回答を始める").click()
    radio = page.locator("#f-household--dwelling_type-1")
    normal_size = radio.bounding_box()["width"]

    page.get_by_label("この世帯に住んでいる人は何人ですか").fill("4")
    page.locator("summary.site-menu__button").click()
    page.get_by_role("button", name="文字を大きく").click()
    assert html_class_once_loaded(page, "large-text") == "large-text"
    assert page.get_by_label("この世帯に住んでいる人は何人ですか").input_value() == "4"
    # Large text enlarges the choices' buttons too, not only the words.
    assert radio.bounding_box()["width"] >= normal_size * 1.4
    assert no_horizontal_scrolling(page)
    check_accessibility(page, axe_source)

    page.get_by_label("一戸建").check()
    page.locator("summary.site-menu__button").click()
    page.get_by_role("button", name="English").click()
    assert page.get_by_label("Detached house").is_checked()
    assert page.get_by_label("How many people live in this household?").input_value() == "4"
    page.locator("summary.site-menu__button").click()
    page.get_by_role("button", name="日本語").click()

    page.get_by_label("住宅の延べ床面積 (m²)").fill("55㎡")
    page.get_by_role("button", name="保存してページの一覧へ").click()
    assert page.url.endswith("/answer/start/")
    page.get_by_role("link", name="続きから回答する").click()
    assert page.get_by_label("住宅の延べ床面積 (m²)").input_value() == "55"

    page.get_by_label("持ち家").check()
    page.locator("summary.site-menu__button").click()
    page.get_by_role("button", name="ログアウト").click()
    assert "保存した回答は残っています" in loaded_html(page)
    page.get_by_label("調査対象者ID").fill(letter.login_id)
    page.get_by_label("アクセスキー または パスワード").fill("midori-2025")
    page.get_by_role("button", name="ログイン").click()
    page.get_by_role("link", name="続きから回答する").click()
    assert page.get_by_label("持ち家").is_checked()
    assert page.get_by_label("この世帯に住んでいる人は何人ですか").input_value() == "4"
    context.close()


def _start_answering(page: Any, base: str, letter: Letter) -> None:
    page.goto(f"{base}/answer/")
    page.get_by_label("調査対象者ID").fill(letter.login_id)
    page.get_by_label("アクセスキー または パスワード").fill(letter.access_key)
    page.get_by_role("button", name="ログイン").click()
    page.fill("#id_password", "midori-2025")
    page.get_by_label("確認のためもう一度").fill("midori-2025")
    page.get_by_role("button", name="パスワードを設定して回答へ進む").click()
    page.get_by_role("link", name="回答を始める").click()


def test_questions_appear_as_answers_are_typed_and_the_page_is_posted_once(
    chromium: Any, axe_source: str, letter: Letter, answer_server: Any
) -> None:
    """Issue 18 §3: with the pages' script, a question that depends on an answer on the same page appears as
    the answer is typed, the focus stays where the person types, a screen reader hears it, and the page is
    saved with one press. (Without the script: test_a_resident_answers_on_a_phone_from_letter_to_receipt.)"""
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="ja-JP")
    page = context.new_page()
    _start_answering(page, answer_server.url, letter)

    tenure = page.locator("#f-household--tenure-1")
    assert tenure.is_visible()
    page.get_by_label("この世帯に住んでいる人は何人ですか").fill("2")
    page.get_by_label("施設 (寮・病院・老人ホームなど)").check()
    assert tenure.is_hidden()  # no tenure for a facility: hidden at once, and not posted
    assert tenure.is_disabled()
    page.get_by_label("一戸建").check()
    assert tenure.is_visible()
    assert tenure.is_enabled()
    page.get_by_label("持ち家").check()
    page.get_by_label("住宅の延べ床面積 (m²)").fill("95.5")
    page.get_by_role("button", name="保存して次へ").click()
    assert settled(page).url.endswith("/answer/q/members/")

    head_work = page.locator("#f-members-1--work_status-1")
    child_work = page.locator("#f-members-2--work_status-1")
    assert head_work.is_hidden()
    for number, (name, relation, sex, year) in enumerate(
        [("緑川 一郎", "head", "male", "1968"), ("緑川 さくら", "child", "female", "2019")], start=1
    ):
        prefix = f"#f-members-{number}--"
        page.fill(f"{prefix}member_name", name)
        page.check(f"{prefix}relation-{1 if relation == 'head' else 3}")
        page.check(f"{prefix}sex-{1 if sex == 'male' else 2}")
        page.fill(f"{prefix}birth_month", "5")
        page.locator(f"{prefix}birth_year").press_sequentially(year)
        if number == 1:
            # The work question appears while the birth year is typed; the focus stays in the box.
            head_work.wait_for(state="visible")
            assert has_focus(page, "f-members-1--birth_year")
            live = page.locator("#answer-live")
            assert "先週の仕事の状況" in live.inner_text()
            assert "※必須" not in live.inner_text()
            assert live.get_attribute("aria-live") == "polite"
    assert child_work.is_hidden()  # a child is not asked about work
    workplace = page.locator("#f-members-1--workplace")
    assert workplace.is_hidden()
    head_work.check()  # 主に仕事をした (employed): the employer question follows
    workplace.wait_for(state="visible")
    workplace.fill("緑川農協")
    assert page.locator("#f-members-2--workplace").is_hidden()
    assert no_horizontal_scrolling(page)
    check_accessibility(page, axe_source)

    page.get_by_role("button", name="保存して次へ").click()
    assert settled(page).url.endswith("/answer/q/closing/")  # one press: no notice, no second post
    draft = Answer.objects.get(case__login_id=letter.login_id).data
    assert draft["members"][0]["work_status"] == "employed"
    assert draft["members"][0]["workplace"] == "緑川農協"
    assert "work_status" not in draft["members"][1]
    context.close()


# Conditions evaluated by answer.js and by the server's runtime, side by side: every note below has one, and each
# set of answers must show exactly the notes the runtime finds relevant.
SEMANTICS_CONDITIONS = [
    "${a} >= 15",
    "${a} = ''",
    "${a} = '15'",
    "${t} = 5",
    "${t} = 'x'",
    "${a} div 0 > 1",
    "${a} mod 4 = 3",
    "-${a} < -10",
    "int(${a} div 7) = 2",
    "number(${t}) > 1",
    "string-length(${t}) > 2",
    "coalesce(${t}, 'z') = 'z'",
    "selected(${s}, 'b')",
    "count-selected(${s}) >= 2",
    "${d} > '2020-01-01'",
    "${d} < today()",
    "not(${t})",
    "${t} and ${a}",
    "if(${a} > 1, 'yes', '') = 'yes'",
    "contains(${t}, 'ab')",
    "boolean(${a})",
    "string(${a} div 2) = '7.5'",
    "${a} < 'abc' or ${a} >= 'abc'",
    "true() = ${t}",
    "${half} = 7.5",
    "${a} + 1 = ${t}",
]
SEMANTICS_ANSWERS = [
    {"a": "", "t": "", "s": [], "d": ""},
    {"a": "15", "t": "x", "s": ["b"], "d": "2025-10-01"},
    {"a": "１７", "t": "5", "s": ["a", "b"], "d": "2019-12-31"},
    {"a": "55㎡", "t": "abc", "s": ["a"], "d": ""},
    {"a": "0", "t": "16", "s": [], "d": "2999-01-01"},
    {"a": "7", "t": "ab cd", "s": ["b", "a"], "d": "not a date"},
]


def _semantics_form() -> Form:
    rows = "\n".join(
        f"| | note | n{i} | 条件 {i} | {condition.replace('|', '')} | |"
        for i, condition in enumerate(SEMANTICS_CONDITIONS)
    )
    text = f"""
| survey |
| | type | name | label::ja | relevant | calculation |
| | begin group | p | 条件 | | |
| | integer | a | 整数 | | |
| | text | t | 文字 | | |
| | select_multiple ab | s | 選択 | | |
| | text | d | 日付 | | |
| | calculate | half | | | ${{a}} div 2 |
{rows}
| | end group | | | | |
| choices |
| | list_name | name | label::ja |
| | ab | a | エー |
| | ab | b | ビー |
| settings |
| | form_id | default_language |
| | semantics | ja |
"""
    return load_form(text.encode(), filename="semantics.md", cross_check=False)


def test_without_javascript_the_members_page_asks_again_with_a_notice(
    chromium: Any, letter: Letter, answer_server: Any
) -> None:
    """JavaScript switched off: the hidden questions stay hidden and post nothing; the server shows them after the
    first post, with the notice, as before the script existed."""
    context = chromium.new_context(
        viewport={"width": 360, "height": 740}, locale="ja-JP", java_script_enabled=False
    )
    page = context.new_page()
    _start_answering(page, answer_server.url, letter)
    page.get_by_label("この世帯に住んでいる人は何人ですか").fill("1")
    page.get_by_label("一戸建").check()
    page.get_by_label("持ち家").check()
    page.get_by_role("button", name="保存して次へ").click()
    assert settled(page).url.endswith("/answer/q/members/")
    page.fill("#f-members-1--member_name", "緑川 一郎")
    page.check("#f-members-1--relation-1")
    page.check("#f-members-1--sex-1")
    page.fill("#f-members-1--birth_year", "1968")
    page.fill("#f-members-1--birth_month", "5")
    assert page.locator(
        "#f-members-1--work_status-1"
    ).is_hidden()  # typing reveals nothing without the script
    page.get_by_role("button", name="保存して次へ").click()
    assert "回答に応じて質問が増えました" in loaded_html(page)
    assert page.locator("#f-members-1--work_status-1").is_visible()
    assert page.locator("#f-members-1--workplace").is_hidden()
    page.check("#f-members-1--work_status-1")
    page.get_by_role("button", name="保存して次へ").click()
    assert "回答に応じて質問が増えました" in loaded_html(page)
    page.fill("#f-members-1--workplace", "緑川農協")
    page.get_by_role("button", name="保存して次へ").click()
    assert settled(page).url.endswith("/answer/q/closing/")
    draft = Answer.objects.get(case__login_id=letter.login_id).data
    assert draft["members"][0]["workplace"] == "緑川農協"
    context.close()


def test_the_page_script_evaluates_conditions_as_the_server_runtime_does(chromium: Any) -> None:
    form = _semantics_form()
    page_def = form.pages()[0]
    conditions = client_conditions(form, page_def, evaluate_answers(form, {}), "ja")
    assert len(conditions) == len(SEMANTICS_CONDITIONS)  # every one compiles
    notes = "".join(
        f'<div class="answer-reveal" data-relevant="{escape(conditions[f"p/n{i}"])}" data-key="p/n{i}" hidden>'
        f'<div class="answer-note"><p>n{i}</p></div></div>'
        for i in range(len(SEMANTICS_CONDITIONS))
    )
    today = server_today().isoformat()
    html = f"""<form id="answer-form" data-today="{today}">
      <input name="p/a"><input name="p/t"><input name="p/d">
      <input type="checkbox" name="p/s" value="a"><input type="checkbox" name="p/s" value="b">
      {notes}</form>"""
    context = chromium.new_context()
    page = context.new_page()
    page.set_content(html)
    page.add_script_tag(
        path=str(Path(__file__).resolve().parents[2] / "src/chiiki/surveys/static/surveys/answer.js")
    )
    for answers in SEMANTICS_ANSWERS:
        for name in ("a", "t", "d"):
            page.fill(f"input[name='p/{name}']", str(answers[name]))
        for value in ("a", "b"):
            page.set_checked(f"input[name='p/s'][value='{value}']", value in answers["s"])
        shown = page.evaluate(
            "() => [...document.querySelectorAll('.answer-reveal')].filter(e => !e.hidden).map(e => e.dataset.key)"
        )
        stored = {**answers, "a": plain_number(str(answers["a"]), "integer")}
        evaluation = evaluate_answers(form, {"p": stored}, today=server_today())
        expected = [
            f"p/n{i}" for i in range(len(SEMANTICS_CONDITIONS)) if evaluation.fields[f"p/n{i}"].relevant
        ]
        assert sorted(shown) == sorted(expected), (answers, set(shown) ^ set(expected))
    context.close()
