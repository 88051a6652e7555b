"""Background work of the evidence app, run by `chiiki worker`."""

from __future__ import annotations

from django_tasks import task

from chiiki.core.acting import Actor
from chiiki.core.jobs import JobFailed, run_job
from chiiki.estimation import EstimationError
from chiiki.evidence import actions, analysis, queries
from chiiki.evidence.models import EvidenceRun

ACTOR = "task evidence.compute_evidence_run"


@task()
def compute_evidence_run(run_id: int) -> str:
    """Compute one queued run (weights, estimates, representativeness, evidence, tables); returns its status."""
    return run_job(EvidenceRun, run_id, _compute)


def _compute(run: EvidenceRun) -> str:
    options = run.options or queries.run_options(run.survey)
    try:
        data = queries.survey_data(run.survey)
        result = analysis.analyse(
            data.cases,
            data.registry,
            data.person_totals,
            costs=options["costs"],
            reminder_days=data.reminder_days,
            follow_up_day=data.follow_up_day,
            threshold=int(options["threshold"]),
            enumerator_cuts=options.get("enumerator_cuts", (25, 50)),
        )
    except (EstimationError, ValueError, KeyError) as error:
        # The survey's data cannot be weighted as it is (no respondents, an empty margin): say why, no retry.
        raise JobFailed(str(error)[:2000]) from error
    result["survey"] = {
        "id": run.survey_id,
        "title": data.title,
        "reference_date": data.reference_date.isoformat(),
        "opens_at": data.opens_at.isoformat(),
    }
    by = Actor.for_user(run.requested_by) if run.requested_by else Actor.system(ACTOR)
    actions.store_run_result(run, result, by=by)
    return ""
