"""Import of posts exported from platforms (X API v2, Bluesky, CSV) into the fact-check desk.

The file is read and checked whole first (`engine.read_posts`, naming the bad line); then, in one transaction,
its posts are clustered among themselves (MinHash/LSH, `cluster_near_duplicates`), each cluster joins the claim
of the most similar earlier report (the same measure as a single report) or opens a new claim, and every post is
kept as a report. A post already imported (same id or URI) is skipped, so a file can be loaded again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.actions.jobs import enqueue_job
from chiiki.core.links import validate_link
from chiiki.core.models import Municipality
from chiiki.infosafety.actions.factcheck import (
    CANDIDATE_REPORTS,
    LSH_CANDIDATES,
    OPEN,
    _watch_hit,
    index_reports,
)
from chiiki.infosafety.engine import (
    Fingerprint,
    PostRow,
    best_match_among,
    cluster_near_duplicates,
    fingerprint,
    lsh_keys,
)
from chiiki.infosafety.models import Claim, PostImport, Report, ReportBand

if TYPE_CHECKING:
    from chiiki.core.acting import Actor

MAX_IMPORT = 2000  # posts in one file on the page; a larger file goes to the task worker
MAX_IMPORT_JOB = 200_000  # posts in one file imported by the worker


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did."""

    reports: int
    new_claims: int
    joined_claims: int
    skipped: int


def check_rows(rows: list[PostRow], *, limit: int = MAX_IMPORT) -> None:
    """Refuse the whole file when a post cannot be kept: too many posts, or a link that is not a web address."""
    if len(rows) > limit:
        raise ValidationError(f"一度に取り込めるのは {limit:,} 件までです ({len(rows):,} 件あります)")
    for row in rows:
        if row.url:
            try:
                validate_link(row.url)
            except ValidationError as error:
                raise ValidationError(
                    f"{row.line}行目: リンク {row.url[:80]} は使えません ({' '.join(error.messages)})"
                ) from error


def _bucketed(municipality: Municipality, text: str) -> list[tuple[object, Fingerprint]]:
    """The open reports sharing an LSH bucket with a cluster's first post, however old (as for a single
    report), so an old rumour told again in a file joins its claim even after thousands of other reports."""
    keys = lsh_keys(text)
    if not keys:
        return []
    bucketed = ReportBand.objects.filter(municipality=municipality, key__in=keys).values("report_id")
    rows = (
        Report.objects.filter(municipality=municipality, claim__status__in=OPEN, pk__in=bucketed)
        .order_by("-received_at")
        .values_list("claim_id", "text")[:LSH_CANDIDATES]
    )
    return [(claim_id, fingerprint(text)) for claim_id, text in rows]


def request_import(municipality: Municipality, content: bytes, *, name: str, by: Actor) -> PostImport:
    """Keep a large file of posts and queue its import on the long queue (the worker reads and checks it)."""
    job = PostImport(municipality=municipality, original_name=name[:200], uploaded_by=by.user)
    job.file.save("posts", ContentFile(content), save=False)
    job.save()
    audit.record(
        "infosafety.import_received",
        by=by,
        municipality=municipality,
        object_type="post_import",
        object_id=job.pk,
        detail={"file": name[:200], "bytes": len(content)},
    )
    enqueue_job(job)
    return job


def note_import_total(job: PostImport, total: int) -> None:
    """Progress of a worker's import: the number of posts, once the file is read (shown on the import page)."""
    PostImport.objects.filter(pk=job.pk).update(total=total)


@transaction.atomic
def record_import(job: PostImport, rows: list[PostRow], *, by: Actor) -> ImportResult:
    """Import a worker's file (all or nothing, as on the page) and keep the counts on its job."""
    result = import_posts(job.municipality, rows, name=job.original_name, by=by, limit=MAX_IMPORT_JOB)
    job.total = len(rows)
    job.reports = result.reports
    job.new_claims = result.new_claims
    job.joined_claims = result.joined_claims
    job.skipped = result.skipped
    job.save(update_fields=["total", "reports", "new_claims", "joined_claims", "skipped"])
    return result


@transaction.atomic
def import_posts(
    municipality: Municipality, rows: list[PostRow], *, name: str, by: Actor, limit: int = MAX_IMPORT
) -> ImportResult:
    """Keep every post of the file as a report, grouped into claims; all or nothing."""
    check_rows(rows, limit=limit)
    known = set(
        Report.objects.filter(
            municipality=municipality, post_id__in=[r.post_id for r in rows if r.post_id]
        ).values_list("post_id", flat=True)
    )
    seen: set[str] = set()
    fresh = []
    for row in rows:
        if row.post_id and (row.post_id in known or row.post_id in seen):
            continue
        seen.add(row.post_id)
        fresh.append(row)
    groups: dict[int, list[PostRow]] = defaultdict(list)
    for row, label in zip(fresh, cluster_near_duplicates([r.text for r in fresh]).tolist(), strict=True):
        groups[label].append(row)
    candidates = [
        (claim_id, fingerprint(text))
        for claim_id, text in Report.objects.filter(municipality=municipality, claim__status__in=OPEN)
        .order_by("-received_at")
        .values_list("claim_id", "text")[:CANDIDATE_REPORTS]
    ]
    now = timezone.now()
    reports: list[Report] = []
    new_claims = joined = 0
    for group in groups.values():
        first_seen = min((r.posted_at for r in group if r.posted_at), default=now)
        shared = _bucketed(municipality, group[0].text)
        match = best_match_among(fingerprint(group[0].text), [*shared, *candidates])
        if match is None:
            claim = Claim.objects.create(
                municipality=municipality, summary=group[0].text.strip()[:300], first_reported_at=first_seen
            )
            new_claims += 1
            candidates.append((claim.pk, fingerprint(group[0].text)))
        else:
            claim = Claim.objects.select_for_update().get(pk=int(str(match.key)))
            if first_seen < claim.first_reported_at:
                claim.first_reported_at = first_seen
                claim.save(update_fields=["first_reported_at", "updated_at"])
            joined += 1
        for row in group:
            reports.append(
                Report(
                    municipality=municipality,
                    claim=claim,
                    text=row.text.strip(),
                    link=row.url,
                    where_seen=row.platform,
                    seen_at=row.posted_at,
                    channel=Report.Channel.IMPORT,
                    post_id=row.post_id,
                    similarity=match.similarity if match else None,
                    watch_hit=_watch_hit(municipality, row.text)[:200],
                    received_at=now,
                )
            )
    Report.objects.bulk_create(reports, batch_size=500)
    index_reports(reports)  # later single reports find these through LSH
    result = ImportResult(len(reports), new_claims, joined, len(rows) - len(fresh))
    audit.record(
        "infosafety.posts_imported",
        by=by,
        municipality=municipality,
        object_type="rumour_report",
        detail={
            "file": name[:200],
            "posts": len(rows),
            "reports": result.reports,
            "new_claims": new_claims,
            "joined_claims": joined,
            "skipped": result.skipped,
        },
    )
    return result
