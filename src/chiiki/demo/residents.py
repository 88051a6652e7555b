"""A deterministic fictional registry for the demo municipality (緑川市, a rural city in 広島県).

Household types and their shares follow the pattern of a depopulating Chugoku-region town: many elderly singles
and couples, few young families, about 2.2 persons per household. Surnames are drawn with their national
frequencies and given names by sex (japanese-personal-name-dataset), so shared names occur as in life.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import jaconv
from japanese_personal_name_dataset import load_dataset

from chiiki.registry.extract import ResidentRow

REFERENCE_DATE = date(2026, 10, 1)
PREFECTURE = "広島県"
CITY = "緑川市"

# (code, name, kana, relative population weight, kind) — 丁目 in the town centre, 大字 in the old villages.
DISTRICTS: tuple[tuple[str, str, str, int, str], ...] = (
    ("001", "中央一丁目", "チュウオウイッチョウメ", 9, "chome"),
    ("002", "中央二丁目", "チュウオウニチョウメ", 9, "chome"),
    ("003", "中央三丁目", "チュウオウサンチョウメ", 8, "chome"),
    ("004", "駅前一丁目", "エキマエイッチョウメ", 7, "chome"),
    ("005", "駅前二丁目", "エキマエニチョウメ", 6, "chome"),
    ("006", "緑ケ丘一丁目", "ミドリガオカイッチョウメ", 8, "chome"),
    ("007", "緑ケ丘二丁目", "ミドリガオカニチョウメ", 7, "chome"),
    ("010", "大字上野", "オオアザウエノ", 6, "oaza"),
    ("011", "大字下野", "オオアザシモノ", 5, "oaza"),
    ("012", "大字川西", "オオアザカワニシ", 5, "oaza"),
    ("013", "大字川東", "オオアザカワヒガシ", 4, "oaza"),
    ("014", "大字宮内", "オオアザミヤウチ", 4, "oaza"),
    ("015", "大字本郷", "オオアザホンゴウ", 5, "oaza"),
    ("016", "大字吉田", "オオアザヨシダ", 4, "oaza"),
    ("017", "大字高野", "オオアザタカノ", 3, "oaza"),
    ("018", "大字小谷", "オオアザコダニ", 2, "oaza"),
    ("019", "大字布野", "オオアザフノ", 2, "oaza"),
    ("020", "大字作木", "オオアザサクギ", 2, "oaza"),
    ("021", "大字横田", "オオアザヨコタ", 2, "oaza"),
    ("022", "大字君田", "オオアザキミタ", 1, "oaza"),
)

# household type -> share; sizes are drawn in _members
HOUSEHOLD_TYPES: tuple[tuple[str, float], ...] = (
    ("single_elderly", 0.22),
    ("elderly_couple", 0.18),
    ("single_adult", 0.20),
    ("couple", 0.09),
    ("couple_with_children", 0.16),
    ("single_parent", 0.04),
    ("three_generations", 0.11),
)


@dataclass(frozen=True, slots=True)
class _Member:
    relationship: str
    sex: str
    age: int
    keeps_family_name: bool = True


@cache
def _names() -> tuple[
    list[tuple[str, str]], list[float], list[tuple[str, list[str]]], list[tuple[str, list[str]]]
]:
    men, women, last = load_dataset("opti", include_last_names=True)
    surnames = [(kanji, str(entry["reading"])) for kanji, entry in last.items()]
    weights = [float(entry["count"]) for entry in last.values()]
    male = [(reading, list(entry["kanji"])) for reading, entry in men.items()]
    female = [(reading, list(entry["kanji"])) for reading, entry in women.items()]
    return surnames, weights, male, female


def _katakana(reading: str) -> str:
    return jaconv.hira2kata(reading)


def _given_name(rng: random.Random, sex: str, birth_year: int) -> tuple[str, str]:
    _surnames, _weights, male, female = _names()
    pool = male if sex == "1" else female
    if sex == "2" and birth_year < 1965 and rng.random() < 0.6:
        pool = [entry for entry in female if entry[0].endswith("こ")] or female
    reading, spellings = rng.choice(pool)
    # The lists are in reading order, not by popularity; short spellings are the everyday ones.
    everyday = [spelling for spelling in spellings if len(spelling) <= 2] or spellings
    kanji = rng.choice(everyday) if everyday else reading
    return kanji, _katakana(reading)


def _surname(rng: random.Random) -> tuple[str, str]:
    surnames, weights, _male, _female = _names()
    kanji, reading = rng.choices(surnames, weights=weights, k=1)[0]
    return kanji, _katakana(reading)


def _members(rng: random.Random, kind: str) -> list[_Member]:
    if kind in ("couple_with_children", "single_parent"):
        return _parents_and_children(rng, kind)
    if kind == "three_generations":
        return _three_generations(rng)
    return _adults(rng, kind)


def _partner_age(rng: random.Random, age: int) -> int:
    return max(18, age - rng.randint(-2, 6))


def _adults(rng: random.Random, kind: str) -> list[_Member]:
    """Households of one or two adults: elderly or not, alone or as a couple."""
    if kind == "single_elderly":
        return [_Member("世帯主", "2" if rng.random() < 0.7 else "1", 65 + int(rng.triangular(0, 34, 12)))]
    if kind == "elderly_couple":
        age = 65 + int(rng.triangular(0, 27, 8))
        return [_Member("世帯主", "1", age), _Member("妻", "2", _partner_age(rng, age), False)]
    if kind == "single_adult":
        return [_Member("世帯主", "1" if rng.random() < 0.6 else "2", rng.randint(18, 64))]
    age = rng.randint(24, 64)  # a couple
    return [_Member("世帯主", "1", age), _Member("妻", "2", _partner_age(rng, age), False)]


def _parents_and_children(rng: random.Random, kind: str) -> list[_Member]:
    age = rng.randint(26, 58)
    couple = kind == "couple_with_children"
    members = [_Member("世帯主", "1" if couple or rng.random() < 0.2 else "2", age)]
    if couple:
        members.append(_Member("妻", "2", _partner_age(rng, age), False))
    for _ in range(rng.choice((1, 1, 2, 2, 2, 3)) if couple else rng.choice((1, 2))):
        members.append(_Member("子", rng.choice("12"), rng.randint(0, max(0, min(age - 22, 25)))))
    return members


def _three_generations(rng: random.Random) -> list[_Member]:
    """The middle generation heads the household."""
    age = rng.randint(35, 66)
    members = [_Member("世帯主", "1", age), _Member("妻", "2", _partner_age(rng, age), False)]
    members.append(_Member("母", "2", min(99, age + rng.randint(24, 34))))
    if rng.random() < 0.45:
        members.append(_Member("父", "1", min(99, age + rng.randint(26, 36))))
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
        members.append(_Member("子", rng.choice("12"), rng.randint(0, max(0, min(age - 22, 30)))))
    return members


def _birth_date(rng: random.Random, age: int) -> date:
    latest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age)
    return latest - timedelta(days=rng.randint(0, 364))


def _address(rng: random.Random, district: tuple[str, str, str, int, str]) -> str:
    if district[4] == "chome":
        return f"{PREFECTURE}{CITY}{district[1]}{rng.randint(1, 28)}番{rng.randint(1, 30)}号"
    return f"{PREFECTURE}{CITY}{district[1]}{rng.randint(1, 2400)}番地"


def generate(persons: int = 20_000, seed: int = 2025) -> list[ResidentRow]:
    """Return about `persons` residents in whole households, the same for the same seed."""
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible by design, not a secret
    kinds = [kind for kind, _share in HOUSEHOLD_TYPES]
    shares = [share for _kind, share in HOUSEHOLD_TYPES]
    district_weights = [d[3] for d in DISTRICTS]
    rows: list[ResidentRow] = []
    household_number = 0
    row_number = 1
    while len(rows) < persons:
        household_number += 1
        district = rng.choices(DISTRICTS, weights=district_weights, k=1)[0]
        address = _address(rng, district)
        family_name, family_kana = _surname(rng)
        postal = f"72931{district[0][-2:]}"
        for member in _members(rng, rng.choices(kinds, weights=shares, k=1)[0]):
            birth = _birth_date(rng, member.age)
            given, given_kana = _given_name(rng, member.sex, birth.year)
            row_number += 1
            born_here = rng.random() < 0.55
            rows.append(
                ResidentRow(
                    row=row_number,
                    household_code=f"{household_number:08d}",
                    person_code=f"{len(rows) + 1:010d}",
                    family_name=family_name,
                    given_name=given,
                    family_name_kana=family_kana,
                    given_name_kana=given_kana,
                    sex=member.sex,
                    birth_date=birth,
                    relationship=member.relationship,
                    district_code=district[0],
                    district_name=district[1],
                    address=address,
                    postal_code=postal,
                    registered_on=birth
                    if born_here
                    else _birth_date(rng, rng.randint(0, max(0, member.age - 18))),
                    removed_on=None,
                )
            )
    return rows
