"""Benchmark: push-type benefit eligibility and payment files (issue 14).

Eligibility for a prefecture-sized registry (1,000,000 persons in 450,000 households with a synthetic tax
extract; ``--quick``: 100,000 in 45,000) under three allowances (the rule sets newly_exempt_household,
exempt_household, child_support), computed by the OpenFisca engine with every condition's values kept for the
explanations, against the same rules as a plain per-household Python loop (`run_rules_loop`, which also builds
each household's explanation) in the same run. The loop runs on every household in --quick and on a tenth of
the households otherwise (its time is scaled up by the households it skipped, and said so); on the households
both ran, their results must be identical (exit code 1 otherwise). Peak memory is the process's maximum
resident size above what it held after generating the data.

Then a 全銀 総合振込 file of 200,000 transfers (``--quick``: 20,000): time to write, time to parse back, and the
round trip (count, control total, every transfer equal).

Run: .venv/bin/python bench/benefits.py [--quick]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date

import numpy as np

from chiiki.procedures.rules import RULE_SETS, Population, run_rules, run_rules_loop
from chiiki.procedures.zengin import Requester, Transfer, parse_transfers, write_transfers

DAY = date(2024, 6, 3)
PARAMETERS = """
base_amount: {2024-06-03: 100000}
per_child: {2024-06-03: 50000}
child_age_limit: {2024-06-03: 18}
income_limit: {2024-06-03: 3000000}
"""


def population(persons: int, households: int, seed: int = 14) -> Population:
    """Synthetic persons in households (every household has at least one), with a tax extract's facts."""
    rng = np.random.default_rng(seed)
    index = np.sort(
        np.concatenate([np.arange(households), rng.integers(0, households, persons - households)])
    )
    household_exempt = rng.random(households) < 0.3
    previous_exempt = household_exempt & (rng.random(households) < 0.6)
    return Population(
        households=households,
        household_index=index.astype(np.int64),
        birth_date=(np.datetime64("1925-01-01") + rng.integers(0, 36000, persons)).astype("datetime64[D]"),
        resident=rng.random(persons) < 0.99,
        tax_record=rng.random(persons) < 0.995,
        exempt=household_exempt[index] | (rng.random(persons) < 0.05),
        income=rng.integers(0, 4_000_000, persons).astype(np.int64),
        tax_record_previous=rng.random(persons) < 0.995,
        exempt_previous=previous_exempt[index],
    )


def subset(pop: Population, households: int) -> Population:
    """The first `households` households of `pop` with their persons."""
    keep = pop.household_index < households
    return Population(
        households=households,
        household_index=pop.household_index[keep],
        birth_date=pop.birth_date[keep],
        resident=pop.resident[keep],
        tax_record=pop.tax_record[keep],
        exempt=pop.exempt[keep],
        income=pop.income[keep],
        tax_record_previous=pop.tax_record_previous[keep],
        exempt_previous=pop.exempt_previous[keep],
    )


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def eligibility(pop: Population, loop_households: int) -> bool:
    base_rss = rss_mib()
    same = True
    print(f"eligibility: {pop.persons:,} persons, {pop.households:,} households")
    for code in ("newly_exempt_household", "exempt_household", "child_support"):
        rule_set = RULE_SETS[code]
        start = time.perf_counter()
        result = run_rules(rule_set, PARAMETERS, DAY, pop)
        engine_s = time.perf_counter() - start
        sample = subset(pop, loop_households)
        start = time.perf_counter()
        eligible, amounts, _explanations = run_rules_loop(rule_set, PARAMETERS, DAY, sample)
        loop_s = (time.perf_counter() - start) * pop.households / loop_households
        same &= result.eligible[:loop_households].tolist() == eligible
        same &= result.amount[:loop_households].tolist() == amounts
        scaled = (
            "" if loop_households == pop.households else f" (loop on {loop_households:,} households, scaled)"
        )
        print(
            f"  {code:24} engine {engine_s:7.2f} s  loop {loop_s:8.2f} s{scaled}  ratio {loop_s / engine_s:6.1f}x  "
            f"eligible {int(result.eligible.sum()):,}  total {int(result.amount.sum()):,} yen"
        )
    print(
        f"  peak memory above the generated data: {rss_mib() - base_rss:,.0f} MiB (process max {rss_mib():,.0f} MiB)"
    )
    print(f"  engine and loop agree on the households both ran: {same}")
    return same


def zengin(count: int) -> bool:
    rng = np.random.default_rng(7)
    requester = Requester(
        "3499920000", "ﾐﾄﾞﾘｶﾜｼ", date(2024, 8, 1), "9900", "ﾕｳﾁﾖ", "019", "ｾﾞﾛｲﾁｷﾕｳ", "1", "0000001"
    )
    transfers = [
        Transfer(
            "0169", "ﾋﾛｼﾏ", "001", "ﾎﾝﾃﾝ", "1", f"{int(n):07d}", "ﾐﾄﾞﾘｶﾜ ﾀﾛｳ", 100000 + 50000 * int(k), str(i)
        )
        for i, (n, k) in enumerate(zip(rng.integers(1, 10**7, count), rng.integers(0, 3, count), strict=True))
    ]
    start = time.perf_counter()
    data = write_transfers(requester, transfers)
    write_s = time.perf_counter() - start
    start = time.perf_counter()
    parsed = parse_transfers(data)
    parse_s = time.perf_counter() - start
    ok = (
        parsed.count == count
        and parsed.total == sum(t.amount for t in transfers)
        and parsed.transfers == transfers
    )
    print(
        f"zengin: {count:,} transfers, {len(data) / 2**20:.1f} MiB: write {write_s:.2f} s, parse {parse_s:.2f} s, "
        f"round trip identical: {ok}"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="100,000 persons, 45,000 households, 20,000 transfers"
    )
    args = parser.parse_args()
    persons, households, transfers = (
        (100_000, 45_000, 20_000) if args.quick else (1_000_000, 450_000, 200_000)
    )
    pop = population(persons, households)
    loop_households = households if args.quick else households // 10
    ok = eligibility(pop, loop_households)
    ok &= zengin(transfers)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
