"""A resident applies online in headless Chromium at 360 CSS pixels, in Japanese and in English: the catalog search,
a procedure's page, the form with its error summary, the receipt, the status page with its e-mail form; the notice
sign-in page and the inbox. axe-core finds no
serious or critical violation and no page scrolls sideways. Browser, axe-core and server are the answering test's.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.surveys.test_browser_answer import (
    check_accessibility,
    has_focus,
    loaded_html,
    no_horizontal_scrolling,
)

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.procedures.actions import load_starter_catalog
from chiiki.procedures.models import Application

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = {"width": 360, "height": 640}


def _check(page: Any, axe: str) -> None:
    assert no_horizontal_scrolling(page), f"{page.url} scrolls sideways at 360 px"
    check_accessibility(page, axe)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_resident_applies_on_a_phone(
    chromium: Any,
    axe_source: str,
    answer_server: Any,
    town_a: Municipality,
    language: str,
) -> None:
    load_starter_catalog(town_a, by=Actor.system("test"))
    page = chromium.new_context(viewport=PHONE, locale="ja-JP").new_page()
    if language == "en":
        page.goto(answer_server.url + "/")
        page.locator("summary.site-menu__button").click()  # the language switch sits in the header's menu
        page.locator("form[action='/i18n/setlang/'] button").first.click()
    page.goto(f"{answer_server.url}/procedures/{town_a.code}/")
    _check(page, axe_source)
    search = page.locator("#q")
    search.fill("そだいごみ")
    search.press("Enter")
    page.locator(f"a[href='/procedures/{town_a.code}/sodai-gomi/']").click()
    _check(page, axe_source)
    page.locator(f"a[href='/procedures/{town_a.code}/sodai-gomi/apply/']").click()
    _check(page, axe_source)
    page.locator("#id_applicant_name").fill("山田 花子")
    page.locator("main button[value=review]").click()
    assert has_focus(page, "error-summary")
    _check(page, axe_source)
    page.locator("#id_address").fill("広島県府中町本町1番地")
    page.locator("#id_phone").fill("082-123-4567")
    page.locator("#id_items_to_collect").fill("たんす 1点")
    page.locator("#id_collection_date").fill("令和8年12月20日")
    page.locator("main button[value=review]").click()
    _check(page, axe_source)  # the review page
    page.locator("main form.inline-button button[type=submit]").click()
    receipt = Application.objects.get().receipt_number
    assert receipt in loaded_html(page)
    assert (
        "Your application has been received" if language == "en" else "申請を受け付けました"
    ) in loaded_html(page)
    _check(page, axe_source)
    # The status page with the form for an e-mail address, a wrong address refused in the error summary.
    page.goto(answer_server.url + "/procedures/my/application/")
    page.locator("#id_contact_email").fill("hanako-at-example")
    page.locator("#id_contact_email").press("Enter")
    assert page.locator("#id_contact_email[aria-invalid=true], .error-summary").count() > 0
    _check(page, axe_source)
    page.goto(answer_server.url + "/benefits/confirm/")
    _check(page, axe_source)
    page.goto(f"{answer_server.url}/procedures/{town_a.code}/inbox/")
    _check(page, axe_source)
