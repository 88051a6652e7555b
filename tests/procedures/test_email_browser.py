"""A resident without the My Number card applies with an e-mail-verified account, in headless Chromium at 360 px.

From the card-only page of 住民票の写し交付請求 to the e-mail form, the mail's real link (Django's locmem backend:
the server runs in this process), the button that uses it, the form, a saved draft and the account's list. axe-core
finds no serious or critical violation on any of these pages and none scrolls sideways.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from tests.surveys.test_browser_answer import check_accessibility, loaded_html, no_horizontal_scrolling

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.procedures.actions import load_starter_catalog
from chiiki.procedures.models import Application, ResidentAccount

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = {"width": 360, "height": 640}


def _check(page: Any, axe: str) -> None:
    assert no_horizontal_scrolling(page), f"{page.url} scrolls sideways at 360 px"
    check_accessibility(page, axe)


def test_a_resident_without_a_card_applies_with_an_email_account_on_a_phone(
    chromium: Any, axe_source: str, answer_server: Any, town_a: Municipality
) -> None:
    load_starter_catalog(town_a, by=Actor.system("test"))
    page = chromium.new_context(viewport=PHONE, locale="ja-JP").new_page()
    apply_url = f"{answer_server.url}/procedures/{town_a.code}/juminhyo-utsushi/apply/"
    page.goto(apply_url)
    assert "メールアドレスを確認して申請できます" in loaded_html(page)
    _check(page, axe_source)
    page.get_by_role("link", name="メールアドレスで申請する").click()
    page.get_by_label("メールアドレス").fill("hanako@example.jp")
    page.get_by_role("button", name="リンクを送る").click()
    assert page.get_by_role("heading", name="メールを確認してください").is_visible()
    _check(page, axe_source)

    (sent,) = mail.outbox
    link = re.search(r"http://\S+/procedures/my/email/verify/\?t=\S+", sent.body)
    assert link is not None
    page.goto(link.group(0))
    _check(page, axe_source)
    page.get_by_role("button", name="サインインする").click()
    page.wait_for_selector("#id_applicant_name")
    assert page.url == apply_url
    _check(page, axe_source)
    page.locator("#id_applicant_name").fill("山田 花子")
    page.locator("main button[value=save]").click()
    assert page.get_by_role("heading", name="下書きを保存しました").is_visible()
    account = ResidentAccount.objects.get()
    assert Application.objects.get().account == account

    page.goto(f"{answer_server.url}/procedures/my/account/")
    assert "住民票の写し交付請求" in loaded_html(page)
    _check(page, axe_source)
    page.get_by_role("button", name="続きを入力する").click()
    page.wait_for_selector("#id_applicant_name")
    assert page.locator("#id_applicant_name").input_value() == "山田 花子"
