"""Benchmark: match member bodies' inventories against advisories with the engine's index, against the naive
component × advisory loop measured on a sample in the same run (extrapolated linearly, the output says so).

Synthetic data in real shapes: OSV records (Maven, npm, PyPI; introduced/fixed ranges, some with several
intervals) and CSAF-like vendor/product/CPE products with `vers` ranges; inventories mix PURLs, CPEs and
vendor+product names. Also: incremental time for a day's 300 new advisories against every component (with the
components indexed once, `engine.ComponentIndex`, against the earlier path that reads every component again), peak
memory, and correctness on the real advisories in src/chiiki/demo/cyber_advisories (hand-checked expectations:
no affected product missed, no alert for a VEX-suppressed one).

Usage: .venv/bin/python bench/cyber_matching.py [--bodies 60] [--assets 500] [--advisories 50000] [--sample 100]
(the issue's scale is --bodies 300 --advisories 250000; it needs several minutes and several GB on 2 cores).
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from pathlib import Path

from chiiki.cyber import engine
from chiiki.cyber.engine import Component

ECOSYSTEMS = (("Maven", "maven"), ("npm", "npm"), ("PyPI", "pypi"))
REAL = Path(__file__).resolve().parents[1] / "src" / "chiiki" / "demo" / "cyber_advisories"


def _version(rng: random.Random) -> str:
    return f"{rng.randint(0, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 30)}"


def _package(rng: random.Random, n_packages: int) -> tuple[str, str, str]:
    ecosystem, purl_type = ECOSYSTEMS[rng.randrange(len(ECOSYSTEMS))]
    k = rng.randrange(n_packages)
    if purl_type == "maven":
        return ecosystem, purl_type, f"org.example{k % 97}:lib{k}"
    return ecosystem, purl_type, f"pkg{k}"


def _osv(i: int, rng: random.Random, n_packages: int) -> engine.Advisory:
    ecosystem, _purl_type, name = _package(rng, n_packages)
    ranges = []
    for _ in range(rng.choice((1, 1, 2))):
        major = rng.randint(0, 9)
        ranges.append(
            {
                "type": "ECOSYSTEM",
                "events": [
                    {"introduced": f"{major}.0.0"},
                    {"fixed": f"{major}.{rng.randint(1, 20)}.{rng.randint(0, 30)}"},
                ],
            }
        )
    record = {"id": f"SYN-{i}", "modified": "2026-12-01T00:00:00Z", "summary": "synthetic",
              "affected": [{"package": {"ecosystem": ecosystem, "name": name}, "ranges": ranges}]}  # fmt: skip
    return engine.read_osv(record, validate=False)  # the schema check is the loader's cost, not matching's


def _csaf(i: int, rng: random.Random, n_products: int) -> engine.Advisory:
    k = rng.randrange(n_products)
    low = rng.randint(1, 8)
    product = {
        "name": f"Product{k}",
        "product_id": "P1",
        "product_identification_helper": {"cpe": f"cpe:2.3:a:vendor{k % 50}:product{k}:*:*:*:*:*:*:*:*"},
    }
    doc = {"document": {"category": "csaf_security_advisory", "csaf_version": "2.0", "title": "synthetic",
                        "publisher": {"category": "vendor", "name": "V", "namespace": "https://example.org"},
                        "tracking": {"id": f"CSAF-{i}"}},
           "product_tree": {"branches": [{"category": "vendor", "name": f"Vendor{k % 50}", "branches": [
               {"category": "product_name", "name": f"Product{k}", "branches": [
                   {"category": "product_version_range", "name": f"vers:generic/>={low}.0|<{low}.{rng.randint(1, 9)}",
                    "product": product}]}]}]},
           "vulnerabilities": [{"cve": f"CVE-2026-{i}", "product_status": {"known_affected": ["P1"]}}]}  # fmt: skip
    return engine.read_csaf(doc, validate=False)  # the schema check is the loader's cost, not matching's


def advisories(count: int, seed: int, n_packages: int) -> list[engine.Advisory]:
    rng = random.Random(seed)
    return [_osv(i, rng, n_packages) if i % 4 else _csaf(i, rng, n_packages // 10) for i in range(count)]


def inventories(bodies: int, assets: int, seed: int, n_packages: int) -> list[Component]:
    """Each body runs `assets` products drawn from one shared catalogue (bodies buy from the same vendors)."""
    catalogue = components(max(assets * 4, 20_000), seed, n_packages)
    rng = random.Random(seed + 1)
    result = []
    for body in range(bodies):
        for item in rng.sample(catalogue, assets):
            result.append(
                Component(f"{body}:{item.key}", item.name, item.version, item.vendor, item.purl, item.cpe)
            )
    return result


def components(count: int, seed: int, n_packages: int) -> list[Component]:
    rng = random.Random(seed)
    result = []
    for i in range(count):
        kind = i % 5
        if kind < 3:
            _ecosystem, purl_type, name = _package(rng, n_packages)
            namespace, _, plain = name.rpartition(":")
            path = f"{namespace}/{plain}" if namespace else plain
            version = _version(rng)
            result.append(Component(str(i), plain, version, purl=f"pkg:{purl_type}/{path}@{version}"))
        elif kind == 3:
            k = rng.randrange(n_packages // 10)
            version = f"{rng.randint(1, 8)}.{rng.randint(0, 9)}"
            cpe = f"cpe:2.3:a:vendor{k % 50}:product{k}:{version}:*:*:*:*:*:*:*"
            result.append(Component(str(i), f"Product{k}", version, cpe=cpe))
        else:
            result.append(Component(str(i), f"Internal tool {i}", _version(rng), vendor="自治体"))
    return result


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def correctness() -> None:
    real = []
    for path in sorted(REAL.glob("*.*.json")):
        real += engine.read_advisories(
            path.read_bytes(),
            "nvd" if path.name.startswith("nvd-") else "osv" if ".osv." in path.name else "csaf",
            document=path.name,
        )
    log4j = "pkg:maven/org.apache.logging.log4j/log4j-core@"
    checked = [  # (component, advisory it must raise, or None)
        (Component("log4j-2.14.1", "log4j-core", purl=log4j + "2.14.1"), "GHSA-jfh8-c2jp-5v3q"),
        (Component("log4j-2.10.0", "log4j-core", purl=log4j + "2.10.0"), "GHSA-jfh8-c2jp-5v3q"),
        (Component("log4j-2.0-beta9", "log4j-core", purl=log4j + "2.0-beta9"), "GHSA-jfh8-c2jp-5v3q"),
        (Component("log4j-2.12.2", "log4j-core", purl=log4j + "2.12.2"), None),
        (Component("log4j-2.17.1", "log4j-core", purl=log4j + "2.17.1"), None),
        (Component("ios-12.2(55)SE", "IOS", "12.2(55)SE", vendor="Cisco"), "cisco-sa-20180328-smi2"),
        (Component("ios-15.2(7)E9", "IOS", "15.2(7)E9", vendor="Cisco"), None),
        (Component("def-1.0", "DEF", "1.0", vendor="Example Company"), "2022-EVD-UC-01-A-001"),
        (Component("abc-4.2 (VEX)", "ABC", "4.2", vendor="Example Company"), None),
        (Component("rh-sso", "Red Hat Single Sign-On", "7.5.1", vendor="Red Hat"), None),
    ]
    result = engine.match([c for c, _ in checked], real)
    got = {(m.component, m.advisory) for m in result.matches}
    expected = {(c.key, a) for c, a in checked if a}
    missed, extra = expected - got, got - expected
    print(f"correctness on {len(real)} real advisories, {len(checked)} hand-checked components: "
          f"missed {len(missed)}, wrong alerts {len(extra)}, VEX-suppressed {len(result.suppressed)}")  # fmt: skip
    assert not missed, missed
    assert not extra, extra


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bodies", type=int, default=60)
    parser.add_argument("--assets", type=int, default=500)
    parser.add_argument("--advisories", type=int, default=50_000)
    parser.add_argument("--sample", type=int, default=100, help="components the naive loop runs on")
    args = parser.parse_args()
    n_packages = max(1000, args.advisories // 5)
    base = peak_mb()
    t = time.perf_counter()
    corpus = advisories(args.advisories, 1, n_packages)
    inventory = inventories(args.bodies, args.assets, 2, n_packages)
    print(f"{len(inventory):,} components ({args.bodies} bodies × {args.assets}) × {len(corpus):,} advisories; "
          f"parsed in {time.perf_counter() - t:.1f} s")  # fmt: skip

    t = time.perf_counter()
    index = engine.AdvisoryIndex(corpus)
    full = index.match(inventory)
    full_s = time.perf_counter() - t
    print(f"index: full re-match {full_s:.2f} s (index build included), {len(full.matches):,} matches, "
          f"peak memory {peak_mb() - base:.0f} MB above start")  # fmt: skip

    sample = inventory[: args.sample]
    t = time.perf_counter()
    naive = engine.naive_match(sample, corpus)
    naive_s = time.perf_counter() - t
    naive_full = naive_s * len(inventory) / len(sample)
    indexed_sample = engine.AdvisoryIndex(corpus).match(sample)
    assert set(naive.matches) == set(indexed_sample.matches), "index and naive loop disagree on the sample"
    print(f"naive loop: {naive_s:.2f} s on {len(sample)} components → {naive_full:,.0f} s extrapolated to "
          f"{len(inventory):,} (same matches as the index on the sample)")  # fmt: skip
    print(f"ratio: index is {naive_full / full_s:,.0f}× faster than the naive loop")

    daily = advisories(300, 3, n_packages)
    t = time.perf_counter()
    kept = engine.ComponentIndex(inventory)  # built once, kept between loads (a worker keeps it in memory)
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    new = kept.match(daily)
    new_s = time.perf_counter() - t
    t = time.perf_counter()
    again = engine.AdvisoryIndex(daily).match(inventory)  # the earlier path: every component read again
    again_s = time.perf_counter() - t
    assert set(new.matches) == set(again.matches), "component index and advisory index disagree"
    assert set(new.suppressed) == set(again.suppressed)
    print(f"incremental: a day's 300 new advisories against {len(inventory):,} components in {new_s:.2f} s "
          f"with the component index ({len(new.matches)} new matches; index built once in {build_s:.2f} s), "
          f"against {again_s:.2f} s reading every component again: {again_s / new_s:,.0f}×")  # fmt: skip
    correctness()


if __name__ == "__main__":
    main()
