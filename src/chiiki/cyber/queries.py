"""Read-side queries of the cyber app. TLP decides which alerts a person sees; callers audit every read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from chiiki.core.models import Municipality
from chiiki.core.permissions import has_permission
from chiiki.cyber import engine
from chiiki.cyber.models import Advisory, Alert, AlertSeen, Asset, Body, FeedImport, KnownExploited, Tlp

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser


def _uid(user: User) -> int:
    """The account's primary key (-1 for an anonymous user, who matches no row)."""
    return int(user.pk) if user.pk is not None else -1


def is_analyst(user: User, municipality: Municipality) -> bool:
    """True when `user` is one of the operator's analysts."""
    return has_permission(user, municipality, "cyber.analyse")


def contact_bodies(user: User, municipality: Municipality) -> QuerySet[Body]:
    """The bodies of `municipality` for which `user` is a security contact."""
    return Body.objects.filter(municipality=municipality, contact_links__user_id=_uid(user)).distinct()


def body_for(user: User, municipality: Municipality, body_id: int) -> Body | None:
    """One body, if `user` may see it: an analyst sees every body, a contact only their own."""
    bodies = Body.objects.filter(municipality=municipality, pk=body_id)
    if not is_analyst(user, municipality):
        bodies = bodies.filter(contact_links__user_id=_uid(user))
    return bodies.first()


def visible_alerts(user: User, municipality: Municipality, *, body: Body | None = None) -> QuerySet[Alert]:
    """Alerts `user` may see under TLP 2.0 (the same rule as `engine.may_see`, as a database filter)."""
    red_named = Q(advisory__tlp=Tlp.RED, advisory__recipient_users__id=_uid(user))
    if is_analyst(user, municipality):
        rule = ~Q(advisory__tlp=Tlp.RED) | red_named
    else:
        own = Q(body__contact_links__user_id=_uid(user))
        rule = own & (
            Q(advisory__tlp__in=[Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER])
            | Q(advisory__tlp=Tlp.AMBER_STRICT, advisory__recipient_bodies=F("body"))
            | red_named
        )
    alerts = Alert.objects.filter(municipality=municipality).filter(rule)
    if body is not None:
        alerts = alerts.filter(body=body)
    ids = alerts.values("pk").distinct()
    return (
        Alert.objects.filter(pk__in=ids)
        .select_related("advisory", "asset", "body", "acknowledged_by", "closed_by")
        .order_by("status", "priority", "due_on", "-advisory__cvss_score", "-created_at")
    )


def alert_for(user: User, municipality: Municipality, alert_id: int) -> Alert | None:
    """One alert if `user` may see it, else None (checked twice: database filter and `engine.may_see`)."""
    alert = visible_alerts(user, municipality).filter(pk=alert_id).first()
    if alert is None:
        return None
    advisory = alert.advisory
    viewer = engine.Viewer(
        is_analyst=is_analyst(user, municipality),
        is_contact_of_body=alert.body.contact_links.filter(user_id=_uid(user)).exists(),
        body_is_named=advisory.recipient_bodies.filter(pk=alert.body_id).exists(),
        person_is_named=advisory.recipient_users.filter(pk=_uid(user)).exists(),
    )
    return alert if engine.may_see(advisory.tlp, viewer) else None


def kev_entries(advisory: Advisory) -> QuerySet[KnownExploited]:
    """CISA KEV entries for the advisory's identifier or aliases (CVE numbers)."""
    return KnownExploited.objects.filter(cve__in=[advisory.identifier, *advisory.aliases])


def advisory_for(user: User, municipality: Municipality, advisory_id: int) -> Advisory | None:
    """One advisory for an analyst, if its TLP lets them see it (RED only when named)."""
    advisory = Advisory.objects.filter(municipality=municipality, pk=advisory_id).first()
    if advisory is None or not is_analyst(user, municipality):
        return None
    viewer = engine.Viewer(
        is_analyst=True, person_is_named=advisory.recipient_users.filter(pk=_uid(user)).exists()
    )
    return advisory if engine.may_see(advisory.tlp, viewer) else None


def current_assets(body: Body) -> QuerySet[Asset]:
    """The body's inventory as it stands (retired assets left out)."""
    return body.assets.filter(retired_at__isnull=True).order_by("-internet_facing", "vendor", "name")


@dataclass(frozen=True, slots=True)
class BodyRow:
    body: Body
    assets: int
    open: int
    acknowledged: int
    closed: int


def overview(municipality: Municipality, chosen: DashboardFilter | None = None) -> list[BodyRow]:
    """Per body: current assets and alerts by state (numbers only, for the analysts' dashboard), counting only
    the alerts `chosen` selects."""
    extra = (chosen or DashboardFilter()).q(prefix="alerts__")
    bodies = Body.objects.filter(municipality=municipality).annotate(
        n_assets=Count("assets", filter=Q(assets__retired_at__isnull=True), distinct=True),
        n_open=Count("alerts", filter=Q(alerts__status=Alert.Status.OPEN) & extra, distinct=True),
        n_ack=Count("alerts", filter=Q(alerts__status=Alert.Status.ACKNOWLEDGED) & extra, distinct=True),
        n_closed=Count("alerts", filter=Q(alerts__status=Alert.Status.CLOSED) & extra, distinct=True),
    )
    return [BodyRow(b, b.n_assets, b.n_open, b.n_ack, b.n_closed) for b in bodies.order_by("name")]


@dataclass(frozen=True, slots=True)
class Timing:
    acknowledged: int
    closed: int
    median_hours_to_acknowledge: float | None
    median_hours_to_close: float | None


def timing(municipality: Municipality) -> Timing:
    """How fast bodies act: median hours from alert to acknowledgement and to closing (every alert)."""
    return _timing(Alert.objects.filter(municipality=municipality))


# CVSS's qualitative severity rating (FIRST CVSS v3.1 / v4.0 specification, "Qualitative Severity Rating
# Scale"): name → [lowest, highest) base score. "none" is an advisory without a score.
SEVERITIES: dict[str, tuple[float, float]] = {
    "critical": (9.0, 10.01),
    "high": (7.0, 9.0),
    "medium": (4.0, 7.0),
    "low": (0.0, 4.0),
}
NO_SCORE = "none"


@dataclass(frozen=True, slots=True)
class DashboardFilter:
    """The analysts' dashboard filter: a CVSS severity ("" for any) and KEV ("yes", "no" or "" for any)."""

    severity: str = ""
    kev: str = ""

    def q(self, prefix: str = "") -> Q:
        """The filter as a condition on alerts (`prefix` "alerts__": on a body's alerts)."""
        rule = Q()
        if self.severity == NO_SCORE:
            rule &= Q(**{f"{prefix}advisory__cvss_score__isnull": True})
        elif self.severity in SEVERITIES:
            low, high = SEVERITIES[self.severity]
            rule &= Q(
                **{f"{prefix}advisory__cvss_score__gte": low, f"{prefix}advisory__cvss_score__lt": high}
            )
        if self.kev in ("yes", "no"):
            rule &= Q(**{f"{prefix}exploited": self.kev == "yes"})
        return rule


@dataclass(frozen=True, slots=True)
class Exposure:
    """Across member bodies, for the alerts a filter selects: bodies running an affected version, bodies that
    have acknowledged or closed every such alert, bodies that have closed every one; and how fast."""

    alerts: int
    bodies_affected: int
    bodies_acted: int
    bodies_closed: int
    timing: Timing


def exposure(user: User, municipality: Municipality, chosen: DashboardFilter) -> Exposure:
    """The dashboard's figures for `chosen`, counted in the database over the alerts `user` may see (a RED
    advisory the analyst is not named for is not counted). Alerts on retired assets still count: they were run."""
    alerts = Alert.objects.filter(pk__in=visible_alerts(user, municipality).order_by().values("pk")).filter(
        chosen.q()
    )
    affected = alerts.values("body_id").distinct().count()
    with_open = alerts.filter(status=Alert.Status.OPEN).values("body_id").distinct().count()
    not_closed = alerts.exclude(status=Alert.Status.CLOSED).values("body_id").distinct().count()
    return Exposure(
        alerts=alerts.count(),
        bodies_affected=affected,
        bodies_acted=affected - with_open,
        bodies_closed=affected - not_closed,
        timing=_timing(alerts),
    )


def _median_hours(alerts: QuerySet[Alert], field: str) -> tuple[int, float | None]:
    """How many alerts have `field` set, and the median hours from the alert to it: the database orders the
    durations and returns only the middle one or two (portable: no MEDIAN in SQLite)."""
    done = alerts.filter(**{f"{field}__isnull": False})
    n = done.count()
    if not n:
        return 0, None
    middle = list(
        done.annotate(took=ExpressionWrapper(F(field) - F("created_at"), output_field=DurationField()))
        .order_by("took", "pk")
        .values_list("took", flat=True)[(n - 1) // 2 : n // 2 + 1]
    )
    hours = sum(t.total_seconds() for t in middle) / len(middle) / 3600
    return n, round(hours, 1)


def _timing(alerts: QuerySet[Alert]) -> Timing:
    acknowledged, to_ack = _median_hours(alerts, "acknowledged_at")
    closed, to_close = _median_hours(alerts, "closed_at")
    return Timing(acknowledged, closed, to_ack, to_close)


def overdue(municipality: Municipality) -> QuerySet[Alert]:
    """Open or acknowledged alerts past their deadline, oldest deadline first (for the analysts, who follow
    them up with the body's manager). Never RED ones: those reach named persons only."""
    return (
        Alert.objects.filter(
            municipality=municipality,
            status__in=[Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED],
            due_on__lt=timezone.localdate(),
        )
        .exclude(advisory__tlp=Tlp.RED)
        .select_related("advisory", "asset", "body")
        .order_by("due_on", "priority")
    )


def recent_feeds(municipality: Municipality, *, limit: int = 20) -> QuerySet[FeedImport]:
    """The operator's latest advisory loads with their job state, newest first."""
    return FeedImport.objects.filter(municipality=municipality).order_by("-queued_at")[:limit]


def shared_advisories(municipality: Municipality) -> list[engine.SharedAdvisory]:
    """The operator's advisories with their exposure across member bodies, as an export shows them: counts of
    bodies only (no body, asset or version is named). The caller applies `engine.exportable` and audits."""
    exploited = set(KnownExploited.objects.values_list("cve", flat=True))
    per_advisory: dict[int, dict[int, tuple[str, set[str]]]] = {}
    for advisory_id, body_id, kind, status in Alert.objects.filter(municipality=municipality).values_list(
        "advisory_id", "body_id", "body__kind", "status"
    ):
        _, states = per_advisory.setdefault(advisory_id, {}).setdefault(body_id, (kind, set()))
        states.add(status)
    result = []
    for advisory in Advisory.objects.filter(municipality=municipality).order_by("identifier"):
        bodies = per_advisory.get(advisory.pk, {})
        kinds: dict[str, int] = {}
        for kind, _ in bodies.values():
            kinds[kind] = kinds.get(kind, 0) + 1
        closed = sum(1 for _, states in bodies.values() if states == {Alert.Status.CLOSED})
        acted = sum(1 for _, states in bodies.values() if states - {Alert.Status.OPEN})
        result.append(
            engine.SharedAdvisory(
                identifier=advisory.identifier, title=advisory.title, tlp=advisory.tlp, summary=advisory.summary,
                aliases=tuple(advisory.aliases), cvss_score=advisory.cvss_score, cvss_vector=advisory.cvss_vector,
                modified=advisory.modified, exploited=bool(exploited & {advisory.identifier, *advisory.aliases}),
                exposure=engine.Exposure(len(bodies), acted, closed, kinds),
            )
        )  # fmt: skip
    return result


@dataclass(frozen=True, slots=True)
class InboxEntry:
    alert: Alert
    seen: bool


def _inbox_alerts(user: User, municipality: Municipality) -> QuerySet[Alert]:
    """The alerts of the bodies `user` is a contact of, as TLP lets them see (an analyst's inbox holds only the
    bodies they are themselves a contact of)."""
    return visible_alerts(user, municipality).filter(body__in=contact_bodies(user, municipality).values("pk"))


def inbox(
    user: User, municipality: Municipality, *, unread_only: bool = False, closed: bool = False
) -> list[InboxEntry]:
    """A contact's inbox: open and acknowledged alerts (or the closed ones), each with whether they opened it."""
    alerts = _inbox_alerts(user, municipality)
    alerts = (
        alerts.filter(status=Alert.Status.CLOSED) if closed else alerts.exclude(status=Alert.Status.CLOSED)
    )
    seen = set(AlertSeen.objects.filter(user_id=_uid(user)).values_list("alert_id", flat=True))
    if unread_only:
        alerts = alerts.exclude(pk__in=seen)
    return [InboxEntry(alert, alert.pk in seen) for alert in alerts[:300]]


def unread_count(user: User, municipality: Municipality) -> int:
    """How many of the contact's not-closed alerts they have not opened yet."""
    return (
        _inbox_alerts(user, municipality)
        .exclude(status=Alert.Status.CLOSED)
        .exclude(seen_by__user_id=_uid(user))
        .count()
    )


def export_counts(municipality: Municipality) -> dict[str, int]:
    """How many of the operator's advisories carry each TLP label (for the export page: what may leave)."""
    counts = dict(
        Advisory.objects.filter(municipality=municipality)
        .values_list("tlp")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {label: counts.get(label, 0) for label in Tlp.values}
