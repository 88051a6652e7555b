"""Benchmark: talent matching (issue 7).

Ranks the top 20 candidates for one need and the top 20 needs for one person on generated data
(200,000 profiles and 20,000 needs by default; ``--quick``: 20,000 and 2,000), and compares each
query with a brute-force scoring of every pair of that query (every profile or need on all 49 skills,
then a full sort) in the same run. Reports p50/p99 latency of both, their ratio, and the share of
top-20 lists identical to the brute force (must be 100 % for EXACT mode; the exit code is 1 otherwise).

Run: .venv/bin/python bench/talent_matching.py [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable

import numpy as np

from chiiki.demo.talent_matching import generate_needs, generate_profiles
from chiiki.talent.matching import (
    ExposureLedger,
    MatchingEngine,
    RankingMode,
    brute_force_candidates,
    brute_force_needs,
)
from chiiki.talent.standard import load_skill_standard

TODAY = dt.date(2026, 4, 1)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000.0, q))


def report(label: str, engine_s: list[float], brute_s: list[float], same: int, total: int) -> None:
    e50, e99, b50, b99 = pct(engine_s, 50), pct(engine_s, 99), pct(brute_s, 50), pct(brute_s, 99)
    print(f"{label}")
    print(f"  engine (EXACT)  p50 {e50:8.2f} ms   p99 {e99:8.2f} ms")
    print(f"  brute force     p50 {b50:8.2f} ms   p99 {b99:8.2f} ms")
    print(f"  speed-up (brute p50 / engine p50): {b50 / e50:6.1f}x   (p99: {b99 / e99:.1f}x)")
    print(f"  top-20 identical to brute force: {same}/{total} = {100.0 * same / total:.1f} %")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 profiles and 2,000 needs")
    parser.add_argument("--profiles", type=int)
    parser.add_argument("--needs", type=int)
    parser.add_argument("--queries", type=int, default=300, help="queries of each kind")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    n_profiles = args.profiles or (20_000 if args.quick else 200_000)
    n_needs = args.needs or (2_000 if args.quick else 20_000)
    queries = min(args.queries, n_needs, n_profiles)

    std = load_skill_standard()
    gen_s, profiles = timed(lambda: generate_profiles(std, n_profiles, seed=args.seed, today=TODAY))
    gen2_s, needs = timed(lambda: generate_needs(std, n_needs, seed=args.seed + 1, today=TODAY))
    engine = MatchingEngine(std, profiles, needs)  # type: ignore[arg-type]
    p_tab, n_tab = engine.profiles, engine.needs
    # The brute force keeps its natural row-major layouts; building them is not timed.
    levels_rows = p_tab.with_levels_row_major()
    tiers_rows = np.ascontiguousarray(p_tab.tiers.T)
    dense_required = n_tab.dense_required()
    print(f"talent matching benchmark: {n_profiles:,} profiles, {n_needs:,} needs, {queries} queries each")
    print(f"  generated in {gen_s + gen2_s:.1f} s; standard {std.tag}; top k = 20")

    rng = np.random.default_rng(args.seed)
    need_ids = rng.choice(n_tab.ids, queries, replace=False).tolist()
    profile_ids = rng.choice(p_tab.ids, queries, replace=False).tolist()

    engine.candidates_for_need(need_ids[0], explain=False)  # warm-up
    e_s: list[float] = []
    b_s: list[float] = []
    x_s: list[float] = []
    same = 0
    for nid in need_ids:
        t_e, got = timed(lambda nid=nid: engine.candidates_for_need(nid, explain=False))
        t_b, want = timed(lambda nid=nid: brute_force_candidates(p_tab, levels_rows, tiers_rows, n_tab, nid))
        t_x, _ = timed(lambda nid=nid: engine.candidates_for_need(nid, explain=True))
        e_s.append(t_e)
        b_s.append(t_b)
        x_s.append(t_x)
        same += [(m.profile_id, m.score) for m in got] == want  # type: ignore[attr-defined]
    report("candidates for one need (top 20 of all profiles)", e_s, b_s, same, queries)
    print(f"  engine with explanations      p50 {pct(x_s, 50):8.2f} ms   p99 {pct(x_s, 99):8.2f} ms")
    ok = same == queries

    e_s, b_s, same = [], [], 0
    for pid in profile_ids:
        t_e, got = timed(lambda pid=pid: engine.needs_for_profile(pid, explain=False))
        t_b, want = timed(lambda pid=pid: brute_force_needs(p_tab, n_tab, dense_required, pid))
        e_s.append(t_e)
        b_s.append(t_b)
        same += [(m.need_id, m.score) for m in got] == want  # type: ignore[attr-defined]
    report("needs for one person (top 20 of all needs)", e_s, b_s, same, queries)
    ok = ok and same == queries

    # FAIR mode: same queries twice over, with a ledger; reports its cost and how much it departs from EXACT.
    ledger = ExposureLedger.for_size(len(p_tab))
    f_s: list[float] = []
    overlap = 0
    for nid in need_ids + need_ids:
        t_f, fair = timed(
            lambda nid=nid: engine.candidates_for_need(
                nid, mode=RankingMode.FAIR, ledger=ledger, explain=False
            )
        )
        f_s.append(t_f)
        exact = {m.profile_id for m in engine.candidates_for_need(nid, explain=False)}
        overlap += len(exact & {m.profile_id for m in fair})  # type: ignore[attr-defined]
    print("candidates for one need, FAIR mode (exposure-aware; not expected to equal brute force)")
    print(f"  engine (FAIR)   p50 {pct(f_s, 50):8.2f} ms   p99 {pct(f_s, 99):8.2f} ms")
    print(f"  share of FAIR top-20 slots also in EXACT top 20: {100.0 * overlap / (20 * len(f_s)):.1f} %")
    print(f"  distinct profiles shown: {int((ledger.counts > 0).sum()):,}")
    print("RESULT: " + ("exact mode identical to brute force in 100 % of queries" if ok else "MISMATCH"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
