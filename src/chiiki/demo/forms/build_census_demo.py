"""Build ``census_demo.xlsx``: the demo municipality's census-like questionnaire, as an XLSForm.

Run ``python -m chiiki.demo.forms.build_census_demo`` (or this file) to regenerate the workbook next to
this script. The form has a household page, a member roster repeated once per household member
(name, relation to the head, sex, birth year and month, work status asked only from age 15) and a closing
page, with Japanese and English labels. The workbook is generated rather than edited by hand so that a
change shows up as a readable diff of this script.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["CHOICES", "SETTINGS", "SURVEY", "build"]

SURVEY_COLUMNS = [
    "type", "name", "label::ja", "label::en", "hint::ja", "hint::en", "required", "required_message::ja",
    "required_message::en", "relevant", "constraint", "constraint_message::ja", "constraint_message::en",
    "calculation", "repeat_count", "appearance", "default",
]  # fmt: skip

# Approximate age in whole years at today() from birth year and month (days since 1970-01-01).
_AGE = (
    "if(${birth_year} = '' or ${birth_month} = '', '', "
    "int((number(today()) - ((${birth_year} - 1970) * 365.25 + (${birth_month} - 1) * 30.44)) div 365.25))"
)

SURVEY: list[dict[str, str]] = [
    {"type": "begin group", "name": "household", "label::ja": "世帯について", "label::en": "Your household",
     "appearance": "field-list"},
    {"type": "integer", "name": "hh_size", "label::ja": "この世帯に住んでいる人は何人ですか",
     "label::en": "How many people live in this household?",
     "hint::ja": "ふだん住んでいる人をすべて数えてください", "hint::en": "Count everyone who usually lives here",
     "required": "yes", "constraint": ". >= 1 and . <= 30",
     "constraint_message::ja": "1 から 30 までの数を入力してください",
     "constraint_message::en": "Enter a number from 1 to 30"},
    {"type": "select_one dwelling", "name": "dwelling_type", "label::ja": "住まいの種類",
     "label::en": "Type of dwelling", "required": "yes"},
    {"type": "select_one tenure", "name": "tenure", "label::ja": "住宅の所有の関係",
     "label::en": "Tenure of the dwelling", "required": "yes", "relevant": "${dwelling_type} != 'facility'"},
    {"type": "decimal", "name": "floor_area", "label::ja": "住宅の延べ床面積 (m²)",
     "label::en": "Total floor area (m²)", "relevant": "${dwelling_type} != 'facility'",
     "constraint": ". > 0 and . < 2000", "constraint_message::ja": "0 より大きく 2000 未満の数を入力してください",
     "constraint_message::en": "Enter a number above 0 and below 2000"},
    {"type": "end group", "name": ""},
    {"type": "begin repeat", "name": "members", "label::ja": "世帯員", "label::en": "Household members",
     "repeat_count": "${hh_size}"},
    {"type": "text", "name": "member_name", "label::ja": "氏名", "label::en": "Name", "required": "yes",
     "required_message::ja": "氏名を入力してください", "required_message::en": "Enter the name"},
    {"type": "select_one relation", "name": "relation", "label::ja": "世帯主との続き柄",
     "label::en": "Relationship to the head of household", "required": "yes",
     "hint::ja": "1 人目には世帯主を記入してください", "hint::en": "The first person is the head of household",
     "constraint": "if(position(..) = 1, . = 'head', . != 'head')",
     "constraint_message::ja": "世帯主は 1 人目に 1 人だけ記入してください",
     "constraint_message::en": "Only the first person is the head of household"},
    {"type": "select_one sex", "name": "sex", "label::ja": "男女の別", "label::en": "Sex", "required": "yes"},
    {"type": "integer", "name": "birth_year", "label::ja": "出生の年 (西暦)", "label::en": "Year of birth",
     "required": "yes", "constraint": ". >= 1900 and (. - 1970) * 365.25 <= number(today())",
     "constraint_message::ja": "1900 年から今年までの西暦で入力してください",
     "constraint_message::en": "Enter a year from 1900 to this year"},
    {"type": "integer", "name": "birth_month", "label::ja": "出生の月", "label::en": "Month of birth",
     "required": "yes", "constraint": ". >= 1 and . <= 12",
     "constraint_message::ja": "1 から 12 までの数を入力してください",
     "constraint_message::en": "Enter a month from 1 to 12"},
    {"type": "calculate", "name": "age", "calculation": _AGE},
    {"type": "select_one work", "name": "work_status", "label::ja": "先週の仕事の状況",
     "label::en": "Work status last week", "required": "yes", "relevant": "${age} >= 15"},
    {"type": "text", "name": "workplace", "label::ja": "勤め先・業主などの名称",
     "label::en": "Name of employer or business", "relevant": "selected(${work_status}, 'employed')"},
    {"type": "end repeat", "name": ""},
    {"type": "begin group", "name": "closing", "label::ja": "確認", "label::en": "Review"},
    {"type": "calculate", "name": "n_members", "calculation": "count(${members})"},
    {"type": "calculate", "name": "n_workers",
     "calculation": "sum(${is_worker})"},
    {"type": "text", "name": "remarks", "label::ja": "その他、伝えたいことがあれば記入してください",
     "label::en": "Anything else you would like to tell us", "appearance": "multiline"},
    {"type": "end group", "name": ""},
]  # fmt: skip

# n_workers sums a per-member 0/1 flag, so the flag lives inside the roster, right after work_status.
SURVEY.insert(
    next(i for i, row in enumerate(SURVEY) if row["name"] == "workplace") + 1,
    {
        "type": "calculate",
        "name": "is_worker",
        "calculation": "if(selected(${work_status}, 'employed'), 1, 0)",
    },
)

CHOICES: list[tuple[str, str, str, str]] = [
    ("dwelling", "house", "一戸建", "Detached house"),
    ("dwelling", "apartment", "共同住宅 (アパート・マンション)", "Apartment"),
    (
        "dwelling",
        "facility",
        "施設 (寮・病院・老人ホームなど)",
        "Institution (dormitory, hospital, care home)",
    ),
    ("dwelling", "other", "その他", "Other"),
    ("tenure", "own", "持ち家", "Owned"),
    ("tenure", "rent_public", "公営の借家", "Public rented housing"),
    ("tenure", "rent_private", "民営の借家", "Private rented housing"),
    ("tenure", "company", "給与住宅 (社宅・公務員住宅など)", "Employer-provided housing"),
    ("tenure", "room", "間借り", "Rented room"),
    ("relation", "head", "世帯主", "Head of household"),
    ("relation", "spouse", "世帯主の配偶者", "Spouse of the head"),
    ("relation", "child", "子", "Child"),
    ("relation", "child_spouse", "子の配偶者", "Spouse of a child"),
    ("relation", "parent", "世帯主の父母", "Parent of the head"),
    ("relation", "parent_in_law", "配偶者の父母", "Parent of the spouse"),
    ("relation", "grandchild", "孫", "Grandchild"),
    ("relation", "sibling", "兄弟姉妹", "Sibling"),
    ("relation", "other_relative", "他の親族", "Other relative"),
    ("relation", "other", "その他", "Other"),
    ("sex", "male", "男", "Male"),
    ("sex", "female", "女", "Female"),
    ("work", "employed", "主に仕事をした", "Worked (mainly)"),
    ("work", "side_work", "家事などのほかに少し仕事をした", "Worked a little besides housework or school"),
    ("work", "absent", "仕事を休んでいた", "Had a job but was absent"),
    ("work", "seeking", "仕事を探していた", "Looking for work"),
    ("work", "housework", "家事", "Housework"),
    ("work", "student", "通学", "In school"),
    ("work", "other", "その他 (高齢など)", "Other (e.g. retired)"),
]

SETTINGS = {
    "form_title": "地域国勢調査 (デモ) / Community census (demo)",
    "form_id": "census_demo",
    "version": "2025100101",
    "default_language": "ja",
}


def build(path: Path) -> Path:
    """Write the workbook to ``path`` and return it."""
    from openpyxl import Workbook

    workbook = Workbook()
    survey = workbook.active
    assert survey is not None  # noqa: S101 - a new workbook always has one sheet
    survey.title = "survey"
    survey.append(SURVEY_COLUMNS)
    for row in SURVEY:
        survey.append([row.get(column, "") or None for column in SURVEY_COLUMNS])
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", "label::ja", "label::en"])
    for choice in CHOICES:
        choices.append(list(choice))
    settings = workbook.create_sheet("settings")
    settings.append(list(SETTINGS))
    settings.append(list(SETTINGS.values()))
    for sheet in (survey, choices, settings):
        for column in sheet.columns:
            letter = column[0].column_letter
            sheet.column_dimensions[letter].width = min(
                60, max(10, *(len(str(c.value or "")) for c in column))
            )
    workbook.properties.creator = "chiiki (build_census_demo.py)"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def main() -> None:
    """Regenerate census_demo.xlsx next to this script (or at the path given)."""
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("census_demo.xlsx")
    build(target)
    sys.stdout.write(f"wrote {target}\n")


if __name__ == "__main__":
    main()
