"""Read-side queries of infosafety. Published fact-checks are public; everything else is for editors."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min, QuerySet
from django.db.models.functions import TruncHour
from django.utils import timezone

from chiiki.core.models import Municipality
from chiiki.infosafety.engine import SignalSet, default_signal_set, load_signal_set
from chiiki.infosafety.models import (
    Claim,
    LineChannel,
    PostImport,
    Report,
    ReportAttempt,
    ScreenedPost,
    ScreeningBatch,
    SignalSetVersion,
    Source,
    TakedownReport,
    Verdict,
    WatchMode,
)


def published_checks(municipality: Municipality) -> QuerySet[Claim]:
    """Published fact-checks of a municipality, newest first."""
    return Claim.objects.filter(municipality=municipality, status=Claim.Status.PUBLISHED).order_by(
        "-published_at"
    )


def published_check(municipality: Municipality, claim_id: int) -> Claim | None:
    """One published fact-check (None when it is not published, or of another municipality)."""
    return published_checks(municipality).filter(pk=claim_id).first()


def desk(municipality: Municipality, *, status: str = "") -> QuerySet[Claim]:
    """The claims on the desk with their report counts, open ones first."""
    claims = (
        Claim.objects.filter(municipality=municipality)
        .annotate(report_count=Count("reports"))
        .select_related("assigned_to")
        .order_by("-first_reported_at")
    )
    return claims.filter(status=status) if status else claims.exclude(status=Claim.Status.DECLINED)


def claim(municipality: Municipality, claim_id: int) -> Claim | None:
    """One claim of this municipality."""
    return Claim.objects.filter(municipality=municipality, pk=claim_id).first()


def reports(claim: Claim) -> QuerySet[Report]:
    """The reports grouped in a claim, first report first."""
    return claim.reports.order_by("received_at")


def history(claim: Claim) -> QuerySet[Verdict]:
    """Every published verdict of the claim, the first one first (corrections after it)."""
    return claim.verdicts.order_by("published_at", "id")


def status_counts(municipality: Municipality) -> dict[str, int]:
    """How many claims are in each state."""
    rows = Claim.objects.filter(municipality=municipality).values_list("status").annotate(n=Count("id"))
    return dict(rows)


def current_signal_set(municipality: Municipality) -> SignalSet:
    """The newest signal set loaded for the municipality, else the one shipped with Chiiki."""
    row = latest_signal_set_version(municipality)
    return load_signal_set(row.document) if row is not None else default_signal_set()


def latest_signal_set_version(municipality: Municipality) -> SignalSetVersion | None:
    """The newest loaded signal set row (None: the shipped set is in use)."""
    return SignalSetVersion.objects.filter(municipality=municipality).first()


def signal_set_versions(municipality: Municipality) -> QuerySet[SignalSetVersion]:
    """Every loaded signal set, newest first."""
    return SignalSetVersion.objects.filter(municipality=municipality)


def batches(municipality: Municipality, *, limit: int = 20) -> QuerySet[ScreeningBatch]:
    """The latest bulk screenings."""
    return ScreeningBatch.objects.filter(municipality=municipality).order_by("-queued_at")[:limit]


def batch(municipality: Municipality, batch_id: int) -> ScreeningBatch | None:
    """One bulk screening of this municipality."""
    return ScreeningBatch.objects.filter(municipality=municipality, pk=batch_id).first()


def batch_posts(batch: ScreeningBatch, *, level: str = "") -> QuerySet[ScreenedPost]:
    """The screened posts of a batch, highest score first."""
    posts = batch.posts.order_by("-score", "line")
    return posts.filter(level=level) if level else posts


def line_channel(code: str) -> LineChannel | None:
    """The enabled LINE account of a municipality (None when it has none)."""
    return (
        LineChannel.objects.filter(municipality_id=code, enabled=True).select_related("municipality").first()
    )


@dataclass(frozen=True, slots=True)
class Dashboard:
    """A disaster or election day at a glance."""

    since: datetime
    reports_per_hour: list[tuple[datetime, int]]
    reports: int
    new_claims: int
    watch_hits: list[Report]
    minutes_to_verdict: list[float]
    active_modes: list[WatchMode]

    @property
    def median_minutes_to_verdict(self) -> float | None:
        """Median time from a claim's first report to its published verdict, in minutes."""
        return statistics.median(self.minutes_to_verdict) if self.minutes_to_verdict else None

    @property
    def busiest_hour(self) -> int:
        """The most reports in one hour (for scaling the bars)."""
        return max((n for _, n in self.reports_per_hour), default=0)


def dashboard(municipality: Municipality, *, hours: int = 24) -> Dashboard:
    """Volume per hour, new claims, watch-list hits and time to verdict over the last `hours`."""
    now = timezone.now()
    since = now - timedelta(hours=hours)
    recent = Report.objects.filter(municipality=municipality, received_at__gte=since)
    per_hour = dict(
        recent.annotate(hour=TruncHour("received_at"))
        .values_list("hour")
        .annotate(n=Count("id"))
        .order_by("hour")
    )
    published = Claim.objects.filter(
        municipality=municipality, status=Claim.Status.PUBLISHED, published_at__gte=since
    ).values_list("first_reported_at", "published_at")
    return Dashboard(
        since=since,
        reports_per_hour=sorted(per_hour.items()),
        reports=recent.count(),
        new_claims=Claim.objects.filter(municipality=municipality, first_reported_at__gte=since).count(),
        watch_hits=list(recent.exclude(watch_hit="").select_related("claim").order_by("-received_at")[:20]),
        minutes_to_verdict=[
            (end - start).total_seconds() / 60 for start, end in published if end is not None
        ],
        active_modes=list(WatchMode.objects.filter(municipality=municipality, ends_at__gt=now)),
    )


def takedowns(municipality: Municipality) -> QuerySet[TakedownReport]:
    """Reports to platforms and the Internet Hotline Center, newest first."""
    return TakedownReport.objects.filter(municipality=municipality).select_related("post")


def screened_post(municipality: Municipality, post_id: int) -> ScreenedPost | None:
    """One screened post of this municipality."""
    return ScreenedPost.objects.filter(municipality=municipality, pk=post_id).first()


def report_with_screenshot(municipality: Municipality, report_id: int) -> Report | None:
    """A report of the municipality that carries a screenshot (for editors only)."""
    return Report.objects.filter(municipality=municipality, pk=report_id).exclude(screenshot="").first()


def report_wait_seconds(ip_address: str | None, *, now: datetime | None = None) -> float:
    """How long this client address must wait before it may send another public report; 0 when it may now.

    At most CHIIKI_INFOSAFETY_REPORT_LIMIT sendings per CHIIKI_INFOSAFETY_REPORT_WINDOW_SECONDS; the wait ends
    when the oldest sending in the window leaves it. Counted in the database, so every app server agrees.
    """
    now = now or timezone.now()
    window = timedelta(seconds=settings.CHIIKI_INFOSAFETY_REPORT_WINDOW_SECONDS)
    recent = ReportAttempt.objects.filter(at__gte=now - window)
    recent = recent.filter(ip_address=ip_address) if ip_address else recent.filter(ip_address=None)
    seen = recent.aggregate(count=Count("id"), oldest=Min("at"))
    oldest: datetime | None = seen["oldest"]
    if seen["count"] < settings.CHIIKI_INFOSAFETY_REPORT_LIMIT or oldest is None:
        return 0.0
    return max(1.0, (oldest + window - now).total_seconds())


def archived_source(municipality: Municipality, source_id: int) -> Source | None:
    """A source of the municipality that carries an archived copy (for editors only)."""
    return Source.objects.filter(municipality=municipality, pk=source_id).exclude(archive="").first()


def watch_mode(municipality: Municipality, mode_id: int) -> WatchMode | None:
    """A disaster or election mode of the municipality."""
    return WatchMode.objects.filter(municipality=municipality, pk=mode_id).first()


def post_imports(municipality: Municipality) -> QuerySet[PostImport]:
    """Large files of posts imported by the worker, newest first (their counts and outcome; no post text)."""
    return PostImport.objects.filter(municipality=municipality)
