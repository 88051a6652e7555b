"""The demo registry is deterministic and looks like a rural Chugoku town."""

from __future__ import annotations

from collections import Counter

from chiiki.demo import residents as synthetic


def test_same_seed_gives_the_same_registry() -> None:
    assert synthetic.generate(persons=500, seed=7) == synthetic.generate(persons=500, seed=7)
    assert synthetic.generate(persons=500, seed=7) != synthetic.generate(persons=500, seed=8)


def test_default_town_has_about_20000_people_in_about_9000_households_and_an_old_population() -> None:
    rows = synthetic.generate()
    households = Counter(r.household_code for r in rows)
    assert 20_000 <= len(rows) <= 20_010
    assert 8_500 <= len(households) <= 9_500
    elderly = sum(1 for r in rows if (synthetic.REFERENCE_DATE - r.birth_date).days // 365 >= 65)
    assert 0.30 <= elderly / len(rows) <= 0.45  # rural Chugoku towns are 35-45 % aged 65+
    heads = [r for r in rows if r.relationship == "世帯主"]
    assert len(heads) == len(households)
    assert all(r.family_name_kana and r.given_name_kana for r in rows)
    assert len({r.district_code for r in rows}) == len(synthetic.DISTRICTS)
    # common surnames recur as in life: the most frequent one is shared by many households
    assert Counter(r.family_name for r in heads).most_common(1)[0][1] >= 50
