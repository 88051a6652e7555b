"""Residents' pages of infosafety on a phone in headless Chromium: axe-core finds no serious or critical WCAG 2.2
AA violation, nothing scrolls sideways at 360 CSS pixels, and the report form works without JavaScript.

Browser, axe-core and server are the answering test's (tests/surveys/test_browser_answer.py); without Chromium
or npm the test skips and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tests.surveys.test_browser_answer import check_accessibility, no_horizontal_scrolling

from chiiki.core.models import Municipality, Role, User
from chiiki.demo.infosafety import load_infosafety_demo
from chiiki.infosafety.models import Claim, Report

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 640}


def test_residents_pages_on_a_phone(
    chromium: Any, axe_source: str, answer_server: Any, town_a: Municipality, make_staff: Callable[..., User]
) -> None:
    load_infosafety_demo(
        town_a,
        make_staff("e1", town_a, Role.INFOSAFETY_EDITOR),
        make_staff("e2", town_a, Role.INFOSAFETY_EDITOR),
    )
    published = Claim.objects.filter(municipality=town_a, status=Claim.Status.PUBLISHED).first()
    assert published is not None
    context = chromium.new_context(viewport=PHONE, locale="ja-JP", java_script_enabled=False)
    axe_context = chromium.new_context(viewport=PHONE, locale="ja-JP")
    page, checker = context.new_page(), axe_context.new_page()
    code = town_a.code
    for path in (f"/factcheck/{code}/", f"/factcheck/{code}/{published.pk}/", f"/yamibaito/{code}/"):
        for tab in (page, checker):
            response = tab.goto(answer_server.url + path)
            assert response is not None
            assert response.status == 200, path
            assert no_horizontal_scrolling(tab), f"{path} scrolls sideways at 360 px"
        check_accessibility(checker, axe_source)
    # The report form, sent with JavaScript off.
    page.goto(f"{answer_server.url}/factcheck/{code}/report/")
    checker.goto(f"{answer_server.url}/factcheck/{code}/report/")
    check_accessibility(checker, axe_source)
    before = Report.objects.count()
    page.get_by_label("見た内容(投稿の文章など)").fill("緑川の堤防がまた決壊したと聞きました")
    page.get_by_label("どこで見ましたか(X、LINE、掲示など)").fill("LINE")
    page.locator("main").get_by_role("button", name="送る").click()
    assert "受け付けました" in page.locator("main").inner_text()
    assert Report.objects.count() == before + 1
    context.close()
    axe_context.close()
