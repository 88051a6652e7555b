"""Moving the side-job models from the talent app to the sidejob app keeps every row: both migrations change only
Django's record of which app owns the models (talent.0003, sidejob.0001), and the tables keep their names, so rows
written through the models as they were in the talent app are read by the sidejob models.

(A real migrate backwards and forwards needs a test outside a transaction, whose final flush the audit log's
append-only trigger refuses on PostgreSQL; creating the test database runs both migrations anyway.)
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations import SeparateDatabaseAndState

from chiiki.sidejob.models import ManagementAgreement, SideJobContract, WorkEntry
from chiiki.sidejob.queries import hours_status

TALENT_BEFORE_THE_MOVE = ("talent", "0002_exposure_managementagreement")
THE_MOVE = [("talent", "0003_side_jobs_move_to_sidejob"), ("sidejob", "0001_initial")]
MOVED = ("SideJobContract", "WorkEntry", "ManagementAgreement")


def test_the_move_changes_nothing_in_the_database(db: None) -> None:
    executor = MigrationExecutor(connection)
    for key in THE_MOVE:
        operations = executor.loader.get_migration(*key).operations
        assert all(isinstance(op, SeparateDatabaseAndState) for op in operations), key
        assert all(op.database_operations == [] for op in operations), key
    old = executor.loader.project_state([TALENT_BEFORE_THE_MOVE]).apps
    new = executor.loader.project_state(THE_MOVE).apps
    for name in MOVED:
        before, after = old.get_model("talent", name), new.get_model("sidejob", name)
        assert before._meta.db_table == after._meta.db_table == f"talent_{name.lower()}"
        assert {(f.column, f.get_internal_type()) for f in before._meta.local_fields} == {
            (f.column, f.get_internal_type()) for f in after._meta.local_fields
        }, name


def test_rows_written_by_the_talent_models_are_read_by_the_sidejob_models(db: None) -> None:
    old = MigrationExecutor(connection).loader.project_state([TALENT_BEFORE_THE_MOVE]).apps
    # The user comes from today's model: core's later columns (is_platform_auditor…) have no database default.
    user = get_user_model().objects.create(username="worker-before-the-move")
    profile = old.get_model("talent", "TalentProfile").objects.create(
        user_id=user.pk, display_name="移行前の人", is_side_job=True, home_prefecture=34
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

    moved = SideJobContract.objects.select_related("worker").get(pk=side.pk)
    assert (moved.employer_name, moved.worker.display_name) == ("副業先", "移行前の人")
    assert WorkEntry.objects.get(pk=entry.pk).contract_id == side.pk
    kept = ManagementAgreement.objects.get(pk=agreement.pk)
    assert (kept.first_contract_id, kept.second_contract_id) == (main.pk, side.pk)
    # The hours engine reads the moved rows as before: 10 h in a day is 2 h of overtime of the later contract.
    status = hours_status(moved.worker)
    assert sum(em.overtime_combined for em in status.combined.employer_months.values()) == 120
