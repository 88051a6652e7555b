"""Exact places are kept only as long as the policy says, then coarsened to the 250 m cell."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

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
