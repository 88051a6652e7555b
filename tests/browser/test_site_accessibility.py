"""A staff member walks the main pages on a phone in headless Chromium: axe-core finds no serious or critical
WCAG 2.2 AA violation and no page scrolls sideways at 360 CSS pixels.

The browser, axe-core and the test server are the answering test's (tests/surveys/test_browser_answer.py):
Debian's Chromium launched by path, axe-core from npm once per session, and a server answering from this
test's own database transaction. Without Chromium or npm the test skips and says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.surveys.answering_setup import open_survey
from tests.surveys.test_browser_answer import check_accessibility, has_focus, no_horizontal_scrolling

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, Role, User
from chiiki.opendata.actions import import_file
from chiiki.talent import actions as talent_actions
from chiiki.talent.models import Need

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 640}
PASSWORD = "correct-horse-battery-staple"  # the shared test password (tests/conftest.py)
AED_CSV = (
    "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,所在地_連結表記,緯度,経度,設置位置\n"
    "343021,1,広島県府中町,府中町役場,フチュウチョウヤクバ,広島県府中町大通三丁目5番1号,34.3931,132.5047,1階\n"
    "343021,2,広島県府中町,府中町公民館,フチュウチョウコウミンカン,広島県府中町本町二丁目1番,34.3950,132.5100,玄関\n"
)


@pytest.fixture
def site(
    town_a: Municipality, make_staff: Callable[..., User], answer_server: Any, tmp_path: Path
) -> dict[str, str]:
    """One of everything a representative walk needs: a survey, a published dataset with points, a need."""
    staff = make_staff("a-walker", town_a, Role.ADMINISTRATOR, Role.SURVEY_MANAGER, Role.AUDITOR)
    survey, _letters = open_survey(town_a, letters=1)
    csv = tmp_path / "fuchu_aed.csv"
    csv.write_text(AED_CSV, encoding="utf-8")
    dataset = import_file(town_a, csv, "aed", by=Actor.system("test"), publish_now=True).dataset
    need = talent_actions.post_need(
        talent_actions.municipality_organization(town_a, by=Actor.system("test")),
        {
            "kind": Need.Kind.SIDE_JOB,
            "title": "庁内データ活用の副業アドバイザー",
            "role_id": "cloud_engineer_sre",
            "required": {"cloud_infrastructure": "b"},
            "hours_per_month": 20,
            "work_mode": Need.WorkMode.REMOTE,
            "prefecture": 34,
            "budget_per_hour": 5000,
            "start_on": dt.date(2026, 12, 1),
            "languages": ["ja"],
        },
        by=Actor.for_user(staff),
    )
    code = town_a.code
    return {
        "username": staff.username,
        "staff home": "/staff/",
        "registry": f"/staff/m/{code}/registry/",
        "staff list": f"/staff/m/{code}/staff/",  # a wide table holding visually hidden labels
        "survey dashboard": f"/staff/m/{code}/fieldwork/surveys/{survey.pk}/dashboard/",
        "catalog": "/opendata/",
        "dataset and map": f"/opendata/dataset/{dataset.name}/",
        "talent search": "/talent/",
        "need": f"/talent/needs/{need.pk}/",
        "audit log": f"/staff/audit/?municipality={code}",
    }


def test_a_staff_member_walks_the_main_pages_on_a_phone(
    chromium: Any, axe_source: str, answer_server: Any, site: dict[str, str]
) -> None:
    context = chromium.new_context(viewport=PHONE, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{answer_server.url}/staff/login/")
    # Sent empty: the error summary takes the focus without any script, and links to each field.
    page.locator("main").get_by_role("button", name="ログイン").click()
    assert has_focus(page, "error-summary")
    check_accessibility(page, axe_source)
    page.get_by_label("ユーザー名").fill(site.pop("username"))
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/staff/")
    for name, path in site.items():
        response = page.goto(answer_server.url + path)
        assert response is not None
        assert response.status == 200, f"{name}: {path} -> {response.status}"
        assert no_horizontal_scrolling(page), f"{name}: {path} scrolls sideways at 360 px"
        check_accessibility(page, axe_source)
        if name == "dataset and map":
            assert page.locator("figure.map svg circle").count() == 2
        if name == "catalog":
            # A facet link must stay on the catalog (it once led to /opendata/&kind=aed, a 404).
            page.locator(".facets a").first.click()
            assert page.url.startswith(f"{answer_server.url}/opendata/?")
            assert "絞り込み中" in page.locator("main").inner_text()
    context.close()
