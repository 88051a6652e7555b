"""A resident reports a dead zone on a phone (360 px, Chromium, no script of ours): axe-core finds no serious or
critical WCAG 2.2 AA violation on the form, on its error summary or on the status page, and nothing scrolls
sideways. The staff overview with its SVG map is checked the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tests.surveys.test_browser_answer import check_accessibility, no_horizontal_scrolling

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, Role, User
from chiiki.coverage.actions import PlaceInput, set_places
from chiiki.coverage.grid import Extent
from chiiki.coverage.models import DeadZoneReport
from chiiki.registry.models import District

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 640}
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def town(town_a: Municipality) -> Municipality:
    codes = list(District.objects.filter(municipality=town_a).order_by("code").values_list("code", flat=True))
    places = [PlaceInput(code, 34.385 + i * 0.0025, 132.485 + i * 0.0035) for i, code in enumerate(codes)]
    set_places(town_a, places, Extent(34.38, 132.48, 34.44, 132.56), source="test", by=Actor.system("test"))
    return town_a


def test_a_resident_reports_on_a_phone_and_staff_see_the_map(
    chromium: Any,
    axe_source: str,
    answer_server: Any,
    town: Municipality,
    make_staff: Callable[..., User],
) -> None:
    context = chromium.new_context(viewport=PHONE, locale="ja-JP", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{answer_server.url}/coverage/{town.code}/report/")
    assert no_horizontal_scrolling(page)
    page.get_by_role("button", name="報告する").click()  # nothing filled in: the error summary
    assert page.locator("#error-summary").count() == 1
    assert not DeadZoneReport.objects.exists()
    page.get_by_label("場所(地区)").select_option(index=1)
    page.get_by_label("NTTドコモ").check()
    page.get_by_label("4G(LTE)").check()
    page.get_by_label("圏外になる(電波がない)").check()
    page.get_by_label("家や建物の中").check()
    page.get_by_label("いつも").check()
    page.get_by_label("夕方(16時〜20時)").check()
    page.get_by_role("button", name="報告する").click()
    reference = page.locator("#reference").inner_text()
    assert DeadZoneReport.objects.get().reference == reference
    assert no_horizontal_scrolling(page)
    context.close()

    # axe-core needs script: the same pages again in a context with JavaScript on.
    context = chromium.new_context(viewport=PHONE, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{answer_server.url}/coverage/{town.code}/report/")
    check_accessibility(page, axe_source)
    page.get_by_role("button", name="報告する").click()
    check_accessibility(page, axe_source)
    page.goto(f"{answer_server.url}/coverage/{town.code}/status/{reference}/")
    check_accessibility(page, axe_source)

    make_staff("coverage-walker", town, Role.COVERAGE_OFFICER)
    page.goto(f"{answer_server.url}/staff/login/")
    page.get_by_label("ユーザー名").fill("coverage-walker")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/staff/")
    for path in ("", "districts/", "reports/", "reports/new/", "measurements/", "targets/"):
        response = page.goto(f"{answer_server.url}/staff/m/{town.code}/coverage/{path}")
        assert response is not None
        assert response.status == 200, path
        assert no_horizontal_scrolling(page), f"{path} scrolls sideways at 360 px"
        check_accessibility(page, axe_source)
    context.close()
