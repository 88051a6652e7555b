"""The resident's web answering flow through the test client: sign-in, pages, roster, review, receipt."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client

from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.surveys.models import Answer, CaseEvent, Survey, SurveyCase

from .answering_setup import (  # noqa: F401 - fast_password_hashing is a fixture
    HOUSEHOLD,
    MEMBERS,
    Letter,
    fast_password_hashing,
    hidden,
    open_survey,
    post_page,
    shown_keys,
    sign_in,
)

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


@pytest.fixture
def survey_and_keys(town_a: Municipality) -> tuple[Survey, list[Letter]]:
    return open_survey(town_a)


@pytest.fixture
def key(survey_and_keys: tuple[Survey, list[Letter]]) -> Letter:
    return survey_and_keys[1][0]


@pytest.fixture
def respondent(key: Letter) -> Client:
    client = Client()
    response = sign_in(client, key.login_id, key.access_key)
    assert response.status_code == 302
    return client


def answer_everything(client: Client) -> None:
    assert post_page(client, "/answer/q/household/", HOUSEHOLD)["Location"] == "/answer/q/members/"
    first = post_page(client, "/answer/q/members/", MEMBERS)
    # The head is over 15, so the work question appears on the same page: the page asks again.
    assert first.status_code == 200
    html = first.content.decode()
    assert "回答に応じて質問が増えました" in html
    assert "members[1]/work_status" in shown_keys(html)
    assert "members[2]/work_status" not in shown_keys(html)
    done = post_page(
        client, "/answer/q/members/", {**MEMBERS, "members[1]/work_status": "housework"}, page_html=html
    )
    assert done["Location"] == "/answer/q/closing/"
    assert post_page(client, "/answer/q/closing/", {"closing/remarks": ""})["Location"] == "/answer/review/"


def submit(client: Client) -> object:
    review = client.get("/answer/review/").content.decode()
    return client.post("/answer/review/", {"version": hidden(review, "version")})


def test_looking_at_the_pages_writes_nothing_until_a_page_is_saved(respondent: Client, key: Letter) -> None:
    assert "回答を始める" in respondent.get("/answer/start/").content.decode()
    page = respondent.get("/answer/q/household/").content.decode()
    assert hidden(page, "version") == "1"
    respondent.get("/answer/review/")
    assert respondent.get("/answer/receipt/")["Location"] == "/answer/review/"
    assert not Answer.objects.filter(case__login_id=key.login_id).exists()
    assert post_page(respondent, "/answer/q/household/", HOUSEHOLD, page_html=page).status_code == 302
    answer = Answer.objects.get(case__login_id=key.login_id)
    assert (answer.version, answer.last_page) == (2, "household")


def test_a_household_goes_from_letter_to_receipt(respondent: Client, key: Letter) -> None:
    home = respondent.get("/answer/start/").content.decode()
    assert "回答を始める" in home
    answer_everything(respondent)
    review = respondent.get("/answer/review/").content.decode()
    assert "山田 太郎" in review
    assert "一戸建" in review
    response = submit(respondent)
    assert response.status_code == 302
    assert response["Location"] == "/answer/receipt/"
    answer = Answer.objects.get(case__login_id=key.login_id)
    receipt = respondent.get("/answer/receipt/").content.decode()
    assert answer.receipt_number is not None
    assert f"{answer.receipt_number[:4]}-{answer.receipt_number[4:8]}-{answer.receipt_number[8:]}" in receipt
    assert answer.case.status == SurveyCase.Status.SUBMITTED
    assert answer.mode == Answer.Mode.WEB
    assert AuditEvent.objects.filter(
        action="surveys.answer_submitted", object_id=str(answer.case_id)
    ).exists()


def test_the_submitted_record_is_typed_and_keeps_only_relevant_answers(
    respondent: Client, key: Letter
) -> None:
    answer_everything(respondent)
    submit(respondent)
    record = Answer.objects.get(case__login_id=key.login_id).submitted_data
    assert record["household"]["hh_size"] == 2
    assert record["members"][0]["birth_year"] == 1970
    assert record["members"][0]["work_status"] == "housework"
    assert "work_status" not in record["members"][1]  # a child: the question was skipped
    assert isinstance(record["members"][1]["age"], int)
    assert record["closing"]["n_members"] == 2


def test_submitting_twice_gives_the_same_receipt_and_writes_once(respondent: Client, key: Letter) -> None:
    answer_everything(respondent)
    review = respondent.get("/answer/review/").content.decode()
    version = hidden(review, "version")
    first = respondent.post("/answer/review/", {"version": version})
    second = respondent.post("/answer/review/", {"version": version})
    assert first.status_code == second.status_code == 302
    answer = Answer.objects.get(case__login_id=key.login_id)
    assert answer.submissions == 1
    assert AuditEvent.objects.filter(action="surveys.answer_submitted").count() == 1


def test_a_correction_keeps_the_receipt_and_the_old_record_until_sent(
    respondent: Client, key: Letter
) -> None:
    answer_everything(respondent)
    submit(respondent)
    before = Answer.objects.get(case__login_id=key.login_id)
    post_page(respondent, "/answer/q/closing/", {"closing/remarks": "追記です"})
    during = Answer.objects.get(pk=before.pk)
    assert during.has_unsent_changes
    assert during.submitted_data == before.submitted_data
    assert "まだ送信されていません" in respondent.get("/answer/start/").content.decode()
    submit(respondent)
    after = Answer.objects.get(pk=before.pk)
    assert after.receipt_number == before.receipt_number
    assert after.submissions == 2
    assert after.submitted_data["closing"]["remarks"] == "追記です"
    assert AuditEvent.objects.filter(action="surveys.answer_corrected").count() == 1


def test_answers_are_saved_per_page_and_resume_on_another_device(key: Letter) -> None:
    phone = Client()
    sign_in(phone, key.login_id, key.access_key)
    post_page(phone, "/answer/q/household/", HOUSEHOLD)
    post_page(phone, "/answer/q/members/", {"members[1]/member_name": "山田 太郎"}, action="pause")
    computer = Client()
    assert sign_in(computer, key.login_id, "midori-2025", password=None)["Location"] == "/answer/start/"
    home = computer.get("/answer/start/").content.decode()
    assert "続きから回答する" in home
    assert "/answer/q/members/" in home
    assert 'value="山田 太郎"' in computer.get("/answer/q/members/").content.decode()


def test_messages_appear_next_to_the_field_and_in_the_summary(respondent: Client) -> None:
    response = post_page(respondent, "/answer/q/household/", {"household/hh_size": "３１"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "1 から 30 までの数を入力してください" in html
    assert 'href="#f-household--hh_size"' in html  # the error summary links to the field
    assert 'id="f-household--hh_size-error"' in html
    assert 'aria-describedby="f-household--hh_size-hint f-household--hh_size-error"' in html
    assert "この項目は必須です" in html  # dwelling type left empty
    assert 'href="#f-household--dwelling_type-1"' in html  # a choice question links to its first option
    assert html.count('class="field__error"') == 3


def test_english_labels_and_messages_come_from_the_form(respondent: Client) -> None:
    respondent.cookies["django_language"] = "en"
    html = post_page(respondent, "/answer/q/household/", {"household/hh_size": "0"}).content.decode()
    assert "How many people live in this household?" in html
    assert "Enter a number from 1 to 30" in html
    assert "This field is required" in html


def test_roster_rows_are_added_and_removed_without_javascript(respondent: Client, key: Letter) -> None:
    post_page(respondent, "/answer/q/household/", HOUSEHOLD)
    html = respondent.get("/answer/q/members/").content.decode()
    assert html.count('class="answer-instance"') == 2
    added = post_page(respondent, "/answer/q/members/", MEMBERS, action="add:members", page_html=html)
    assert added["Location"] == "/answer/q/members/#f-members"
    html = respondent.get("/answer/q/members/").content.decode()
    assert html.count('class="answer-instance"') == 3
    answer = Answer.objects.get(case__login_id=key.login_id)
    assert answer.data["household"]["hh_size"] == "3"  # the count question follows the roster
    # "Remove" asks first (what was typed is saved meanwhile); only the confirmation removes the row.
    asked = post_page(respondent, "/answer/q/members/", MEMBERS, action="remove:members:1", page_html=html)
    assert asked["Location"] == "/answer/q/members/?remove=members:1#f-members-1"
    answer.refresh_from_db()
    assert answer.data["household"]["hh_size"] == "3"
    html = respondent.get(asked["Location"]).content.decode()
    assert "世帯員 1 (山田 太郎) を削除しますか" in html
    post_page(respondent, "/answer/q/members/", MEMBERS, action="confirm-remove:members:1", page_html=html)
    answer.refresh_from_db()
    assert answer.data["household"]["hh_size"] == "2"
    assert [m.get("member_name") for m in answer.data["members"]] == ["山田 花", ""]


def test_an_unknown_page_is_not_found(respondent: Client) -> None:
    assert respondent.get("/answer/q/nothing/").status_code == 404


def test_pages_need_a_signed_in_respondent(survey_and_keys: object) -> None:
    response = Client().get("/answer/q/household/")
    assert response.status_code == 302
    assert response["Location"] == "/answer/"


def test_after_the_period_closes_answers_can_no_longer_change(
    respondent: Client, key: Letter, survey_and_keys: tuple[Survey, list[Letter]]
) -> None:
    answer_everything(respondent)
    submit(respondent)
    survey = survey_and_keys[0]
    Survey.objects.filter(pk=survey.pk).update(closes_at=survey.opens_at + timedelta(seconds=1))
    assert respondent.get("/answer/q/household/")["Location"] == "/answer/start/"
    home = respondent.get("/answer/start/").content.decode()
    assert "回答の受付は終了しました" in home
    assert respondent.post("/answer/review/", {"version": "99"})["Location"] == "/answer/start/"


def test_a_supporter_answers_with_the_respondent_and_is_recorded(
    town_a: Municipality,
    key: Letter,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    helper = make_staff("helper", town_a, Role.HELPDESK)
    staff = login(helper)
    base = "/staff/m/343021/surveys/assist/"
    assert staff.get(base).status_code == 200
    opened = staff.post(base, {"login_id": key.login_id})
    assert opened.status_code == 302
    case_url = opened["Location"]
    assert "支援モード" in staff.get(case_url).content.decode()
    assert post_page(staff, f"{case_url}q/household/", HOUSEHOLD)["Location"] == f"{case_url}q/members/"
    members = post_page(staff, f"{case_url}q/members/", MEMBERS)
    post_page(
        staff,
        f"{case_url}q/members/",
        {**MEMBERS, "members[1]/work_status": "employed"},
        page_html=members.content.decode(),
    )
    post_page(staff, f"{case_url}q/closing/", {})
    review = staff.get(f"{case_url}review/").content.decode()
    assert (
        staff.post(f"{case_url}review/", {"version": hidden(review, "version")})["Location"]
        == f"{case_url}receipt/"
    )
    answer = Answer.objects.get(case__login_id=key.login_id)
    assert answer.mode == Answer.Mode.ASSISTED
    assert answer.assisted_by == helper
    actions = set(AuditEvent.objects.filter(actor=helper).values_list("action", flat=True))
    assert {"surveys.assist_opened", "surveys.answer_saved", "surveys.answer_submitted"} <= actions
    # Re-opening the case's pages is a read of personal data: each shown page is audited (issue 13, finding 3).
    shown = AuditEvent.objects.filter(actor=helper, action="surveys.case_viewed").values_list(
        "detail", flat=True
    )
    assert {"members", "review"} <= {detail["page"] for detail in shown}
    assert {detail["mode"] for detail in shown} == {Answer.Mode.ASSISTED}


def test_a_supporter_cannot_open_a_case_of_another_town_or_without_the_role(
    town_a: Municipality,
    town_b: Municipality,
    key: Letter,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    other = login(make_staff("other", town_b, Role.HELPDESK))
    response = other.post("/staff/m/352021/surveys/assist/", {"login_id": key.login_id})
    assert response.status_code == 200
    assert "この団体の調査にありません" in response.content.decode()
    assert other.post("/staff/m/343021/surveys/assist/", {"login_id": key.login_id}).status_code == 403
    linkage = login(make_staff("linker", town_a, Role.LINKAGE_OFFICER))
    assert linkage.get("/staff/m/343021/surveys/assist/").status_code == 403
    case_id = SurveyCase.objects.get(login_id=key.login_id).pk
    helper = login(make_staff("helper2", town_a, Role.HELPDESK))
    # Opening a case goes through its login ID (and the audit log), never straight by URL.
    assert (
        helper.get(f"/staff/m/343021/surveys/assist/{case_id}/")["Location"]
        == "/staff/m/343021/surveys/assist/"
    )


def test_an_enumerator_answers_with_an_assigned_household_only(
    town_a: Municipality,
    survey_and_keys: tuple[Survey, list[Letter]],
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    from chiiki.fieldwork.models import FollowUpArea, FollowUpAssignment

    survey, letters = survey_and_keys
    enumerator = make_staff("enum", town_a, Role.ENUMERATOR)
    colleague = make_staff("enum2", town_a, Role.ENUMERATOR)
    area = FollowUpArea.objects.create(municipality=town_a, survey=survey, number=1, enumerator=enumerator)
    case = SurveyCase.objects.get(login_id=letters[0].login_id)
    FollowUpAssignment.objects.create(municipality=town_a, area=area, case=case)
    base = f"/staff/m/343021/surveys/enumerate/{case.pk}/"
    assert login(colleague).get(base).status_code == 404  # not on the colleague's list
    tablet = login(enumerator)
    assert "調査員モード" in tablet.get(base).content.decode()
    post_page(tablet, f"{base}q/household/", {**HOUSEHOLD, "household/hh_size": "1"})
    head = {k: v for k, v in MEMBERS.items() if k.startswith("members[1]")}
    page = post_page(tablet, f"{base}q/members/", head).content.decode()
    post_page(tablet, f"{base}q/members/", {**head, "members[1]/work_status": "other"}, page_html=page)
    post_page(tablet, f"{base}q/closing/", {})
    review = tablet.get(f"{base}review/").content.decode()
    assert (
        tablet.post(f"{base}review/", {"version": hidden(review, "version")})["Location"] == f"{base}receipt/"
    )
    answer = Answer.objects.get(case=case)
    assert answer.mode == Answer.Mode.ENUMERATOR
    assert answer.assisted_by == enumerator
    assert AuditEvent.objects.filter(action="surveys.enumerate_opened", actor=enumerator).exists()
    # The review and each question page show the household's answers: each is audited (issue 13, finding 3).
    shown = AuditEvent.objects.filter(actor=enumerator, action="surveys.case_viewed").values_list(
        "detail", flat=True
    )
    assert {"members", "review"} <= {detail["page"] for detail in shown}
    assert login(colleague).get(f"{base}review/").status_code == 404
    assert not AuditEvent.objects.filter(actor=colleague, action="surveys.case_viewed").exists()


def test_showing_a_page_writes_no_session_and_its_save_records_the_time_on_it(
    respondent: Client, key: Letter
) -> None:
    session_before = dict(respondent.session.items())
    page = respondent.get("/answer/q/household/")
    assert page.status_code == 200
    assert dict(respondent.session.items()) == session_before  # nothing written to show a page
    assert hidden(page.content.decode(), "shown_at")
    post_page(respondent, "/answer/q/household/", HOUSEHOLD, page_html=page.content.decode())
    event = CaseEvent.objects.get(kind="page_view", page="household", case__login_id=key.login_id)
    assert event.seconds is not None
