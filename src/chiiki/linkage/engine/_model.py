"""The Splink model: comparisons designed for Japanese registry fields, blocking rules, and fixed m priors.

Why fixed m probabilities: the m value of a level is "how often do two records of the same person fall
in this level", i.e. an error rate of data entry. Unsupervised EM on a registry-to-records link estimates
it badly (it happily learns that "same family name" means "same person"), so m is set from known
error rates and can be refined from labelled pairs (:func:`train_m_from_labels`). u ("how often do two
different people agree this way") is measured on the data itself by random sampling, which is reliable,
and exact name agreement uses term frequencies, so a shared 佐藤 counts for less than a rare name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlglot
from splink import SettingsCreator, block_on

# Name columns split into family/given may be blank when the writer did not separate them (田中令司);
# then family/given agreement falls back to the prefix/suffix of the full key.
_FAMILY_EQ = (
    "coalesce(kanji_family_l = kanji_family_r, starts_with(kanji_full_l, kanji_family_r), "
    "starts_with(kanji_full_r, kanji_family_l), false)"
)
_GIVEN_EQ = (
    "coalesce(kanji_given_l = kanji_given_r, ends_with(kanji_full_l, kanji_given_r), "
    "ends_with(kanji_full_r, kanji_given_l), false)"
)
_KANA_FAMILY_EQ = _FAMILY_EQ.replace("kanji_", "kana_")
_KANA_GIVEN_EQ = _GIVEN_EQ.replace("kanji_", "kana_")


@dataclass(frozen=True)
class Level:
    """One comparison level: SQL condition, a short label used in the evidence, and its m prior."""

    label: str
    sql: str
    m: float
    tf_column: str | None = None


@dataclass(frozen=True)
class FieldComparison:
    """A comparison: the field name used in outputs, the columns it reads, and its levels (best first)."""

    name: str
    null_sql: str
    levels: tuple[Level, ...]


COMPARISONS: tuple[FieldComparison, ...] = (
    FieldComparison(
        "name_kanji",
        "kanji_full_l IS NULL OR kanji_full_r IS NULL",
        (
            Level("exact_as_written", "kanji_written_l = kanji_written_r", 0.75, "kanji_full"),
            Level("exact_with_variant_kanji", "kanji_full_l = kanji_full_r", 0.21, "kanji_full"),
            Level(
                "one_character_differs",
                f"levenshtein(kanji_full_l, kanji_full_r) = 1 AND length(kanji_full_l) >= 3 AND {_FAMILY_EQ}",
                0.008,
            ),
            Level("given_name_only", f"{_GIVEN_EQ} AND NOT {_FAMILY_EQ}", 0.012),
            Level("family_name_only", _FAMILY_EQ, 0.012),
        ),
    ),
    FieldComparison(
        "name_kana",
        "kana_full_l IS NULL OR kana_full_r IS NULL",
        (
            Level("exact", "kana_full_l = kana_full_r", 0.955, "kana_full"),
            Level(
                "one_sound_differs",
                f"levenshtein(kana_full_l, kana_full_r) = 1 AND length(kana_full_l) >= 4 AND {_KANA_FAMILY_EQ}",
                0.015,
            ),
            Level("given_name_only", f"{_KANA_GIVEN_EQ} AND NOT {_KANA_FAMILY_EQ}", 0.012),
            Level("family_name_only", _KANA_FAMILY_EQ, 0.01),
        ),
    ),
    FieldComparison(
        "birth_date",
        "dob_l IS NULL OR dob_r IS NULL",
        (
            Level("exact", "dob_l = dob_r", 0.965),
            Level(
                "day_month_swapped",
                "substr(dob_l, 1, 4) = substr(dob_r, 1, 4) AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2) "
                "AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)",
                0.008,
            ),
            Level("one_digit_differs", "levenshtein(dob_l, dob_r) = 1", 0.012),
        ),
    ),
    FieldComparison(
        "sex",
        "sex_l IS NULL OR sex_r IS NULL",
        (Level("exact", "sex_l = sex_r", 0.995),),
    ),
    FieldComparison(
        "address",
        "municipality_l IS NULL OR municipality_r IS NULL",
        (
            Level("same_house", "house_l = house_r", 0.90),
            Level("same_block", "block_l = block_r", 0.02),
            Level("same_town", "town_l = town_r", 0.02),
            Level("same_municipality", "municipality_l = municipality_r", 0.02),
        ),
    ),
    FieldComparison(
        "postal_code",
        "postal_l IS NULL OR postal_r IS NULL",
        (
            Level("exact", "postal_l = postal_r", 0.95),
            Level("same_area", "substr(postal_l, 1, 3) = substr(postal_r, 1, 3)", 0.02),
        ),
    ),
)
"""The comparisons, in output order. The remaining m mass of each comparison goes to "disagrees"."""

IDENTIFIER_LEVELS: dict[str, tuple[str, ...]] = {
    "address": ("same_house", "same_block"),
    "postal_code": ("exact",),
}
"""Levels that count as "an identifier beyond name, birth date and sex agrees" for the link decision."""

ANOTHER_HOUSE_LEVELS: dict[str, tuple[str, ...]] = {"address": ("same_town", "same_municipality")}
"""Address levels at which both addresses were read and name another house of the same municipality: a
postal code is shared by a whole area, so it does not link a pair whose addresses say different houses."""

NAME_LEVELS: dict[str, tuple[str, ...]] = {
    "name_kanji": ("exact_as_written", "exact_with_variant_kanji", "one_character_differs"),
    "name_kana": ("exact", "one_sound_differs"),
}
"""Levels that count as "the whole name agrees"; a link needs the kanji one, or the kana one when the kanji
name is blank on one side. So a family member sharing the family name, address and (copied) birth date
can never take the link, nor can a namesake whose reading matches but whose kanji given name differs."""

BIRTH_DATE_LEVELS: dict[str, tuple[str, ...]] = {
    "birth_date": ("exact", "day_month_swapped", "one_digit_differs"),
}
"""Levels that count as "the birth date agrees" for a link (a blank birth date neither helps nor blocks)."""

BLOCKING_RULES: tuple[tuple[str, ...], ...] = (
    ("dob", "kana_full"),
    ("dob", "kanji_full"),
    ("dob", "kana_family", "prefecture"),
    ("dob", "kana_given", "prefecture"),
    ("dob", "kanji_family", "prefecture"),
    ("dob", "kanji_given", "prefecture"),
    ("kana_full", "dob_year", "prefecture"),
    ("kanji_full", "municipality"),
    ("kana_full", "municipality"),
    ("house", "kana_given"),
    ("kanji_full", "postal"),
    ("kana_full", "postal"),
)
"""Pairs are compared when they agree on every column of at least one rule. Each kind of mistake
(a date typo, a marriage, a missing reading, a move) breaks some rules but leaves another standing.

Every rule holds a key that grows with the population (the whole name with the birth date) or a place
(prefecture, municipality, postal code, house), so the pairs per record are bounded by the size of a place,
not of the country: a birth date with one part of the name is shared by more people the more there are, so
those rules look only within a prefecture. What this gives up is a candidate that moved to another prefecture
and also changed a name part or mistyped the birth date. A link needs the address or the postal code to agree,
which a move across prefectures breaks, so such a pair costs a review candidate, not a link."""


def in_dialect(sql: str, dialect: str) -> str:
    """A level's condition (written for DuckDB) in the SQL of another Splink backend, e.g. ``spark``."""
    if dialect == "duckdb":
        return sql
    return str(sqlglot.transpile(sql, read="duckdb", write=dialect)[0])


def _comparison_dict(
    comparison: FieldComparison, m_overrides: dict[str, list[float]] | None, dialect: str = "duckdb"
) -> dict[str, Any]:
    overrides = (m_overrides or {}).get(comparison.name)
    m_values = list(overrides) if overrides else [level.m for level in comparison.levels]
    remainder = max(1.0 - sum(m_values), 1e-4)
    levels: list[dict[str, Any]] = [
        {
            "sql_condition": in_dialect(comparison.null_sql, dialect),
            "label_for_charts": "missing",
            "is_null_level": True,
        }
    ]
    for level, m in zip(comparison.levels, m_values, strict=True):
        entry: dict[str, Any] = {
            "sql_condition": in_dialect(level.sql, dialect),
            "label_for_charts": level.label,
            "m_probability": m,
            "fix_m_probability": True,
        }
        if level.tf_column:
            entry["tf_adjustment_column"] = level.tf_column
            entry["tf_adjustment_weight"] = 1.0
        levels.append(entry)
    levels.append(
        {
            "sql_condition": "ELSE",
            "label_for_charts": "disagrees",
            "m_probability": remainder,
            "fix_m_probability": True,
        }
    )
    return {"output_column_name": comparison.name, "comparison_levels": levels}


def level_labels() -> dict[str, dict[int, str]]:
    """Map each comparison's gamma value (Splink numbers levels from the last, -1 = missing) to its label."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in COMPARISONS:
        names = ["disagrees", *reversed([level.label for level in comparison.levels])]
        labels[comparison.name] = {-1: "missing", **dict(enumerate(names))}
    return labels


def build_settings(
    prior_match_probability: float,
    *,
    m_overrides: dict[str, list[float]] | None = None,
    dialect: str = "duckdb",
) -> SettingsCreator:
    """Build the Splink settings for a registry-to-records link (``link_only``) in a backend's SQL dialect."""
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[_comparison_dict(c, m_overrides, dialect) for c in COMPARISONS],
        blocking_rules_to_generate_predictions=[block_on(*rule) for rule in BLOCKING_RULES],
        probability_two_random_records_match=prior_match_probability,
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
    )
