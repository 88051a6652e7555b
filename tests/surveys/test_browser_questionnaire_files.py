"""In headless Chromium: a resident who reaches a survey whose questionnaire lacks a file sees a plain message;
the survey manager sees the file as 未添付 on the survey's page, attaches it there, and the resident can start.
Both pages pass the axe-core check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, Role, User
from chiiki.demo.survey import issue_keys_to
from chiiki.surveys import actions
from chiiki.surveys.models import Survey

from .test_answer_choice_files import CITIES, FORM
from .test_browser_answer import (  # noqa: F401 - fixtures
    PHONE,
    answer_server,
    axe_source,
    check_accessibility,
    chromium,
    loaded_html,
)
from .test_questionnaire_files import _round

pytestmark = pytest.mark.browser
STAFF_PASSWORD = "aoba-staff-2026"


def test_a_missing_file_is_attached_on_the_survey_page_and_the_resident_can_then_start(
    chromium: Any,  # noqa: F811 - the fixture imported above
    axe_source: str,  # noqa: F811
    answer_server: Any,  # noqa: F811
    town_a: Municipality,
    make_staff: Any,
    tmp_path: Path,
) -> None:
    survey = _round(town_a, {"cities.csv": CITIES})
    login_id, key = issue_keys_to(survey, list(survey.cases.order_by("id")[:1]), by=Actor.system("test"))[0]
    bare = actions.import_questionnaire(town_a, FORM.encode(), filename="cities.md", by=Actor.system("test"))
    Survey.objects.filter(pk=survey.pk).update(questionnaire_version=bare)  # reached past the actions
    manager: User = make_staff("manager", town_a, Role.SURVEY_MANAGER)
    manager.set_password(STAFF_PASSWORD)
    manager.save()

    resident = chromium.new_context(viewport=PHONE, locale="ja-JP").new_page()
    resident.goto(f"{answer_server.url}/answer/")
    resident.get_by_label("調査対象者ID").fill(login_id)
    resident.get_by_label("アクセスキー または パスワード").fill(key)
    resident.get_by_role("button", name="ログイン").click()
    resident.fill("#id_password", "midori-2025")
    resident.get_by_label("確認のためもう一度").fill("midori-2025")
    resident.get_by_role("button", name="パスワードを設定して回答へ進む").click()
    html = loaded_html(resident)
    assert "この調査はまだ回答を受け付けていません" in html
    assert "回答を始める" not in html
    check_accessibility(resident, axe_source)

    staff = chromium.new_context(locale="ja-JP").new_page()
    staff.goto(f"{answer_server.url}/staff/login/")
    staff.fill("input[name=username]", manager.username)
    staff.fill("input[name=password]", STAFF_PASSWORD)
    staff.press("input[name=password]", "Enter")
    staff.wait_for_url(lambda url: "/login/" not in url)  # signed in: the login page sent us on
    staff.goto(f"{answer_server.url}/staff/m/{town_a.code}/surveys/{survey.pk}/")
    html = loaded_html(staff)
    assert "未添付" in html
    check_accessibility(staff, axe_source)
    upload = tmp_path / "cities.csv"
    upload.write_bytes(CITIES)
    staff.set_input_files("input[name=upload]", str(upload))
    staff.get_by_role("button", name="ファイルを添付する").click()
    html = loaded_html(staff)
    assert "調査票が読むファイルはすべてそろいました" in html
    assert "添付済み" in html
    assert "未添付" not in html
    check_accessibility(staff, axe_source)

    resident.reload()
    resident.get_by_role("link", name="回答を始める").click()
    assert "仙台市" in loaded_html(resident)
