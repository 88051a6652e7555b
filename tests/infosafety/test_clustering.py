"""Near-duplicate clustering at scale (MinHash/LSH) against the exact all-pairs comparison."""

from __future__ import annotations

import numpy as np
import pytest

from chiiki.demo.infosafety_rumours import disaster_day
from chiiki.infosafety.engine import (
    adjusted_rand_index,
    all_pairs_clusters,
    cluster_key,
    cluster_near_duplicates,
    cluster_signatures,
    signatures,
)

LEVEE = "台風で緑川の堤防が決壊した！本町はもう水没してるらしい。消防車が3台来ている"
RETELLINGS = (
    LEVEE,
    "【拡散希望】台風で緑川の堤防が決壊した！本町はもう水没してるらしい。消防車が3台来ている https://x.example/1",
    "@someone 台風で緑川ノ堤防ガ決壊シタ！本町はもう水没してるらしい。消防車が３台来ている",
    "台風で緑川の堤防が決壊した 本町はもう水没してるらしい 消防車が3台来ている って本当？",
)
OTHERS = (
    "動物園からライオンが逃げたらしい！外に出ないで。写真あり",
    "緑川小学校の避難所はもう満員で入れないと聞いた",
    "給水車は明日の朝9時に駅前に来るそうです",
)


def test_retellings_of_one_rumour_are_one_cluster_and_other_rumours_are_apart() -> None:
    labels = cluster_near_duplicates([*RETELLINGS, *OTHERS])
    assert set(labels[: len(RETELLINGS)].tolist()) == {0}  # the earliest post names the cluster
    assert labels[len(RETELLINGS) :].tolist() == [4, 5, 6]


def test_the_key_folds_width_kana_links_and_mentions() -> None:
    assert cluster_key("@someone ＲＴ 堤防が決壊 https://x.example/1") == "RT堤防が決壊"
    first, second = signatures([cluster_key("テイボウがケッカイ"), cluster_key("ていぼうがけっかい")])
    assert (first == second).all()  # katakana and hiragana make the same 3-grams


def test_posts_of_only_links_or_mentions_stay_alone() -> None:
    labels = cluster_near_duplicates(["https://x.example/1", "@a https://x.example/2", "", LEVEE, LEVEE])
    assert labels.tolist() == [0, 1, 2, 3, 3]


def test_empty_and_single_inputs() -> None:
    assert cluster_near_duplicates([]).tolist() == []
    assert cluster_near_duplicates([LEVEE]).tolist() == [0]
    assert all_pairs_clusters([]).tolist() == []


def test_same_clusters_as_the_exact_all_pairs_comparison_on_a_disaster_day() -> None:
    day = list(disaster_day(1500, seed=7))
    texts = [text for text, _ in day]
    ours, naive = cluster_near_duplicates(texts), all_pairs_clusters(texts)
    assert adjusted_rand_index(ours, naive) >= 0.95
    assert adjusted_rand_index(naive, [cluster for _, cluster in day]) >= 0.9
    # LSH only ever misses links: each cluster of ours lies inside one cluster of the naive comparison.
    for label in np.unique(ours):
        assert len(np.unique(naive[ours == label])) == 1


def test_without_the_exact_check_the_estimate_alone_decides() -> None:
    texts = [text for text, _ in disaster_day(600, seed=3)]
    keys = [cluster_key(t) for t in texts]
    estimated = cluster_signatures(signatures(keys), None)
    checked = cluster_signatures(signatures(keys), keys)
    assert adjusted_rand_index(estimated, checked) >= 0.9
    with pytest.raises(ValueError, match="bands"):
        cluster_signatures(signatures(keys[:3], num_perm=64), None)


def test_adjusted_rand_index_on_known_values() -> None:
    assert adjusted_rand_index([0, 0, 1, 1], [5, 5, 9, 9]) == 1.0  # names of clusters do not matter
    assert adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(
        0.5714285714
    )  # scikit-learn's doc
    assert adjusted_rand_index([0, 0, 0, 0], [0, 1, 2, 3]) == pytest.approx(0.0)
    assert adjusted_rand_index([0, 1, 0, 1], [0, 0, 1, 1]) == pytest.approx(-0.5)
    with pytest.raises(ValueError, match="same items"):
        adjusted_rand_index([0, 1], [0])
