"""Background work of the registry app, run by `chiiki worker`."""

from __future__ import annotations

from django_tasks import task

from chiiki.core.acting import Actor
from chiiki.core.jobs import JobFailed, run_job
from chiiki.registry.actions import RegistryNotEmptyError, import_extract
from chiiki.registry.extract import ExtractError, ExtractStream
from chiiki.registry.models import RegistryUpload


@task()
def import_uploaded_registry(upload_id: int) -> str:
    """Import one uploaded extract; the upload row records the outcome either way."""
    return run_job(RegistryUpload, upload_id, _import)


def _import(upload: RegistryUpload) -> str:
    try:
        with upload.file.open("rb") as handle:
            # Read in chunks, never whole: a city's extract is millions of rows (issue 18 §4).
            raw = getattr(handle, "file", handle)
            summary = import_extract(
                upload.municipality,
                ExtractStream(raw),
                by=Actor.for_user(upload.uploaded_by),
                replace=upload.replace,
            )
    except (ExtractError, RegistryNotEmptyError) as error:
        raise JobFailed(str(error)) from error
    return f"{summary.persons} 人 / {summary.households} 世帯 / {summary.districts} 地区を読み込みました"
