"""Background work of the linkage app, run by `chiiki worker`."""

from __future__ import annotations

from django_tasks import task

from chiiki.core.acting import Actor
from chiiki.core.jobs import JobFailed, run_job
from chiiki.linkage import actions, queries
from chiiki.linkage.engine import InputError, link, parse_records
from chiiki.linkage.models import LinkageRun

NO_REGISTRY = "住民基本台帳が読み込まれていません。先に台帳を読み込んでください。"


@task()
def run_linkage(run_id: int) -> str:
    """Link one uploaded records file to the municipality's current registry; the run records the outcome."""
    return run_job(LinkageRun, run_id, _link)


def _link(run: LinkageRun) -> str:
    registry = queries.registry_frame(run.municipality)
    if registry.height == 0:
        raise JobFailed(NO_REGISTRY)
    with run.records_file.open("rb") as source:
        data = source.read()
    try:
        # Checked when uploaded; read again because the worker links what is stored, whatever happened since.
        records = parse_records(data, source=run.original_name)
    except InputError as error:
        raise JobFailed(str(error)) from error
    result = link(registry, records)
    by = Actor.for_user(run.created_by) if run.created_by else Actor.system("task linkage.run_linkage")
    actions.store_result(run, result, records, registry_count=registry.height, by=by)
    return ""
