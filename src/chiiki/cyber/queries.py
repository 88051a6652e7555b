"""Read-side queries of the cyber app. TLP decides which alerts a person sees; callers audit every read."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from chiiki.core.models import Municipality
from chiiki.core.permissions import has_permission
from chiiki.cyber import engine
from chiiki.cyber.models import Advisory, Alert, Asset, Body, FeedImport, KnownExploited, Tlp

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


def overview(municipality: Municipality) -> list[BodyRow]:
    """Per body: current assets and alerts by state (numbers only, for the analysts' dashboard)."""
    bodies = Body.objects.filter(municipality=municipality).annotate(
        n_assets=Count("assets", filter=Q(assets__retired_at__isnull=True), distinct=True),
        n_open=Count("alerts", filter=Q(alerts__status=Alert.Status.OPEN), distinct=True),
        n_ack=Count("alerts", filter=Q(alerts__status=Alert.Status.ACKNOWLEDGED), distinct=True),
        n_closed=Count("alerts", filter=Q(alerts__status=Alert.Status.CLOSED), distinct=True),
    )
    return [BodyRow(b, b.n_assets, b.n_open, b.n_ack, b.n_closed) for b in bodies.order_by("name")]


@dataclass(frozen=True, slots=True)
class Timing:
    acknowledged: int
    closed: int
    median_hours_to_acknowledge: float | None
    median_hours_to_close: float | None


def timing(municipality: Municipality) -> Timing:
    """How fast bodies act: median hours from alert to acknowledgement and to closing."""
    rows = Alert.objects.filter(municipality=municipality).values_list(
        "created_at", "acknowledged_at", "closed_at"
    )
    to_ack = [(a - c).total_seconds() / 3600 for c, a, _ in rows if a is not None]
    to_close = [(z - c).total_seconds() / 3600 for c, _, z in rows if z is not None]
    return Timing(
        len(to_ack),
        len(to_close),
        round(median(to_ack), 1) if to_ack else None,
        round(median(to_close), 1) if to_close else None,
    )


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
