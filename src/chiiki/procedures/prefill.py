"""Prefill from what the municipality already knows, after card sign-in (issue 14, point 4).

The card's 基本4情報 (name, address, birth date, sex) are matched to the registry with the linkage engine and
its decision rule, the same no-wrong-link rule the linkage app uses (`chiiki.linkage.engine.decide`): name +
birth date + sex alone never links, an identifier from the address must agree too. Only a `linked` match
fills the form (name, reading, birth date, address, postal code) and shows the household as registered;
`review` and `unmatched` never fill anything, and the resident types. Each sign-in reads a bounded part of the
registry (`reference_for`), not all of it.
"""

from __future__ import annotations

import contextlib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
from django.db.models import Count, Max, Min, Q

from chiiki.core.models import Municipality
from chiiki.linkage import queries as linkage_queries
from chiiki.linkage.engine import LINKED, RECORD_COLUMNS, REGISTRY_COLUMNS, UNMATCHED, link
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


# The registry is not read whole at each sign-in: the candidates come from indexed lookups (the birth date, with
# day and month swapped too, and the exact name; indexes registry_person_birth and registry_person_name), and the
# engine measures how often strangers agree like this on a sample of at most SAMPLE_SIZE persons picked by
# evenly spaced ids (primary-key lookups). The prior is the whole registry's (its size, one COUNT), so the
# decision is the linkage engine's own: `link(..., registry_size=...)` with the default DecisionRule.
SAMPLE_SIZE = 1414  # the engine's own u sample per side: sqrt(ScoringOptions.u_max_pairs)
MAX_CANDIDATES = 1000
_ID_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Reference:
    """The part of the registry a sign-in reads: candidates and the sample, and the size of the whole."""

    frame: pl.DataFrame
    registry_size: int
    candidates: int


def _birth_dates(text: str) -> list[date]:
    try:
        born = date.fromisoformat(text)
    except ValueError:
        return []
    dates = [born]
    if born.day <= 12 and born.day != born.month:
        with contextlib.suppress(ValueError):
            dates.append(born.replace(month=born.day, day=born.month))
    return dates


def _name_parts(name: str) -> tuple[str, str] | None:
    parts = unicodedata.normalize("NFKC", name).split()
    return (parts[0], " ".join(parts[1:])) if len(parts) >= 2 else None


def _sample_ids(low: int, high: int, size: int) -> list[int]:
    if high - low + 1 <= size:
        return list(range(low, high + 1))
    step = (high - low) / (size - 1)
    return sorted({low + round(i * step) for i in range(size)})


def reference_for(municipality: Municipality, claims: dict[str, Any]) -> Reference:
    """The registry rows one sign-in needs: at most MAX_CANDIDATES candidates and SAMPLE_SIZE sampled persons."""
    current = Person.objects.filter(municipality=municipality, removed_on__isnull=True)
    stats = current.aggregate(low=Min("id"), high=Max("id"), size=Count("id"))
    if not stats["size"]:
        return Reference(pl.DataFrame(schema=dict.fromkeys(REGISTRY_COLUMNS, pl.String)), 0, 0)
    lookup = Q(pk__in=[])
    dates = _birth_dates(str(claims.get("birthdate") or ""))
    if dates:
        lookup |= Q(birth_date__in=dates)
    name = _name_parts(str(claims.get("name") or ""))
    if name is not None:
        lookup |= Q(family_name=name[0], given_name=name[1])
    candidate_ids = list(current.filter(lookup).order_by("id").values_list("id", flat=True)[:MAX_CANDIDATES])
    wanted = set(candidate_ids)
    sample = _sample_ids(stats["low"], stats["high"], SAMPLE_SIZE)
    for start in range(0, len(sample), _ID_CHUNK):
        wanted.update(current.filter(pk__in=sample[start : start + _ID_CHUNK]).values_list("id", flat=True))
    frames = [
        linkage_queries.persons_frame(current.filter(pk__in=chunk))
        for chunk in (sorted(wanted)[i : i + _ID_CHUNK] for i in range(0, len(wanted), _ID_CHUNK))
    ]
    frame = pl.concat(frames) if frames else pl.DataFrame(schema=dict.fromkeys(REGISTRY_COLUMNS, pl.String))
    return Reference(frame, int(stats["size"]), len(candidate_ids))


def match_claims(municipality: Municipality, claims: dict[str, Any]) -> Match:
    """Link the card's four facts to the municipality's current registry; `linked`, `review` or `unmatched`."""
    if not claims.get("name"):
        return Match(UNMATCHED)
    reference = reference_for(municipality, claims)
    if reference.frame.height == 0:
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
    result = link(reference.frame, records, registry_size=reference.registry_size)
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
