"""The synthetic data generator: reproducible, with the planted error patterns and known truth."""

from __future__ import annotations

from collections import Counter

from chiiki.demo.linkage import generate


def test_the_same_seed_gives_the_same_data() -> None:
    assert generate(200, 150, seed=4).records == generate(200, 150, seed=4).records


def test_sizes_and_truth_match_the_request() -> None:
    data = generate(300, 250, seed=1)
    assert len(data.registry) == 300
    assert len(data.records) == len(data.truth) == 250
    registry_ids = {row["person_id"] for row in data.registry}
    for row in data.truth:
        assert row["person_id"] == "" or row["person_id"] in registry_ids


def test_records_carry_the_real_error_patterns() -> None:
    data = generate(3000, 3000, seed=2)
    patterns = Counter(p for row in data.truth for p in row["patterns"].split(";") if p)
    for expected in (
        "variant_kanji",
        "hiragana",
        "halfwidth_kana",
        "moved",
        "not_in_registry",
        "namesake",
        "marriage",
    ):
        assert patterns[expected] > 0, expected
    assert any("年" in row["birth_date"] for row in data.records)


def test_common_family_names_are_shared_as_in_life() -> None:
    data = generate(3000, 0, seed=3)
    families = Counter(row["name_kanji"].split("\u3000")[0] for row in data.registry)
    assert families.most_common(1)[0][1] >= 30
