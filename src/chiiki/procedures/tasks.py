"""Background work of procedures, run by `chiiki worker`: the eligibility run."""

from __future__ import annotations

from django_tasks import task

from chiiki.core.acting import Actor
from chiiki.core.jobs import JobFailed, run_job
from chiiki.procedures import actions, queries
from chiiki.procedures.models import EligibilityRun
from chiiki.procedures.rules import RULE_SETS, RulesRejected, run_rules


@task()
def run_eligibility(run_id: int) -> str:
    """Run one eligibility run; the run row records the outcome either way."""
    return run_job(EligibilityRun, run_id, _run)


def _run(run: EligibilityRun) -> str:
    allowance = run.allowance
    by = Actor.for_user(run.requested_by, label="" if run.requested_by else "chiiki worker")
    population, facts = queries.population(run.municipality, allowance)
    if not facts:
        raise JobFailed("住民基本台帳が読み込まれていません")
    try:
        result = run_rules(
            RULE_SETS[allowance.rule_set], allowance.parameters, allowance.reference_date, population
        )
    except RulesRejected as error:
        raise JobFailed(str(error)) from error
    summary = actions.summarize(result, facts)
    actions.record_run_summary(run, summary, by=by)
    message = f"{summary['households']} 世帯中 {summary['eligible']} 世帯が対象(合計 {summary['total_amount']:,} 円)"
    if not run.issue_notices:
        return message + "。試算のみで、確認書は発行していません。"
    heads = [f.head_code for f in facts if f.head_code]
    issued = actions.issue_notices(run, result, facts, queries.accounts_of(run.municipality, heads), by=by)
    return message + f"。確認書 {issued.notified} 通を発行、要確認 {issued.follow_up} 世帯。"
