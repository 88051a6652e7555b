"""Staff set their municipality's own coverage target on the targets page: a new version of the table with its
diff and an audit record, used by the overview; bad values are refused with nothing written."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command

from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.coverage.models import CoverageTarget, TargetTable

pytestmark = pytest.mark.django_db


def test_staff_set_their_own_target_and_the_overview_uses_it(
    placed_town: Municipality, make_staff: Callable[..., User], login: Callable[..., object]
) -> None:
    call_command("coverage_targets", stdout=StringIO())
    shipped = TargetTable.objects.get()
    client = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    url = f"/staff/m/{placed_town.code}/coverage/targets/"
    form = {"technology": "5G", "fiscal_year": "2030", "target_percent": "95.5", "note": "町の情報化計画"}
    response = client.post(url, form)  # type: ignore[attr-defined]
    assert response.status_code == 302
    table = TargetTable.objects.first()
    assert table is not None
    assert table.pk != shipped.pk
    assert table.changes == [f"+ {placed_town.name} 5G 2030年度 目標 95.5%"]
    own = CoverageTarget.objects.get(table=table, area_code=placed_town.code)
    assert (own.technology, own.fiscal_year, own.target_percent, own.verified) == ("5G", 2030, 95.5, True)
    assert "町の情報化計画" in own.source
    assert "coverage" in own.source
    # every other row is carried over unchanged
    assert table.targets.count() == shipped.targets.count() + 1
    event = AuditEvent.objects.get(action="coverage.target_set")
    assert event.municipality_id == placed_town.pk
    assert event.detail["changes"] == table.changes

    page = client.get(url).content.decode()  # type: ignore[attr-defined]
    assert table.version in page
    assert "町の情報化計画" in page
    overview = client.get(f"/staff/m/{placed_town.code}/coverage/").content.decode()  # type: ignore[attr-defined]
    assert f"{placed_town.name} 2030年度 95.5%" in overview  # the town's own target now applies to 5G

    again = client.post(url, form, follow=True)  # type: ignore[attr-defined]
    assert "同じ目標がすでに設定されています" in again.content.decode()
    assert TargetTable.objects.count() == 2

    changed = client.post(url, {**form, "target_percent": "97"})  # type: ignore[attr-defined]
    assert changed.status_code == 302
    latest = TargetTable.objects.first()
    assert latest is not None
    assert latest.changes[0].startswith(f"~ {placed_town.name} 5G 2030年度: target_percent: 95.5 → 97.0")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("target_percent", "120", "target_percent"),
        ("fiscal_year", "1999", "fiscal_year"),
        ("technology", "6G", "technology"),
    ],
)
def test_a_bad_target_is_refused_naming_the_field_and_nothing_is_written(
    placed_town: Municipality,
    make_staff: Callable[..., User],
    login: Callable[..., object],
    field: str,
    value: str,
    message: str,
) -> None:
    call_command("coverage_targets", stdout=StringIO())
    client = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    form = {"technology": "5G", "fiscal_year": "2030", "target_percent": "95", field: value}
    response = client.post(f"/staff/m/{placed_town.code}/coverage/targets/", form)  # type: ignore[attr-defined]
    assert response.status_code == 400
    assert f'href="#id_{message}' in response.content.decode()
    assert TargetTable.objects.count() == 1
    assert not AuditEvent.objects.filter(action="coverage.target_set").exists()


def test_staff_of_another_town_cannot_set_this_towns_target(
    placed_town: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[..., object],
) -> None:
    client = login(make_staff("other", town_b, Role.COVERAGE_OFFICER))
    response = client.post(  # type: ignore[attr-defined]
        f"/staff/m/{placed_town.code}/coverage/targets/",
        {"technology": "5G", "fiscal_year": "2030", "target_percent": "95"},
    )
    assert response.status_code == 403
    assert not TargetTable.objects.exists()
