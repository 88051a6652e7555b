"""Background work of the coverage app, run by `chiiki worker`: measurement imports, and the daily coarsening
of old reports' exact places (a run books the next one on the task queue, as core's periodic tasks do)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from chiiki.core.acting import Actor
from chiiki.core.jobs import JobFailed, run_job
from chiiki.core.schedule import book_once
from chiiki.coverage import queries
from chiiki.coverage.actions import coarsen_old_reports, import_measurements
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


ACTOR = "chiiki worker: coverage retention"


def keep_days() -> int:
    """How long exact report places are kept: CHIIKI_COVERAGE_KEEP_DAYS (365 by default)."""
    return int(getattr(settings, "CHIIKI_COVERAGE_KEEP_DAYS", 365))


@task()
def coarsen_reports() -> int:
    """Coarsen the old reports of every municipality that has some, then book tomorrow's run; returns how many
    reports lost their exact place. Municipalities with nothing to coarsen are left alone (no audit noise)."""
    schedule_coarsening()
    days = keep_days()
    before = timezone.localdate() - timedelta(days=days)
    done = 0
    for municipality in queries.municipalities_with_old_places(before):
        done += coarsen_old_reports(municipality, keep_days=days, by=Actor.system(ACTOR)).reports
    return done


def next_coarsening_run(now: datetime) -> datetime:
    """The next CHIIKI_COVERAGE_COARSEN_HOUR o'clock, Japan time (3 by default: a quiet hour)."""
    hour = int(getattr(settings, "CHIIKI_COVERAGE_COARSEN_HOUR", 3))
    local = timezone.localtime(now)
    when = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return when if when > local else when + timedelta(days=1)


def schedule_coarsening(now: datetime | None = None) -> datetime | None:
    """Book the next coarsening run unless one waits (the worker calls this when it starts)."""
    return book_once(coarsen_reports, next_coarsening_run(now or timezone.now()))
