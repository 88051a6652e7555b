"""Prefill from what the municipality already knows, after card sign-in (issue 14, point 4).

The card's 基本4情報 (name, address, birth date, sex) are matched to the registry with the linkage engine and
its decision rule, the same no-wrong-link rule the linkage app uses (`chiiki.linkage.engine.decide`): name +
birth date + sex alone never links, an identifier from the address must agree too. Only a `linked` match
fills the form (name, reading, birth date, address, postal code) and shows the household as registered;
`review` and `unmatched` never fill anything, and the resident types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from chiiki.core.models import Municipality
from chiiki.linkage import queries as linkage_queries
from chiiki.linkage.engine import LINKED, RECORD_COLUMNS, UNMATCHED, link
from chiiki.registry.models import Person

SESSION_PREFILL = "procedures_prefill"
_SEX = {"female": "2", "male": "1", "2": "2", "1": "1"}


@dataclass(frozen=True, slots=True)
class Match:
    """The decision for the signed-in resident and, when linked, the registry's person code."""

    decision: str
    person_code: str = ""


@dataclass(frozen=True, slots=True)
class Prefill:
    """What the form starts with, and the household as registered (only ever from a linked match)."""

    answers: dict[str, str] = field(default_factory=dict)
    household: list[tuple[str, str, str]] = field(default_factory=list)  # (name, relationship, birth date)


def match_claims(municipality: Municipality, claims: dict[str, Any]) -> Match:
    """Link the card's four facts to the municipality's current registry; `linked`, `review` or `unmatched`."""
    registry = linkage_queries.registry_frame(municipality)
    if registry.height == 0 or not claims.get("name"):
        return Match(UNMATCHED)
    row = {
        "record_id": "card",
        "name_kanji": str(claims.get("name") or "").replace(" ", "\u3000") or None,
        "name_kana": None,
        "birth_date": str(claims.get("birthdate") or "") or None,
        "sex": _SEX.get(str(claims.get("gender") or "").lower()),
        "address": str(claims.get("address") or "") or None,
        "postal_code": str(claims.get("postal_code") or "") or None,
    }
    records = pl.DataFrame(
        {c: [row[c]] for c in RECORD_COLUMNS}, schema=dict.fromkeys(RECORD_COLUMNS, pl.String)
    )
    result = link(registry, records)
    decision_row = result.links.filter(pl.col("record_id") == "card").row(0, named=True)
    decision = str(decision_row["decision"])
    if decision == LINKED:
        return Match(LINKED, str(decision_row["person_id"]))
    return Match(decision)


def prefill_for(municipality: Municipality, match: dict[str, Any] | None) -> Prefill:
    """The form's starting values from a stored match; empty unless the match was `linked`."""
    if not match or match.get("decision") != LINKED or not match.get("person_code"):
        return Prefill()
    person = (
        Person.objects.select_related("household")
        .filter(municipality=municipality, person_code=match["person_code"], removed_on__isnull=True)
        .first()
    )
    if person is None:
        return Prefill()
    household = person.household
    answers = {
        "applicant_name": f"{person.family_name} {person.given_name}",
        "applicant_kana": f"{person.family_name_kana} {person.given_name_kana}".strip(),
        "birth_date": person.birth_date.isoformat(),
        "address": household.address,
        "postal_code": household.postal_code,
    }
    members = Person.objects.filter(household=household, removed_on__isnull=True).order_by("birth_date")
    return Prefill(
        {k: v for k, v in answers.items() if v},
        [(f"{m.family_name} {m.given_name}", m.relationship, m.birth_date.isoformat()) for m in members],
    )
