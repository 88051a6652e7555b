"""A deterministic model of how households respond to a census, for the demo and for tests. Django-free.

Three phases, as in a real round: the request letter (day 0), reminders (`reminder_days`), then enumerator
visits from `follow_up_day`. Each household's chance to answer in a phase is a logistic function of the
registry: households with a young head answer less online and are more often absent, some districts
(drawn from the seed) answer less, the oldest households more often ask the help desk (assisted mode).
Visits end absent (a second visit follows), refused, vacant, answered on the spot (enumerator mode) or
helped online (the household answers on the web a few days later, most of the time).

Answers follow the registry (members, sex, birth year and month, relation) and add the census form's own
variables (dwelling, tenure, floor area, work status), in the shape the form engine stores on submission
(`Answer.submitted_data`); tests/evidence check that shape against the engine itself.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

__all__ = [
    "Member",
    "SimulatedHousehold",
    "Simulation",
    "Unit",
    "Visit",
    "answers_for",
    "form_age",
    "low_response_districts",
    "simulate",
]

RELATIONS = {
    "世帯主": "head",
    "妻": "spouse",
    "夫": "spouse",
    "配偶者": "spouse",
    "子": "child",
    "長男": "child",
    "長女": "child",
    "二男": "child",
    "二女": "child",
    "子の妻": "child_spouse",
    "子の夫": "child_spouse",
    "父": "parent",
    "母": "parent",
    "妻の父": "parent_in_law",
    "妻の母": "parent_in_law",
    "夫の父": "parent_in_law",
    "夫の母": "parent_in_law",
    "孫": "grandchild",
    "兄": "sibling",
    "姉": "sibling",
    "弟": "sibling",
    "妹": "sibling",
    "同居人": "other",
}


@dataclass(frozen=True, slots=True)
class Member:
    """A registry member of a household, as the answers will describe them."""

    name: str
    sex: str  # registry code: "1" male, "2" female
    birth_date: date
    relationship: str  # registry wording (世帯主, 妻, 子, ...)
    age: int  # completed years on the reference date


@dataclass(frozen=True, slots=True)
class Unit:
    """A case to simulate: its id, district and registry members (head first when the registry names one)."""

    case_id: int
    district: str
    members: tuple[Member, ...]

    @property
    def head_age(self) -> int:
        """Age of the head of household (the oldest member when the registry names none)."""
        heads = [m.age for m in self.members if m.relationship == "世帯主"]
        return heads[0] if heads else max((m.age for m in self.members), default=50)


@dataclass(frozen=True, slots=True)
class Visit:
    day: float  # days after opening (fractions are the time of day)
    outcome: str  # absent | refused | vacant | answered_on_spot | helped_online


@dataclass(slots=True)
class SimulatedHousehold:
    """What happened to one case: reminders received, visits, and the answer if any."""

    case_id: int
    responded: bool = False
    mode: str = ""  # web | assisted | enumerator
    day: float | None = None  # submission, days after opening
    reminders: list[int] = field(default_factory=list)  # reminder days this household was sent
    visits: list[Visit] = field(default_factory=list)
    answers: dict[str, object] | None = None


@dataclass(frozen=True, slots=True)
class Simulation:
    households: list[SimulatedHousehold]
    low_districts: frozenset[str]
    reminder_days: tuple[int, ...]
    follow_up_day: int


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _age_effect(age: int) -> float:
    """Log-odds shift of answering by the head's age: the young answer least, 65-74 most."""
    if age < 30:
        return -1.3
    if age < 40:
        return -0.8
    if age < 65:
        return -0.1
    if age < 75:
        return 0.45
    return 0.15


def low_response_districts(districts: Sequence[str], seed: int) -> frozenset[str]:
    """About a third of the districts (drawn from the seed) where people answer less."""
    ordered = sorted(set(districts))
    rng = random.Random(f"{seed}:districts")  # noqa: S311 - simulated demo data, reproducible by design
    k = max(1, round(len(ordered) / 3)) if len(ordered) > 1 else 0
    return frozenset(rng.sample(ordered, k))


def form_age(birth: date, on: date) -> int:
    """The census form's own age calculation (whole years from birth year and month at `on`)."""
    days_since_epoch = (on - date(1970, 1, 1)).days
    born = (birth.year - 1970) * 365.25 + (birth.month - 1) * 30.44
    return int((days_since_epoch - born) // 365.25)


def _work_status(rng: random.Random, age: int) -> str:
    if age < 20:
        return "student" if rng.random() < 0.85 else "employed"
    if age < 65:
        x = rng.random()
        return (
            "employed"
            if x < 0.72
            else "side_work"
            if x < 0.8
            else "seeking"
            if x < 0.84
            else "absent"
            if x < 0.86
            else "housework"
        )
    if age < 75:
        x = rng.random()
        return "employed" if x < 0.3 else "side_work" if x < 0.4 else "housework" if x < 0.6 else "other"
    return "employed" if rng.random() < 0.08 else "other"


def answers_for(unit: Unit, answered_on: date, rng: random.Random) -> dict[str, object]:
    """The submitted record of one household, consistent with its registry members."""
    size = len(unit.members)
    old = unit.head_age >= 65
    x = rng.random()
    if size == 1 and unit.head_age >= 80 and x < 0.06:
        dwelling = "facility"
    elif x < (0.85 if old or size >= 3 else 0.55):
        dwelling = "house"
    elif x < 0.97:
        dwelling = "apartment"
    else:
        dwelling = "other"
    household: dict[str, object] = {"hh_size": size, "dwelling_type": dwelling}
    if dwelling != "facility":
        if dwelling == "house":
            tenure = "own" if rng.random() < (0.93 if old else 0.8) else "rent_private"
            area = max(30.0, rng.gauss(125, 35))
        else:
            y = rng.random()
            tenure = (
                "rent_private"
                if y < 0.65
                else "rent_public"
                if y < 0.85
                else "company"
                if y < 0.95
                else "own"
            )
            area = max(15.0, rng.gauss(55, 15))
        household["tenure"] = tenure
        household["floor_area"] = round(area, 1)
    members: list[dict[str, object]] = []
    workers = 0
    for position, member in enumerate(unit.members):
        relation = RELATIONS.get(member.relationship, "other_relative")
        if position == 0:
            relation = "head"  # the form wants the head first and only once
        elif relation == "head":
            relation = "other_relative"
        age = form_age(member.birth_date, answered_on)
        row: dict[str, object] = {
            "member_name": member.name,
            "relation": relation,
            "sex": "male" if member.sex == "1" else "female",
            "birth_year": member.birth_date.year,
            "birth_month": member.birth_date.month,
            "age": age,
        }
        if age >= 15:
            status = _work_status(rng, member.age)
            row["work_status"] = status
        worker = int(age >= 15 and row.get("work_status") == "employed")
        row["is_worker"] = worker
        workers += worker
        members.append(row)
    return {
        "members": members,
        "household": household,
        "closing": {"n_members": size, "n_workers": workers},
    }


def simulate(
    units: Sequence[Unit],
    *,
    seed: int,
    opens: datetime,
    reminder_days: Sequence[int],
    follow_up_day: int,
    last_day: int,
    assisted_available: bool = True,
) -> Simulation:
    """Simulate every unit; the same units and seed always give the same result.

    `units` must come in a stable order (by case id). Day numbers count from `opens`.
    """
    low = low_response_districts([u.district for u in units], seed)
    reminders = tuple(sorted(d for d in set(reminder_days) if 0 < d < follow_up_day))
    out: list[SimulatedHousehold] = []
    for unit in units:
        rng = random.Random(f"{seed}:{unit.case_id}")  # noqa: S311 - simulated demo data, reproducible by design
        sim = SimulatedHousehold(unit.case_id)
        age = unit.head_age
        shift = (
            _age_effect(age)
            + (-0.7 if unit.district in low else 0.15)
            + (0.1 if len(unit.members) >= 3 else 0.0)
        )
        # Letter phase: answers spread over the days before the first reminder (or the visits).
        first_stop = reminders[0] if reminders else follow_up_day
        if rng.random() < _logistic(-0.2 + shift):
            sim.responded, sim.day = True, min(first_stop - 0.01, rng.expovariate(1 / 3.0) + 0.3)
        else:
            for n, day in enumerate(reminders):
                sim.reminders.append(day)
                stop = reminders[n + 1] if n + 1 < len(reminders) else follow_up_day
                if rng.random() < _logistic(-1.3 + 0.8 * shift - 0.2 * n):
                    sim.responded = True
                    sim.day = day + min(stop - day - 0.01, rng.expovariate(1 / 2.0) + 0.2)
                    break
        if sim.responded:
            assisted = assisted_available and age >= 75 and rng.random() < 0.35
            sim.mode = "assisted" if assisted else "web"
        else:
            _visit(sim, unit, rng, follow_up_day, last_day)
        if sim.responded and sim.day is not None:
            answered_on = (opens + timedelta(days=sim.day)).date()
            sim.answers = answers_for(unit, answered_on, rng)
        out.append(sim)
    return Simulation(out, low, reminders, follow_up_day)


def _visit(
    sim: SimulatedHousehold, unit: Unit, rng: random.Random, follow_up_day: int, last_day: int
) -> None:
    """Up to three visits in the follow-up period; the outcome of each depends on the household."""
    young = unit.head_age < 40
    day = follow_up_day + rng.uniform(0, 10) + rng.choice((0.4, 0.45, 0.55, 0.7))  # daytime or evening
    for _ in range(3):
        if day >= last_day:
            return
        x = rng.random()
        absent = 0.45 if young else 0.25
        if x < absent:
            sim.visits.append(Visit(day, "absent"))
            day += rng.uniform(2, 6)
            continue
        if x < absent + 0.12:
            sim.visits.append(Visit(day, "refused"))
            return
        if x < absent + 0.15:
            sim.visits.append(Visit(day, "vacant"))
            return
        if x < absent + 0.15 + (0.25 if young else 0.45):
            sim.visits.append(Visit(day, "answered_on_spot"))
            sim.responded, sim.mode, sim.day = True, "enumerator", day + 0.02
            return
        sim.visits.append(Visit(day, "helped_online"))
        if rng.random() < 0.8:
            later = day + rng.uniform(0.2, 3)
            if later < last_day:
                sim.responded, sim.mode, sim.day = True, "web", later
        return
