"""The decision rule on hand-made scored pairs: which evidence may link, whatever the probability."""

from __future__ import annotations

import polars as pl
import pytest

from chiiki.linkage.engine import COMPARISONS, LINKED, REVIEW, DecisionRule, decide, level_labels


def _gamma(field: str, label: str) -> int:
    return next(gamma for gamma, name in level_labels()[field].items() if name == label)


def _pair(**levels: str) -> pl.DataFrame:
    """One very probable pair of record Q1 and person X1 with the given level per field (default: agrees)."""
    defaults = {
        "name_kanji": "exact_as_written",
        "name_kana": "exact",
        "birth_date": "exact",
        "sex": "exact",
        "address": "same_house",
        "postal_code": "exact",
    }
    row: dict[str, object] = {
        "record_id": "Q1",
        "person_id": "X1",
        "match_weight": 40.0,
        "match_probability": 0.9999999,
    }
    for comparison in COMPARISONS:
        row[f"gamma_{comparison.name}"] = _gamma(comparison.name, {**defaults, **levels}[comparison.name])
        row[f"weight_{comparison.name}"] = 5.0
    return pl.DataFrame([row])


def _decision(pairs: pl.DataFrame) -> str:
    links, _candidates = decide(pairs, pl.Series(["Q1"]), DecisionRule())
    return str(links.row(0, named=True)["decision"])


def test_a_pair_agreeing_everywhere_links() -> None:
    assert _decision(_pair()) == LINKED


def test_the_same_reading_with_another_kanji_given_name_goes_to_review() -> None:
    # Found at 100k x 100k: 長井 愛香 and 長井 円 are both ナガイ マドカ, same postal code and town.
    assert _decision(_pair(name_kanji="family_name_only", address="same_town")) == REVIEW


@pytest.mark.parametrize("kanji", ["disagrees", "given_name_only"])
def test_an_equal_reading_does_not_outweigh_a_kanji_name_that_disagrees(kanji: str) -> None:
    assert _decision(_pair(name_kanji=kanji)) == REVIEW


def test_the_reading_links_when_the_kanji_name_is_blank() -> None:
    assert _decision(_pair(name_kanji="missing")) == LINKED


def test_name_birth_date_and_sex_without_address_or_postal_code_go_to_review() -> None:
    assert _decision(_pair(address="missing", postal_code="missing")) == REVIEW


def _reason(pairs: pl.DataFrame) -> str:
    links, _candidates = decide(pairs, pl.Series(["Q1"]), DecisionRule())
    return str(links.row(0, named=True)["reason"])


def test_the_reason_says_when_address_and_postal_code_were_blank_rather_than_different() -> None:
    assert _reason(_pair(address="missing", postal_code="missing")) == "address_and_postal_code_blank"
    assert _reason(_pair(address="disagrees", postal_code="missing")) == "no_address_or_postal_code_agreement"
    assert (
        _reason(_pair(address="disagrees", postal_code="disagrees")) == "no_address_or_postal_code_agreement"
    )


def test_a_namesake_in_the_same_postal_area_born_in_another_year_goes_to_review() -> None:
    # Found at 300k x 300k: 鈴木 虎哲 born 1938-08-05 and 鈴木 虎哲 born 1936-04-17, same postal code and town.
    assert _decision(_pair(birth_date="disagrees", address="same_town")) == REVIEW


@pytest.mark.parametrize("birth_date", ["day_month_swapped", "one_digit_differs", "missing"])
def test_a_swapped_mistyped_or_blank_birth_date_still_links(birth_date: str) -> None:
    assert _decision(_pair(birth_date=birth_date)) == LINKED


def _namesakes(best_address: str, best_postal: str = "exact") -> pl.DataFrame:
    """Record Q1 with two candidates agreeing on the whole name and birth date: X1 (the best, with the given
    address and postal code levels) and X2, who lives elsewhere (a person who moved, as the record may say)."""
    best = _pair(address=best_address, postal_code=best_postal)
    other = _pair(address="disagrees", postal_code="disagrees").with_columns(
        pl.lit("X2").alias("person_id"),
        pl.lit(20.0).alias("match_weight"),
        pl.lit(0.99).alias("match_probability"),
    )
    return pl.concat([best, other])


def test_a_namesake_elsewhere_means_the_postal_code_alone_does_not_link() -> None:
    # Seen at 10M: a record of someone who moved, a namesake born the same day in the new postal area.
    links, _candidates = decide(_namesakes("same_town"), pl.Series(["Q1"]), DecisionRule())
    row = links.row(0, named=True)
    assert row["decision"] == REVIEW
    assert row["reason"] == "namesake_and_only_the_postal_code_agrees"


@pytest.mark.parametrize("address", ["same_house", "same_block"])
def test_a_namesake_elsewhere_still_links_when_the_house_or_block_agrees(address: str) -> None:
    assert _decision(_namesakes(address)) == LINKED


@pytest.mark.parametrize("address", ["missing", "disagrees"])
def test_the_postal_code_links_when_the_address_is_blank_or_not_placed_alike(address: str) -> None:
    assert _decision(_pair(address=address)) == LINKED


@pytest.mark.parametrize("address", ["same_town", "same_municipality"])
def test_the_postal_code_does_not_link_when_the_addresses_name_another_house(address: str) -> None:
    # Seen at 10M: 小林 駿 born 1960-12-22 outside the registry, 北町4-27-12, and the registered 小林 駿 born
    # the same day at 北町二丁目5番2号, both 563-7960.
    links, _candidates = decide(_pair(address=address), pl.Series(["Q1"]), DecisionRule())
    row = links.row(0, named=True)
    assert row["decision"] == REVIEW
    assert row["reason"] == "postal_code_agrees_but_the_address_is_another_house"
