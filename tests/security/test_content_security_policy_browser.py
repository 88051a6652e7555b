"""Finding 2 in a real browser: headless Chromium walks the main staff pages and the residents' sign-in page under
the Content-Security-Policy, and the browser reports no violation (no page breaks under the policy)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.browser.test_site_accessibility import PASSWORD, PHONE, site  # noqa: F401 - fixture, used by name
from tests.surveys.test_browser_answer import answer_server, chromium  # noqa: F401 - fixtures, used by name

pytestmark = pytest.mark.browser


def test_no_page_breaks_under_the_policy(chromium: Any, answer_server: Any, site: dict[str, str]) -> None:  # noqa: F811
    context = chromium.new_context(viewport=PHONE, locale="ja-JP")
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{answer_server.url}/answer/")
    page.goto(f"{answer_server.url}/staff/login/")
    page.get_by_label("ユーザー名").fill(site.pop("username"))
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/staff/")
    for name, path in site.items():
        response = page.goto(answer_server.url + path)
        assert response is not None
        assert response.status == 200, f"{name}: {path}"
        assert "script-src 'self'" in (response.header_value("content-security-policy") or "")
    context.close()
    assert violations == []
