"""How a case's evidence is shown: the record beside each candidate, field by field, and the weight waterfall.

Every agreement state carries a symbol and words as well as a colour class, so the page reads the same
without colour (and to a screen reader).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from chiiki.linkage.engine import COMPARISONS
from chiiki.linkage.models import Candidate, LinkCase

FIELD_LABELS: dict[str, Promise] = {
    "name_kanji": _("氏名(漢字)"),
    "name_kana": _("氏名(カナ)"),
    "birth_date": _("生年月日"),
    "sex": _("性別"),
    "address": _("住所"),
    "postal_code": _("郵便番号"),
}

LEVEL_TEXT: dict[str, Promise] = {
    "exact_as_written": _("表記どおり一致"),
    "exact_with_variant_kanji": _("異体字を同じ字とみなして一致"),
    "one_character_differs": _("1文字だけ違う"),
    "given_name_only": _("名だけ一致"),
    "family_name_only": _("氏だけ一致"),
    "exact": _("一致"),
    "one_sound_differs": _("1音だけ違う"),
    "day_month_swapped": _("月と日が入れ替わっている"),
    "one_digit_differs": _("1桁だけ違う"),
    "same_house": _("番地・号まで一致"),
    "same_block": _("番まで一致"),
    "same_town": _("町名まで一致"),
    "same_municipality": _("市区町村だけ一致"),
    "same_area": _("上3桁だけ一致"),
    "disagrees": _("不一致"),
    "missing": _("空欄のため比べられない"),
}

REASON_TEXT: dict[str, Promise] = {
    "probability_below_link_threshold": _("一致確率が、自動で紐付ける基準に届きません"),
    "another_person_close": _("ほかの住民も近い一致度です"),
    "another_record_close_for_same_person": _("同じ住民に近いレコードがほかにもあります"),
    "no_address_or_postal_code_agreement": _(
        "住所も郵便番号も一致しません(氏名・生年月日・性別だけでは紐付けません)"
    ),
    "address_and_postal_code_blank": _(
        "住所と郵便番号が空欄のため比べられません(氏名・生年月日・性別だけでは紐付けません)"
    ),
    "name_disagrees": _("氏名(漢字)が一致しません"),
    "birth_date_disagrees": _("生年月日が一致しません(入れ替わりや1桁の違いでもありません)"),
    "namesake_and_only_the_postal_code_agrees": _(
        "同じ氏名・生年月日の住民がほかにもいて、住所が番地まで一致しません(郵便番号だけでは紐付けません)"
    ),
    "postal_code_agrees_but_the_address_is_another_house": _(
        "郵便番号は一致しますが、住所は同じ市区町村の別の番地です(郵便番号だけでは紐付けません)"
    ),
    "no_candidate": _("候補がありません"),
}

SEX_TEXT: dict[str, Promise] = {"1": _("男"), "2": _("女")}

_FULL_AGREEMENT = {"exact_as_written", "exact_with_variant_kanji", "exact", "same_house"}

AGREEMENT: dict[str, tuple[str, Promise]] = {
    "agree": ("✔", _("一致")),
    "partial": ("△", _("一部一致")),
    "disagree": ("✖", _("不一致")),
    "missing": ("−", _("空欄")),
}


def reason_text(reason: str) -> Promise | str:
    """The engine's reason for not linking, in words."""
    return REASON_TEXT.get(reason, reason)


def shown(field: str, value: str) -> str:
    """A value as shown to an officer: sex codes as words with the code kept."""
    if field == "sex" and value in SEX_TEXT:
        return f"{SEX_TEXT[value]} ({value})"
    return value


def agreement(level: str) -> str:
    """Classify a comparison level as agree, partial, disagree or missing."""
    if level in _FULL_AGREEMENT:
        return "agree"
    if level == "disagrees":
        return "disagree"
    if level == "missing":
        return "missing"
    return "partial"


@dataclass(frozen=True)
class Cell:
    """One candidate's value of one field, with how it compares to the record."""

    value: str
    level: str
    state: str

    @property
    def symbol(self) -> str:
        return AGREEMENT[self.state][0]

    @property
    def state_text(self) -> Promise:
        return AGREEMENT[self.state][1]

    @property
    def level_text(self) -> Promise | str:
        return LEVEL_TEXT.get(self.level, self.level)


@dataclass(frozen=True)
class Step:
    """One bar of the waterfall: a field's weight in bits and the running total after it."""

    label: Promise | str
    level_text: Promise | str
    state: str
    weight: float
    total: float
    bar_percent: int

    @property
    def symbol(self) -> str:
        return AGREEMENT[self.state][0] if self.state in AGREEMENT else ""


def _evidence_by_field(candidate: Candidate) -> dict[str, dict[str, Any]]:
    return {item["field"]: item for item in candidate.evidence}


def side_by_side(case: LinkCase, candidates: list[Candidate]) -> list[dict[str, Any]]:
    """Rows of (field label, record value, one Cell per candidate)."""
    evidence = [_evidence_by_field(candidate) for candidate in candidates]
    rows = []
    for comparison in COMPARISONS:
        name = comparison.name
        cells = []
        for candidate, fields in zip(candidates, evidence, strict=True):
            level = str(fields.get(name, {}).get("level", "missing"))
            value = shown(name, candidate.person_values.get(name, ""))
            cells.append(Cell(value, level, agreement(level)))
        record_value = shown(name, case.record.get(name, ""))
        rows.append({"label": FIELD_LABELS[name], "record": record_value, "cells": cells})
    return rows


def waterfall(candidate: Candidate) -> list[Step]:
    """The candidate's match weight built up field by field, starting from the prior of a random pair."""
    fields = _evidence_by_field(candidate)
    weights = [(name, float(fields.get(name, {}).get("weight", 0.0))) for name in FIELD_LABELS]
    prior = candidate.match_weight - sum(weight for _name, weight in weights)
    largest = max([abs(prior), *(abs(weight) for _name, weight in weights), 1.0])
    steps = [
        Step(_("出発点(無作為な二人が同一人物である確率)"), "", "", prior, prior, _percent(prior, largest))
    ]
    total = prior
    for name, weight in weights:
        total += weight
        level = str(fields.get(name, {}).get("level", "missing"))
        steps.append(
            Step(
                FIELD_LABELS[name],
                LEVEL_TEXT.get(level, level),
                agreement(level),
                weight,
                total,
                _percent(weight, largest),
            )
        )
    return steps


def _percent(weight: float, largest: float) -> int:
    return round(abs(weight) / largest * 100)
