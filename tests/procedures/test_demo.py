"""The demo city's procedures: catalog, facts and allowance load once; the queued run finds eligible households."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from chiiki.core.acting import Actor
from chiiki.demo.procedures import load_procedures_demo
from chiiki.demo.residents import generate
from chiiki.procedures.models import (
    EligibilityRun,
    Entitlement,
    HelpBooking,
    HelpPoint,
    HelpSlot,
    Procedure,
    ResidentMessage,
    TaxRecord,
)
from chiiki.procedures.tasks import run_eligibility
from chiiki.registry.actions import import_registry


@pytest.mark.slow
def test_demo_loads_once_and_its_run_issues_notices(db: None) -> None:
    from chiiki.core.models import Municipality

    town = Municipality.objects.create(code="349992", prefecture_code="34", prefecture="広島県", name="緑川市",
                                       name_kana="ミドリカワシ", kind="city", is_demo=True)  # fmt: skip
    import_registry(town, generate(persons=600, seed=3), by=Actor.system("test"))
    first = load_procedures_demo(town, seed=3)
    assert first.run_queued
    assert Procedure.objects.filter(municipality=town).count() == 7
    taxes = TaxRecord.objects.count()
    second = load_procedures_demo(town, seed=3)
    assert not second.run_queued
    assert TaxRecord.objects.count() == taxes
    assert EligibilityRun.objects.count() == 1
    # The help directory: every kind of place, sessions to book, one booking; loaded once.
    kinds = set(HelpPoint.objects.filter(municipality=town).values_list("kind", flat=True))
    assert kinds == set(HelpPoint.Kind.values)
    assert HelpSlot.objects.filter(help_point__municipality=town).count() == 9
    assert HelpBooking.objects.count() == 1
    task = DBTaskResult.objects.get()
    run_eligibility.call(*task.args_kwargs["args"])
    run = EligibilityRun.objects.get()
    assert run.status == "done", run.message
    assert run.summary["eligible"] > 0
    assert Entitlement.objects.filter(status="notified").count() > 0
    assert run.notices_pdf
    # Besides the letter, notices to the contacts registered with some accounts and to every head's inbox.
    channels = set(ResidentMessage.objects.filter(kind="notice").values_list("channel", flat=True))
    assert channels == {"email", "sms", "inbox"}
