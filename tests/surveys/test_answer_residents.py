"""What residents stumbled on when they tried the answering pages (issue 18 §5), through the test client.

The same points in a real browser at 360 px are in test_browser_answer.py.
"""

from __future__ import annotations

import pytest
from django.test import Client

from chiiki.surveys.answering.drafts import MAX_TEXT
from chiiki.surveys.models import Answer

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
def key(town_a: object) -> Letter:
    return open_survey(town_a)[1][0]  # type: ignore[arg-type]


@pytest.fixture
def respondent(key: Letter) -> Client:
    client = Client()
    assert sign_in(client, key.login_id, key.access_key).status_code == 302
    return client


def draft(key: Letter) -> dict[str, object]:
    data = Answer.objects.get(case__login_id=key.login_id).data
    assert isinstance(data, dict)
    return data


# ------------------------------------------------------------------------------------------ nothing typed is lost


@pytest.mark.parametrize(
    ("action", "goes_to"),
    [
        ("text:large", "/answer/q/household/"),
        ("language:en", "/answer/q/household/"),
        ("home", "/answer/start/"),
        ("logout", "/answer/"),
    ],
)
def test_the_header_controls_and_the_list_link_save_what_was_typed_first(
    respondent: Client, key: Letter, action: str, goes_to: str
) -> None:
    page = respondent.get("/answer/q/household/").content.decode()
    # The header's controls are buttons of the page's form, so the browser sends the typed answers with them.
    for control in ("text:large", "language:en", "logout"):
        assert f'form="answer-form" name="action" value="{control}"' in page
    form = page[page.index('id="answer-form"') : page.index("</form>", page.index('id="answer-form"'))]
    assert 'name="action" value="home"' in form  # ページの一覧へ is a button of the form too
    response = post_page(
        respondent, "/answer/q/household/", {"household/hh_size": "3"}, action=action, page_html=page
    )
    assert response.status_code == 302
    assert response["Location"] == goes_to
    assert draft(key)["household"]["hh_size"] == "3"  # type: ignore[index]
    if action == "text:large":
        assert response.cookies["chiiki_text"].value == "large"
    if action == "language:en":
        assert response.cookies["django_language"].value == "en"
        assert "How many people" in respondent.get(goes_to).content.decode()
    if action == "logout":
        assert "保存した回答は残っています" in respondent.get(goes_to).content.decode()
        assert respondent.get("/answer/q/household/")["Location"] == "/answer/"
        again = Client()
        sign_in(again, key.login_id, "midori-2025", password=None)
        assert 'value="3"' in again.get("/answer/q/household/").content.decode()


def test_enter_in_a_text_box_still_means_next_before_the_header_buttons(respondent: Client) -> None:
    page = respondent.get("/answer/q/household/").content.decode()
    # The browser submits the first button of the form in document order: the hidden "next" comes before the header.
    first = page.index('form="answer-form"')
    assert page[first - 200 : first + 80].count('value="next"') == 1
    assert page.index('value="next"') < page.index('value="text:large"')


# ------------------------------------------------------------------------------------------ numbers and years


def test_wareki_years_and_numbers_with_units_are_accepted(respondent: Client, key: Letter) -> None:
    household = {**HOUSEHOLD, "household/hh_size": "2人", "household/floor_area": "55㎡"}
    assert post_page(respondent, "/answer/q/household/", household)["Location"] == "/answer/q/members/"
    members = {**MEMBERS, "members[1]/birth_year": "昭和45年", "members[2]/birth_year": "平成30"}
    members["members[2]/birth_month"] = "１２月"
    response = post_page(respondent, "/answer/q/members/", members)
    assert "整数で入力してください" not in response.content.decode()
    data = draft(key)
    assert data["household"]["hh_size"] == "2"  # type: ignore[index]
    assert data["household"]["floor_area"] == "55"  # type: ignore[index]
    assert [m["birth_year"] for m in data["members"]] == ["1970", "2018"]  # type: ignore[attr-defined]
    assert data["members"][1]["birth_month"] == "12"  # type: ignore[index]


def test_what_cannot_be_read_as_a_number_is_kept_as_typed_and_named(respondent: Client, key: Letter) -> None:
    response = post_page(respondent, "/answer/q/household/", {**HOUSEHOLD, "household/hh_size": "ふたり"})
    assert response.status_code == 422
    assert 'value="ふたり"' in response.content.decode()
    assert "整数で入力してください" in response.content.decode()


# ------------------------------------------------------------------------------------------ long text


def test_a_text_over_the_limit_is_refused_with_its_length_never_cut(respondent: Client, key: Letter) -> None:
    post_page(respondent, "/answer/q/household/", HOUSEHOLD)
    post_page(respondent, "/answer/q/members/", {**MEMBERS, "members[1]/work_status": "housework"})
    post_page(respondent, "/answer/q/members/", {**MEMBERS, "members[1]/work_status": "housework"})
    page = respondent.get("/answer/q/closing/").content.decode()
    assert "4,000文字まで" in page  # the limit is shown under the box before anything is typed
    long_text = "あ" * (MAX_TEXT + 123)
    response = post_page(respondent, "/answer/q/closing/", {"closing/remarks": long_text}, page_html=page)
    html = response.content.decode()
    assert response.status_code == 422
    assert "4,000文字以内にしてください(いま4,123文字です)" in html
    assert "保存した内容は4,123文字" in html
    assert draft(key)["closing"]["remarks"] == long_text  # type: ignore[index]  # kept whole, to shorten
    review = respondent.get("/answer/review/").content.decode()
    refused = respondent.post("/answer/review/", {"version": hidden(review, "version")})
    assert refused.status_code == 422
    exact = "い" * MAX_TEXT
    assert (
        post_page(respondent, "/answer/q/closing/", {"closing/remarks": exact})["Location"]
        == "/answer/review/"
    )
    review = respondent.get("/answer/review/").content.decode()
    assert respondent.post("/answer/review/", {"version": hidden(review, "version")}).status_code == 302
    submitted = Answer.objects.get(case__login_id=key.login_id).submitted_data
    assert submitted is not None
    assert submitted["closing"]["remarks"] == exact  # every character reaches the record the exports read


# ------------------------------------------------------------------------------------------ the members page


def test_the_error_summary_names_the_member(respondent: Client) -> None:
    post_page(respondent, "/answer/q/household/", HOUSEHOLD)
    members = {**MEMBERS, "members[2]/birth_year": ""}
    html = post_page(respondent, "/answer/q/members/", members).content.decode()
    summary = html[html.index('id="error-summary"') : html.index('id="answer-form"')]
    assert "世帯員 2 (山田 花): 出生の年 (西暦)" in summary


def test_removing_a_member_asks_first_and_can_be_called_off(respondent: Client, key: Letter) -> None:
    post_page(respondent, "/answer/q/household/", HOUSEHOLD)
    asked = post_page(respondent, "/answer/q/members/", MEMBERS, action="remove:members:2")
    assert asked["Location"] == "/answer/q/members/?remove=members:2#f-members-2"
    html = respondent.get(asked["Location"]).content.decode()
    assert "世帯員 2 (山田 花) を削除しますか" in html
    assert 'value="confirm-remove:members:2"' in html
    assert len(draft(key)["members"]) == 2  # type: ignore[arg-type]  # nothing removed yet, the names saved
    kept = post_page(respondent, "/answer/q/members/", MEMBERS, action="stay", page_html=html)
    assert kept["Location"] == "/answer/q/members/"
    assert len(draft(key)["members"]) == 2  # type: ignore[arg-type]
    assert "を削除しますか" not in respondent.get("/answer/q/members/").content.decode()


# ------------------------------------------------------------------------------------------ after submission


def test_after_submission_the_start_page_no_longer_offers_to_continue(respondent: Client) -> None:
    assert "回答を始める" in respondent.get("/answer/start/").content.decode()
    post_page(respondent, "/answer/q/household/", HOUSEHOLD)
    assert "続きから回答する" in respondent.get("/answer/start/").content.decode()
    post_page(respondent, "/answer/q/members/", MEMBERS)
    post_page(respondent, "/answer/q/members/", {**MEMBERS, "members[1]/work_status": "housework"})
    post_page(respondent, "/answer/q/closing/", {"closing/remarks": ""})
    review = respondent.get("/answer/review/").content.decode()
    assert respondent.post("/answer/review/", {"version": hidden(review, "version")}).status_code == 302
    home = respondent.get("/answer/start/").content.decode()
    assert "回答を受け付けました" in home
    assert "続きから回答する" not in home
    assert "回答を始める" not in home
    assert "送信した回答を確認する" in home
