"""Answer exports: one file per repeat level, CSV/Parquet/Stata/SPSS, codebook, bounded memory at 100,000 households."""

from __future__ import annotations

import csv
import tracemalloc
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiiki.core.acting import Actor
from chiiki.demo.survey_answers import generate_answers
from chiiki.surveys.export import FORMATS, ExportError, ExportPlan, MetaColumn, export_answers
from chiiki.surveys.xlsform import Choice, ChoiceList, Field, Form, Section


def choices(name: str, *items: tuple[str, str, str]) -> ChoiceList:
    return ChoiceList(name, [Choice(code, {"ja": ja, "en": en}) for code, ja, en in items])


def make_form() -> Form:
    """A small household form: a group, a roster with a nested repeat, coded and multiple choices, dates."""
    return Form(
        title="テスト調査",
        form_id="test",
        version="1",
        default_language="ja",
        languages=["ja", "en"],
        children=[
            Section(
                "group",
                "hh",
                children=[
                    Field("integer", "size", label={"ja": "世帯人数", "en": "Household size"}),
                    Field("select_one", "tenure", label={"ja": "住宅", "en": "Tenure"}, choice_list="tenure"),
                    Field(
                        "select_multiple", "income", label={"ja": "収入", "en": "Income"}, choice_list="inc"
                    ),
                    Field("date", "moved_on", label={"ja": "転入日", "en": "Moved in"}),
                    Field("note", "thanks", label={"ja": "ありがとう"}),
                ],
            ),
            Section(
                "repeat",
                "members",
                label={"ja": "世帯員"},
                children=[
                    Field("text", "name", label={"ja": "氏名", "en": "Name"}),
                    Field("integer", "age", label={"ja": "年齢", "en": "Age"}),
                    Section(
                        "repeat",
                        "jobs",
                        children=[
                            Field("text", "employer", label={"ja": "勤め先"}),
                            Field("decimal", "hours", label={"ja": "時間"}),
                        ],
                    ),
                ],
            ),
            Field("text", "remarks", label={"ja": "備考"}),
        ],
        choice_lists={
            "tenure": choices("tenure", ("1", "持ち家", "Owned"), ("2", "借家", "Rented")),
            "inc": choices(
                "inc", ("wage", "給与", "Wages"), ("pension", "年金", "Pension"), ("other", "その他", "")
            ),
        },
    )


ANSWERS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "H1",
        {
            "hh": {"size": 2, "tenure": "1", "income": "wage pension", "moved_on": "2020-04-01"},
            "members": [
                {"name": "山田 太郎", "age": 50, "jobs": [{"employer": "市役所", "hours": 38.5}]},
                {
                    "name": "山田 花子",
                    "age": "48",
                    "jobs": [{"employer": "商店", "hours": 20}, {"employer": "塾"}],
                },
            ],
            "remarks": "特になし",
        },
        {"mode": "web"},
    ),
    ("H2", {"hh": {"size": "abc", "tenure": "2"}, "members": [{"name": "佐藤, 一郎"}]}, {"mode": "assisted"}),
    ("H3", {}, {}),
]
META = [MetaColumn("mode", "string", "回答方法", "Answer mode")]


@pytest.fixture
def plan() -> ExportPlan:
    return ExportPlan.from_form(make_form(), META)


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 BOM"
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def test_the_plan_has_one_table_per_repeat_level_with_join_keys(plan: ExportPlan) -> None:
    assert [table.name for table in plan.tables] == ["households", "members", "jobs"]
    households, members, jobs = plan.tables
    assert [c.name for c in households.columns][:2] == ["household_key", "mode"]
    assert "thanks" not in [c.name for c in households.columns]  # notes hold no answer
    assert [c.name for c in members.key_columns] == ["household_key", "members_index"]
    assert [c.name for c in jobs.key_columns] == ["household_key", "members_index", "jobs_index"]


def test_select_multiple_becomes_the_raw_codes_plus_a_0_1_column_per_choice(plan: ExportPlan) -> None:
    columns = {c.name: c for c in plan.table("households").columns}
    assert columns["income"].kind == "string"
    assert [columns[f"income_{code}"].kind for code in ("wage", "pension", "other")] == ["dummy"] * 3
    assert columns["income_wage"].label["ja"] == "収入: 給与"
    assert columns["tenure"].kind == "coded"  # all choice names are integers


def test_csv_files_have_a_bom_and_join_on_the_household_key(plan: ExportPlan, tmp_path: Path) -> None:
    result = export_answers(plan, ANSWERS, tmp_path, ["csv"])
    assert result.households == 3
    assert result.rows == {"households": 3, "members": 3, "jobs": 3}
    households = read_csv(tmp_path / "households.csv")
    assert households[0]["income"] == "wage pension"
    assert (households[0]["income_wage"], households[0]["income_pension"], households[0]["income_other"]) == (
        "1",
        "1",
        "0",
    )
    assert households[1]["income_wage"] == ""  # unanswered: missing, not 0
    assert households[1]["size"] == ""  # a value that is not a number is missing, never a crash
    assert households[0]["mode"] == "web"
    assert households[0]["moved_on"] == "2020-04-01"
    members = read_csv(tmp_path / "members.csv")
    assert [(m["household_key"], m["members_index"], m["age"]) for m in members] == [
        ("H1", "1", "50"),
        ("H1", "2", "48"),
        ("H2", "1", ""),
    ]
    assert members[2]["name"] == "佐藤, 一郎"
    jobs = read_csv(tmp_path / "jobs.csv")
    assert [(j["household_key"], j["members_index"], j["jobs_index"], j["employer"]) for j in jobs] == [
        ("H1", "1", "1", "市役所"),
        ("H1", "2", "1", "商店"),
        ("H1", "2", "2", "塾"),
    ]


def test_parquet_keeps_the_types(plan: ExportPlan, tmp_path: Path) -> None:
    export_answers(plan, ANSWERS, tmp_path, ["parquet"], chunk_size=1)
    households = pq.read_table(tmp_path / "households.parquet")
    assert households.schema.field("size").type == pa.int64()
    assert households.schema.field("moved_on").type == pa.date32()
    assert households.schema.field("income_wage").type == pa.int8()
    assert households.num_rows == 3
    jobs = pq.read_table(tmp_path / "jobs.parquet")
    assert jobs.column("hours").to_pylist() == [38.5, 20.0, None]


def test_stata_files_carry_labels_and_value_labels(plan: ExportPlan, tmp_path: Path) -> None:
    export_answers(plan, ANSWERS, tmp_path, ["stata"])
    frame, meta = pyreadstat.read_dta(str(tmp_path / "households.dta"))
    assert list(frame["household_key"]) == ["H1", "H2", "H3"]
    assert meta.column_names_to_labels["size"] == "世帯人数"
    assert meta.variable_value_labels["tenure"] == {1: "持ち家", 2: "借家"}
    assert list(frame["tenure"][:2]) == [1, 2]
    members, _ = pyreadstat.read_dta(str(tmp_path / "members.dta"))
    assert list(members["name"]) == ["山田 太郎", "山田 花子", "佐藤, 一郎"]
    assert not list(tmp_path.glob(".spool-*")), "the temporary spool is removed"


def test_stata_files_keep_dates_times_missing_values_and_cut_overlong_text(tmp_path: Path) -> None:
    from datetime import date, datetime, timedelta, timezone

    form = make_form()
    plan = ExportPlan.from_form(form, [MetaColumn("submitted_at", "datetime", "送信日時")])
    long_text = "あ" * 1000  # 3,000 bytes: more than Stata's str2045
    submitted = datetime(2025, 10, 3, 9, 30, tzinfo=timezone(timedelta(hours=9)))  # callers pass local time
    records = [
        ("H1", {**ANSWERS[0][1], "remarks": long_text}, {"submitted_at": submitted}),
        ("H2", {"hh": {"moved_on": "not a date"}, "members": [{"jobs": [{"hours": float("nan")}]}]}, {}),
    ]
    result = export_answers(plan, records, tmp_path, ["stata"], chunk_size=1)
    # Never cut without a word: the export says which columns the .dta files hold only in part.
    assert result.cut_in_stata == [("households", "remarks", 3000)]
    note = (tmp_path / "stata_cut_text.txt").read_text(encoding="utf-8")
    assert "全文は CSV と Parquet にあります" in note
    assert "households\tremarks\t3000" in note
    assert tmp_path / "stata_cut_text.txt" in result.files
    frame, meta = pyreadstat.read_dta(str(tmp_path / "households.dta"))
    assert frame["moved_on"][0] == date(2020, 4, 1)
    assert frame["moved_on"].isna()[1]
    assert frame["submitted_at"][0] == submitted.replace(tzinfo=None)
    assert frame["size"].isna()[1]
    remarks = frame["remarks"][0]
    assert long_text.startswith(remarks)
    assert 0 < len(remarks.encode()) <= 2045
    assert meta.number_rows == 2
    jobs, _ = pyreadstat.read_dta(str(tmp_path / "jobs.dta"))
    assert jobs["hours"].isna().tolist() == [False, False, True, True]  # 38.5, 20, no hours, NaN


def test_spss_files_carry_labels_and_value_labels(plan: ExportPlan, tmp_path: Path) -> None:
    export_answers(plan, ANSWERS, tmp_path, ["spss"], language="en")
    frame, meta = pyreadstat.read_sav(str(tmp_path / "households.sav"))
    assert meta.column_names_to_labels["size"] == "Household size"
    assert meta.variable_value_labels["tenure"] == {1.0: "Owned", 2.0: "Rented"}
    assert list(frame["income_pension"][:2].fillna(-1)) == [1, -1]
    jobs, _ = pyreadstat.read_sav(str(tmp_path / "jobs.sav"))
    assert list(jobs["jobs_index"]) == [1, 1, 2]


def test_spss_files_keep_dates_times_long_names_and_very_long_strings(tmp_path: Path) -> None:
    from datetime import date, datetime, timedelta, timezone

    form = make_form()
    form.children.append(Field("text", "household_remarks_first", label={"ja": "備考1"}))
    form.children.append(Field("text", "household_remarks_second", label={"ja": "備考2"}))
    plan = ExportPlan.from_form(form, [MetaColumn("submitted_at", "datetime", "送信日時")])
    very_long = "長い回答です。" * 150  # 3,150 bytes: SPSS stores it in 255-byte segments
    submitted = datetime(2025, 10, 3, 9, 30, 15, tzinfo=timezone(timedelta(hours=9)))
    records = [
        (
            "H1",
            {**ANSWERS[0][1], "household_remarks_first": very_long, "household_remarks_second": "短い"},
            {"submitted_at": submitted},
        ),
        ("H2", {"household_remarks_first": "x"}, {}),
    ]
    export_answers(plan, records, tmp_path, ["spss"], chunk_size=1)
    frame, meta = pyreadstat.read_sav(str(tmp_path / "households.sav"))
    assert list(frame.columns) == [column.name for column in plan.table("households").columns]
    assert frame["household_remarks_first"][0] == very_long
    assert frame["household_remarks_first"][1] == "x"
    assert frame["household_remarks_second"][0] == "短い"
    assert frame["moved_on"][0] == date(2020, 4, 1)
    assert frame["submitted_at"][0] == submitted.replace(tzinfo=None)
    assert meta.number_rows == 2
    assert meta.column_names_to_labels["household_remarks_second"] == "備考2"


def test_the_codebook_lists_every_variable_with_both_languages_and_choices(
    plan: ExportPlan, tmp_path: Path
) -> None:
    export_answers(plan, ANSWERS, tmp_path, ["csv"])
    rows = read_csv(tmp_path / "codebook.csv")
    variables = [(row["file"], row["variable"]) for row in rows]
    assert variables == [(table.name, column.name) for table in plan.tables for column in table.columns]
    size = next(row for row in rows if row["variable"] == "size")
    assert (size["label_ja"], size["label_en"], size["type"]) == ("世帯人数", "Household size", "integer")
    tenure = next(row for row in rows if row["variable"] == "tenure")
    assert tenure["choices"] == "1=持ち家 / Owned | 2=借家 / Rented"
    dummy = next(row for row in rows if row["variable"] == "income_pension")
    assert (dummy["question"], dummy["choice"]) == ("income", "pension")


def test_all_formats_at_once_write_every_table(plan: ExportPlan, tmp_path: Path) -> None:
    result = export_answers(plan, ANSWERS, tmp_path, FORMATS)
    names = sorted(path.name for path in result.files)
    expected = {
        f"{t}{ext}" for t in ("households", "members", "jobs") for ext in (".csv", ".parquet", ".dta", ".sav")
    }
    assert set(names) == expected | {"codebook.csv"}


def test_an_empty_export_still_writes_headers(plan: ExportPlan, tmp_path: Path) -> None:
    result = export_answers(plan, [], tmp_path, ["csv", "stata"])
    assert result.households == 0
    assert read_csv(tmp_path / "jobs.csv") == []
    assert (tmp_path / "jobs.csv").read_text(encoding="utf-8-sig").startswith('"household_key"')


def test_an_unknown_format_is_refused(plan: ExportPlan, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="形式"):
        export_answers(plan, ANSWERS, tmp_path, ["xlsx"])  # type: ignore[list-item]


def test_variable_names_are_safe_and_unique_for_stata() -> None:
    form = make_form()
    form.children.append(Field("text", "size", label={"ja": "重複"}))  # same name as hh/size, as a stray
    form.children.append(Field("text", "3-a.b" + "x" * 40))
    names = [c.name for c in ExportPlan.from_form(form).table("households").columns]
    assert len({name.lower() for name in names}) == len(names)
    assert all(
        len(name) <= 32 and name.replace("_", "a").isalnum() and not name[0].isdigit() for name in names
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(min_value=0, max_value=3), max_size=4), max_size=6))
def test_each_repeat_row_appears_once_in_its_level(jobs_per_member: list[list[int]]) -> None:
    import tempfile

    records = [
        (
            f"H{number}",
            {
                "members": [
                    {"age": i, "jobs": [{"hours": j} for j in range(count)]} for i, count in enumerate(jobs)
                ]
            },
        )
        for number, jobs in enumerate(jobs_per_member)
    ]
    with tempfile.TemporaryDirectory() as folder:
        result = export_answers(
            ExportPlan.from_form(make_form()), records, Path(folder), ["parquet"], chunk_size=2
        )
        jobs_table = pq.read_table(Path(folder) / "jobs.parquet")
    assert result.rows["members"] == sum(len(jobs) for jobs in jobs_per_member)
    assert result.rows["jobs"] == sum(sum(jobs) for jobs in jobs_per_member)
    keys = list(
        zip(
            jobs_table.column("household_key").to_pylist(),
            jobs_table.column("members_index").to_pylist(),
            jobs_table.column("jobs_index").to_pylist(),
            strict=True,
        )
    )
    assert len(set(keys)) == len(keys)


def test_generated_answers_follow_the_form_and_are_reproducible() -> None:
    form = make_form()
    first = list(generate_answers(form, 5, seed=3))
    assert first == list(generate_answers(form, 5, seed=3))
    assert all(isinstance(data.get("members", []), list) for _, data in first)


@pytest.mark.slow
def test_exporting_100000_households_in_every_format_stays_under_500_mb(tmp_path: Path) -> None:
    """Peak Python memory (tracemalloc: Python objects and NumPy arrays; Arrow's own buffers are not traced)
    of a 100,000-household export streamed to CSV, Parquet, Stata and SPSS at once. bench/survey_export.py
    measures peak resident memory (everything) of each format at the same size."""
    form = make_form()
    plan = ExportPlan.from_form(form, META)
    # A pool of made-up households reused under fresh keys: the input stays lazy and cheap to make, so the
    # measurement is the exporter's.
    pool = [data for _, data in generate_answers(form, 1_000, max_repeat=4)]
    records = ((f"H{number:06d}", pool[number % 1_000], {"mode": "web"}) for number in range(100_000))
    tracemalloc.start()
    try:
        result = export_answers(plan, records, tmp_path, FORMATS, chunk_size=2_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.households == 100_000
    assert result.rows["members"] > 200_000
    assert pq.read_metadata(tmp_path / "members.parquet").num_rows == result.rows["members"]
    _, stata = pyreadstat.read_dta(str(tmp_path / "members.dta"), metadataonly=True)
    assert stata.number_rows == result.rows["members"]
    _, spss = pyreadstat.read_sav(str(tmp_path / "jobs.sav"), metadataonly=True)
    assert spss.number_rows == result.rows["jobs"]
    assert peak < 500 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    assert peak < 100 * 1024 * 1024, f"streaming should need far less than the limit: {peak / 1e6:.0f} MB"


# ---------------------------------------------------------------------------------------------- database side


@pytest.fixture
def answered_survey(town_a: Any) -> Any:
    """The demo census with two submitted answers and one draft."""
    from datetime import UTC, date, datetime

    from django.utils import timezone

    from chiiki.surveys import actions
    from chiiki.surveys.models import Answer

    form_path = Path(__file__).resolve().parents[2] / "src/chiiki/demo/forms/census_demo.xlsx"
    version = actions.import_questionnaire(
        town_a, form_path.read_bytes(), filename="census.xlsx", by=Actor.system("test")
    )
    survey = actions.create_survey(
        town_a,
        questionnaire_version=version,
        title="令和7年 府中町生活実態調査",
        reference_date=date(2025, 10, 1),
        opens_at=datetime(2025, 9, 20, tzinfo=UTC),
        closes_at=datetime(2025, 10, 20, tzinfo=UTC),
        by=Actor.system("test"),
    )
    actions.draw_sample(survey, by=Actor.system("test"))
    cases = list(survey.cases.order_by("id")[:3])
    answers = [
        {
            "household": {"hh_size": 2, "dwelling_type": "house"},
            "members": [{"member_name": "甲"}, {"member_name": "乙"}],
        },
        {"household": {"hh_size": 1, "dwelling_type": "apartment"}, "members": [{"member_name": "丙"}]},
    ]
    for number, (case, data) in enumerate(zip(cases, answers, strict=False), start=1):
        Answer.objects.create(
            case=case,
            data=data,
            submitted_data=data,
            submitted_at=timezone.now(),
            submitted_version=1,
            receipt_number=f"R{number:011d}",
            submissions=1,
        )
    Answer.objects.create(case=cases[2], data={"household": {"hh_size": 9}})  # a draft: not exported
    return survey


def test_the_command_exports_only_submitted_answers_with_their_metadata(
    answered_survey: Any, tmp_path: Path
) -> None:
    import io

    from django.core.management import call_command

    from chiiki.core.models import AuditEvent

    out = tmp_path / "export"
    stdout = io.StringIO()
    call_command("survey_export", survey=str(answered_survey.pk), format="csv,stata", out=out, stdout=stdout)
    assert "回答 2 世帯" in stdout.getvalue()
    households = read_csv(out / "households.csv")
    assert [row["hh_size"] for row in households] == ["2", "1"]
    assert {row["mode"] for row in households} == {"web"}
    assert {float(row["weight"]) for row in households} == {1.0}
    assert all(row["submitted_at"].startswith("20") for row in households)
    members = read_csv(out / "members.csv")
    assert [(m["household_key"], m["member_name"]) for m in members] == [
        (households[0]["household_key"], "甲"),
        (households[0]["household_key"], "乙"),
        (households[1]["household_key"], "丙"),
    ]
    assert (out / "members.dta").exists()
    assert AuditEvent.objects.filter(
        action="surveys.answers_export", object_id=str(answered_survey.pk)
    ).exists()


def test_the_command_refuses_bad_input_with_a_clear_message(answered_survey: Any, tmp_path: Path) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="形式"):
        call_command("survey_export", survey=str(answered_survey.pk), format="xlsx", out=tmp_path / "a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "old.csv").write_text("x")
    with pytest.raises(CommandError, match="空のフォルダ"):
        call_command("survey_export", survey=str(answered_survey.pk), format="csv", out=tmp_path / "b")
    with pytest.raises(CommandError, match="見つかりません"):
        call_command("survey_export", survey="99999", format="csv", out=tmp_path / "c")


def test_the_export_task_writes_a_zip_into_storage(
    answered_survey: Any, settings: Any, tmp_path: Path
) -> None:
    import zipfile

    from django.core.files.storage import default_storage

    from chiiki.surveys.models import SurveyExport
    from chiiki.surveys.tasks import export_answers as export_task

    export = SurveyExport.objects.create(survey=answered_survey, fmt="parquet")
    assert export_task.call(export.pk) == "done"
    export.refresh_from_db()
    name = export.file_name
    assert name.endswith(".zip")
    assert export.households == 2
    with default_storage.open(name, "rb") as handle, zipfile.ZipFile(handle) as bundle:
        assert sorted(bundle.namelist()) == ["codebook.csv", "households.parquet", "members.parquet"]


def test_an_export_request_is_queued_on_commit_and_needs_the_manager_role(
    answered_survey: Any, settings: Any, make_staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    from chiiki.core.models import Role
    from chiiki.surveys.actions import request_export

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    helper = make_staff("helper", answered_survey.municipality, Role.HELPDESK)
    with pytest.raises(PermissionDenied):
        request_export(answered_survey, "csv", by=Actor.for_user(helper))
    manager = make_staff("manager", answered_survey.municipality, Role.SURVEY_MANAGER)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request_export(answered_survey, "all", by=Actor.for_user(manager))
    assert len(callbacks) == 1
    with pytest.raises(ExportError):
        request_export(answered_survey, "xlsx", by=Actor.for_user(manager))


def test_an_export_runs_as_the_manager_who_asked_and_fails_plainly_once_they_lost_the_role(
    answered_survey: Any, settings: Any, make_staff: Any
) -> None:
    from chiiki.core.acting import Actor
    from chiiki.core.models import AuditEvent, Membership, Role
    from chiiki.surveys.actions import request_export
    from chiiki.surveys.models import SurveyExport
    from chiiki.surveys.tasks import export_answers as export_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    manager = make_staff("manager", answered_survey.municipality, Role.SURVEY_MANAGER)
    done = request_export(answered_survey, "csv", by=Actor.for_user(manager))
    assert export_task.call(done.pk) == SurveyExport.Status.DONE
    read = AuditEvent.objects.get(action="surveys.answers_export")
    assert read.actor_id == manager.pk  # the audit log names who asked, not the worker
    refused = request_export(answered_survey, "csv", by=Actor.for_user(manager))
    Membership.objects.filter(user=manager).delete()
    assert export_task.call(refused.pk) == SurveyExport.Status.FAILED
    refused.refresh_from_db()
    assert "surveys.manage" in refused.message
    assert refused.file_name == ""
