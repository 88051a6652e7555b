"""Editors merge and split claims (audited); every LINE sender of a claim hears its verdict, wherever their
report ends up."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from tests.infosafety.test_line import StandIn, _event, _post, channel, stand_in  # noqa: F401 - fixtures
from tests.inline_worker import run_due_tasks

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.infosafety import actions
from chiiki.infosafety.models import Claim, LineChannel, Report

LEVEE = "緑川の堤防が決壊したらしい。本町はもう水没してるって"
LION = "大雨で動物園からライオンが逃げたって。外に出ないで"


def _publish(claim: Claim, first: User, second: User) -> None:
    actions.add_source(
        claim, title="河川事務所", url="", published_on=None, note="", by=Actor.for_user(first)
    )
    actions.draft_verdict(
        claim, scale="jfc", rating="false", explanation="決壊していません", by=Actor.for_user(first)
    )
    actions.publish_verdict(claim, by=Actor.for_user(second))


def test_a_report_merged_into_a_published_claim_hears_its_verdict(
    town_a: Municipality,
    channel: LineChannel,  # noqa: F811
    stand_in: StandIn,  # noqa: F811
    make_staff: Callable[..., User],
) -> None:
    first = make_staff("e1", town_a, Role.INFOSAFETY_EDITOR)
    second = make_staff("e2", town_a, Role.INFOSAFETY_EDITOR)
    _post(town_a, [_event("01EVA", LEVEE, user="UA")])
    levee = Claim.objects.get()
    _publish(levee, first, second)
    # A retelling worded too differently to be grouped arrives on LINE later and opens its own claim.
    _post(town_a, [_event("01EVB", "本町が水に浸かったのは川の土手が壊れたせいだと聞いた", user="UB")])
    other = Claim.objects.exclude(pk=levee.pk).get()
    run_due_tasks("default")
    before = len(stand_in.requests)
    actions.merge_claims(levee, other, by=Actor.for_user(first))
    run_due_tasks("default")
    pushes = [r for r in stand_in.requests[before:] if r["path"] == "/v2/bot/message/push"]
    assert [p["body"]["to"] for p in pushes] == ["UB"]  # UA was told at publication, not again
    assert "誤り" in pushes[0]["body"]["messages"][0]["text"]
    merged = AuditEvent.objects.get(action="infosafety.claims_merged")
    assert merged.detail == {"merged": other.pk, "reports": 1, "told": 1}


def test_split_through_the_page_moves_the_chosen_reports_to_a_new_claim(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    editor = login(make_staff("e1", town_a, Role.INFOSAFETY_EDITOR))
    resident = Client()
    for text in (LEVEE, "【拡散希望】" + LEVEE, LEVEE + "。" + LION):
        resident.post(f"/factcheck/{town_a.code}/report/", {"text": text})
    claim = Claim.objects.get()
    mixed = Report.objects.get(text__contains="ライオン")
    page = editor.get(f"/staff/m/{town_a.code}/infosafety/claims/{claim.pk}/")
    assert "報告を分ける" in page.content.decode()
    step = f"/staff/m/{town_a.code}/infosafety/claims/{claim.pk}/split/"
    assert editor.post(step, {"reports": [mixed.pk]}).status_code == 302
    mixed.refresh_from_db()
    assert mixed.claim_id != claim.pk
    new = mixed.claim
    assert new.status == Claim.Status.NEW
    assert new.summary.startswith(LEVEE[:10])
    assert claim.reports.count() == 2
    split = AuditEvent.objects.get(action="infosafety.claim_split")
    assert split.detail == {"new_claim": new.pk, "reports": [mixed.pk]}
    assert AuditEvent.objects.filter(action="infosafety.claim_split_from", object_id=str(new.pk)).exists()


def test_a_split_must_leave_a_report_and_choose_one_of_the_claims_own(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    editor = login(make_staff("e1", town_a, Role.INFOSAFETY_EDITOR))
    resident = Client()
    for text in (LEVEE, "【拡散希望】" + LEVEE, LION):
        resident.post(f"/factcheck/{town_a.code}/report/", {"text": text})
    levee = Claim.objects.get(summary__startswith=LEVEE[:10])
    lion_report = Report.objects.get(text=LION)
    everyone = list(levee.reports.values_list("pk", flat=True))
    step = f"/staff/m/{town_a.code}/infosafety/claims/{levee.pk}/split/"
    editor.post(step, {"reports": everyone})
    assert Claim.objects.count() == 2  # nothing split: one report must stay
    response = editor.post(step, {"reports": [lion_report.pk]})  # not a report of this claim
    assert response.status_code == 400
    assert editor.post(step, {}).status_code == 400
    assert Claim.objects.count() == 2
    assert not AuditEvent.objects.filter(action="infosafety.claim_split").exists()
