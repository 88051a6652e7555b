"""Changes of the linkage app. Each runs in one transaction and writes its audit record.

A run: `request_linkage_run` reads the uploaded records file at once (refusing a bad one, naming the row and
column, before anything is stored), keeps it and queues the job; the worker links it (`tasks.run_linkage`)
and `store_result` saves the outcome.

The review flow: the engine's `review` cases start `open`; `review_case` records one officer's decision
(accept one candidate or reject all) and moves the case to `awaiting_confirmation`; `confirm_review` by a
different officer makes it final (a FinalLink when a candidate was accepted) or returns it to the queue.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import polars as pl
from django.db import IntegrityError, transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.actions.jobs import enqueue_job
from chiiki.core.models import Municipality, User
from chiiki.linkage.engine import (
    COMPARISONS,
    RECORD_COLUMNS,
    REGISTRY_COLUMNS,
    InputError,
    LinkageResult,
    parse_records,
)
from chiiki.linkage.models import Candidate, FinalLink, LinkageRun, LinkCase, ReviewDecision
from chiiki.registry.models import Person

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from chiiki.core.acting import Actor

__all__ = [
    "FourEyesError",
    "InputError",
    "ReviewError",
    "confirm_review",
    "request_linkage_run",
    "review_case",
    "store_result",
]


class ReviewError(ValueError):
    """A review step that is not allowed now; the message says why in plain Japanese."""


class FourEyesError(ReviewError):
    """The officer who decided a case tried to confirm it too."""


def request_linkage_run(municipality: Municipality, records_file: UploadedFile, *, by: Actor) -> LinkageRun:
    """Check an uploaded records file, keep it and queue its linkage by the worker (`tasks.run_linkage`).

    The file is read here, while the officer waits: a file that cannot be used (encoding, header, a missing
    column, an unreadable sex or birth date, a duplicate record id) raises `InputError` naming the row and
    column, and nothing is stored.
    """
    name = (records_file.name or "records.csv")[:200]
    parse_records(records_file.read(), source=name)
    records_file.seek(0)
    return _queue_run(municipality, records_file, name, by=by)


@transaction.atomic
def _queue_run(municipality: Municipality, records_file: UploadedFile, name: str, *, by: Actor) -> LinkageRun:
    run = LinkageRun.objects.create(
        municipality=municipality, records_file=records_file, original_name=name, created_by=by.user
    )
    audit.record(
        "linkage.run_created",
        by=by,
        municipality=municipality,
        object_type="linkage_run",
        object_id=run.pk,
        detail={"file": run.original_name},
    )
    enqueue_job(run)
    return run


def _number(value: Any) -> float:
    number = float(value) if value is not None else 0.0
    return number if math.isfinite(number) else 0.0


def _values(row: dict[str, Any], prefix: str, columns: tuple[str, ...]) -> dict[str, str]:
    return {column: row.get(f"{prefix}{column}") or "" for column in columns[1:]}


@transaction.atomic
def store_result(
    run: LinkageRun, result: LinkageResult, records: pl.DataFrame, *, registry_count: int, by: Actor
) -> LinkageRun:
    """Save the engine's outcome: a case per record, candidates of review cases, final links of sure ones.

    The job runner marks the run done afterwards; this saves its counts.
    """
    persons = dict(Person.objects.filter(municipality=run.municipality).values_list("person_code", "pk"))
    LinkCase.objects.bulk_create(_cases(run, result, records, persons), batch_size=2000)
    by_record = dict(run.cases.values_list("record_id", "pk"))
    Candidate.objects.bulk_create(_candidates(result, by_record, persons), batch_size=2000)
    FinalLink.objects.bulk_create(_automatic_links(run), batch_size=2000)
    counts = result.counts()
    run.registry_count = registry_count
    run.record_count = result.links.height
    run.linked_count = counts["linked"]
    run.review_count = counts["review"]
    run.unmatched_count = counts["unmatched"]
    run.save(
        update_fields=["registry_count", "record_count", "linked_count", "review_count", "unmatched_count"]
    )
    audit.record(
        "linkage.run_finished",
        by=by,
        municipality=run.municipality,
        object_type="linkage_run",
        object_id=run.pk,
        detail={"registry": registry_count, **counts},
    )
    return run


def _cases(
    run: LinkageRun, result: LinkageResult, records: pl.DataFrame, persons: dict[str, int]
) -> list[LinkCase]:
    record_values = {
        row["record_id"]: {column: row[column] or "" for column in RECORD_COLUMNS[1:]}
        for row in records.iter_rows(named=True)
    }
    cases = []
    for row in result.links.iter_rows(named=True):
        code = row["person_id"] or ""
        decision = str(row["decision"])
        cases.append(
            LinkCase(
                run=run,
                municipality=run.municipality,
                record_id=row["record_id"],
                record=record_values.get(row["record_id"], {}),
                decision=decision,
                reason=(row.get("reason") or "")[:60],
                best_person_id=persons.get(code),
                best_person_code=code,
                probability=_number(row["match_probability"]),
                state=LinkCase.State.OPEN if decision == LinkCase.Decision.REVIEW else LinkCase.State.CLOSED,
            )
        )
    return cases


def _candidates(result: LinkageResult, by_record: dict[str, int], persons: dict[str, int]) -> list[Candidate]:
    return [
        Candidate(
            case_id=by_record[row["record_id"]],
            rank=int(row["candidate_rank"]),
            person_id=persons.get(row["person_id"]),
            person_code=row["person_id"],
            person_values=_values(row, "person_", REGISTRY_COLUMNS),
            probability=_number(row["match_probability"]),
            match_weight=_number(row["match_weight"]),
            evidence=[
                {
                    "field": comparison.name,
                    "level": row[f"{comparison.name}_level"],
                    "weight": _number(row[f"{comparison.name}_weight"]),
                }
                for comparison in COMPARISONS
            ],
        )
        for row in result.review.iter_rows(named=True)
    ]


def _automatic_links(run: LinkageRun) -> list[FinalLink]:
    linked = run.cases.filter(decision=LinkCase.Decision.LINKED).only(
        "pk", "record_id", "best_person", "best_person_code"
    )
    return [
        FinalLink(
            municipality=run.municipality,
            run=run,
            case=case,
            record_id=case.record_id,
            person_id=case.best_person_id,
            person_code=case.best_person_code,
            source=FinalLink.Source.AUTOMATIC,
        )
        for case in linked
    ]


def _officer(by: Actor) -> User:
    """The staff account of `by`; reviews are decisions of a named officer, never of a command or task."""
    if by.user is None:
        raise ReviewError("紐付けの判断と承認は、担当の職員がサインインして行います。")
    return by.user


@transaction.atomic
def review_case(
    case: LinkCase,
    *,
    by: Actor,
    candidate: Candidate | None,
    reject_all: bool = False,
    note: str = "",
) -> ReviewDecision:
    """The first officer accepts one candidate of a review case, or rejects them all."""
    officer = _officer(by)
    locked = LinkCase.objects.select_for_update().get(pk=case.pk)
    if locked.decision != LinkCase.Decision.REVIEW or locked.state != LinkCase.State.OPEN:
        raise ReviewError("この案件はすでに判断されています。確認待ちの一覧から開き直してください。")
    if (candidate is None) == (not reject_all):
        raise ReviewError("候補を一人選ぶか、「どの候補とも紐付けない」を選んでください。")
    if candidate is not None and candidate.case_id != locked.pk:
        raise ReviewError("選んだ候補はこの案件の候補ではありません。")
    review = ReviewDecision.objects.create(
        case=locked, officer=officer, accepted=candidate, reject_all=reject_all, note=note
    )
    locked.state = LinkCase.State.AWAITING_CONFIRMATION
    locked.save(update_fields=["state"])
    case.state = locked.state
    audit.record(
        "linkage.case_reviewed",
        by=by,
        municipality=locked.municipality_id,
        object_type="linkage_case",
        object_id=locked.pk,
        detail={
            "run": locked.run_id,
            "record_id": locked.record_id,
            "accepted_person_code": candidate.person_code if candidate else None,
            "reject_all": reject_all,
        },
    )
    return review


@transaction.atomic
def confirm_review(review: ReviewDecision, *, by: Actor, approve: bool, note: str = "") -> ReviewDecision:
    """A second officer confirms a decision (making it final) or returns the case to the queue.

    Raises FourEyesError when `by` is the officer who decided; the database refuses it as well.
    """
    officer = _officer(by)
    locked = (
        ReviewDecision.objects.select_for_update(of=("self",))
        .select_related("case", "accepted")
        .get(pk=review.pk)
    )
    if locked.outcome != ReviewDecision.Outcome.PENDING:
        raise ReviewError("この判断はすでに承認または差し戻しされています。")
    if officer.pk == locked.officer_id:
        raise FourEyesError("判断した本人は承認できません。別の職員が承認してください(二人による確認)。")
    case = locked.case
    final: FinalLink | None = None
    if approve and locked.accepted is not None:
        taken = FinalLink.objects.filter(run_id=case.run_id, person_code=locked.accepted.person_code).first()
        if taken is not None:
            raise ReviewError(
                f"この住民はすでにレコード {taken.record_id} と紐付けられています。差し戻してください。"
            )
    locked.outcome = ReviewDecision.Outcome.CONFIRMED if approve else ReviewDecision.Outcome.RETURNED
    locked.confirmed_by = officer
    locked.confirmed_at = timezone.now()
    locked.confirmation_note = note
    locked.save(update_fields=["outcome", "confirmed_by", "confirmed_at", "confirmation_note"])
    if approve and locked.accepted is not None:
        try:
            with transaction.atomic():
                final = FinalLink.objects.create(
                    municipality_id=case.municipality_id,
                    run_id=case.run_id,
                    case=case,
                    record_id=case.record_id,
                    person_id=locked.accepted.person_id,
                    person_code=locked.accepted.person_code,
                    source=FinalLink.Source.REVIEWED,
                    review=locked,
                )
        except IntegrityError as error:
            raise ReviewError("この案件はすでに確定しています。") from error
    case.state = LinkCase.State.CLOSED if approve else LinkCase.State.OPEN
    case.save(update_fields=["state"])
    audit.record(
        "linkage.review_confirmed" if approve else "linkage.review_returned",
        by=by,
        municipality=case.municipality_id,
        object_type="linkage_case",
        object_id=case.pk,
        detail={
            "run": case.run_id,
            "record_id": case.record_id,
            "review": locked.pk,
            "decided_by": locked.officer_id,
            "final_person_code": final.person_code if final else None,
        },
    )
    review.outcome = locked.outcome
    return locked
