"""Moving the side-job models from the talent app to the sidejob app keeps every row: the tables keep their
names and only Django's record of which app owns them changes (talent.0003 and sidejob.0001)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from chiiki.sidejob.models import ManagementAgreement, SideJobContract, WorkEntry
from chiiki.sidejob.queries import hours_status

TALENT_BEFORE_THE_MOVE = ("talent", "0002_exposure_managementagreement")
BEFORE_THE_MOVE = [TALENT_BEFORE_THE_MOVE, ("sidejob", None)]


def _rows_written_before_the_move(executor: MigrationExecutor) -> dict[str, int]:
    """Write a worker with two contracts, hours and a 管理モデル through the models as they were in talent."""
    old = executor.loader.project_state([TALENT_BEFORE_THE_MOVE]).apps
    user = old.get_model("core", "User").objects.create(username="worker-before-the-move")
    profile = old.get_model("talent", "TalentProfile").objects.create(
        user=user, display_name="移行前の人", is_side_job=True, home_prefecture=34
    )
    contract_model = old.get_model("talent", "SideJobContract")
    main = contract_model.objects.create(
        worker=profile, employer_name="本業", kind="employment", concluded_on=dt.date(2020, 4, 1)
    )
    side = contract_model.objects.create(
        worker=profile, employer_name="副業先", kind="employment", concluded_on=dt.date(2026, 1, 5)
    )
    entry = old.get_model("talent", "WorkEntry").objects.create(
        contract=side, day=dt.date(2026, 2, 2), minutes=600, start=dt.time(9)
    )
    agreement = old.get_model("talent", "ManagementAgreement").objects.create(
        worker=profile, first_contract=main, second_contract=side, first_cap_hours=30, second_cap_hours=40,
        starts_on=dt.date(2026, 2, 1),
    )  # fmt: skip
    return {"main": main.pk, "side": side.pk, "entry": entry.pk, "agreement": agreement.pk}


@pytest.mark.django_db(transaction=True)
def test_contracts_hours_and_agreements_written_before_the_move_are_read_after_it() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_MOVE)
    ids = _rows_written_before_the_move(executor)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    side = SideJobContract.objects.select_related("worker").get(pk=ids["side"])
    assert (side.employer_name, side.worker.display_name) == ("副業先", "移行前の人")
    assert WorkEntry.objects.get(pk=ids["entry"]).contract_id == ids["side"]
    agreement = ManagementAgreement.objects.get(pk=ids["agreement"])
    assert (agreement.first_contract_id, agreement.second_contract_id) == (ids["main"], ids["side"])
    # The hours engine reads the moved rows as before: 10 h in a day is 2 h of overtime of the later contract.
    status = hours_status(side.worker)
    assert sum(em.overtime_combined for em in status.combined.employer_months.values()) == 120
    # A new row goes into the same table as the old ones.
    assert SideJobContract._meta.db_table == "talent_sidejobcontract"
    SideJobContract.objects.create(
        worker=side.worker, employer_name="もう一社", kind="mandate", concluded_on=dt.date(2026, 3, 1)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM talent_sidejobcontract")
        assert cursor.fetchone()[0] == 3
