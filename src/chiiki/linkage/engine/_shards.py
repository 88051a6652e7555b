"""Sharded runs on DuckDB: municipality by municipality (or prefecture by prefecture), for operators without a cluster.

How it gives the same decisions as one run:

1. u, the term frequencies of names and the prior are computed once for the whole run (they are small tables)
   and given to every shard, so a pair scores the same in its shard as in one run;
2. each shard's records are scored against the same shard's registry, one shard at a time: DuckDB holds only
   one shard, so memory is bounded by the largest shard, not by the registry;
3. the pairs one run would have compared across shards are found by joining the blocking keys of the rules
   that can cross a shard (the whole name with the birth date or the postal code, and between municipalities
   the rules within a prefecture; the rules on the municipality or the house never cross one, because the
   shard is a function of the municipality key) and scored the same way, chunk by chunk;
4. the decision rule runs once on all the scored pairs.

A record whose best candidate lives in another shard (someone who moved) is never linked by a sharded run:
it goes to review, and every candidate in another shard than its record is listed in ``movers`` so an
officer sees the move. A record or person without a readable address has no shard; its pairs are all
scored in the cross-shard pass and it is decided exactly as in one run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import polars as pl

from chiiki.linkage.engine._decision import LINKED, REVIEW, DecisionRule, decide
from chiiki.linkage.engine._features import build_features, normalizing_pool, prefecture_of
from chiiki.linkage.engine._model import BLOCKING_RULES
from chiiki.linkage.engine._scoring import (
    PairScorer,
    ScoringOptions,
    empty_pairs,
    estimate_u,
    prior_probability,
    term_frequencies,
)

Key = TypeVar("Key")
SHARD_KINDS = ("municipality", "prefecture")
MOVED_REASON = "best_candidate_in_another_shard"
_SHARD_BOUND = {"municipality", "town", "block", "house"}
"""Feature columns that fix the shard: a blocking rule on one of them never pairs two shards."""
CROSS_CHUNK_PAIRS = 500_000
"""Cross-shard pairs scored per DuckDB connection."""
BATCH_ROWS = 200_000
"""Small shards are scored together up to this many registry + record rows (a DuckDB run costs about a second
to set up, and Japan has 1,700 municipalities); pairs joining two shards of a batch are dropped there and
scored in the cross-shard pass like any other. A shard larger than this is scored alone."""


@dataclass
class ShardedRun:
    """What a sharded run found besides the decisions: the cross-shard candidates and per-shard sizes."""

    links: pl.DataFrame
    candidates: pl.DataFrame
    movers: pl.DataFrame
    shards: int
    largest_shard: int
    cross_pairs: int
    timings: dict[str, float] = field(default_factory=dict)


def shard_of(municipality: pl.Expr, kind: str) -> pl.Expr:
    """The shard of a municipality key: itself, or its prefecture (the first two digits of the code)."""
    if kind == "municipality":
        return municipality
    if kind == "prefecture":
        return prefecture_of(municipality)
    raise ValueError(f"unknown shard kind {kind!r}; use one of {', '.join(SHARD_KINDS)}")


def cross_shard_rules(kind: str) -> list[tuple[str, ...]]:
    """Blocking rules whose pairs can join two shards of ``kind``.

    The prefecture fixes a prefecture's shard but not a municipality's: a rule on it crosses municipalities.
    """
    bound = _SHARD_BOUND | {"prefecture"} if kind == "prefecture" else _SHARD_BOUND
    return [rule for rule in BLOCKING_RULES if not bound.intersection(rule)]


def _both_features(registry: pl.DataFrame, records: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    with normalizing_pool() as pool:
        return build_features(registry, "person_id", pool=pool), build_features(
            records, "record_id", pool=pool
        )


def score_sharded(
    registry: pl.DataFrame,
    records: pl.DataFrame,
    shard_by: str,
    rule: DecisionRule,
    *,
    options: ScoringOptions | None = None,
    notify: Callable[[str], None] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ShardedRun:
    """Score and decide shard by shard (see the module docstring); ``links`` is as :func:`decide` returns it."""
    say = notify or (lambda _message: None)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    registry_features, record_features = _both_features(registry, records)
    registry_shards = registry_features.select(
        pl.col("unique_id").alias("person_id"),
        shard_of(pl.col("municipality"), shard_by).alias("person_shard"),
    )
    record_shards = record_features.select(
        pl.col("unique_id").alias("record_id"),
        shard_of(pl.col("municipality"), shard_by).alias("record_shard"),
    )
    timings["normalize"] = time.perf_counter() - start

    mark = time.perf_counter()
    u_values = estimate_u(registry_features, record_features, options)
    tf = term_frequencies(registry_features, record_features)
    prior = prior_probability(registry_features.height)
    timings["estimate_u"] = time.perf_counter() - mark

    mark = time.perf_counter()
    registry_by_shard = registry_features.with_columns(registry_shards["person_shard"]).partition_by(
        "person_shard", as_dict=True, include_key=False
    )
    record_by_shard = record_features.with_columns(record_shards["record_shard"]).partition_by(
        "record_shard", as_dict=True, include_key=False
    )
    shared = sorted(
        (key for key in record_by_shard if key[0] is not None and key in registry_by_shard), key=str
    )
    pairs: list[pl.DataFrame] = []
    largest = 0
    sizes = {key: registry_by_shard[key].height + record_by_shard[key].height for key in shared}
    batches = shard_batches(shared, sizes, batch_rows)
    for number, batch in enumerate(batches, start=1):
        shard_registry = pl.concat([registry_by_shard[key] for key in batch])
        shard_records = pl.concat([record_by_shard[key] for key in batch])
        largest = max(largest, shard_registry.height + shard_records.height)
        say(
            f"batch {number}/{len(batches)} ({len(batch)} shards): {shard_registry.height:,} x {shard_records.height:,}"
        )
        with PairScorer(shard_registry, shard_records, options, prior=prior, term_frequencies=tf) as scorer:
            scorer.estimate_u(u_values)
            scored = scorer.predict(rule.candidate_probability)
        if len(batch) > 1:  # pairs across two shards of the batch are the cross-shard pass's
            scored = (
                scored.join(record_shards, on="record_id")
                .join(registry_shards, on="person_id")
                .filter(pl.col("record_shard") == pl.col("person_shard"))
                .drop("record_shard", "person_shard")
            )
        pairs.append(scored)
    del registry_by_shard, record_by_shard
    timings["shards"] = time.perf_counter() - mark

    mark = time.perf_counter()
    cross = _cross_pairs(registry_features, record_features, registry_shards, record_shards, shard_by)
    say(f"cross-shard pairs: {cross.height:,}")
    for offset in range(0, cross.height, CROSS_CHUNK_PAIRS):
        chunk = cross.slice(offset, CROSS_CHUNK_PAIRS)
        persons = registry_features.join(
            chunk.select(pl.col("person_id").alias("unique_id")).unique(), on="unique_id"
        )
        people = record_features.join(
            chunk.select(pl.col("record_id").alias("unique_id")).unique(), on="unique_id"
        )
        with PairScorer(persons, people, options, prior=prior, term_frequencies=tf) as scorer:
            scorer.estimate_u(u_values)
            pairs.append(scorer.predict_given(chunk, rule.candidate_probability))
    timings["cross_shard"] = time.perf_counter() - mark

    mark = time.perf_counter()
    filled = [frame for frame in pairs if frame.height]
    scored = pl.concat(filled, how="vertical_relaxed") if filled else empty_pairs()
    links, candidates = decide(scored, records["record_id"], rule)
    links, candidates, movers = hold_movers(links, candidates, registry_shards, record_shards, rule)
    timings["decide"] = time.perf_counter() - mark
    return ShardedRun(links, candidates, movers, len(shared), largest, cross.height, timings)


def shard_batches(keys: list[Key], sizes: dict[Key, int], batch_rows: int) -> list[list[Key]]:
    """Consecutive shards grouped up to ``batch_rows`` registry + record rows (a larger shard alone)."""
    batches: list[list[Key]] = []
    current: list[Key] = []
    rows = 0
    for key in keys:
        size = sizes[key]
        if current and rows + size > batch_rows:
            batches.append(current)
            current, rows = [], 0
        current.append(key)
        rows += size
    if current:
        batches.append(current)
    return batches


def _cross_pairs(
    registry_features: pl.DataFrame,
    record_features: pl.DataFrame,
    registry_shards: pl.DataFrame,
    record_shards: pl.DataFrame,
    shard_by: str,
) -> pl.DataFrame:
    """Every (record, person) pair in different shards (or without one) that a blocking rule would compare."""
    found = []
    for rule in cross_shard_rules(shard_by):
        left = record_features.select(pl.col("unique_id").alias("record_id"), *rule).drop_nulls(list(rule))
        right = registry_features.select(pl.col("unique_id").alias("person_id"), *rule).drop_nulls(list(rule))
        found.append(left.join(right, on=list(rule)).select("record_id", "person_id"))
    pairs = (
        pl.concat(found).unique()
        if found
        else pl.DataFrame(schema={"record_id": pl.String, "person_id": pl.String})
    )
    pairs = pairs.join(record_shards, on="record_id").join(registry_shards, on="person_id")
    apart = (
        pl.col("record_shard").is_null()
        | pl.col("person_shard").is_null()
        | (pl.col("record_shard") != pl.col("person_shard"))
    )
    return pairs.filter(apart).select("record_id", "person_id").sort("record_id", "person_id")


def hold_movers(
    links: pl.DataFrame,
    candidates: pl.DataFrame,
    registry_shards: pl.DataFrame,
    record_shards: pl.DataFrame,
    rule: DecisionRule,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Send a link whose person is in another shard to review; list every cross-shard candidate."""
    placed = links.join(record_shards, on="record_id", how="left").join(
        registry_shards, on="person_id", how="left"
    )
    # Only a known move: a record without a readable address has no shard and is decided as in one run.
    moved = (pl.col("decision") == LINKED) & (pl.col("record_shard") != pl.col("person_shard"))
    held = set(placed.filter(moved)["record_id"].to_list())
    if held:
        in_held = pl.col("record_id").is_in(list(held))
        links = links.with_columns(
            pl.when(in_held).then(pl.lit(REVIEW)).otherwise(pl.col("decision")).alias("decision"),
            pl.when(in_held).then(pl.lit(MOVED_REASON)).otherwise(pl.col("reason")).alias("reason"),
        )
        candidates = candidates.with_columns(
            pl.when(in_held).then(pl.lit(REVIEW)).otherwise(pl.col("decision")).alias("decision")
        )
    movers = (
        candidates.filter(pl.col("match_probability") >= rule.review_probability)
        .join(record_shards, on="record_id", how="left")
        .join(registry_shards, on="person_id", how="left")
        .filter(pl.col("record_shard") != pl.col("person_shard"))
        .select(
            "record_id",
            "record_shard",
            pl.col("rank").alias("candidate_rank"),
            "person_id",
            "person_shard",
            pl.col("match_probability").round(6),
            "decision",
        )
        .sort("record_id", "candidate_rank")
    )
    return links, candidates, movers
