"""The engine on synthetic data with known truth, and the decision rule's hard guarantees."""

from __future__ import annotations

import polars as pl

from chiiki.demo.linkage import SyntheticData
from chiiki.linkage.engine import LINKED, REVIEW, UNMATCHED, LinkageResult, link


def _joined(linked: tuple[LinkageResult, pl.DataFrame]) -> pl.DataFrame:
    result, truth = linked
    return result.links.join(truth, on="record_id", how="left")


def test_links_has_exactly_one_row_per_record(
    linked: tuple[LinkageResult, pl.DataFrame], synthetic: SyntheticData
) -> None:
    result, _ = linked
    assert result.links.height == len(synthetic.records)
    assert result.links["record_id"].n_unique() == len(synthetic.records)
    assert set(result.links["decision"].unique().to_list()) <= {LINKED, REVIEW, UNMATCHED}


def test_no_record_is_linked_to_the_wrong_person(linked: tuple[LinkageResult, pl.DataFrame]) -> None:
    joined = _joined(linked).filter(pl.col("decision") == LINKED)
    wrong = joined.filter(pl.col("person_id") != pl.col("true_person_id").fill_null(""))
    assert wrong.height == 0, wrong


def test_most_registered_records_are_linked_and_few_go_to_review(
    linked: tuple[LinkageResult, pl.DataFrame],
) -> None:
    joined = _joined(linked)
    registered = joined.filter(pl.col("true_person_id") != "")
    linked_right = registered.filter(
        (pl.col("decision") == LINKED) & (pl.col("person_id") == pl.col("true_person_id"))
    )
    assert linked_right.height / registered.height >= 0.9
    assert joined.filter(pl.col("decision") == REVIEW).height / joined.height <= 0.1


def test_a_person_is_linked_to_at_most_one_record(linked: tuple[LinkageResult, pl.DataFrame]) -> None:
    result, _ = linked
    persons = result.links.filter(pl.col("decision") == LINKED)["person_id"]
    assert persons.n_unique() == persons.len()


def test_review_cases_list_their_candidates_with_evidence(linked: tuple[LinkageResult, pl.DataFrame]) -> None:
    result, _ = linked
    review_ids = set(result.links.filter(pl.col("decision") == REVIEW)["record_id"].to_list())
    assert review_ids
    assert set(result.review["record_id"].unique().to_list()) == review_ids
    for column in (
        "name_kanji_level",
        "birth_date_level",
        "address_level",
        "record_address",
        "person_address",
    ):
        assert column in result.review.columns
    best = result.review.filter(pl.col("candidate_rank") == 1).select("record_id", "person_id")
    review_links = result.links.filter(pl.col("decision") == REVIEW).select("record_id", "person_id")
    assert best.sort("record_id").equals(review_links.sort("record_id"))


def _registry_row(person_id: str, address: str, postal: str) -> dict[str, str]:
    return {
        "person_id": person_id,
        "name_kanji": "渡邊　裕子",
        "name_kana": "ワタナベ　ユウコ",
        "birth_date": "1980-05-17",
        "sex": "2",
        "address": address,
        "postal_code": postal,
    }


def _background(synthetic: SyntheticData) -> pl.DataFrame:
    return pl.DataFrame(synthetic.registry[:300])


def test_name_birth_date_and_sex_alone_never_link(synthetic: SyntheticData) -> None:
    registry = pl.concat(
        [
            _background(synthetic),
            pl.DataFrame([_registry_row("X1", "東京都八王子市元町二丁目3番4号", "192-0000")]),
        ]
    )
    record = pl.DataFrame(
        [
            {
                "record_id": "Q1",
                "name_kanji": "渡辺 裕子",
                "name_kana": "わたなべ ゆうこ",
                "birth_date": "昭和55年5月17日",
                "sex": "2",
                "address": "",
                "postal_code": "",
            }
        ]
    )
    result = link(registry, record)
    row = result.links.row(0, named=True)
    assert row["decision"] == REVIEW
    assert row["person_id"] == "X1"


def test_the_same_record_with_its_address_links_through_variant_kanji_and_wareki(
    synthetic: SyntheticData,
) -> None:
    registry = pl.concat(
        [
            _background(synthetic),
            pl.DataFrame([_registry_row("X1", "東京都八王子市元町二丁目3番4号", "192-0000")]),
        ]
    )
    record = pl.DataFrame(
        [
            {
                "record_id": "Q1",
                "name_kanji": "渡辺 裕子",
                "name_kana": "ﾜﾀﾅﾍﾞ ﾕｳｺ",
                "birth_date": "S55.5.17",
                "sex": "2",
                "address": "八王子市元町2-3-4",
                "postal_code": "1920000",
            }
        ]
    )
    result = link(registry, record)
    assert result.links.row(0, named=True)["decision"] == LINKED
    assert result.links.row(0, named=True)["person_id"] == "X1"


def test_namesakes_born_the_same_day_are_never_linked_without_the_address(synthetic: SyntheticData) -> None:
    twins = [
        _registry_row("X1", "東京都八王子市元町二丁目3番4号", "192-0000"),
        _registry_row("X2", "大阪府堺市堺区中央一丁目1番1号", "590-0000"),
    ]
    registry = pl.concat([_background(synthetic), pl.DataFrame(twins)])
    record = pl.DataFrame(
        [{"record_id": "Q1", "name_kanji": "渡邊裕子", "name_kana": "ワタナベユウコ", "birth_date": "1980/5/17",
          "sex": "2", "address": "", "postal_code": ""}]
    )  # fmt: skip
    result = link(registry, record)
    row = result.links.row(0, named=True)
    assert row["decision"] == REVIEW
    assert set(result.review["person_id"].to_list()) == {"X1", "X2"}
