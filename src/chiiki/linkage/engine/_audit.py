"""Audit of links made elsewhere: score each existing link and rank the suspicious ones, with reasons.

This is the check the 2023 national inspection had to do by eye. Each link (record_id, person_id) is
scored with the same model as :func:`chiiki.linkage.engine.link`, next to the best other candidates
found by blocking, and flagged with every reason that applies:

- ``another_person_fits_better``: a different registry person scores higher for the record;
- ``name_disagrees``: neither the kanji name nor the kana reading agree (variants and one slip allowed);
- ``birth_date_disagrees``: the dates differ beyond a day/month swap or a one-digit slip;
- ``sex_disagrees``;
- ``only_name_birth_date_sex``: nothing beyond name, birth date and sex supports the link (no address
  or postal code agreement), the pattern of the 2023 wrong links;
- ``several_people_tied_to_one_person``: records with different names or birth dates are all tied to
  this one person;
- ``low_probability``: the link's own probability is below the review threshold;
- ``person_not_in_registry`` / ``record_not_found``: the link points at an id that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from chiiki.linkage.engine._decision import DecisionRule, evidence_columns, with_evidence_labels
from chiiki.linkage.engine._features import build_features
from chiiki.linkage.engine._model import IDENTIFIER_LEVELS, NAME_LEVELS, level_labels
from chiiki.linkage.engine._scoring import PairScorer, ScoringOptions
from chiiki.tables import write_excel_csv

REASONS: tuple[str, ...] = (
    "person_not_in_registry",
    "record_not_found",
    "another_person_fits_better",
    "name_disagrees",
    "birth_date_disagrees",
    "sex_disagrees",
    "only_name_birth_date_sex",
    "several_people_tied_to_one_person",
    "low_probability",
)


@dataclass
class AuditResult:
    """``suspicious`` holds one ranked row per flagged link; ``total`` is the number of links checked."""

    suspicious: pl.DataFrame
    total: int

    def reason_counts(self) -> dict[str, int]:
        """How many flagged links carry each reason."""
        counts = dict.fromkeys(REASONS, 0)
        for reasons in self.suspicious["reasons"].to_list():
            for reason in str(reasons).split(";"):
                if reason in counts:
                    counts[reason] += 1
        return counts


def _gammas(field: str, wanted: tuple[str, ...]) -> list[int]:
    return [gamma for gamma, label in level_labels()[field].items() if label in wanted]


def audit_links(
    registry: pl.DataFrame,
    records: pl.DataFrame,
    links: pl.DataFrame,
    *,
    rule: DecisionRule | None = None,
    options: ScoringOptions | None = None,
) -> AuditResult:
    """Score ``links`` (record_id, person_id) against ``registry`` and ``records``; return the suspicious ones."""
    rule = rule or DecisionRule()
    registry_features = build_features(registry, "person_id")
    record_features = build_features(records, "record_id")
    known = links.join(registry.select("person_id"), on="person_id", how="semi").join(
        records.select("record_id"), on="record_id", how="semi"
    )
    with PairScorer(registry_features, record_features, options) as scorer:
        scorer.estimate_u()
        pairs = scorer.predict_with_pairs(known, rule.candidate_probability)

    scored = links.join(pairs, on=["record_id", "person_id"], how="left")
    others = (
        pairs.join(links, on=["record_id", "person_id"], how="anti")
        .sort("match_weight", descending=True)
        .group_by("record_id", maintain_order=True)
        .first()
        .select(
            "record_id",
            pl.col("person_id").alias("better_person_id"),
            pl.col("match_weight").alias("_other_weight"),
            pl.col("match_probability").alias("better_probability"),
        )
    )
    scored = scored.join(others, on="record_id", how="left")

    # Records tied to one person but describing different people (names or birth dates disagree).
    keys = record_features.select(
        pl.col("unique_id").alias("record_id"),
        pl.coalesce("kanji_full", "kana_full").alias("_name"),
        pl.col("dob").alias("_dob"),
    )
    shared = (
        links.join(keys, on="record_id", how="left")
        .group_by("person_id")
        .agg(
            pl.len().alias("_records"),
            pl.col("_name").drop_nulls().n_unique().alias("_names"),
            pl.col("_dob").drop_nulls().n_unique().alias("_dobs"),
        )
        .filter((pl.col("_records") > 1) & ((pl.col("_names") > 1) | (pl.col("_dobs") > 1)))
        .select("person_id", pl.lit(True).alias("_shared"))
    )
    scored = scored.join(shared, on="person_id", how="left")

    person_known = pl.col("person_id").is_in(registry["person_id"].implode())
    record_known = pl.col("record_id").is_in(records["record_id"].implode())
    name_agrees = pl.col("gamma_name_kanji").is_in(_gammas("name_kanji", NAME_LEVELS["name_kanji"])) | pl.col(
        "gamma_name_kana"
    ).is_in(_gammas("name_kana", NAME_LEVELS["name_kana"]))
    name_known = (pl.col("gamma_name_kanji") >= 0) | (pl.col("gamma_name_kana") >= 0)
    identifier = pl.col("gamma_address").is_in(_gammas("address", IDENTIFIER_LEVELS["address"])) | pl.col(
        "gamma_postal_code"
    ).is_in(_gammas("postal_code", IDENTIFIER_LEVELS["postal_code"]))
    flags = {
        "person_not_in_registry": ~person_known,
        "record_not_found": ~record_known,
        "another_person_fits_better": pl.col("_other_weight") > pl.col("match_weight"),
        "name_disagrees": name_known & ~name_agrees,
        "birth_date_disagrees": pl.col("gamma_birth_date") == 0,
        "sex_disagrees": pl.col("gamma_sex") == 0,
        "only_name_birth_date_sex": pl.col("match_weight").is_not_null() & ~identifier,
        "several_people_tied_to_one_person": pl.col("_shared").fill_null(False),
        "low_probability": pl.col("match_probability") < rule.review_probability,
    }
    scored = scored.with_columns(expr.fill_null(False).alias(f"_flag_{name}") for name, expr in flags.items())
    scored = scored.with_columns(
        pl.concat_str(
            [pl.when(pl.col(f"_flag_{name}")).then(pl.lit(name)) for name in REASONS],
            separator=";",
            ignore_nulls=True,
        ).alias("reasons"),
        pl.sum_horizontal(pl.col(f"_flag_{name}").cast(pl.Int32) for name in REASONS).alias("_count"),
    ).filter(pl.col("_count") > 0)
    labelled = with_evidence_labels(
        scored.with_columns(pl.col(f"gamma_{f}").fill_null(-1) for f in level_labels())
    )
    suspicious = (
        labelled.sort(["_count", "match_weight"], descending=[True, False], nulls_last=False)
        .with_row_index("rank", offset=1)
        .select(
            "rank",
            "record_id",
            "person_id",
            pl.col("match_probability").round(6),
            "reasons",
            "better_person_id",
            pl.col("better_probability").round(6),
            *evidence_columns(),
        )
    )
    return AuditResult(suspicious, links.height)


def write_audit(result: AuditResult, out_dir: str | Path) -> Path:
    """Write ``audit.csv`` (UTF-8 with BOM) into ``out_dir`` and return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "audit.csv"
    write_excel_csv(result.suspicious, path)
    return path
