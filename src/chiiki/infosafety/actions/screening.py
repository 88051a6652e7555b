"""Screening recruitment posts: loading signal sets, screening one post, bulk files through the worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from chiiki.core import audit
from chiiki.core.actions.jobs import enqueue_job
from chiiki.core.links import is_safe_link
from chiiki.core.models import Municipality
from chiiki.infosafety.engine import (
    PostRow,
    Screening,
    SignalSetDiff,
    SignalSetError,
    diff_signal_sets,
    load_signal_set,
)
from chiiki.infosafety.models import ScreenedPost, ScreeningBatch, SignalSetVersion
from chiiki.infosafety.queries import current_signal_set

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from chiiki.core.acting import Actor


@transaction.atomic
def load_signal_set_version(
    municipality: Municipality, document: bytes, *, by: Actor
) -> tuple[SignalSetVersion, SignalSetDiff]:
    """Check and keep a new signal set for the municipality; return it with what changed.

    Raises SignalSetError naming every problem; a version already loaded is refused (a version names
    one content, so results screened with it can be explained later).
    """
    new = load_signal_set(document)
    if SignalSetVersion.objects.filter(municipality=municipality, version=new.version).exists():
        raise SignalSetError([f'版 "{new.version}" はもう読み込まれています。version を変えてください'])
    diff = diff_signal_sets(current_signal_set(municipality), new)
    row = SignalSetVersion.objects.create(
        municipality=municipality,
        version=new.version,
        document=new.raw,
        changes=diff.lines(),
        loaded_by=by.user,
    )
    audit.record(
        "infosafety.signal_set_loaded",
        by=by,
        municipality=municipality,
        object_type="signal_set",
        object_id=row.pk,
        detail={"version": new.version, "from": diff.old_version, "changes": diff.lines()[:200]},
    )
    return row, diff


def _post(
    municipality: Municipality, row: PostRow, screening: Screening, batch: ScreeningBatch | None
) -> ScreenedPost:
    return ScreenedPost(
        municipality=municipality,
        batch=batch,
        line=row.line,
        text=row.text,
        url=row.url if is_safe_link(row.url) else "",
        score=screening.score,
        level=screening.level,
        matches=[
            {
                "id": m.signal_id,
                "label": m.label,
                "weight": m.weight,
                "tier": m.tier,
                "evidence": list(m.evidence),
            }
            for m in screening.matches
        ],
        signal_version=screening.version,
    )


@transaction.atomic
def screen_post(municipality: Municipality, row: PostRow, screening: Screening, *, by: Actor) -> ScreenedPost:
    """Keep one post screened by staff on the page, with its explanation."""
    post = _post(municipality, row, screening, None)
    post.save()
    audit.record(
        "infosafety.post_screened",
        by=by,
        municipality=municipality,
        object_type="screened_post",
        object_id=post.pk,
        detail={"score": screening.score, "level": screening.level, "version": screening.version},
    )
    return post


@transaction.atomic
def request_bulk_screening(municipality: Municipality, file: UploadedFile, *, by: Actor) -> ScreeningBatch:
    """Keep an uploaded file of posts and queue its screening on the long queue."""
    batch = ScreeningBatch.objects.create(
        municipality=municipality, file=file, original_name=(file.name or "")[:200], uploaded_by=by.user
    )
    audit.record(
        "infosafety.batch_received",
        by=by,
        municipality=municipality,
        object_type="screening_batch",
        object_id=batch.pk,
    )
    enqueue_job(batch)
    return batch


@transaction.atomic
def record_batch_results(
    batch: ScreeningBatch, results: list[tuple[PostRow, Screening]], *, version: str, by: Actor
) -> ScreeningBatch:
    """Store every screened post of a batch at once (all or nothing) and the batch's counts."""
    ScreenedPost.objects.filter(batch=batch).delete()  # a retried job starts again from nothing
    municipality = batch.municipality
    ScreenedPost.objects.bulk_create(
        (_post(municipality, row, s, batch) for row, s in results), batch_size=2000
    )
    batch.total = len(results)
    batch.flagged = sum(1 for _, s in results if s.level == "flag")
    batch.watched = sum(1 for _, s in results if s.level == "watch")
    batch.signal_version = version
    batch.save(update_fields=["total", "flagged", "watched", "signal_version"])
    audit.record(
        "infosafety.batch_screened",
        by=by,
        municipality=municipality,
        object_type="screening_batch",
        object_id=batch.pk,
        detail={"total": batch.total, "flagged": batch.flagged, "version": version},
    )
    return batch
