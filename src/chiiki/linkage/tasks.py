"""Background work of the linkage app, run by `chiiki worker`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.db import transaction
from django_tasks import task

from chiiki.linkage import actions, queries
from chiiki.linkage.engine import InputError, link, read_records
from chiiki.linkage.models import LinkageRun


@task()
def run_linkage(run_id: int) -> str:
    """Link one uploaded records file to the municipality's current registry; the run records the outcome."""
    with transaction.atomic():
        run = LinkageRun.objects.select_for_update().select_related("municipality").get(pk=run_id)
        if run.status != LinkageRun.Status.QUEUED:
            return run.status
        run.status = LinkageRun.Status.RUNNING
        run.save(update_fields=["status"])
    registry = queries.registry_frame(run.municipality)
    if registry.height == 0:
        actions.fail_run(run, "住民基本台帳が読み込まれていません。先に台帳を読み込んでください。")
        return run.status
    try:
        # The engine reads a path; uploads may live in any storage, so copy to a local file first.
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "records.csv"
            with run.records_file.open("rb") as source:
                path.write_bytes(source.read())
            records = read_records(path)
        result = link(registry, records)
    except InputError as error:
        actions.fail_run(run, str(error).replace(str(path), run.original_name))
        return run.status
    actions.store_result(run, result, records, registry_count=registry.height)
    return run.status
