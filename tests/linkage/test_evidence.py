"""What an officer reads on a case page: agreement in words and the waterfall adding up to the match weight."""

from __future__ import annotations

import pytest

from chiiki.linkage.evidence import agreement, reason_text, side_by_side, waterfall
from chiiki.linkage.models import Candidate, LinkCase

EVIDENCE = [
    {"field": "name_kanji", "level": "exact_with_variant_kanji", "weight": 7.5},
    {"field": "name_kana", "level": "exact", "weight": 6.0},
    {"field": "birth_date", "level": "day_month_swapped", "weight": 2.5},
    {"field": "sex", "level": "exact", "weight": 1.0},
    {"field": "address", "level": "disagrees", "weight": -3.25},
    {"field": "postal_code", "level": "missing", "weight": 0.0},
]


def _candidate() -> Candidate:
    values = {"name_kanji": "髙橋 一郎", "sex": "1", "address": "東京都千代田区一番町1番1号"}
    return Candidate(rank=1, person_code="P1", person_values=values, probability=0.9, match_weight=3.0,
                     evidence=EVIDENCE)  # fmt: skip


def test_the_waterfall_starts_at_the_prior_and_ends_at_the_match_weight() -> None:
    steps = waterfall(_candidate())
    assert steps[0].weight == pytest.approx(3.0 - 13.75)
    assert steps[-1].total == pytest.approx(3.0)
    assert [step.state for step in steps[1:]] == ["agree", "agree", "partial", "agree", "disagree", "missing"]
    assert max(step.bar_percent for step in steps) == 100
    assert steps[-1].bar_percent == 0


def test_each_field_sits_beside_the_record_with_its_agreement_in_words() -> None:
    case = LinkCase(record_id="R1", record={"name_kanji": "高橋 一郎", "sex": "1"})
    rows = side_by_side(case, [_candidate()])
    by_label = {str(row["label"]): row for row in rows}
    kanji = by_label["氏名(漢字)"]
    assert (kanji["record"], kanji["cells"][0].value) == ("高橋 一郎", "髙橋 一郎")
    assert str(kanji["cells"][0].state_text) == "一致"
    assert by_label["性別"]["record"] == "男 (1)"
    address = by_label["住所"]["cells"][0]
    assert (address.symbol, str(address.state_text)) == ("✖", "不一致")


@pytest.mark.parametrize(
    ("level", "state"),
    [("exact_as_written", "agree"), ("same_house", "agree"), ("same_block", "partial"),
     ("one_digit_differs", "partial"), ("disagrees", "disagree"), ("missing", "missing")],
)  # fmt: skip
def test_levels_are_classified(level: str, state: str) -> None:
    assert agreement(level) == state


def test_reasons_are_told_in_words_and_unknown_ones_pass_through() -> None:
    assert "郵便番号" in str(reason_text("no_address_or_postal_code_agreement"))
    assert reason_text("something_new") == "something_new"


def test_blank_address_and_postal_code_are_called_blank_not_different() -> None:
    blank = str(reason_text("address_and_postal_code_blank"))
    assert "空欄" in blank
    assert "一致しません" not in blank
