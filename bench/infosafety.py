"""Benchmark of the 闇バイト screening engine against a naive keyword baseline, in the same run.

    .venv/bin/python bench/infosafety.py             # 50,000 posts
    .venv/bin/python bench/infosafety.py --quick     # 5,000 posts

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
import time
from pathlib import Path

from chiiki.infosafety.engine import LabelledPost, Screener, SignalSet, default_signal_set, evaluate

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


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    size = 5_000 if args.quick else args.size
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


if __name__ == "__main__":
    main()
