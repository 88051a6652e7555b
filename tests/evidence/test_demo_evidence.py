"""The demo city's census has its weights and estimates as soon as `chiiki demo load` returns (issue 20)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from chiiki.demo.survey import DEMO_TITLE
from chiiki.evidence import queries
from chiiki.evidence.models import EvidenceRun
from chiiki.surveys.models import Survey


@pytest.mark.slow
@pytest.mark.usefixtures("db")
def test_demo_load_computes_the_evidence_run_once() -> None:
    call_command("demo_load", "--persons", "1500", stdout=io.StringIO())
    survey = Survey.objects.get(title=DEMO_TITLE)
    run = queries.latest_run(survey)
    assert run is not None, EvidenceRun.objects.filter(survey=survey).values_list("status", "message").first()
    assert run.result["estimates"]["by_district"]
    assert run.result["weights"]
    # Loading again finds the run there and computes nothing new.
    call_command("demo_load", "--persons", "1500", stdout=io.StringIO())
    assert EvidenceRun.objects.filter(survey=survey).count() == 1
