"""Background work of the open-data catalog, run by `chiiki worker`."""

from __future__ import annotations

from django_tasks import task

from chiiki.core.acting import Actor
from chiiki.core.jobs import JobFailed, run_job
from chiiki.opendata import actions
from chiiki.opendata.models import Upload


@task()
def convert_upload(upload_id: int) -> str:
    """Convert one uploaded file into its dataset (standard CSV + report); the upload job records the outcome."""
    return run_job(Upload, upload_id, _convert)


def _convert(upload: Upload) -> str:
    try:
        return actions.run_import(upload, by=Actor.for_user(upload.uploaded_by))
    except actions.CatalogError as error:
        raise JobFailed(str(error)) from error


@task()
def rebuild_merges_for(dataset_id: str) -> int:
    """Rebuild every merged dataset fed by this dataset; returns how many were rebuilt."""
    return actions.rebuild_merges_fed_by(dataset_id, by=Actor.system("task opendata.rebuild_merges_for"))
