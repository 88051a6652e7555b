"""The demo city's census: created by `chiiki demo load`, with letters a person can answer with."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from chiiki.demo.census_responses import SIMULATED_KEY
from chiiki.demo.survey import DEMO_TITLE
from chiiki.surveys.models import Answer, CaseEvent, Survey, SurveyCase


@pytest.mark.usefixtures("db")
def test_demo_load_creates_an_open_census_and_prints_working_letters() -> None:
    out = io.StringIO()
    call_command("demo_load", "--persons", "200", stdout=out)
    text = out.getvalue()
    survey = Survey.objects.get(title=DEMO_TITLE)
    assert survey.cases.count() == survey.cases.values("household").distinct().count() > 0
    # 20 households get real keys for people to try; the demo's simulated answers mark the others.
    real_keys = survey.cases.exclude(access_key_hash="").exclude(access_key_hash=SIMULATED_KEY)
    assert real_keys.count() == min(20, survey.cases.count())
    assert "/answer/" in text
    lines = [line.split() for line in text.splitlines() if line.startswith("  ") and len(line.split()) == 2]
    letters = [(a, b) for a, b in lines if a.isdigit() and len(a) == 12]
    assert len(letters) == 3
    login_id, key = letters[0]
    client = Client()
    response = client.post("/answer/", {"login_id": login_id, "secret": key})
    assert response["Location"] == "/answer/password/"
    client.post("/answer/password/", {"password": "midori-2025", "confirmation": "midori-2025"})

    # Loading again keeps the survey and prints fresh keys for households still without a password.
    again = io.StringIO()
    call_command("demo_load", "--persons", "200", stdout=again)
    assert Survey.objects.filter(title=DEMO_TITLE).count() == 1
    reissued = [line.split() for line in again.getvalue().splitlines() if line.startswith("  ")]
    fresh = [(a, b) for a, b in (p for p in reissued if len(p) == 2) if a.isdigit() and len(a) == 12]
    assert login_id not in [a for a, _ in fresh]  # that household has a password now: no new key is shown
    assert len(fresh) == 3
    assert SurveyCase.objects.get(login_id=fresh[0][0]).password_hash == ""


@pytest.mark.usefixtures("db")
def test_demo_load_leaves_planner_statistics_for_the_loaded_tables() -> None:
    call_command("demo_load", "--persons", "200", stdout=io.StringIO())
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'registry_person'")
        else:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'registry_person' "
                "AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)"
            )
        (count,) = cursor.fetchone()
    assert count > 0


@pytest.mark.usefixtures("db")
def test_the_demo_rounds_simulated_field_work_lies_in_the_past_and_the_round_is_open() -> None:
    call_command("demo_load", "--persons", "300", stdout=io.StringIO())
    survey = Survey.objects.get(title=DEMO_TITLE)
    now = timezone.now()
    assert survey.opens_at < now < survey.closes_at
    submitted = Answer.objects.filter(case__survey=survey, submitted_at__isnull=False)
    assert submitted.exists()
    assert not submitted.filter(submitted_at__gt=now).exists()  # the dashboard's chart agrees with its totals
    assert CaseEvent.objects.filter(survey=survey).exists()
    assert not CaseEvent.objects.filter(survey=survey, at__gt=now).exists()
