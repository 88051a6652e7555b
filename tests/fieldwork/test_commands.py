"""chiiki fieldwork build-followup / remind: plain output, clear errors with exit 1, no traceback."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chiiki.core.models import Role, User
from chiiki.fieldwork.models import FollowUpAssignment
from chiiki.surveys.models import CaseEvent, Survey


def test_build_followup_prints_the_areas(
    survey_a: Survey, make_staff: Callable[..., User], capsys: pytest.CaptureFixture[str]
) -> None:
    make_staff("e1", survey_a.municipality, Role.ENUMERATOR)
    call_command("fieldwork_build_followup", "--survey", str(survey_a.pk), "--date", "2025-10-05")
    out = capsys.readouterr().out
    assert f"未回答 {survey_a.cases.count()} 世帯を 1 人の調査員に割り当てました" in out
    assert "調査区 1: e1" in out
    assert FollowUpAssignment.objects.count() == survey_a.cases.count()
    with pytest.raises(CommandError, match="--rebuild"):
        call_command("fieldwork_build_followup", "--survey", str(survey_a.pk), "--date", "2025-10-05")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--survey", "abc"], "数字"),
        (["--survey", "999999"], "見つかりません"),
        (["--date", "2025-13-01"], "YYYY-MM-DD"),
        (["--date", "2025-10-04"], "訪問開始日"),
    ],
)
def test_build_followup_refuses_bad_input_plainly(survey_a: Survey, args: list[str], message: str) -> None:
    full = args if "--survey" in args else ["--survey", str(survey_a.pk), *args]
    with pytest.raises(CommandError, match=message):
        call_command("fieldwork_build_followup", *full)


def test_remind_sets_the_schedule_and_sends_once(
    survey_a: Survey, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--survey", str(survey_a.pk), "--days", "7", "--date", "2025-09-28"]
    call_command("fieldwork_remind", *args)
    assert f"第1回の督促を {survey_a.cases.count()} 世帯に送りました" in capsys.readouterr().out
    call_command("fieldwork_remind", *args)
    assert "第1回の督促を送る世帯はもうありません" in capsys.readouterr().out
    assert CaseEvent.objects.filter(kind="reminder_sent").count() == survey_a.cases.count()
    with pytest.raises(CommandError, match="1〜365"):
        call_command("fieldwork_remind", "--survey", str(survey_a.pk), "--days", "x")


def test_remind_all_goes_through_every_open_survey_with_a_schedule(
    survey_a: Survey, survey_b: Survey, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("fieldwork_remind", "--survey", str(survey_a.pk), "--days", "7", "--date", "2025-09-20")
    capsys.readouterr()
    call_command("fieldwork_remind", "--all", "--date", "2025-09-28")
    out = capsys.readouterr().out
    assert f"調査 {survey_a.pk}: 第1回の督促を {survey_a.cases.count()} 世帯に送りました" in out
    assert f"調査 {survey_b.pk}" not in out  # no schedule, nothing said or sent
    with pytest.raises(CommandError, match="--survey"):
        call_command("fieldwork_remind", "--all", "--days", "7")
