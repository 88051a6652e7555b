"""Read-side queries of the linkage app. Callers write the audit record for each read of personal data."""

from __future__ import annotations

import polars as pl
from django.db.models import QuerySet

from chiiki.core.models import Municipality
from chiiki.linkage.engine import REGISTRY_COLUMNS
from chiiki.linkage.models import Candidate, FinalLink, LinkageRun, LinkCase, ReviewDecision
from chiiki.registry.models import Person


def runs(municipality: Municipality) -> QuerySet[LinkageRun]:
    """The runs of a municipality, newest first."""
    return LinkageRun.objects.filter(municipality=municipality).select_related("created_by")


def run(municipality: Municipality, run_id: int) -> LinkageRun | None:
    """One run of this municipality (never of another one)."""
    return LinkageRun.objects.filter(municipality=municipality, pk=run_id).first()


def review_queue(run: LinkageRun) -> QuerySet[LinkCase]:
    """Review cases no officer has decided yet, the most probable first."""
    return run.cases.filter(decision=LinkCase.Decision.REVIEW, state=LinkCase.State.OPEN).order_by(
        "-probability", "id"
    )


def awaiting_confirmation(run: LinkageRun) -> QuerySet[ReviewDecision]:
    """Decisions waiting for a second officer, oldest first."""
    return (
        ReviewDecision.objects.filter(case__run=run, outcome=ReviewDecision.Outcome.PENDING)
        .select_related("case", "officer", "accepted")
        .order_by("at", "id")
    )


def case(run: LinkageRun, case_id: int) -> LinkCase | None:
    """One case of this run (never of another run)."""
    return run.cases.filter(pk=case_id).select_related("best_person").first()


def candidates(case: LinkCase) -> QuerySet[Candidate]:
    """The candidates of a case, best first."""
    return case.candidates.order_by("rank")


def pending_review(case: LinkCase) -> ReviewDecision | None:
    """The decision on this case that waits for confirmation, if any."""
    return (
        case.reviews.filter(outcome=ReviewDecision.Outcome.PENDING)
        .select_related("officer", "accepted")
        .first()
    )


def history(case: LinkCase) -> QuerySet[ReviewDecision]:
    """Every decision ever taken on this case, oldest first (returned ones included)."""
    return case.reviews.select_related("officer", "confirmed_by", "accepted").order_by("at", "id")


def final_links(run: LinkageRun) -> QuerySet[FinalLink]:
    """The final links of a run, by record."""
    return run.final_links.order_by("record_id")


def registry_frame(municipality: Municipality) -> pl.DataFrame:
    """Current residents in the engine's registry layout (REGISTRY_COLUMNS); person_id is the person code.

    Names are written family + full-width space + given, the form the engine splits on; address and postal
    code come from the household.
    """
    return persons_frame(Person.objects.filter(municipality=municipality, removed_on__isnull=True))


def persons_frame(persons: QuerySet[Person]) -> pl.DataFrame:
    """The given persons in the engine's registry layout (see `registry_frame`), in id order."""
    rows = persons.order_by("id").values_list(
        "person_code",
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "birth_date",
        "sex",
        "household__address",
        "household__postal_code",
    )
    data: dict[str, list[str | None]] = {column: [] for column in REGISTRY_COLUMNS}
    for code, family, given, family_kana, given_kana, birth, sex, address, postal in rows.iterator(
        chunk_size=5000
    ):
        data["person_id"].append(code)
        data["name_kanji"].append(_join(family, given))
        data["name_kana"].append(_join(family_kana, given_kana))
        data["birth_date"].append(birth.isoformat() if birth else None)
        data["sex"].append(sex or None)
        data["address"].append(address or None)
        data["postal_code"].append(postal or None)
    return pl.DataFrame(data, schema=dict.fromkeys(REGISTRY_COLUMNS, pl.String))


def _join(family: str, given: str) -> str | None:
    text = "\u3000".join(part for part in (family.strip(), given.strip()) if part)
    return text or None
