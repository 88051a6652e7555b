"""The commands refuse bad input with a clear message (exit 1, no traceback) and print what they did."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chiiki.surveys.models import Survey


@pytest.mark.django_db
def test_simulate_responses_refuses_a_survey_id_that_is_not_a_number() -> None:
    with pytest.raises(CommandError, match="数字"):
        call_command("survey_simulate_responses", "--survey", "abc")


@pytest.mark.django_db
def test_simulate_responses_refuses_an_unknown_survey() -> None:
    with pytest.raises(CommandError, match="見つかりません"):
        call_command("survey_simulate_responses", "--survey", "999999")


@pytest.mark.django_db
def test_simulate_responses_prints_the_pattern_and_refuses_a_second_time(census: Survey) -> None:
    out = io.StringIO()
    call_command("survey_simulate_responses", "--survey", str(census.pk), "--seed", "8", stdout=out)
    text = out.getvalue()
    assert "模擬回答を作りました" in text
    assert "回答の経路" in text
    with pytest.raises(CommandError, match="すでに"):
        call_command("survey_simulate_responses", "--survey", str(census.pk))


@pytest.mark.django_db
def test_publish_needs_a_table_name() -> None:
    with pytest.raises(CommandError, match="--table"):
        call_command("survey_publish", "--survey", "1")


@pytest.mark.django_db
def test_publish_refuses_a_survey_without_answers_with_the_reason(census: Survey) -> None:
    with pytest.raises(CommandError, match="集計できませんでした"):
        call_command("survey_publish", "--survey", str(census.pk), "--table", "persons_by_district_age")
