"""Exact places are kept only as long as the policy says, then coarsened to the 250 m cell."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality
from chiiki.coverage.actions import ReportInput, submit_report
from chiiki.coverage.models import DeadZoneReport

pytestmark = pytest.mark.django_db


def _report(town: Municipality, lat: float, address: str) -> DeadZoneReport:
    return submit_report(
        town,
        ReportInput(
            carrier="au",
            technology="4G",
            problem="no_signal",
            place_kind="road",
            frequency="always",
            observed_on=date(2026, 1, 5),
            time_band="night",
            latitude=lat,
            longitude=132.52,
            address_detail=address,
        ),
        by=Actor.system("test"),
    )


def test_old_reports_lose_their_exact_place_and_keep_their_cell(placed_town: Municipality) -> None:
    old, recent = _report(placed_town, 34.41, "峠の手前"), _report(placed_town, 34.42, "橋の下")
    DeadZoneReport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    out = StringIO()
    call_command("coverage_coarsen", "--municipality", placed_town.code, stdout=out)
    assert "1 件" in out.getvalue()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.latitude, old.longitude, old.address_detail) == (None, None, "")
    assert len(old.mesh_code) == 10
    assert (recent.latitude, recent.address_detail) == (34.42, "橋の下")
    assert AuditEvent.objects.filter(action="coverage.reports_coarsened", detail__reports=1).exists()


def test_a_keep_period_below_one_day_is_refused(placed_town: Municipality) -> None:
    with pytest.raises(CommandError, match="1 以上"):
        call_command(
            "coverage_coarsen", "--municipality", placed_town.code, "--keep-days", "0", stdout=StringIO()
        )


def test_the_worker_coarsens_every_town_daily_and_books_the_next_run(
    placed_town: Municipality, town_b: Municipality, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from chiiki.coverage import tasks

    now = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)  # 05:00 on 6 December in Japan
    monkeypatch.setattr(timezone, "now", lambda: now)
    settings.CHIIKI_COVERAGE_KEEP_DAYS = 30
    settings.CHIIKI_COVERAGE_COARSEN_HOUR = 3
    old, recent = _report(placed_town, 34.41, "峠の手前"), _report(placed_town, 34.42, "橋の下")
    DeadZoneReport.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=31))

    assert tasks.coarsen_reports.call() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.latitude, old.address_detail) == (None, "")
    assert recent.address_detail == "橋の下"
    # Only the town that had something to coarsen is audited; town B had no reports.
    events = AuditEvent.objects.filter(action="coverage.reports_coarsened")
    assert [e.municipality_id for e in events] == [placed_town.pk]
    assert events.get().detail["keep_days"] == 30
    # The run booked exactly one next run, at 03:00 Japan time the next day; a second run books no other.
    pending = DBTaskResult.objects.filter(
        task_path=tasks.coarsen_reports.module_path, status=TaskResultStatus.READY
    )
    assert pending.count() == 1
    run_after = timezone.localtime(pending.get().run_after)
    assert (run_after.date(), run_after.hour) == (date(2026, 12, 7), 3)
    assert tasks.coarsen_reports.call() == 0
    assert pending.count() == 1
    assert AuditEvent.objects.filter(action="coverage.reports_coarsened").count() == 1
    assert "chiiki.coverage.tasks.schedule_coarsening" in settings.CHIIKI_WORKER_SCHEDULES
