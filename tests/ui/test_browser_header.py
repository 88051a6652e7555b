"""The header in Chromium at 360 px: one row in both languages and in larger-text mode, menu without script."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tests.surveys.test_browser_answer import (
    check_accessibility,
    html_class_once_loaded,
    no_horizontal_scrolling,
    small_targets,
)

from chiiki.core.models import Municipality, Role, User

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery-staple"  # the shared test password (tests/conftest.py)


def header_rows(page: Any) -> int:
    """How many distinct rows the header's visible parts sit on (by their vertical centres)."""
    centres = page.evaluate(
        """() => [...document.querySelectorAll('.site-title, .site-nav__link, .site-menu__button')]
            .filter(e => e.offsetParent)
            .map(e => { const r = e.getBoundingClientRect(); return Math.round((r.top + r.bottom) / 2); })"""
    )
    rows: list[int] = []
    for centre in sorted(centres):
        if not rows or centre - rows[-1] > 12:
            rows.append(centre)
    return len(rows)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_header_is_one_row_at_360_px_signed_in_and_with_larger_text(
    chromium: Any,
    axe_source: str,
    answer_server: Any,
    town_a: Municipality,
    make_staff: Callable[..., User],
    language: str,
) -> None:
    make_staff("header-check", town_a, Role.ADMINISTRATOR)
    context = chromium.new_context(viewport={"width": 360, "height": 640}, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{answer_server.url}/staff/login/")
    page.locator("main input[name=username]").fill("header-check")
    page.locator("main input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/staff/")
    menu = page.locator("summary.site-menu__button")
    if language == "en":
        menu.click()
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
    assert header_rows(page) == 1
    assert no_horizontal_scrolling(page)
    # The menu opens without any script and holds the language, text size and sign-out.
    menu.click()
    toggle = page.locator("button[name=size]")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-pressed") == "false"
    before = toggle.inner_text()
    toggle.click()
    assert html_class_once_loaded(page, "large-text") == "large-text"
    assert header_rows(page) == 1, "larger text still fits one row"
    assert no_horizontal_scrolling(page)
    page.locator("summary.site-menu__button").click()
    toggle = page.locator("button[name=size]")
    assert toggle.get_attribute("aria-pressed") == "true"
    assert toggle.inner_text() != before, "the state is visible, not only announced"
    assert small_targets(page, "button, summary, input, select, a.button") == []
    check_accessibility(page, axe_source)
    context.close()


def test_larger_text_enlarges_the_form_controls_too(chromium: Any, answer_server: Any) -> None:
    context = chromium.new_context(viewport={"width": 360, "height": 640}, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{answer_server.url}/staff/login/")
    box = page.locator("main input[name=username]").bounding_box()
    button = page.locator("main button[type=submit]").bounding_box()
    page.locator("summary.site-menu__button").click()
    page.locator("button[name=size]").click()
    page.wait_for_load_state()
    assert page.locator("main input[name=username]").bounding_box()["height"] > box["height"] * 1.15
    assert page.locator("main button[type=submit]").bounding_box()["height"] > button["height"] * 1.15
    assert no_horizontal_scrolling(page)
    context.close()
