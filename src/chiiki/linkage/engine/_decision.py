"""The link decision: link only what is certain, send the doubtful to a person, leave the rest unmatched.

A record is ``linked`` to its best candidate only when all of these hold:

1. the candidate's match probability is at least ``link_probability`` (0.999 by default);
2. no other candidate comes close: every other person scores at least ``margin_weight`` bits (a factor
   of 2**margin) lower, and no other record scores within that margin for the same person, which also
   makes the assignment one-to-one;
3. the whole name agrees in kanji (variants folded, at most one character off), or, only when the kanji
   is blank on one side, in kana: the same reading written with other kanji (円 and 愛香, both マドカ)
   is another person until an officer says otherwise;
4. the birth date agrees, at most with the day and month swapped or one digit off, or is blank on one
   side: a namesake in the same postal area born in another year is another person, however rare the name;
5. an identifier beyond name, birth date and sex agrees: the same house or block (番地) of the address,
   or the same postal code. Name + birth date + sex alone never links, whatever its score, because
   that is exactly the rule that produced the 2023 wrong links. A postal code is shared by a whole area:
   it does not link when both addresses were read and name different houses of the same municipality
   (a namesake outside the registry living down the street, seen at 10M); it still links when the address
   is blank on one side or could not be placed in the same municipality;
6. when another candidate of the record also agrees on the whole name and the birth date (a namesake in
   the registry), the postal code is not enough: the address must agree to the house or block. A person
   who moved shares a postal area with whoever lives there; a namesake born the same day may be one of them.

Otherwise the record goes to ``review`` with its candidates when the best probability is at least
``review_probability``, and is ``unmatched`` below that.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from chiiki.linkage.engine._model import (
    ANOTHER_HOUSE_LEVELS,
    BIRTH_DATE_LEVELS,
    COMPARISONS,
    IDENTIFIER_LEVELS,
    NAME_LEVELS,
    level_labels,
)

LINKED = "linked"
REVIEW = "review"
UNMATCHED = "unmatched"


@dataclass(frozen=True)
class DecisionRule:
    """Thresholds of the link decision (see the module docstring)."""

    link_probability: float = 0.999
    margin_weight: float = 8.0
    review_probability: float = 0.05
    candidate_probability: float = 0.001
    max_candidates: int = 5


def _any_level(levels: dict[str, tuple[str, ...]]) -> pl.Expr:
    labels = level_labels()
    conditions = []
    for field, wanted in levels.items():
        gammas = [gamma for gamma, label in labels[field].items() if label in wanted]
        conditions.append(pl.col(f"gamma_{field}").is_in(gammas))
    expression = conditions[0]
    for condition in conditions[1:]:
        expression = expression | condition
    return expression


def _name_agrees() -> pl.Expr:
    # Kana decides only when a kanji name is missing: a kanji name that disagrees outweighs an equal reading.
    kanji_missing = pl.col("gamma_name_kanji") == -1
    return _any_level({"name_kanji": NAME_LEVELS["name_kanji"]}) | (
        kanji_missing & _any_level({"name_kana": NAME_LEVELS["name_kana"]})
    )


def decide(
    pairs: pl.DataFrame, record_ids: pl.Series, rule: DecisionRule
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Apply the decision rule to scored pairs.

    Returns ``(links, candidates)``: ``links`` has one row per record id (record_id, person_id,
    match_probability, decision, reason); ``candidates`` has every kept candidate with its rank, the
    runner-up gaps and the decision of its record.
    """
    ranked = (
        pairs.filter(pl.col("match_probability") >= rule.candidate_probability)
        .with_columns(
            _any_level(IDENTIFIER_LEVELS).alias("identifier_agrees"),
            _name_agrees().alias("name_agrees"),
            (_any_level(BIRTH_DATE_LEVELS) | (pl.col("gamma_birth_date") == -1)).alias("birth_date_agrees"),
            _any_level({"address": IDENTIFIER_LEVELS["address"]}).alias("address_agrees"),
            _any_level(ANOTHER_HOUSE_LEVELS).alias("another_house"),
        )
        .with_columns(
            ((pl.col("name_agrees") & pl.col("birth_date_agrees")).sum().over("record_id") > 1).alias(
                "namesake_candidate"
            )
        )
        .sort(["record_id", "match_weight", "person_id"], descending=[False, True, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("record_id").alias("rank"))
    )
    # The strongest rival of each pair: another person for this record, or another record for this person.
    ranked = ranked.with_columns(
        pl.col("match_weight")
        .sort(descending=True)
        .get(1, null_on_oob=True)
        .over("record_id")
        .alias("_next_person"),
        pl.col("match_weight")
        .sort(descending=True)
        .get(1, null_on_oob=True)
        .over("person_id")
        .alias("_next_record_any"),
        pl.col("match_weight").max().over("person_id").alias("_best_record"),
    ).with_columns(
        pl.when(pl.col("rank") == 1)
        .then(pl.col("_next_person"))
        .otherwise(pl.col("match_weight").max().over("record_id"))
        .alias("rival_person_weight"),
        pl.when(pl.col("match_weight") >= pl.col("_best_record"))
        .then(pl.col("_next_record_any"))
        .otherwise(pl.col("_best_record"))
        .alias("rival_record_weight"),
    )
    # `get(1)` on a group of one is null: no rival at all.
    best = ranked.filter(pl.col("rank") == 1)
    clear_of_people = pl.col("rival_person_weight").is_null() | (
        pl.col("match_weight") - pl.col("rival_person_weight") >= rule.margin_weight
    )
    clear_of_records = pl.col("rival_record_weight").is_null() | (
        pl.col("match_weight") - pl.col("rival_record_weight") >= rule.margin_weight
    )
    certain = pl.col("match_probability") >= rule.link_probability
    best = best.with_columns(
        pl.when(
            certain
            & clear_of_people
            & clear_of_records
            & pl.col("identifier_agrees")
            & pl.col("name_agrees")
            & pl.col("birth_date_agrees")
            & (~pl.col("namesake_candidate") | pl.col("address_agrees"))
            & ~pl.col("another_house")
        )
        .then(pl.lit(LINKED))
        .when(pl.col("match_probability") >= rule.review_probability)
        .then(pl.lit(REVIEW))
        .otherwise(pl.lit(UNMATCHED))
        .alias("decision"),
        pl.when(~certain)
        .then(pl.lit("probability_below_link_threshold"))
        .when(~clear_of_people)
        .then(pl.lit("another_person_close"))
        .when(~clear_of_records)
        .then(pl.lit("another_record_close_for_same_person"))
        .when(
            ~pl.col("identifier_agrees")
            & (pl.col("gamma_address") == -1)
            & (pl.col("gamma_postal_code") == -1)
        )
        .then(pl.lit("address_and_postal_code_blank"))
        .when(~pl.col("identifier_agrees"))
        .then(pl.lit("no_address_or_postal_code_agreement"))
        .when(~pl.col("name_agrees"))
        .then(pl.lit("name_disagrees"))
        .when(~pl.col("birth_date_agrees"))
        .then(pl.lit("birth_date_disagrees"))
        .when(pl.col("namesake_candidate") & ~pl.col("address_agrees"))
        .then(pl.lit("namesake_and_only_the_postal_code_agrees"))
        .when(pl.col("another_house"))
        .then(pl.lit("postal_code_agrees_but_the_address_is_another_house"))
        .otherwise(pl.lit(""))
        .alias("reason"),
    )
    all_records = pl.DataFrame({"record_id": record_ids})
    links = all_records.join(
        best.select("record_id", "person_id", "match_probability", "decision", "reason"),
        on="record_id",
        how="left",
    ).with_columns(
        pl.col("decision").fill_null(UNMATCHED),
        pl.col("reason").fill_null("no_candidate"),
        pl.col("match_probability").fill_null(0.0),
    )
    links = links.with_columns(
        pl.when(pl.col("decision") == UNMATCHED).then(None).otherwise(pl.col("person_id")).alias("person_id")
    )
    candidates = ranked.filter(pl.col("rank") <= rule.max_candidates).join(
        links.select("record_id", "decision"), on="record_id", how="left"
    )
    return links, candidates.drop(
        "_next_person",
        "_next_record_any",
        "_best_record",
        "address_agrees",
        "namesake_candidate",
        "another_house",
    )


def evidence_columns() -> list[str]:
    """Names of the per-field evidence columns written for each candidate."""
    columns = []
    for comparison in COMPARISONS:
        columns += [f"{comparison.name}_level", f"{comparison.name}_weight"]
    return columns


def with_evidence_labels(candidates: pl.DataFrame) -> pl.DataFrame:
    """Replace each gamma number with its level label (e.g. ``exact_with_variant_kanji``)."""
    labels = level_labels()
    return candidates.with_columns(
        pl.col(f"gamma_{name}")
        .replace_strict(list(mapping), list(mapping.values()), return_dtype=pl.String)
        .alias(f"{name}_level")
        for name, mapping in labels.items()
    ).with_columns(pl.col(f"weight_{c.name}").round(2).alias(f"{c.name}_weight") for c in COMPARISONS)
