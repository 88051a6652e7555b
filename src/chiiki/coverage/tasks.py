"""Background work of the coverage app, run by `chiiki worker`."""

from __future__ import annotations

from django_tasks import task

from chiiki.core.acting import Actor
from chiiki.core.jobs import JobFailed, run_job
from chiiki.coverage.actions import import_measurements
from chiiki.coverage.grid import MeasurementFileError, read_measurements
from chiiki.coverage.models import MeasurementImport


@task()
def import_uploaded_measurements(upload_id: int) -> str:
    """Check, clean and store one uploaded measurement log; the upload row records the outcome either way."""
    return run_job(MeasurementImport, upload_id, _import)


def _import(upload: MeasurementImport) -> str:
    try:
        with upload.file.open("rb") as handle:
            cleaned = read_measurements(handle.read(), label=upload.original_name)
    except MeasurementFileError as error:
        raise JobFailed(str(error)) from error
    import_measurements(upload, cleaned, by=Actor.for_user(upload.uploaded_by))
    return cleaned.summary()
