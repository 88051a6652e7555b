"""Django-free text engine of infosafety: screening recruitment posts (闇バイト) and grouping retold rumours.

>>> screener = Screener(default_signal_set())
>>> result = screener.screen("ホワイト案件 日給5万 詳細はテレグラムで")
>>> result.level, result.explain()

Signals are data (`data/signals-ja.json`, layout in docs/apps/infosafety.md), loaded and checked with
`load_signal_set` and compared with `diff_signal_sets`. Text is folded (`fold`) with `chiiki.jp` and tokenized
with SudachiPy. Near-duplicate posts at scale are clustered with MinHash/LSH (`cluster_near_duplicates`). The
modules inside are private.
"""

from chiiki.infosafety.engine._evaluate import Counts, Evaluation, LabelledPost, evaluate
from chiiki.infosafety.engine._fold import fold
from chiiki.infosafety.engine._minhash import (
    adjusted_rand_index,
    all_pairs_clusters,
    cluster_key,
    cluster_near_duplicates,
    cluster_signatures,
    lsh_keys,
    signatures,
)
from chiiki.infosafety.engine._posts import PostFileError, PostRow, read_posts
from chiiki.infosafety.engine._scales import FIJ, JFC, SCALES, Rating, Scale
from chiiki.infosafety.engine._screen import LEVELS, Screener, Screening, SignalMatch
from chiiki.infosafety.engine._signals import (
    Signal,
    SignalSet,
    SignalSetDiff,
    SignalSetError,
    Source,
    default_signal_set,
    diff_signal_sets,
    load_signal_set,
)
from chiiki.infosafety.engine._similar import (
    Fingerprint,
    Match,
    best_match,
    best_match_among,
    fingerprint,
    jaccard,
    shingles,
    similarity,
)
from chiiki.infosafety.engine._tokens import content_words, normalized_tokens, tokens
from chiiki.infosafety.engine._watch import (
    PAST_PATTERNS,
    WatchPatternError,
    default_patterns,
    format_patterns,
    parse_patterns,
    watch_hit,
)

__all__ = [
    "FIJ",
    "JFC",
    "LEVELS",
    "PAST_PATTERNS",
    "SCALES",
    "Counts",
    "Evaluation",
    "Fingerprint",
    "LabelledPost",
    "Match",
    "PostFileError",
    "PostRow",
    "Rating",
    "Scale",
    "Screener",
    "Screening",
    "Signal",
    "SignalMatch",
    "SignalSet",
    "SignalSetDiff",
    "SignalSetError",
    "Source",
    "WatchPatternError",
    "adjusted_rand_index",
    "all_pairs_clusters",
    "best_match",
    "best_match_among",
    "cluster_key",
    "cluster_near_duplicates",
    "cluster_signatures",
    "content_words",
    "default_patterns",
    "default_signal_set",
    "diff_signal_sets",
    "evaluate",
    "fingerprint",
    "fold",
    "format_patterns",
    "jaccard",
    "load_signal_set",
    "lsh_keys",
    "normalized_tokens",
    "parse_patterns",
    "read_posts",
    "shingles",
    "signatures",
    "similarity",
    "tokens",
    "watch_hit",
]
