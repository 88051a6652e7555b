"""Benchmarks of infosafety's engine: clustering a disaster day of posts (MinHash/LSH against the naive all-pairs
comparison), and screening 闇バイト posts (against a naive keyword baseline), each in the same run.

    .venv/bin/python bench/infosafety.py                    # both: 1,000,000 posts clustered, 50,000 screened
    .venv/bin/python bench/infosafety.py --only clustering  # or --only screening
    .venv/bin/python bench/infosafety.py --quick            # 50,000 clustered (sample 2,000), 5,000 screened

Clustering: posts from chiiki.demo.infosafety_rumours (SYNTHETIC: rumours retold with prefixes, endings,
katakana, full width, dropped characters, links, mentions; a fifth one-off chatter). Ours is
`cluster_near_duplicates` (MinHash 128, 32 bands of 4, estimates near the threshold checked exactly) on all the
posts: time, peak memory of the process (ru_maxrss) and its growth. On a random sample (20,000 by default) both
ours and the naive baseline `all_pairs_clusters` (exact Jaccard of every pair of 3-gram sets in Python, linked
at the same threshold, connected components) run, and their clusters are compared by the adjusted Rand index.
Speed is compared per post: ours on the whole day against the naive on the sample.

Posts come from the SYNTHETIC labelled corpus shipped in src/chiiki/demo/data/infosafety-posts.jsonl (written
for this project from templates; see chiiki.demo.infosafety_corpus), repeated to the requested number.
Methods:
- ours: chiiki.infosafety.engine.Screener with the shipped signal set (folding, SudachiPy normalized forms,
  regular expressions on amounts, negative context signals);
- ours_no_sudachi: the same without the tokenizer view (folding and regular expressions only);
- naive: the same signal words searched with `in` on the raw text, no folding, no context, flagged at the
  same threshold (what a spreadsheet of keywords does).
Reported: posts per second of each and the ratio to the naive baseline, and precision/recall on the held-out
part of the corpus (weights are fixed data; nothing is fitted here).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import time
from pathlib import Path

import numpy as np

from chiiki.demo.infosafety_rumours import disaster_day
from chiiki.infosafety.engine import (
    LabelledPost,
    Screener,
    SignalSet,
    adjusted_rand_index,
    all_pairs_clusters,
    cluster_near_duplicates,
    default_signal_set,
    evaluate,
)

CORPUS = Path(__file__).resolve().parents[1] / "src/chiiki/demo/data/infosafety-posts.jsonl"


class Naive:
    """Substring search of every pattern in the raw text; positive weights only."""

    def __init__(self, signal_set: SignalSet) -> None:
        self.signal_set = signal_set
        self.words = [(s.weight, s.patterns) for s in signal_set.signals if s.weight > 0]

    def level(self, text: str) -> str:
        score = sum(w for w, patterns in self.words if any(p in text for p in patterns))
        return (
            "flag" if score >= self.signal_set.flag else "watch" if score >= self.signal_set.watch else "low"
        )


def _posts() -> list[dict[str, object]]:
    return [json.loads(line) for line in CORPUS.read_text("utf-8").splitlines()]


def _throughput(screen: object, texts: list[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        screen(text)  # type: ignore[operator]
    return len(texts) / (time.perf_counter() - start)


def _naive_figures(naive: Naive, holdout: list[LabelledPost]) -> tuple[float, float]:
    tp = fp = fn = 0
    for post in holdout:
        flagged = naive.level(post.text) == "flag"
        tp += flagged and post.label == 1
        fp += flagged and post.label == 0
        fn += (not flagged) and post.label == 1
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def clustering(posts: int, sample: int) -> None:
    """Cluster `posts` posts with ours; ours and the naive all-pairs comparison on a sample of them."""
    day = list(disaster_day(posts))
    texts = [text for text, _ in day]
    truth = [cluster for _, cluster in day]
    print(f"clustering {posts:,} posts (synthetic disaster day, {len(set(truth)):,} true clusters)")
    before = _peak_mb()
    start = time.perf_counter()
    labels = cluster_near_duplicates(texts)
    ours_seconds = time.perf_counter() - start
    peak = _peak_mb()
    print(f"  ours (MinHash/LSH)   {ours_seconds:10.1f} s   {ours_seconds / posts * 1e6:10.1f} µs/post")
    print(
        f"  clusters {len(np.unique(labels)):,}; peak memory {peak:,.0f} MB (+{peak - before:,.0f} MB for clustering)"
    )
    print(f"  agreement with the generator's rumours (ARI): {adjusted_rand_index(labels, truth):.4f}")
    chosen = sorted(random.Random(15).sample(range(posts), sample))
    part = [texts[i] for i in chosen]
    start = time.perf_counter()
    ours_part = cluster_near_duplicates(part)
    part_seconds = time.perf_counter() - start
    start = time.perf_counter()
    naive_part = all_pairs_clusters(part)
    naive_seconds = time.perf_counter() - start
    ours_per_post, naive_per_post = ours_seconds / posts, naive_seconds / sample
    print(f"\nsample of {sample:,} posts")
    print(f"  naive (all pairs)    {naive_seconds:10.1f} s   {naive_per_post * 1e6:10.1f} µs/post")
    print(f"  ours on the sample   {part_seconds:10.1f} s   {part_seconds / sample * 1e6:10.1f} µs/post")
    print(f"  same clusters as the naive (ARI): {adjusted_rand_index(ours_part, naive_part):.4f}")
    print(
        f"  naive against the generator's rumours (ARI): "
        f"{adjusted_rand_index(naive_part, [truth[i] for i in chosen]):.4f}"
    )
    print(
        f"  per post: ours on {posts:,} is {naive_per_post / ours_per_post:,.0f}x faster than the naive on {sample:,}"
    )


def screening(size: int) -> None:
    """Screen `size` posts with ours and the naive keyword search; precision and recall on the held-out part."""
    posts = _posts()
    texts = [str(p["text"]) for p in itertools.islice(itertools.cycle(posts), size)]
    signal_set = default_signal_set()
    ours, plain, naive = Screener(signal_set), Screener(signal_set, use_tokenizer=False), Naive(signal_set)
    ours.screen("warm up")
    rates = {
        "naive": _throughput(naive.level, texts),
        "ours_no_sudachi": _throughput(plain.screen, texts),
        "ours": _throughput(ours.screen, texts),
    }
    print(f"screening {size:,} posts (synthetic corpus of {len(posts)} repeated)")
    for name, rate in rates.items():
        print(f"  {name:16} {rate:12,.0f} posts/s   {rate / rates['naive']:6.3f} x naive")
    holdout = [
        LabelledPost(str(p["text"]), int(p["label"]), tuple(p["signals"]))  # type: ignore[call-overload, arg-type]
        for p in posts
        if p["split"] == "holdout"
    ]
    print(f"\nheld-out posts: {len(holdout)} (synthetic; written by the same hand as the signals)")
    precision, recall = _naive_figures(naive, holdout)
    print(f"  naive (flag)             precision {precision:.3f}  recall {recall:.3f}")
    for name, screener in (("ours_no_sudachi", plain), ("ours", ours)):
        result = evaluate(screener, holdout)
        print(f"\n{name}")
        print("\n".join("  " + line for line in result.table()))


def main() -> None:
    """Run the benchmarks and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=50_000, help="posts screened")
    parser.add_argument("--posts", type=int, default=1_000_000, help="posts clustered")
    parser.add_argument("--sample", type=int, default=20_000, help="posts compared with the naive all pairs")
    parser.add_argument("--only", choices=("clustering", "screening"))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.size, args.posts, args.sample = 5_000, 50_000, 2_000
    if args.only != "screening":
        clustering(args.posts, args.sample)
        print()
    if args.only != "clustering":
        screening(args.size)


if __name__ == "__main__":
    main()
