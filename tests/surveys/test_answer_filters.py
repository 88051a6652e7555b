"""Cascading choices (choice_filter) and ``${field}`` in labels on the answering pages, without JavaScript.

The form (WORKPLACES_FORM in answering_setup) has a page with a prefecture and a city filtered by it (same
page), and a roster whose members each name a workplace prefecture and a city filtered by that member's own
answer, with labels that quote the member's name and the household's prefecture.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from chiiki.core.models import Municipality, Role, User
from chiiki.fieldwork.models import FollowUpArea, FollowUpAssignment
from chiiki.surveys.answering.pages import build_page, page_title
from chiiki.surveys.models import Answer, Survey, SurveyCase
from chiiki.surveys.xlsform import check_form, evaluate_answers, load_form

from .answering_setup import (  # noqa: F401 - fast_password_hashing is a fixture
    WORKPLACES_FORM,
    Letter,
    fast_password_hashing,
    hidden,
    open_survey,
    post_page,
    shown_keys,
    sign_in,
    workplaces_definition,
)

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

HOME = "/answer/q/home/"
MEMBERS = "/answer/q/members/"
CLOSING = "/answer/q/closing/"


@pytest.fixture
def survey_and_keys(town_a: Municipality) -> tuple[Survey, list[Letter]]:
    return open_survey(town_a, form=workplaces_definition())


@pytest.fixture
def respondent(survey_and_keys: tuple[Survey, list[Letter]]) -> Client:
    letter = survey_and_keys[1][0]
    client = Client()
    assert sign_in(client, letter.login_id, letter.access_key).status_code == 302
    return client


def options(html: str, key: str) -> list[str]:
    """The values of the radio buttons of field `key`."""
    return re.findall(rf'name="{re.escape(key)}" value="([^"]*)"', html)


def field_error(html: str, key: str) -> str:
    """The text of the error paragraph next to field `key` ("" when none)."""
    field = "f-" + key.replace("[", "-").replace("]", "").replace("/", "--")
    match = re.search(rf'id="{re.escape(field)}-error">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


# ------------------------------------------------------------------------------------------ runtime


def test_the_runtime_lists_allowed_choices_and_tells_a_stale_choice_from_a_wrong_one() -> None:
    form = load_form(WORKPLACES_FORM.encode(), filename="workplaces.md", cross_check=False)
    answers = {"home": {"hh_size": "1", "pref": "tokyo", "city": "sakai"}}
    state = evaluate_answers(form, answers).fields["home/city"]
    assert state.choices == ["shinjuku", "hachioji"]
    assert state.errors == ["選択肢が変わりました。もう一度選んでください"]
    answers["home"]["city"] = "atlantis"
    assert evaluate_answers(form, answers).fields["home/city"].errors == ["選択肢の中から選んでください"]
    answers["home"]["city"] = "hachioji"
    assert evaluate_answers(form, answers).fields["home/city"].errors == []


def test_the_runtime_fills_labels_per_roster_member_with_choice_labels_in_the_language() -> None:
    form = load_form(WORKPLACES_FORM.encode(), filename="workplaces.md", cross_check=False)
    answers = {
        "home": {"hh_size": "2", "pref": "osaka"},
        "members": [
            {"member_name": "山田", "work_city": "sakai"},
            {"member_name": "佐藤", "birth_year": "1800"},
        ],
    }
    evaluation = evaluate_answers(form, answers)
    assert evaluation.fields["members[1]/birth_year"].texts == {
        "label": "山田さんの生まれ年",
        "hint": "大阪府にお住まいの方",
    }
    assert evaluation.fields["members[2]/birth_year"].texts["label"] == "佐藤さんの生まれ年"
    assert evaluation.fields["members[2]/birth_year"].errors == ["佐藤さんの生まれ年を確かめてください"]
    assert evaluation.fields["members[1]/thanks"].texts["label"] == "山田さん(堺市にお勤め)の回答は以上です"
    # Unanswered fields give an empty string, and English pages get the English choice label.
    assert evaluation.fields["closing/summary"].texts["label"] == "住所: 大阪府 "
    english = evaluate_answers(form, answers, language="en")
    assert english.fields["members[1]/work_pref"].texts["label"] == "Workplace prefecture of 山田"
    assert english.fields["closing/summary"].texts["label"] == "Address: Osaka "


# ------------------------------------------------------------------------------------------ pages


def test_choices_filtered_by_an_earlier_answer_on_the_same_page_follow_after_saving(
    respondent: Client,
) -> None:
    first = respondent.get(HOME).content.decode()
    # Nothing chosen yet: no city fits, and the page says so instead of showing an empty radio group.
    assert options(first, "home/city") == []
    assert "今の回答では、この質問に選べる選択肢がありません" in first
    assert "home/city" in shown_keys(first)
    # Choosing the prefecture (city is optional) does not move on: the page comes back with its cities.
    again = post_page(respondent, HOME, {"home/hh_size": "1", "home/pref": "tokyo"}, page_html=first)
    html = again.content.decode()
    assert again.status_code == 200
    assert "回答に応じて選択肢が変わりました" in html
    assert options(html, "home/city") == ["shinjuku", "hachioji"]
    assert "堺市" not in html
    assert "東京都の市区町村を選んでください" in html  # the hint quotes the chosen prefecture's label
    done = post_page(
        respondent, HOME, {"home/hh_size": "1", "home/pref": "tokyo", "home/city": "hachioji"}, page_html=html
    )
    assert done["Location"] == MEMBERS


def test_a_choice_made_stale_by_a_change_on_the_same_page_gives_a_clear_error(
    respondent: Client, survey_and_keys: tuple[Survey, list[Letter]]
) -> None:
    assert post_page(respondent, HOME, {"home/hh_size": "1", "home/pref": "osaka"}).status_code == 200
    saved = post_page(respondent, HOME, {"home/hh_size": "1", "home/pref": "osaka", "home/city": "sakai"})
    assert saved["Location"] == MEMBERS
    page = respondent.get(HOME).content.decode()
    assert options(page, "home/city") == ["sakai", "suita"]
    # The respondent switches to Tokyo while 堺市 is still ticked (no JavaScript redraws the cities).
    changed = post_page(
        respondent, HOME, {"home/hh_size": "1", "home/pref": "tokyo", "home/city": "sakai"}, page_html=page
    )
    html = changed.content.decode()
    assert changed.status_code == 422
    assert field_error(html, "home/city") == "エラー: 選択肢が変わりました。もう一度選んでください"
    assert options(html, "home/city") == ["shinjuku", "hachioji"]
    assert "checked" not in re.search(r'id="f-home--city-1".*?>', html).group(0)  # type: ignore[union-attr]
    # The stored answer is kept (not dropped silently) until the respondent chooses again.
    answer = Answer.objects.get(
        case__survey=survey_and_keys[0], case__login_id=survey_and_keys[1][0].login_id
    )
    assert answer.data["home"] == {"hh_size": "1", "pref": "tokyo", "city": "sakai"}
    fixed = post_page(
        respondent, HOME, {"home/hh_size": "1", "home/pref": "tokyo", "home/city": "shinjuku"}, page_html=html
    )
    assert fixed["Location"] == MEMBERS


def test_a_choice_made_stale_on_an_earlier_page_shows_its_error_when_the_page_is_opened(
    respondent: Client,
) -> None:
    post_page(respondent, HOME, {"home/hh_size": "1", "home/pref": "osaka"})
    post_page(respondent, HOME, {"home/hh_size": "1", "home/pref": "osaka", "home/city": "sakai"})
    post_page(respondent, HOME, {"home/hh_size": "1", "home/pref": "tottori", "home/city": "sakai"})
    # Tottori has no city in the list: the page says so, and the old answer's message is shown with it.
    page = respondent.get(HOME).content.decode()
    assert options(page, "home/city") == []
    assert "選べる選択肢がありません" in page
    assert field_error(page, "home/city") == "エラー: 選択肢が変わりました。もう一度選んでください"
    review = respondent.get("/answer/review/").content.decode()
    assert "選択肢が変わりました。もう一度選んでください" in review


def test_roster_members_get_cities_of_their_own_prefecture_and_labels_with_their_name(
    respondent: Client,
) -> None:
    post_page(respondent, HOME, {"home/hh_size": "2", "home/pref": "osaka"})
    assert (
        post_page(respondent, HOME, {"home/hh_size": "2", "home/pref": "osaka", "home/city": "suita"})[
            "Location"
        ]
        == MEMBERS
    )
    first = post_page(
        respondent,
        MEMBERS,
        {
            "members[1]/member_name": "山田 太郎",
            "members[1]/work_pref": "tokyo",
            "members[2]/member_name": "<script>alert(1)</script>",
            "members[2]/work_pref": "osaka",
        },
    )
    html = first.content.decode()
    assert options(html, "members[1]/work_city") == ["shinjuku", "hachioji"]
    assert options(html, "members[2]/work_city") == ["sakai", "suita"]
    assert "山田 太郎さんの勤め先の市区町村" in html
    assert "山田 太郎さんの生まれ年" in html
    assert "大阪府にお住まいの方" in html
    # A hostile answer quoted in a label is text, never markup.
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;さんの生まれ年" in html
    # A choice from the other member's list is refused with the stale-choice message.
    values = {
        "members[1]/member_name": "山田 太郎",
        "members[1]/work_pref": "tokyo",
        "members[1]/work_city": "sakai",
        "members[1]/birth_year": "1970",
        "members[2]/member_name": "<script>alert(1)</script>",
        "members[2]/work_pref": "osaka",
        "members[2]/work_city": "sakai",
        "members[2]/birth_year": "1850",
    }
    wrong = post_page(respondent, MEMBERS, values, page_html=html)
    page = wrong.content.decode()
    assert wrong.status_code == 422
    assert "選択肢が変わりました" in field_error(page, "members[1]/work_city")
    assert field_error(page, "members[2]/work_city") == ""
    assert "&lt;script&gt;alert(1)&lt;/script&gt;さんの生まれ年を確かめてください" in page
    assert "<script>" not in page
    values.update({"members[1]/work_city": "shinjuku", "members[2]/birth_year": "1990"})
    assert post_page(respondent, MEMBERS, values, page_html=page)["Location"] == CLOSING
    closing = respondent.get(CLOSING).content.decode()
    assert "住所: 大阪府 吹田市" in closing
    review = respondent.get("/answer/review/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;さんの勤め先の市区町村" in review
    assert "<script>alert" not in review
    submitted = respondent.post("/answer/review/", {"version": hidden(review, "version")})
    assert submitted["Location"] == "/answer/receipt/"


def test_the_supporter_pages_filter_and_fill_in_the_same_way(
    survey_and_keys: tuple[Survey, list[Letter]],
    make_staff: Any,
    login: Any,
) -> None:
    survey, letters = survey_and_keys
    helper: User = make_staff("helper", survey.municipality, Role.HELPDESK)
    client: Client = login(helper)
    code = survey.municipality.code
    opened = client.post(f"/staff/m/{code}/surveys/assist/", {"login_id": letters[0].login_id})
    base = opened["Location"]
    home = f"{base}q/home/"
    post_page(client, home, {"home/hh_size": "1", "home/pref": "osaka"})
    page = client.get(home).content.decode()
    assert options(page, "home/city") == ["sakai", "suita"]
    assert "大阪府の市区町村を選んでください" in page


def test_group_labels_and_page_titles_are_filled_in_too() -> None:
    source = """
| survey |
| | type | name | label::ja | repeat_count |
| | begin group | head | 世帯主 | |
| | text | head_name | 世帯主の氏名 | |
| | end group | | | |
| | begin group | about | ${head_name}さんの世帯 | |
| | integer | n | 人数 | |
| | end group | | | |
| | begin repeat | people | 世帯員 | ${n} |
| | text | nickname | 呼び名 | |
| | begin group | job | ${nickname}さんの仕事 | |
| | text | employer | 勤め先 | |
| | end group | | | |
| | end repeat | | | |
"""
    form = load_form(source.encode(), filename="groups.md", cross_check=False)
    evaluation = evaluate_answers(
        form, {"head": {"head_name": "山田"}, "about": {"n": "2"}, "people": [{"nickname": "たろう"}, {}]}
    )
    assert evaluation.section_texts["about"] == {"label": "山田さんの世帯"}
    assert evaluation.section_texts["people[1]/job"] == {"label": "たろうさんの仕事"}
    assert evaluation.section_texts["people[2]/job"] == {"label": "さんの仕事"}
    pages = {page.name: page for page in form.pages()}
    assert page_title(form, pages["about"], "ja", evaluation) == "山田さんの世帯"
    view = build_page(form, pages["people"], evaluation, "ja")
    [roster] = view.items
    assert [instance.children[1].label for instance in roster.instances] == ["たろうさんの仕事", "さんの仕事"]


def test_a_label_naming_no_question_is_reported_when_the_form_is_checked() -> None:
    source = """
| survey |
| | type | name | label::ja | hint::ja |
| | text | member_name | 氏名 | |
| | integer | age | ${member_nam}さんの年齢 | ${member_name}さんについて |
"""
    result = check_form(source.encode(), filename="typo.md", cross_check=False)
    [problem] = result.errors  # the hint's ${member_name} is fine
    assert problem.subject == "${member_nam}さんの年齢"
    assert "no question named 'member_nam' in label" in problem.message


def test_the_enumerator_pages_show_the_same_stale_choice_message(
    survey_and_keys: tuple[Survey, list[Letter]],
    make_staff: Any,
    login: Any,
) -> None:
    survey, letters = survey_and_keys
    town = survey.municipality
    enumerator: User = make_staff("enum", town, Role.ENUMERATOR)
    area = FollowUpArea.objects.create(municipality=town, survey=survey, number=1, enumerator=enumerator)
    case = SurveyCase.objects.get(login_id=letters[0].login_id)
    FollowUpAssignment.objects.create(municipality=town, area=area, case=case)
    tablet: Client = login(enumerator)
    home = f"/staff/m/{town.code}/surveys/enumerate/{case.pk}/q/home/"
    post_page(tablet, home, {"home/hh_size": "1", "home/pref": "osaka"})
    post_page(tablet, home, {"home/hh_size": "1", "home/pref": "osaka", "home/city": "suita"})
    changed = post_page(tablet, home, {"home/hh_size": "1", "home/pref": "tokyo", "home/city": "suita"})
    html = changed.content.decode()
    assert changed.status_code == 422
    assert options(html, "home/city") == ["shinjuku", "hachioji"]
    assert field_error(html, "home/city") == "エラー: 選択肢が変わりました。もう一度選んでください"
