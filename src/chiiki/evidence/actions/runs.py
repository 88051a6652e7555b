"""Evidence runs: requested on the page or by a command, computed by the worker (`tasks.compute_evidence_run`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.db import transaction

from chiiki.core import audit
from chiiki.core.actions.jobs import enqueue_job
from chiiki.evidence import queries
from chiiki.evidence.actions._common import require
from chiiki.evidence.models import EvidenceRun

if TYPE_CHECKING:
    from chiiki.core.acting import Actor
    from chiiki.surveys.models import Survey


@transaction.atomic
def request_run(survey: Survey, *, by: Actor, threshold: int | None = None) -> EvidenceRun:
    """Queue a run of weights, estimates and evidence for `survey`; the worker computes it."""
    require(by, survey.municipality_id)
    run = EvidenceRun.objects.create(
        municipality_id=survey.municipality_id,
        survey=survey,
        requested_by=by.user,
        options=queries.run_options(survey, threshold=threshold),
    )
    audit.record(
        "evidence.run_request",
        by=by,
        municipality=survey.municipality_id,
        object_type="survey",
        object_id=survey.pk,
        detail={"run": run.pk},
    )
    enqueue_job(run)
    return run


@transaction.atomic
def store_run_result(run: EvidenceRun, result: dict[str, Any], *, by: Actor) -> EvidenceRun:
    """Keep the computed result of a running run (plain JSON); the job runner then marks it done."""
    run.result = json.loads(json.dumps(result, default=str))
    run.save(update_fields=["result"])
    audit.record(
        "evidence.run_compute",
        by=by,
        municipality=run.municipality_id,
        object_type="survey",
        object_id=run.survey_id,
        detail={"run": run.pk, "status": EvidenceRun.Status.DONE},
    )
    return run
