from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.browser.test_site_accessibility import PASSWORD, site  # noqa: F401
from tests.surveys.test_browser_answer import (  # noqa: F401
    answer_server,
    axe_source,
    check_accessibility,
    chromium,
    no_horizontal_scrolling,
)

OUT = Path("/tmp/shots")


def test_shots(chromium: Any, axe_source: str, answer_server: Any, site: dict[str, str]) -> None:
    OUT.mkdir(exist_ok=True)
    width = int(os.environ.get("W", "360"))
    lang = os.environ.get("L", "ja")
    context = chromium.new_context(viewport={"width": width, "height": 740}, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{answer_server.url}/staff/login/")
    page.locator("main").get_by_role("button", name="ログイン").click()
    page.screenshot(path=str(OUT / f"login-errors-{width}.png"), full_page=True)
    page.get_by_label("ユーザー名").fill(site.pop("username"))
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/staff/")
    if lang == "en":
        page.locator("summary").click()
        page.get_by_role("button", name="English").click()
    page.locator("summary").click()
    page.screenshot(path=str(OUT / f"menu-{lang}-{width}.png"))
    extra = [x for x in os.environ.get("P", "").split(",") if x]
    for name, path in list(site.items()) + [(p, p) for p in extra]:
        page.goto(answer_server.url + path)
        slug = name.replace(" ", "-").replace("/", "_")
        page.screenshot(path=str(OUT / f"{slug}-{lang}-{width}.png"), full_page=True)
        print(name, "scroll ok" if no_horizontal_scrolling(page) else "SCROLLS")
        try:
            check_accessibility(page, axe_source)
        except AssertionError as e:
            print("AXE", e)
    context.close()
