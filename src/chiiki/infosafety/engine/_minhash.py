"""Near-duplicate posts at scale: MinHash signatures of character 3-grams, banded LSH, connected components.

A disaster day brings hundreds of thousands of posts retelling a few thousand rumours. Comparing every pair is
quadratic; here each post gets a signature of `NUM_PERM` minimum hashes of its 3-grams (the share of equal
positions in two signatures estimates the Jaccard similarity of their 3-gram sets), signatures are cut into
`BANDS` bands of `ROWS` values, and only posts that agree on a whole band are compared. Pairs whose estimated
similarity reaches the threshold are linked, and a cluster is a connected component of the links (as the exact
all-pairs comparison `all_pairs_clusters` defines it, which the tests and the benchmark compare against).

The key of a post is light on purpose (it runs a million times): NFKC through `chiiki.jp` with URLs and
@mentions removed (`strip_noise`), katakana written as hiragana, lower case, and only letters and digits kept.
3-grams are packed exactly into 63 bits (three 21-bit code points), mixed to 32 bits, and permuted by
`NUM_PERM` linear maps a·x + b mod 2³²; everything after the key is numpy over blocks of posts. Components come from scipy's `connected_components`.

Why not the `datasketch` library: it builds one Python object per post and hashes each 3-gram with SHA-1
(about 330 µs a post measured here, more than this whole pipeline), and its LSH index keeps a Python dict entry
per post and band, which for a million posts and 32 bands takes gigabytes; it also leaves the clustering to the
caller. The batch above is a few dozen lines of numpy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix  # type: ignore[import-untyped]  # no stubs installed
from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

from chiiki.infosafety.engine._fold import strip_noise

NUM_PERM = 128
BANDS = 32
ROWS = 4
MARGIN = 0.1  # estimates this close to the threshold are checked exactly
THRESHOLD = 0.5  # Jaccard similarity of the 3-gram sets at which two posts say the same thing
BLOCK = 2048  # posts hashed at once (bounds the temporary arrays to about 100 MB)
_SEED = 20261205

_NOT_WORD = re.compile(r"[\W_]+")
_FOLD = {code: code - 0x60 for code in range(0x30A1, 0x30F7)} | {
    code: code + 0x20 for code in range(0x41, 0x5B)
}

Labels = npt.NDArray[np.int64]
Signatures = npt.NDArray[np.uint32]


def cluster_key(text: str) -> str:
    """What is compared: NFKC, no URLs or mentions, letters and digits only. Katakana is read as hiragana and
    capitals as small letters when the 3-grams are made (`_folded_points`, `_shingle_set`)."""
    return _NOT_WORD.sub("", strip_noise(text))


def _hash_functions(num_perm: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """`num_perm` permutations x -> a·x + b (mod 2³²) of the 32-bit hashes of the 3-grams (a odd)."""
    rng = np.random.default_rng(_SEED)
    a = rng.integers(0, 2**31, size=num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = rng.integers(0, 2**32, size=num_perm, dtype=np.uint32)
    return a, b


def _mix(codes: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint32]:
    """A 32-bit hash of each packed 3-gram (a splitmix64 step, high half)."""
    mixed = (codes ^ (codes >> np.uint64(29))) * np.uint64(0xBF58476D1CE4E5B9)
    mixed ^= mixed >> np.uint64(32)
    return (mixed * np.uint64(0x94D049BB133111EB) >> np.uint64(32)).astype(np.uint32)


def _shingle_codes(keys: Sequence[str]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """The 3-grams of every key packed into integers, and where each key's 3-grams start."""
    padded = [key if len(key) >= 3 else key.ljust(3, "\x00") for key in keys]
    lengths = np.fromiter((len(key) for key in padded), dtype=np.int64, count=len(padded))
    points = _folded_points(np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32))
    ends = np.cumsum(lengths)
    starts = ends - lengths
    count = lengths - 2  # 3-grams of each key
    first = np.repeat(starts, count) + (
        np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    )
    codes = (points[first] << np.uint64(42)) | (points[first + 1] << np.uint64(21)) | points[first + 2]
    offsets = np.cumsum(count) - count
    return codes, offsets


def _folded_points(points: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
    """Code points with katakana as hiragana and A-Z as a-z (the same as `_FOLD` on text)."""
    folded = points.astype(np.uint64)
    folded[(points >= 0x30A1) & (points <= 0x30F6)] -= np.uint64(0x60)
    folded[(points >= 0x41) & (points <= 0x5A)] += np.uint64(0x20)
    return folded


def signatures(keys: Sequence[str], *, num_perm: int = NUM_PERM) -> Signatures:
    """One row of `num_perm` minimum hashes per key (keys as made by `cluster_key`)."""
    a, b = _hash_functions(num_perm)
    out = np.empty((len(keys), num_perm), dtype=np.uint32)
    for start in range(0, len(keys), BLOCK):
        codes, offsets = _shingle_codes(keys[start : start + BLOCK])
        hashed = np.empty((num_perm, len(codes)), dtype=np.uint32)
        np.multiply(a[:, None], _mix(codes)[None, :], out=hashed)  # wraps mod 2³², as meant
        hashed += b[:, None]
        out[start : start + len(offsets)] = np.minimum.reduceat(hashed, offsets, axis=1).T
    return out


def _band_keys(sig: Signatures, band: int, rows: int) -> npt.NDArray[np.uint64]:
    part = sig[:, band * rows : (band + 1) * rows].astype(np.uint64)
    key = np.zeros(len(sig), dtype=np.uint64)
    for column in range(rows):
        key = (key ^ part[:, column]) * np.uint64(0x100000001B3)  # FNV-style mixing of the band's values
    return key


def lsh_keys(text: str) -> list[int]:
    """The post's bucket in each of the BANDS bands, as non-negative 63-bit integers that carry their band (so
    one index of (key) finds every earlier post sharing a band); [] for a post of only links or mentions."""
    key = cluster_key(text)
    if len(key) < 3:
        return []
    sig = signatures([key])
    keys = []
    for band in range(BANDS):
        value = int(_band_keys(sig, band, ROWS)[0])
        keys.append((value ^ (band * 0x9E3779B97F4A7C15)) & (2**63 - 1))
    return keys


def _bucket_pairs(keys: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Pairs to compare in one band: each post of a bucket with the bucket's first post and with the one
    before it (so a bucket of n posts gives at most 2n pairs, never n²)."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    same = np.empty(len(order), dtype=bool)
    same[0] = False
    same[1:] = ordered[1:] == ordered[:-1]
    bucket_start = np.maximum.accumulate(np.where(same, 0, np.arange(len(order))))
    members = np.flatnonzero(same)
    firsts = order[bucket_start[members]]
    previous = order[members - 1]
    left = np.concatenate([firsts, previous])
    right = np.concatenate([order[members], order[members]])
    keep = left != right
    return left[keep].astype(np.int64), right[keep].astype(np.int64)


def _components(n: int, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]) -> Labels:
    """The earliest post of each post's connected component."""
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n)).tocsr()
    _count, found = connected_components(graph, directed=False)
    component: npt.NDArray[np.int32] = np.asarray(found, dtype=np.int32)
    earliest = np.full(int(component.max()) + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(earliest, component, np.arange(n, dtype=np.int64))
    labels: Labels = earliest[component]
    return labels


def cluster_signatures(
    sig: Signatures,
    keys: Sequence[str] | None = None,
    *,
    threshold: float = THRESHOLD,
    bands: int = BANDS,
    rows: int = ROWS,
) -> Labels:
    """Cluster posts by their signatures: for each post, the index of the earliest post of its cluster.

    With the posts' `keys`, a pair whose estimate is within `MARGIN` of the threshold is decided by the exact
    Jaccard similarity of its 3-grams (the estimate's standard error is about 0.044 at 128 hashes, so the margin is over two of them), so chance
    agreement never links two rumours that the exact comparison keeps apart."""
    n = len(sig)
    if bands * rows > sig.shape[1]:
        raise ValueError("bands × rows is more than the signature's length")
    labels = np.arange(n, dtype=np.int64)
    if n < 2:
        return labels
    width = sig.shape[1]
    low = int(np.ceil((threshold - (MARGIN if keys is not None else 0.0)) * width))
    high = int(np.ceil((threshold + (MARGIN if keys is not None else 0.0)) * width))
    for band in range(bands):
        left, right = _bucket_pairs(_band_keys(sig, band, rows))
        open_ = labels[left] != labels[right]  # already in one cluster: nothing to learn
        left, right = left[open_], right[open_]
        equal = np.zeros(len(left), dtype=np.int64)
        for start in range(0, len(left), 1 << 16):
            block = slice(start, start + (1 << 16))
            equal[block] = (sig[left[block]] == sig[right[block]]).sum(axis=1)
        agree = equal >= high
        if keys is not None:
            near = np.flatnonzero((equal >= low) & (equal < high))
            agree[near] = _exact_jaccard(keys, left[near], right[near]) >= threshold
        if agree.any():
            everyone = np.arange(n, dtype=np.int64)
            labels = _components(
                n, np.concatenate([left[agree], everyone]), np.concatenate([right[agree], labels])
            )
    return labels


def _unique_codes(
    keys: Sequence[str], index: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """The distinct 3-gram codes of each key in `index`, with the position in `index` they belong to."""
    codes, offsets = _shingle_codes([keys[i] for i in index])
    rows = np.repeat(np.arange(len(index)), np.diff(np.append(offsets, len(codes))))
    order = np.lexsort((codes, rows))
    codes, rows = codes[order], rows[order]
    keep = np.ones(len(codes), dtype=bool)
    keep[1:] = (codes[1:] != codes[:-1]) | (rows[1:] != rows[:-1])
    return codes[keep], rows[keep]


def _exact_jaccard(
    keys: Sequence[str], left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """The exact Jaccard similarity of the 3-gram sets of each pair (left[i], right[i]), all pairs at once."""
    if not len(left):
        return np.zeros(0)
    left_codes, left_rows = _unique_codes(keys, left)
    right_codes, right_rows = _unique_codes(keys, right)
    codes = np.concatenate([left_codes, right_codes])
    rows = np.concatenate([left_rows, right_rows])
    order = np.lexsort((codes, rows))
    codes, rows = codes[order], rows[order]
    both = (codes[1:] == codes[:-1]) & (rows[1:] == rows[:-1])  # a 3-gram on both sides of the pair
    shared = np.bincount(rows[1:][both], minlength=len(left))
    sizes = np.bincount(left_rows, minlength=len(left)) + np.bincount(right_rows, minlength=len(left))
    return shared / (sizes - shared)


def cluster_near_duplicates(texts: Iterable[str], *, threshold: float = THRESHOLD) -> Labels:
    """For each text, the index of the earliest text of its cluster of near-duplicates."""
    keys = [cluster_key(text) for text in texts]
    labels = cluster_signatures(signatures(keys), keys, threshold=threshold)
    blank = np.fromiter((not key for key in keys), dtype=bool, count=len(keys))
    if blank.any():
        labels[blank] = np.flatnonzero(blank)  # a post of only links or mentions says nothing: alone
        labels = _components(len(keys), np.flatnonzero(~blank), labels[~blank])
    return labels


def all_pairs_clusters(texts: Sequence[str], *, threshold: float = THRESHOLD) -> Labels:
    """The naive baseline: the exact Jaccard similarity of every pair of 3-gram sets, in Python, linked at
    `threshold`, clusters as connected components (quadratic; for samples)."""
    keys = [cluster_key(text) for text in texts]
    sets = [_shingle_set(key) for key in keys]
    left: list[int] = []
    right: list[int] = []
    for i, mine in enumerate(sets):
        if not mine:
            continue
        size = len(mine)
        for j in range(i):
            other = sets[j]
            shared = len(mine & other)
            if shared and shared >= threshold * (size + len(other) - shared):
                left.append(j)
                right.append(i)
    return _components(len(sets), np.array(left, dtype=np.int64), np.array(right, dtype=np.int64))


def _shingle_set(key: str) -> frozenset[str]:
    key = key.translate(_FOLD)
    if not key:
        return frozenset()
    if len(key) < 3:
        return frozenset({key.ljust(3, "\x00")})
    return frozenset(key[i : i + 3] for i in range(len(key) - 2))


def adjusted_rand_index(a: Sequence[int] | Labels, b: Sequence[int] | Labels) -> float:
    """Hubert and Arabie's adjusted Rand index of two clusterings of the same items (1.0: the same)."""
    first, second = np.asarray(a), np.asarray(b)
    if first.shape != second.shape:
        raise ValueError("the two clusterings must label the same items")
    n = len(first)
    if n < 2:
        return 1.0
    _, x = np.unique(first, return_inverse=True)
    _, y = np.unique(second, return_inverse=True)
    _, joint = np.unique(x.astype(np.int64) * (int(y.max()) + 1) + y, return_counts=True)

    def pairs(counts: npt.NDArray[np.int64]) -> float:
        return float((counts * (counts - 1) // 2).sum())

    index = pairs(joint)
    rows_, columns = pairs(np.bincount(x)), pairs(np.bincount(y))
    expected = rows_ * columns / (n * (n - 1) / 2)
    maximum = (rows_ + columns) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)
