"""Two people answering one household at once: nobody's answers are overwritten silently."""

from __future__ import annotations

import pytest
from django.test import Client

from chiiki.core.models import Municipality
from chiiki.surveys.models import Answer

from .answering_setup import (  # noqa: F401 - fast_password_hashing is a fixture
    Letter,
    fast_password_hashing,
    hidden,
    open_survey,
    post_page,
    sign_in,
)

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
HOUSEHOLD = {"household/hh_size": "1", "household/dwelling_type": "house", "household/tenure": "own"}


@pytest.fixture
def two_members(town_a: Municipality) -> tuple[Client, Client, Letter]:
    letter = open_survey(town_a)[1][0]
    mother, son = Client(), Client()
    sign_in(mother, letter.login_id, letter.access_key, password="midori-2025")
    sign_in(son, letter.login_id, "midori-2025", password=None)
    return mother, son, letter


def test_a_save_over_someone_elses_save_of_the_same_page_is_refused_and_keeps_the_typing(
    two_members: tuple[Client, Client, Letter],
) -> None:
    mother, son, letter = two_members
    mother_page = mother.get("/answer/q/household/").content.decode()
    son_page = son.get("/answer/q/household/").content.decode()
    assert post_page(mother, "/answer/q/household/", HOUSEHOLD, page_html=mother_page).status_code == 302
    refused = post_page(
        son, "/answer/q/household/", {**HOUSEHOLD, "household/hh_size": "4"}, page_html=son_page
    )
    html = refused.content.decode()
    assert refused.status_code == 409
    assert "まだ保存されていません" in html
    assert 'value="4"' in html  # what the son typed is still on his screen
    answer = Answer.objects.get(case__login_id=letter.login_id)
    assert answer.data["household"]["hh_size"] == "1"  # the mother's save stands
    # Having read the message, the son may save on purpose: his page now carries the current version.
    again = post_page(son, "/answer/q/household/", {**HOUSEHOLD, "household/hh_size": "4"}, page_html=html)
    assert again.status_code == 302
    answer.refresh_from_db()
    assert answer.data["household"]["hh_size"] == "4"


def test_saves_of_different_pages_at_once_are_merged(two_members: tuple[Client, Client, Letter]) -> None:
    mother, son, letter = two_members
    mother_page = mother.get("/answer/q/household/").content.decode()
    son_page = son.get("/answer/q/closing/").content.decode()
    assert post_page(mother, "/answer/q/household/", HOUSEHOLD, page_html=mother_page).status_code == 302
    merged = post_page(son, "/answer/q/closing/", {"closing/remarks": "よろしく"}, page_html=son_page)
    assert merged.status_code == 302
    data = Answer.objects.get(case__login_id=letter.login_id).data
    assert data["household"]["hh_size"] == "1"
    assert data["closing"]["remarks"] == "よろしく"


def test_a_submission_of_a_version_someone_changed_since_is_refused(
    two_members: tuple[Client, Client, Letter],
) -> None:
    mother, son, letter = two_members
    post_page(mother, "/answer/q/household/", HOUSEHOLD)
    head = {
        "members[1]/member_name": "山田 花子",
        "members[1]/relation": "head",
        "members[1]/sex": "female",
        "members[1]/birth_year": "1950",
        "members[1]/birth_month": "3",
    }
    page = post_page(mother, "/answer/q/members/", head).content.decode()
    post_page(mother, "/answer/q/members/", {**head, "members[1]/work_status": "other"}, page_html=page)
    post_page(mother, "/answer/q/closing/", {})
    review = mother.get("/answer/review/").content.decode()
    post_page(son, "/answer/q/closing/", {"closing/remarks": "息子が追記"})
    refused = mother.post("/answer/review/", {"version": hidden(review, "version")})
    assert refused.status_code == 409
    assert "まだ送信されていません" in refused.content.decode()
    assert "息子が追記" in refused.content.decode()  # the review now shows the latest answers
    answer = Answer.objects.get(case__login_id=letter.login_id)
    assert answer.submitted_at is None
    accepted = mother.post("/answer/review/", {"version": hidden(refused.content.decode(), "version")})
    assert accepted["Location"] == "/answer/receipt/"


def test_a_submission_with_missing_answers_lists_them_with_links_to_their_pages(
    two_members: tuple[Client, Client, Letter],
) -> None:
    mother, _, letter = two_members
    post_page(mother, "/answer/q/household/", HOUSEHOLD)
    review = mother.get("/answer/review/").content.decode()
    response = mother.post("/answer/review/", {"version": hidden(review, "version")})
    html = response.content.decode()
    assert response.status_code == 422
    assert "氏名を入力してください" in html
    assert 'href="/answer/q/members/?check=1#f-members-1--member_name"' in html
    assert Answer.objects.get(case__login_id=letter.login_id).submitted_at is None
