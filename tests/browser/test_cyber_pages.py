"""The cyber app's newer pages on a phone (360 px, Chromium): the filtered dashboard, the local-advisory form and
its error summary, the export page, the recovery codes, the recovery-code sign-in and a contact's inbox have no
serious or critical WCAG 2.2 AA violation (axe-core) and nothing scrolls sideways."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from tests.cyber.conftest import ADVISORIES, HOSPITAL_SBOM, totp_code
from tests.surveys.test_browser_answer import check_accessibility, no_horizontal_scrolling

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, Role, User
from chiiki.cyber import actions, engine
from chiiki.cyber.models import Asset, Body

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 640}
PASSWORD = "correct-horse-battery-staple"


def _sign_in(page: Any, base: str, username: str, code: str) -> None:
    page.goto(f"{base}/staff/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/staff/")
    page.goto(f"{base}/staff/m/{code}/cyber/")
    secret = page.inner_text("#totp-secret").replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
    page.fill("#id_token", totp_code(key))
    page.press("#id_token", "Enter")
    page.wait_for_load_state()
    assert "/recovery-codes/" in page.url  # the codes, shown once
    assert page.locator("#recovery-codes li").count() == 10


def _check(page: Any, axe_source: str, label: str) -> None:
    assert no_horizontal_scrolling(page), f"{label} scrolls sideways at 360 px"
    check_accessibility(page, axe_source)


def test_the_new_cyber_pages_on_a_phone(
    chromium: Any, axe_source: str, answer_server: Any, make_staff: Callable[..., User]
) -> None:
    prefecture = Municipality.objects.create(
        code="340006", prefecture_code="34", prefecture="広島県", name="広島県", name_kana="ヒロシマケン",
        kind=Municipality.Kind.PREFECTURE,
    )  # fmt: skip
    make_staff("cyber-analyst", prefecture, Role.CYBER_ANALYST)
    contact = make_staff("cyber-hospital", prefecture, Role.CYBER_CONTACT)
    by = Actor.system("test")
    hospital = actions.register_body(prefecture, kind=Body.Kind.HOSPITAL, name="県立中央病院", by=by)
    actions.add_contact(hospital, contact, by=by)
    actions.import_inventory(hospital, engine.read_cyclonedx(HOSPITAL_SBOM, document="h.json"),
                             source=Asset.Source.CYCLONEDX, document="h.json", by=by)  # fmt: skip
    name = "GHSA-jfh8-c2jp-5v3q.osv.json"
    advisories = engine.read_advisories((ADVISORIES / name).read_bytes(), "osv", document=name)
    actions.load_advisories(prefecture, advisories, default_tlp="AMBER", provenance=name, by=by)
    base = f"{answer_server.url}/staff/m/{prefecture.code}/cyber/"

    context = chromium.new_context(viewport=PHONE, locale="ja-JP")
    page = context.new_page()
    _sign_in(page, answer_server.url, "cyber-analyst", prefecture.code)
    _check(page, axe_source, "recovery codes")
    for path in ("?severity=critical&kev=no", "advisories/new/", "export/", "recovery-codes/", "inbox/"):
        response = page.goto(f"{base}{path}")
        assert response is not None
        assert response.status == 200, path
        _check(page, axe_source, path)
    page.goto(f"{base}advisories/new/")
    page.get_by_role("button", name="作成して送る").click()  # nothing filled in: the error summary
    assert page.locator("#error-summary").count() == 1
    _check(page, axe_source, "advisories/new/ with errors")
    context.close()

    context = chromium.new_context(viewport=PHONE, locale="ja-JP")
    page = context.new_page()
    _sign_in(page, answer_server.url, "cyber-hospital", prefecture.code)
    page.goto(f"{base}inbox/")
    assert page.locator("article.card").count() == 1
    _check(page, axe_source, "inbox")
    page.goto(f"{base}two-factor/recover/")
    _check(page, axe_source, "two-factor/recover/")
    context.close()
