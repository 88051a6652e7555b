"""A single new report is compared with the reports sharing a MinHash/LSH bucket with it, however old, and
with the latest ones: an old rumour told again after a flood of other reports still joins its claim."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.infosafety import actions
from chiiki.infosafety.actions.factcheck import RECENT_REPORTS
from chiiki.infosafety.engine import PostRow, lsh_keys
from chiiki.infosafety.models import Claim, Report, ReportBand

LEVEE = "【拡散希望】台風で緑川の堤防が決壊した！本町三丁目はもう水没してるらしい"
RESIDENT = Actor.system("resident (test)")


def test_lsh_keys_carry_their_band_and_skip_bare_links() -> None:
    keys = lsh_keys(LEVEE)
    assert len(keys) == 32
    assert all(0 <= key < 2**63 for key in keys)
    assert lsh_keys(LEVEE) == keys  # the same on every run and machine (seeded)
    assert len(set(keys) & set(lsh_keys("台風で緑川の堤防が決壊した!本町三丁目はもう水没してるらしい"))) > 8
    assert lsh_keys("https://x.example/1 @someone") == []


def test_an_old_report_is_found_through_its_buckets(town_a: Municipality) -> None:
    first = actions.submit_report(town_a, actions.Intake(text=LEVEE), by=RESIDENT)
    assert ReportBand.objects.filter(report=first).count() == 32
    # A flood of other reports afterwards: the levee report is no longer among the latest ones.
    chatter = Claim.objects.create(municipality=town_a, summary="ほかの話題")
    later = timezone.now() + timedelta(minutes=1)
    Report.objects.bulk_create(
        Report(
            municipality=town_a, claim=chatter, text=f"駅前{n}番の店は今日も開いています", received_at=later
        )
        for n in range(RECENT_REPORTS + 20)
    )
    latest = Report.objects.filter(municipality=town_a).order_by("-received_at")[:RECENT_REPORTS]
    assert first.pk not in {r.pk for r in latest}
    again = actions.submit_report(
        town_a,
        actions.Intake(text="台風で緑川の堤防が決壊した!!本町三丁目はもう水没してるらしい…"),
        by=RESIDENT,
    )
    assert again.claim_id == first.claim_id
    assert again.similarity is not None
    # Something else opens its own claim even though it shares words with the chatter.
    other = actions.submit_report(
        town_a, actions.Intake(text="動物園からライオンが逃げたらしい"), by=RESIDENT
    )
    assert other.claim_id not in {first.claim_id, chatter.pk}


def test_an_imported_file_finds_an_old_report_through_its_buckets(
    town_a: Municipality, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chiiki.infosafety.actions import imports

    first = actions.submit_report(town_a, actions.Intake(text=LEVEE), by=RESIDENT)
    # The file is compared with the latest few reports only (2,000 in production): the levee one is not among them.
    monkeypatch.setattr(imports, "CANDIDATE_REPORTS", 10)
    chatter = Claim.objects.create(municipality=town_a, summary="ほかの話題")
    later = timezone.now() + timedelta(minutes=1)
    Report.objects.bulk_create(
        Report(
            municipality=town_a, claim=chatter, text=f"駅前{n}番の店は今日も開いています", received_at=later
        )
        for n in range(30)
    )
    rows = [
        PostRow(1, "台風で緑川の堤防が決壊した!!本町三丁目はもう水没してるらしい…", "", post_id="x1"),
        PostRow(2, "動物園からライオンが逃げたらしい", "", post_id="x2"),
    ]
    result = actions.import_posts(town_a, rows, name="day.jsonl", by=RESIDENT)
    assert result.joined_claims == 1
    assert result.new_claims == 1
    levee = Report.objects.get(post_id="x1")
    assert levee.claim_id == first.claim_id
    assert levee.similarity is not None
    assert Report.objects.get(post_id="x2").claim_id not in {first.claim_id, chatter.pk}
    assert ReportBand.objects.filter(report=levee).count() == 32  # and later reports find these in turn
