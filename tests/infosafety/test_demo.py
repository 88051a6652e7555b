"""The demo's disaster day: grouped reports, two published fact-checks by two editors, screened posts."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from chiiki.core.models import Municipality, Role, User
from chiiki.demo.infosafety import load_infosafety_demo
from chiiki.infosafety.models import (
    Claim,
    Report,
    ScreenedPost,
    ScreeningBatch,
    TakedownReport,
    Verdict,
)


def test_the_demo_loads_once_with_two_published_checks(
    town_a: Municipality, make_staff: Callable[..., User]
) -> None:
    first = make_staff("e1", town_a, Role.INFOSAFETY_EDITOR)
    second = make_staff("e2", town_a, Role.INFOSAFETY_EDITOR)
    summary = load_infosafety_demo(town_a, first, second)
    assert summary.published == 2
    assert Report.objects.filter(municipality=town_a).count() == 9
    # The retellings were grouped: fewer claims than reports.
    assert Claim.objects.filter(municipality=town_a).count() < 9
    levee = Claim.objects.get(municipality=town_a, summary__contains="堤防")
    assert levee.reports.count() == 3
    assert {v.approved_by for v in Verdict.objects.all()} == {second}
    assert ScreenedPost.objects.filter(municipality=town_a, level="flag").count() >= 2
    assert ScreenedPost.objects.filter(municipality=town_a, level="low").count() >= 2
    # A file screened in bulk (as the worker does it) and a report to the Hotline Center, for the pages.
    batch = ScreeningBatch.objects.get(municipality=town_a)
    assert batch.status == "done"
    assert (batch.total, batch.posts.count()) == (6, 6)
    takedown = TakedownReport.objects.get(municipality=town_a)
    assert takedown.recipient == "ihc"
    assert takedown.capture_type == "image/png"  # the demo's report carries a capture
    assert takedown.capture_name == f"takedown-{takedown.pk}-capture.png"
    assert load_infosafety_demo(town_a, first, second).claims == 0  # second load changes nothing
    assert Report.objects.filter(municipality=town_a).count() == 9
    page = Client().get(f"/factcheck/{town_a.code}/").content.decode()
    assert "堤防" in page
    assert "ライオン" in page
