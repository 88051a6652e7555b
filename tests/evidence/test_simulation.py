"""The response model: deterministic, lower response among the young and in some districts, answers in the
shape the form engine stores."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from typing import Any

from chiiki.demo.response_model import Member, Unit, answers_for, low_response_districts, simulate
from chiiki.demo.survey import DEMO_FORM
from chiiki.surveys.answering.tree import canonical_answers
from chiiki.surveys.xlsform import evaluate_answers, load_form

OPENS = datetime(2025, 9, 20, tzinfo=UTC)


def _unit(case_id: int, district: str, head_age: int, size: int = 2) -> Unit:
    members = [Member("山田 太郎", "1", date(2025 - head_age, 4, 2), "世帯主", head_age)]
    if size >= 2:
        members.append(Member("山田 花子", "2", date(2025 - head_age + 2, 11, 30), "妻", head_age - 2))
    for k in range(size - 2):
        members.append(Member(f"山田 {k}", "2", date(2015 + k, 1, 5), "子", 10 - k))
    return Unit(case_id, district, tuple(members))


def _units(n: int) -> list[Unit]:
    rng = random.Random(3)
    return [_unit(i, f"{i % 9:02d}", rng.randint(20, 90), rng.choice((1, 2, 3, 4))) for i in range(1, n + 1)]


def _raw(answers: dict[str, Any]) -> dict[str, Any]:
    """What the answering pages would have saved: typed values as text, without the calculated fields."""
    calculated = {"age", "is_worker", "n_members", "n_workers"}

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in calculated}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return str(value)

    raw = strip(answers)
    raw.pop("closing", None)
    return raw


def test_simulated_answers_are_what_the_form_engine_would_store() -> None:
    form = load_form(DEMO_FORM.read_bytes(), filename=DEMO_FORM.name)
    today = date(2025, 9, 25)  # the form computes ages at today(); the simulator is told the same day
    for seed, unit in enumerate([_unit(1, "01", 45, 4), _unit(2, "02", 82, 1), _unit(3, "03", 30, 2)]):
        answers = answers_for(unit, today, random.Random(seed))
        evaluation = evaluate_answers(form, _raw(answers), language="ja", today=today)
        assert evaluation.valid
        assert canonical_answers(evaluation) == answers


def test_answers_follow_the_registry_members() -> None:
    unit = _unit(9, "01", 50, 4)
    answers = answers_for(unit, date(2025, 9, 25), random.Random(1))
    household: Any = answers["household"]
    members: Any = answers["members"]
    assert household["hh_size"] == 4
    assert [m["sex"] for m in members] == ["male", "female", "female", "female"]
    assert [m["birth_year"] for m in members] == [m.birth_date.year for m in unit.members]
    assert members[0]["relation"] == "head"
    assert "work_status" not in members[2]  # a child under 15 is not asked


def test_the_same_seed_gives_the_same_pattern_and_another_seed_another() -> None:
    units = _units(300)
    options: dict[str, Any] = {"opens": OPENS, "reminder_days": [7, 12], "follow_up_day": 16, "last_day": 40}
    first = simulate(units, seed=5, **options)
    again = simulate(units, seed=5, **options)
    other = simulate(units, seed=6, **options)
    assert [(h.responded, h.mode, h.day) for h in first.households] == [
        (h.responded, h.mode, h.day) for h in again.households
    ]
    assert [h.responded for h in first.households] != [h.responded for h in other.households]


def test_young_households_and_low_response_districts_answer_less_before_visits() -> None:
    units = _units(4000)
    result = simulate(units, seed=11, opens=OPENS, reminder_days=[7, 12], follow_up_day=16, last_day=40)
    by_id = {u.case_id: u for u in units}

    def rate(select: Any) -> float:
        chosen = [h for h in result.households if select(by_id[h.case_id])]
        return sum(h.responded and not h.visits for h in chosen) / len(chosen)

    assert rate(lambda u: u.head_age < 40) < rate(lambda u: 65 <= u.head_age < 75) - 0.15
    low = result.low_districts
    assert rate(lambda u: u.district in low) < rate(lambda u: u.district not in low) - 0.08


def test_visits_bring_answers_that_reminders_did_not() -> None:
    result = simulate(_units(1000), seed=2, opens=OPENS, reminder_days=[7], follow_up_day=16, last_day=40)
    visited = [h for h in result.households if h.visits]
    assert visited
    assert any(h.responded and h.mode == "enumerator" for h in visited)
    assert all(v.day >= 16 for h in visited for v in h.visits)
    assert all(h.day is not None and h.day < 16 for h in result.households if h.responded and not h.visits)


def test_about_a_third_of_districts_answer_less() -> None:
    districts = [f"{i:02d}" for i in range(12)]
    assert len(low_response_districts(districts, 1)) == 4
    assert low_response_districts(districts, 1) == low_response_districts(list(reversed(districts)), 1)
