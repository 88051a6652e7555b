"""The fact-check desk: intake, grouping, evidence, a verdict drafted by one editor and published by another."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.links import validate_link
from chiiki.core.models import Municipality
from chiiki.infosafety.actions.archives import checked_archive_type, store_archive
from chiiki.infosafety.actions.catalog import refresh_factcheck_dataset
from chiiki.infosafety.actions.email import email_requesters
from chiiki.infosafety.actions.sms import text_requesters
from chiiki.infosafety.engine import SCALES, best_match, default_patterns, lsh_keys, watch_hit
from chiiki.infosafety.images import IMAGE_TYPES, image_type
from chiiki.infosafety.models import Claim, Report, ReportBand, Source, Verdict, WatchMode

if TYPE_CHECKING:
    from chiiki.core.acting import Actor
    from chiiki.core.models import User

CANDIDATE_REPORTS = 2000  # the latest reports an imported file is compared with
RECENT_REPORTS = 200  # the latest reports a single new one is compared with, besides those sharing a bucket
LSH_CANDIDATES = 500  # at most this many reports sharing an LSH bucket with a new one (the newest first)
OPEN = (Claim.Status.NEW, Claim.Status.CHECKING, Claim.Status.DRAFTED, Claim.Status.PUBLISHED)


class FactCheckError(ValueError):
    """A step that cannot be done in the claim's state; the message says why in plain Japanese."""


@dataclass(frozen=True, slots=True)
class Intake:
    """What a resident or staff member reports."""

    text: str
    link: str = ""
    where_seen: str = ""
    seen_at: datetime | None = None
    contact: str = ""
    channel: str = Report.Channel.WEB
    screenshot: bytes = b""  # a PNG, JPEG, WebP or GIF image (checked by its bytes), or nothing


@transaction.atomic
def submit_report(municipality: Municipality, intake: Intake, *, by: Actor) -> Report:
    """Keep a report and join it to the claim of the most similar earlier report, or open a new claim."""
    text = intake.text.strip()
    if not text:
        raise ValidationError({"text": "見た内容を書いてください"})
    if intake.link:
        validate_link(intake.link)
    kind = image_type(intake.screenshot[:16]) if intake.screenshot else ""
    if kind is None:
        raise ValidationError({"screenshot": "画像(PNG・JPEG・WebP・GIF)ではありません"})
    keys = lsh_keys(text)
    match = best_match(text, _candidates(municipality, keys))
    if match is not None:
        claim = Claim.objects.select_for_update().get(pk=int(str(match.key)))
    else:
        claim = Claim.objects.create(municipality=municipality, summary=text[:300])
    report = Report.objects.create(
        municipality=municipality,
        claim=claim,
        text=text,
        link=intake.link.strip(),
        where_seen=intake.where_seen.strip(),
        seen_at=intake.seen_at,
        contact=intake.contact.strip(),
        channel=intake.channel,
        similarity=match.similarity if match else None,
        watch_hit=_watch_hit(municipality, text)[:200],
        screenshot_type=kind,
    )
    index_reports([report], keys=keys)
    if kind:
        report.screenshot.save(
            f"report-{report.pk}.{IMAGE_TYPES[kind]}", ContentFile(intake.screenshot), save=True
        )
    audit.record(
        "infosafety.report_received",
        by=by,
        municipality=municipality,
        object_type="rumour_report",
        object_id=report.pk,
        detail={
            "claim": claim.pk,
            "joined": match is not None,
            "channel": intake.channel,
            "watch": report.watch_hit,
            "screenshot": kind,
        },
    )
    return report


def _candidates(municipality: Municipality, keys: list[int]) -> list[tuple[object, str]]:
    """What a new report is compared with: the open reports sharing an LSH bucket with it, however old (the
    near-duplicates of MinHash/LSH), and the latest ones (retellings in other words that the word measure
    links below LSH's Jaccard 0.5)."""
    open_reports = Report.objects.filter(municipality=municipality, claim__status__in=OPEN).order_by(
        "-received_at"
    )
    shared: list[tuple[object, str]] = []
    if keys:
        bucketed = ReportBand.objects.filter(municipality=municipality, key__in=keys).values("report_id")
        shared = list(open_reports.filter(pk__in=bucketed).values_list("claim_id", "text")[:LSH_CANDIDATES])
    recent = list(open_reports.values_list("claim_id", "text")[:RECENT_REPORTS])
    return [*shared, *recent]


def index_reports(reports: list[Report], *, keys: list[int] | None = None) -> None:
    """Put reports into their LSH buckets (inside the caller's transaction); `keys` when already made (one report)."""
    ReportBand.objects.bulk_create(
        [
            ReportBand(municipality_id=report.municipality_id, report=report, key=key)
            for report in reports
            for key in (keys if keys is not None and len(reports) == 1 else lsh_keys(report.text))
        ],
        batch_size=1000,
    )


def _watch_hit(municipality: Municipality, text: str) -> str:
    now = timezone.now()
    modes = WatchMode.objects.filter(municipality=municipality, starts_at__lte=now, ends_at__gt=now)
    for mode in modes:
        hit = watch_hit(text, mode.patterns)
        if hit:
            return f"{mode.title}: {hit}"
    return ""


@transaction.atomic
def start_watch_mode(
    municipality: Municipality,
    *,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    patterns: list[list[str]] | None = None,
    by: Actor,
) -> WatchMode:
    """Switch disaster or election mode on for a period, with the patterns staff wrote or, when they wrote
    none, the past patterns of that kind."""
    if kind not in WatchMode.Kind.values:
        raise ValidationError({"kind": "種類は災害か選挙です"})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "終了は開始より後にしてください"})
    mode = WatchMode.objects.create(
        municipality=municipality,
        kind=kind,
        title=title.strip()[:100] or str(WatchMode.Kind(kind).label),
        starts_at=starts_at,
        ends_at=ends_at,
        patterns=patterns if patterns else default_patterns(kind),
        created_by=by.user,
    )
    audit.record(
        "infosafety.watch_mode_started",
        by=by,
        municipality=municipality,
        object_type="watch_mode",
        object_id=mode.pk,
        detail={
            "kind": kind,
            "from": starts_at.isoformat(),
            "to": ends_at.isoformat(),
            "patterns": len(mode.patterns),
            "own_patterns": bool(patterns),
        },
    )
    return mode


@transaction.atomic
def update_watch_patterns(mode: WatchMode, patterns: list[list[str]], *, by: Actor) -> WatchMode:
    """Replace the watch list of a mode that has not ended (reports already flagged keep their flag)."""
    mode = WatchMode.objects.select_for_update().get(pk=mode.pk)
    if mode.ends_at <= timezone.now():
        raise FactCheckError("終わった注意モードの言葉は変えられません")
    if not patterns:
        raise ValidationError({"patterns": "注意する言葉の組を一つ以上書いてください"})
    before = mode.patterns
    mode.patterns = patterns
    mode.save(update_fields=["patterns"])
    audit.record(
        "infosafety.watch_patterns_changed",
        by=by,
        municipality=mode.municipality_id,
        object_type="watch_mode",
        object_id=mode.pk,
        detail={
            "added": ["+".join(p) for p in patterns if p not in before],
            "removed": ["+".join(p) for p in before if p not in patterns],
        },
    )
    return mode


def _locked(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().get(pk=claim.pk)


def _event(action: str, claim: Claim, by: Actor, **detail: object) -> None:
    audit.record(
        f"infosafety.{action}",
        by=by,
        municipality=claim.municipality_id,
        object_type="claim",
        object_id=claim.pk,
        detail=detail,
    )


@transaction.atomic
def assign_claim(claim: Claim, *, to: User, by: Actor) -> Claim:
    """Give the claim to an editor, who starts checking it."""
    claim = _locked(claim)
    if claim.status not in (Claim.Status.NEW, Claim.Status.CHECKING):
        raise FactCheckError("この段階では担当を変えられません")
    claim.assigned_to = to
    claim.status = Claim.Status.CHECKING
    claim.save(update_fields=["assigned_to", "status", "updated_at"])
    _event("claim_assigned", claim, by, to=to.get_username())
    return claim


@transaction.atomic
def decline_claim(claim: Claim, *, reason: str, by: Actor) -> Claim:
    """Close a claim that is not checked (an opinion, not verifiable, not about this area)."""
    claim = _locked(claim)
    if claim.status == Claim.Status.PUBLISHED:
        raise FactCheckError("公開済みの判定は「訂正」で直してください")
    if not reason.strip():
        raise ValidationError({"reason": "理由を書いてください"})
    claim.status = Claim.Status.DECLINED
    claim.declined_reason = reason.strip()[:300]
    claim.save(update_fields=["status", "declined_reason", "updated_at"])
    _event("claim_declined", claim, by, reason=claim.declined_reason)
    return claim


@transaction.atomic
def add_source(
    claim: Claim,
    *,
    title: str,
    url: str,
    published_on: date | None,
    note: str,
    archive: bytes = b"",
    by: Actor,
) -> Source:
    """Add a piece of evidence to the claim, with its archived copy if one is given."""
    if not title.strip():
        raise ValidationError({"title": "出典の名前を書いてください"})
    if url:
        validate_link(url)
    if archive:
        checked_archive_type(archive)  # refused before anything is written
    source = Source.objects.create(
        municipality_id=claim.municipality_id,
        claim=claim,
        title=title.strip()[:200],
        url=url.strip(),
        published_on=published_on,
        note=note.strip()[:500],
        added_by=by.user,
    )
    _event("source_added", claim, by, source=source.pk, url=source.url)
    if archive:
        store_archive(source, archive, by=by)
    return source


def _check_rating(scale: str, rating: str) -> None:
    if scale not in SCALES:
        raise ValidationError({"scale": f"尺度 {scale} はありません"})
    try:
        SCALES[scale].rating(rating)
    except KeyError as error:
        raise ValidationError({"rating": f"判定 {rating} は尺度 {scale} にありません"}) from error


@transaction.atomic
def draft_verdict(claim: Claim, *, scale: str, rating: str, explanation: str, by: Actor) -> Claim:
    """Write the verdict; another editor approves and publishes it."""
    claim = _locked(claim)
    if claim.status not in (Claim.Status.NEW, Claim.Status.CHECKING, Claim.Status.DRAFTED):
        raise FactCheckError("この段階では判定案を書けません")
    _check_rating(scale, rating)
    if not explanation.strip():
        raise ValidationError({"explanation": "判定の説明を書いてください"})
    claim.scale, claim.rating, claim.explanation = scale, rating, explanation.strip()
    claim.drafted_by = by.user
    claim.status = Claim.Status.DRAFTED
    claim.save(update_fields=["scale", "rating", "explanation", "drafted_by", "status", "updated_at"])
    _event("verdict_drafted", claim, by, scale=scale, rating=rating)
    return claim


@transaction.atomic
def publish_verdict(claim: Claim, *, by: Actor) -> Verdict:
    """Approve and publish the drafted verdict: a second editor, and at least one source."""
    claim = _locked(claim)
    if claim.status != Claim.Status.DRAFTED:
        raise FactCheckError("公開できるのは判定案のあるうわさだけです")
    if by.user is None or by.user.pk == claim.drafted_by_id:
        raise FactCheckError("判定案を書いた人とは別の担当者が承認して公開します")
    if not claim.sources.exists():
        raise FactCheckError("出典を一つ以上登録してから公開してください")
    claim.status = Claim.Status.PUBLISHED
    claim.published_at = timezone.now()
    claim.save(update_fields=["status", "published_at", "updated_at"])
    verdict = Verdict.objects.create(
        municipality_id=claim.municipality_id,
        claim=claim,
        scale=claim.scale,
        rating=claim.rating,
        explanation=claim.explanation,
        drafted_by_id=claim.drafted_by_id,
        approved_by=by.user,
        published_at=claim.published_at,
    )
    from chiiki.infosafety.actions.line import notify_requesters  # line builds on factcheck's intake

    told = notify_requesters(claim, claim.rating_label)
    emailed = email_requesters(claim, claim.rating_label)
    texted = text_requesters(claim, claim.rating_label)
    _event(
        "verdict_published",
        claim,
        by,
        rating=claim.rating,
        reports=claim.reports.count(),
        told=told,
        emailed=emailed,
        texted=texted,
    )
    refresh_factcheck_dataset(claim.municipality, by=by)
    return verdict


@transaction.atomic
def correct_verdict(claim: Claim, *, rating: str, explanation: str, note: str, by: Actor) -> Verdict:
    """Correct a published verdict: the earlier one stays in the history and the note says what changed."""
    claim = _locked(claim)
    if claim.status != Claim.Status.PUBLISHED:
        raise FactCheckError("訂正できるのは公開済みの判定だけです")
    _check_rating(claim.scale, rating)
    if not note.strip() or not explanation.strip():
        raise ValidationError({"note": "何を訂正したかと、新しい説明を書いてください"})
    claim.rating, claim.explanation = rating, explanation.strip()
    claim.save(update_fields=["rating", "explanation", "updated_at"])
    verdict = Verdict.objects.create(
        municipality_id=claim.municipality_id,
        claim=claim,
        scale=claim.scale,
        rating=rating,
        explanation=claim.explanation,
        drafted_by=by.user,
        approved_by=by.user,
        correction_note=note.strip()[:500],
    )
    from chiiki.infosafety.actions.line import notify_requesters  # line builds on factcheck's intake

    told = notify_requesters(claim, claim.rating_label)  # a changed verdict is news to those who asked
    emailed = email_requesters(claim, claim.rating_label)
    texted = text_requesters(claim, claim.rating_label)
    _event(
        "verdict_corrected",
        claim,
        by,
        rating=rating,
        note=verdict.correction_note,
        told=told,
        emailed=emailed,
        texted=texted,
    )
    refresh_factcheck_dataset(claim.municipality, by=by)
    return verdict


@transaction.atomic
def merge_claims(target: Claim, other: Claim, *, by: Actor) -> Claim:
    """Move the reports and sources of `other` to `target` (same rumour); `other` is closed as merged."""
    if target.pk == other.pk or target.municipality_id != other.municipality_id:
        raise FactCheckError("同じ自治体の別のうわさとだけまとめられます")
    target, other = _locked(target), _locked(other)
    if other.status == Claim.Status.PUBLISHED:
        raise FactCheckError("公開済みのうわさは、まとめる側 (残す側) にしてください")
    moved_ids = list(Report.objects.filter(claim=other).values_list("pk", flat=True))
    moved = Report.objects.filter(pk__in=moved_ids).update(claim=target)
    Source.objects.filter(claim=other).update(claim=target)
    other.status, other.merged_into = Claim.Status.DECLINED, target
    other.declined_reason = f"#{target.pk} にまとめました"
    other.save(update_fields=["status", "merged_into", "declined_reason", "updated_at"])
    target.first_reported_at = min(target.first_reported_at, other.first_reported_at)
    target.save(update_fields=["first_reported_at", "updated_at"])
    told = 0
    if target.status == Claim.Status.PUBLISHED:  # their senders would never hear of the verdict otherwise
        from chiiki.infosafety.actions.line import notify_requesters

        told = notify_requesters(target, target.rating_label, reports=moved_ids)
        told += email_requesters(target, target.rating_label, reports=moved_ids)
        told += text_requesters(target, target.rating_label, reports=moved_ids)
    _event("claims_merged", target, by, merged=other.pk, reports=moved, told=told)
    return target


@transaction.atomic
def split_claim(claim: Claim, report_ids: list[int], *, by: Actor) -> Claim:
    """Move the chosen reports of `claim` to a new claim (they say something else); both keep their history.

    The new claim starts unrated, so its senders are told when it is rated; at least one report stays."""
    claim = _locked(claim)
    chosen = set(report_ids)
    mine = set(Report.objects.filter(claim=claim).values_list("pk", flat=True))
    if not chosen or not chosen <= mine:
        raise FactCheckError("このうわさの報告から、分ける報告を選んでください")
    if chosen == mine:
        raise FactCheckError("すべての報告は分けられません。一つ以上を残してください")
    first = Report.objects.filter(pk__in=chosen).order_by("received_at", "pk")[0]  # chosen is not empty
    new = Claim.objects.create(
        municipality_id=claim.municipality_id,
        summary=first.text[:300],
        first_reported_at=first.seen_at or first.received_at,
    )
    Report.objects.filter(pk__in=chosen).update(claim=new)
    _event("claim_split", claim, by, new_claim=new.pk, reports=sorted(chosen))
    _event("claim_split_from", new, by, split_from=claim.pk, reports=sorted(chosen))
    return new
