"""Questions that depend on answers on the same page: their conditions compiled for the page's script, and the
server's handling of a page posted once with the questions the script revealed (issue 18 §3)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from django.test import Client

from chiiki.core.models import Municipality
from chiiki.surveys.models import Answer
from chiiki.surveys.xlsform import Form, client_conditions, evaluate_answers, load_form

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

FORM = """
| survey |
| | type | name | label::ja | required | relevant | calculation |
| | begin group | intro | はじめに | | | |
| | text | town | 市町村 | | | |
| | integer | size | 人数 | | | |
| | end group | | | | | |
| | begin group | work | 仕事 | | | |
| | integer | birth | 生まれ年 | yes | | |
| | calculate | age | | | | if(${birth} = '', '', int((number(today()) - (${birth} - 1970) * 365.25) div 365.25)) |
| | select_one yn | works | 仕事をしていますか | yes | ${age} >= 15 | |
| | text | employer | 勤め先 | | selected(${works}, 'yes') and ${town} = '府中町' | |
| | note | big | 大きな世帯です | | ${size} > 3 and ${works} != '' | |
| | text | pattern | 勤め先の種類 | | regex(${employer}, '^株式会社') | |
| | text | quoted | ${employer}での仕事 | | ${works} = 'yes' | |
| | text | later | 前のページから | | ${town} = '府中町' | |
| | text | via_other | 合計から | | ${total} > 2 | |
| | text | by_path | パスで | | ../birth > 1900 | |
| | text | anything | 何でも | | ${works} = 'yes' or count-selected(${works}) > 1 | |
| | end group | | | | | |
| | begin repeat | members | 世帯員 | | | |
| | integer | m_age | 年齢 | | | |
| | text | m_job | 仕事 | | ${m_age} >= 15 and position(..) > 1 | |
| | end repeat | | | | | |
| | begin group | closing | 確認 | | | |
| | calculate | total | | | | ${birth} + 1 |
| | text | per_member | 世帯員の仕事 | | ${m_age} > 1 | |
| | end group | | | | | |
| choices |
| | list_name | name | label::ja |
| | yn | yes | はい |
| | yn | no | いいえ |
| settings |
| | form_id | default_language |
| | reveal | ja |
"""


@pytest.fixture(scope="module")
def form() -> Form:
    return load_form(FORM.encode(), filename="reveal.md", cross_check=False)


def conditions(form: Form, page: str, answers: dict[str, Any]) -> dict[str, Any]:
    evaluation = evaluate_answers(form, answers, today=date(2026, 12, 6))
    found = next(p for p in form.pages() if p.name == page)
    return {key: json.loads(text) for key, text in client_conditions(form, found, evaluation, "ja").items()}


def test_a_condition_on_a_calculation_of_the_same_page_is_compiled_with_the_calculation_inlined(
    form: Form,
) -> None:
    work = conditions(form, "work", {"intro": {"town": "府中町", "size": "4"}})
    birth = ["ref", "work/birth", "integer"]
    assert work["work/works"] == [
        ">=",
        [
            "fn",
            "if",
            ["=", birth, ["s", ""]],
            ["s", ""],
            [
                "fn",
                "int",
                [
                    "div",
                    ["-", ["fn", "number", ["today"]], ["*", ["-", birth, ["n", 1970.0]], ["n", 365.25]]],
                    ["n", 365.25],
                ],
            ],
        ],
        ["n", 15.0],
    ]


def test_answers_of_other_pages_become_the_constants_the_server_reads_now(form: Form) -> None:
    work = conditions(form, "work", {"intro": {"town": "府中町", "size": "4"}})
    works = ["ref", "work/works", "select_one"]
    assert work["work/employer"] == [
        "and",
        ["fn", "selected", works, ["s", "yes"]],
        ["=", ["s", "府中町"], ["s", "府中町"]],
    ]
    assert work["work/big"] == ["and", [">", ["n", 4.0], ["n", 3.0]], ["!=", works, ["s", ""]]]
    assert work["work/anything"][0] == "or"
    # Relevance that only reads other pages is final for this page: drawn as the server decided, no condition.
    assert "work/later" not in work
    unanswered = conditions(form, "work", {})
    assert unanswered["work/employer"][2] == ["=", ["s", ""], ["s", "府中町"]]
    assert unanswered["work/big"][1] == [">", ["s", ""], ["n", 3.0]]


def test_what_the_script_cannot_follow_keeps_the_round_trip(form: Form) -> None:
    work = conditions(form, "work", {"intro": {"town": "府中町"}})
    assert "work/pattern" not in work  # regex() is not among the script's functions
    assert "work/quoted" not in work  # its label quotes an answer of this page
    assert "work/via_other" not in work  # ${total} is on another page but calculated from this one
    assert "work/by_path" not in work  # a path, not a ${name}
    # A question outside the repeat reading a field in it reads a node-set: not compiled.
    closing = conditions(form, "closing", {"members": [{"m_age": "30"}, {"m_age": "40"}]})
    assert closing == {}


def test_a_roster_row_reads_its_own_answers_and_its_number(form: Form) -> None:
    members = conditions(form, "members", {"members": [{"m_age": "30"}, {"m_age": "40"}]})
    assert members["members[1]/m_job"] == [
        "and",
        [">=", ["ref", "members[1]/m_age", "integer"], ["n", 15.0]],
        [">", ["n", 1.0], ["n", 1.0]],
    ]
    assert members["members[2]/m_job"][1][1] == ["ref", "members[2]/m_age", "integer"]
    assert members["members[2]/m_job"][2] == [">", ["n", 2.0], ["n", 1.0]]


# ------------------------------------------------------------------------------------------ the server


@pytest.fixture
def letter(town_a: Municipality) -> Letter:
    return open_survey(town_a, letters=1)[1][0]


@pytest.fixture
def respondent(letter: Letter) -> Client:
    client = Client()
    assert sign_in(client, letter.login_id, letter.access_key).status_code == 302
    return client


pytestmark = pytest.mark.usefixtures("fast_password_hashing")

REVEALED = re.compile(r'<div class="answer-reveal" data-relevant="([^"]*)" data-key="([^"]*)"( hidden)?>')


def revealable(html: str) -> dict[str, bool]:
    """Questions drawn with a condition: key -> drawn hidden."""
    return {match.group(2): bool(match.group(3)) for match in REVEALED.finditer(html)}


def test_the_members_page_draws_the_work_questions_hidden_with_their_conditions(respondent: Client) -> None:
    post_page(respondent, "/answer/q/household/", HOUSEHOLD)
    html = respondent.get("/answer/q/members/").content.decode()
    assert revealable(html) == {
        "members[1]/work_status": True,
        "members[1]/workplace": True,
        "members[2]/work_status": True,
        "members[2]/workplace": True,
    }
    # Hidden and disabled: a browser without the script posts nothing for them.
    block = html[html.index('data-key="members[1]/work_status"') :]
    block = block[: block.index("</fieldset>")]
    assert '<input type="hidden" name="shown" value="members[1]/work_status" disabled>' in block
    assert block.count(" disabled") == 1 + block.count('type="radio"')
    assert "members[1]/work_status" not in shown_keys(html)
    assert 'data-today="' in html
    assert 'src="/static/surveys/answer.js" defer' in html
    assert 'aria-live="polite"' in html
    # The household page: tenure and floor area are shown now, and can be hidden again (a facility).
    household = respondent.get("/answer/q/household/").content.decode()
    assert revealable(household) == {"household/tenure": False, "household/floor_area": False}
    assert '<input type="hidden" name="shown" value="household/tenure">' in household


def test_the_members_page_is_accepted_in_one_post_with_the_revealed_questions(
    respondent: Client, letter: Letter
) -> None:
    post_page(respondent, "/answer/q/household/", HOUSEHOLD)
    html = respondent.get("/answer/q/members/").content.decode()
    # What the page's script posts once the head's birth year is typed and 勤めている is chosen.
    revealed = ["members[1]/work_status", "members[1]/workplace"]
    data = {
        "version": hidden(html, "version"),
        "digest": hidden(html, "digest"),
        "shown": [*shown_keys(html), *revealed],
        "action": "next",
        **MEMBERS,
        "members[1]/work_status": "employed",
        "members[1]/workplace": "府中精機",
    }
    response = respondent.post("/answer/q/members/", data)
    assert response.status_code == 302
    assert response["Location"] == "/answer/q/closing/"
    draft = Answer.objects.get(case__login_id=letter.login_id).data
    assert draft["members"][0]["workplace"] == "府中精機"


def test_a_wrong_reveal_changes_nothing_the_server_keeps(respondent: Client, letter: Letter) -> None:
    """A script that shows a question the server finds not relevant, or hides one it finds relevant: the server
    decides. The child's work status is not kept; the head's hidden question is asked again."""
    post_page(respondent, "/answer/q/household/", HOUSEHOLD)
    html = respondent.get("/answer/q/members/").content.decode()
    data = {
        "version": hidden(html, "version"),
        "digest": hidden(html, "digest"),
        "shown": [*shown_keys(html), "members[2]/work_status"],
        "action": "next",
        **MEMBERS,
        "members[2]/work_status": "employed",
    }
    response = respondent.post("/answer/q/members/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "回答に応じて質問が増えました" in page
    assert revealable(page)["members[1]/work_status"] is False  # shown now, by the server
    assert revealable(page)["members[2]/work_status"] is True
    follow = post_page(
        respondent, "/answer/q/members/", {**MEMBERS, "members[1]/work_status": "housework"}, page_html=page
    )
    assert follow["Location"] == "/answer/q/closing/"
    post_page(respondent, "/answer/q/closing/", {"closing/remarks": ""})
    review = respondent.get("/answer/review/").content.decode()
    assert respondent.post("/answer/review/", {"version": hidden(review, "version")}).status_code == 302
    record = Answer.objects.get(case__login_id=letter.login_id).submitted_data
    assert record is not None
    assert record["members"][0]["work_status"] == "housework"
    assert "work_status" not in record["members"][1]


def test_a_revealed_required_question_left_blank_is_reported_by_the_server(respondent: Client) -> None:
    post_page(respondent, "/answer/q/household/", HOUSEHOLD)
    html = respondent.get("/answer/q/members/").content.decode()
    data = {
        "version": hidden(html, "version"),
        "digest": hidden(html, "digest"),
        "shown": [*shown_keys(html), "members[1]/work_status"],
        "action": "next",
        **MEMBERS,
    }
    response = respondent.post("/answer/q/members/", data)
    assert response.status_code == 422
    assert "この項目は必須です" in response.content.decode()
