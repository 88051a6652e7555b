"""Background work of the evidence app, run by `chiiki worker`."""

from __future__ import annotations

from django_tasks import task

from chiiki.evidence.models import EvidenceRun

ACTOR = "task evidence.compute_evidence_run"


@task()
def compute_evidence_run(run_id: int) -> str:
    """Compute one queued run (weights, estimates, representativeness, evidence, tables); returns its status."""
    from chiiki.evidence.actions import compute_run

    run = EvidenceRun.objects.filter(pk=run_id).first()
    if run is None:
        return "missing"
    return str(compute_run(run, actor_label=ACTOR).status)
