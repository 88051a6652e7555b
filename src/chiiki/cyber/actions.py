"""Changes to the cyber app. Each runs in one transaction, takes `by`, and writes its audit record."""

from __future__ import annotations

import hashlib
import json
from binascii import unhexlify
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chiiki.core import audit
from chiiki.core.actions.jobs import enqueue_job
from chiiki.core.models import Municipality
from chiiki.core.permissions import has_permission
from chiiki.cyber import engine
from chiiki.cyber.models import (
    Advisory,
    AdvisoryRevision,
    Alert,
    AlertSeen,
    Asset,
    AssetKey,
    Body,
    Contact,
    EpssScore,
    FeedImport,
    KnownExploited,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from chiiki.core.acting import Actor
    from chiiki.core.models import User
    from chiiki.cyber.sources import Source


class CyberError(ValueError):
    """A change that cannot be made as asked; the message says why, for staff."""


@transaction.atomic
def register_body(
    municipality: Municipality,
    *,
    kind: str,
    name: str,
    local_gov_code: str = "",
    medical_code: str = "",
    by: Actor,
) -> Body:
    """Register a member body (a town, a hospital) of the operator `municipality`."""
    if Body.objects.filter(municipality=municipality, name=name).exists():
        raise CyberError(f"「{name}」はすでに登録されています")
    body = Body.objects.create(
        municipality=municipality,
        kind=kind,
        name=name,
        local_gov_code=local_gov_code,
        medical_code=medical_code,
    )
    audit.record(
        "cyber.body_registered", by=by, municipality=municipality, object_type="cyber_body", object_id=body.pk,
        detail={"name": name, "kind": kind},
    )  # fmt: skip
    return body


@transaction.atomic
def add_contact(body: Body, user: User, *, is_manager: bool = False, by: Actor) -> Contact:
    """Make `user` a security contact of `body`. The user must already hold the CYBER_CONTACT role (granted by
    the operator's administrator on the staff page), so naming a contact never hands out a role."""
    if not has_permission(user, body.municipality, "cyber.respond"):
        raise CyberError(
            f"{user} には情報セキュリティ連絡担当者の役割がありません。先に管理者が役割を付けてください"
        )
    existing = Contact.objects.filter(body=body, user=user).first()
    if existing is not None and existing.is_manager == is_manager:
        return existing  # already so: nothing to change or record
    contact, _ = Contact.objects.update_or_create(body=body, user=user, defaults={"is_manager": is_manager})
    audit.record(
        "cyber.contact_added", by=by, municipality=body.municipality, object_type="cyber_body", object_id=body.pk,
        detail={"user": user.get_username(), "is_manager": is_manager},
    )  # fmt: skip
    return contact


@dataclass(frozen=True, slots=True)
class InventorySummary:
    added: int
    kept: int
    retired: int
    alerts: int


def _asset_identity(
    vendor: str, name: str, version: str, purl: str, cpe: str, location: str
) -> tuple[str, ...]:
    return (vendor, name, version, purl, cpe, location)


@transaction.atomic
def import_inventory(
    body: Body, components: list[engine.Component], *, source: str, document: str, by: Actor
) -> InventorySummary:
    """Make `components` the body's current inventory from `source` (all or nothing), then match it.

    Assets still listed are kept (with their alerts); assets no longer listed are retired, never deleted, so the
    record of who acted on their alerts stays.
    """
    current = {
        _asset_identity(a.vendor, a.name, a.version, a.purl, a.cpe, a.location): a
        for a in Asset.objects.select_for_update().filter(body=body, source=source, retired_at__isnull=True)
    }
    added = kept = 0
    seen: set[tuple[str, ...]] = set()
    for component in components:
        identity = _asset_identity(
            component.vendor,
            component.name,
            component.version,
            component.purl,
            component.cpe,
            component.location,
        )
        if identity in seen:
            continue
        seen.add(identity)
        existing = current.get(identity)
        if existing is not None:
            kept += 1
            if existing.internet_facing != component.internet_facing:
                existing.internet_facing = component.internet_facing
                existing.save(update_fields=["internet_facing"])
            continue
        asset = Asset.objects.create(
            municipality=body.municipality, body=body, source=source, ref=component.key[:200],
            vendor=component.vendor[:200], name=component.name[:200], version=component.version[:100],
            purl=component.purl[:500], cpe=component.cpe[:500], location=component.location[:200],
            internet_facing=component.internet_facing,
        )  # fmt: skip
        _index_asset(asset)
        added += 1
    gone = [a.pk for identity, a in current.items() if identity not in seen]
    Asset.objects.filter(pk__in=gone).update(retired_at=timezone.now())
    alerts = _rematch(body.municipality, bodies=[body], by=by)
    summary = InventorySummary(added, kept, len(gone), alerts)
    audit.record(
        "cyber.inventory_imported", by=by, municipality=body.municipality, object_type="cyber_body",
        object_id=body.pk,
        detail={"document": document[:200], "source": source, "added": added, "kept": kept, "retired": len(gone),
                "new_alerts": alerts},
    )  # fmt: skip
    return summary


@transaction.atomic
def request_feed_import(
    municipality: Municipality,
    *,
    source_format: str,
    tlp: str,
    by: Actor,
    file: UploadedFile | None = None,
    url: str = "",
) -> FeedImport:
    """Keep an uploaded advisory file (or the configured URL to fetch) and queue its load on the long queue."""
    if (file is None) == (not url):
        raise CyberError("ファイルか取得元のどちらか一つを指定してください")
    feed = FeedImport.objects.create(
        municipality=municipality, source_format=source_format, tlp=tlp, url=url, requested_by=by.user,
        original_name=((file.name or "") if file is not None else url)[:200],
    )  # fmt: skip
    if file is not None:
        feed.file.save(file.name or "feed.json", file, save=True)
    audit.record(
        "cyber.feed_requested", by=by, municipality=municipality, object_type="cyber_feed", object_id=feed.pk,
        detail={"format": source_format, "url": url, "file": feed.original_name if file is not None else ""},
    )  # fmt: skip
    enqueue_job(feed)
    return feed


def request_source_loads(sources: list[Source], *, by: Actor) -> int:
    """Queue one load per configured source (`chiiki.cyber.sources`); returns how many were queued. An entry that
    cannot be used (malformed, or naming no known operator) is skipped with an audit record
    (`cyber.source_failed`) and the next one goes on; a source that fails while loading fails its own job."""
    queued = 0
    for source in sources:
        municipality = (
            Municipality.objects.filter(code=source.municipality_code).first() if not source.problem else None
        )
        problem = source.problem or (
            "" if municipality is not None else f"団体コード {source.municipality_code} の団体がありません"
        )
        if problem or municipality is None:
            audit.record(
                "cyber.source_failed", by=by, municipality=municipality, object_type="cyber_source",
                object_id="", detail={"entry": source.entry[:500], "reason": problem},
            )  # fmt: skip
            continue
        request_feed_import(
            municipality, source_format=source.source_format, tlp=source.tlp, url=source.url, by=by
        )
        queued += 1
    return queued


@dataclass(frozen=True, slots=True)
class LoadSummary:
    added: int
    updated: int
    unchanged: int
    alerts: int


def _digest(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def load_advisories(
    municipality: Municipality,
    advisories: list[engine.Advisory],
    *,
    default_tlp: str,
    provenance: str,
    by: Actor,
    feed: FeedImport | None = None,
    refused: list[str] | None = None,
) -> LoadSummary:
    """Store checked advisories (same document twice = one record; a changed one gets a new revision, the old
    one kept), then match every body of the operator against them. `refused` names the documents of the same
    load that were refused (a CSAF provider's feed), for the audit record."""
    added = updated = unchanged = 0
    changed: list[engine.Advisory] = []
    for item in advisories:
        outcome = _store(municipality, item, default_tlp=default_tlp, provenance=provenance)
        if outcome != "unchanged":
            changed.append(item)
        if by.user is not None:  # whoever loaded a RED advisory received it: they are a named recipient
            stored = Advisory.objects.get(municipality=municipality, identifier=item.identifier[:200])
            if stored.tlp == engine.RED:
                stored.recipient_users.add(by.user)
        added += outcome == "added"
        updated += outcome == "updated"
        unchanged += outcome == "unchanged"
    # Only the new and changed advisories can make new alerts or VEX closures: the others were matched when they
    # were loaded and every inventory load matches its body against all of them.
    alerts = _rematch(municipality, bodies=None, by=by, advisories=changed) if changed else 0
    if updated:
        exploited = _exploited_cves()
        for alert in Alert.objects.filter(municipality=municipality, status__in=_OPEN_STATES).select_related(
            "advisory", "asset"
        ):
            _triage(alert, exploited)
    if feed is not None:
        FeedImport.objects.filter(pk=feed.pk).update(added=added, updated=updated, unchanged=unchanged)
    audit.record(
        "cyber.advisories_loaded", by=by, municipality=municipality, object_type="cyber_feed",
        object_id=feed.pk if feed is not None else "",
        detail={"provenance": provenance[:200], "added": added, "updated": updated, "unchanged": unchanged,
                "new_alerts": alerts, **({"refused": [r[:300] for r in refused[:50]]} if refused else {})},
    )  # fmt: skip
    return LoadSummary(added, updated, unchanged, alerts)


def _store(municipality: Municipality, item: engine.Advisory, *, default_tlp: str, provenance: str) -> str:
    digest = _digest(item.document)
    fields = {
        "source_format": item.source_format, "title": item.title[:500], "summary": item.summary,
        "aliases": list(item.aliases), "tlp": item.tlp or default_tlp, "cvss_score": item.cvss_score,
        "cvss_vector": item.cvss_vector[:200], "remediation": item.remediation, "modified": item.modified[:40],
        "digest": digest, "document": item.document, "provenance": provenance[:500],
    }  # fmt: skip
    existing = (
        Advisory.objects.select_for_update()
        .filter(municipality=municipality, identifier=item.identifier)
        .first()
    )
    if existing is None:
        Advisory.objects.create(municipality=municipality, identifier=item.identifier[:200], **fields)
        return "added"
    if existing.digest == digest:
        return "unchanged"
    AdvisoryRevision.objects.create(
        advisory=existing, revision=existing.revision, digest=existing.digest, document=existing.document
    )
    for name, value in fields.items():
        setattr(existing, name, value)
    existing.revision += 1
    existing.loaded_at = timezone.now()
    existing.save()
    return "updated"


def stored_advisories(municipality: Municipality) -> list[engine.Advisory]:
    """The operator's advisories read back through the engine (the stored documents are the source of truth)."""
    result = []
    for row in Advisory.objects.filter(municipality=municipality).only(
        "identifier", "source_format", "document"
    ):
        if row.source_format == Advisory.Format.OSV:
            result.append(engine.read_osv(row.document, document=row.identifier, validate=False))
        elif row.source_format == Advisory.Format.NVD:
            result.append(engine.read_nvd(row.document, document=row.identifier))
        elif row.source_format == Advisory.Format.JVN:
            result.append(engine.read_jvn_document(row.document, document=row.identifier))
        else:  # checked against the schema when it was loaded
            result.append(engine.read_csaf(row.document, document=row.identifier, validate=False))
    return result


def _index_asset(asset: Asset) -> None:
    """Record the keys the asset is found by (`AssetKey`), so that new advisories reach it through the index."""
    (component,) = _components([asset])
    AssetKey.objects.bulk_create(
        [
            AssetKey(municipality_id=asset.municipality_id, asset=asset, key=key[:1000])
            for key in dict.fromkeys(engine.component_keys(component))
        ],
        ignore_conflicts=True,
    )


def _components(assets: Iterable[Asset]) -> list[engine.Component]:
    return [
        engine.Component(
            key=str(a.pk), name=a.name, version=a.version, vendor=a.vendor, purl=a.purl, cpe=a.cpe,
            location=a.location, internet_facing=a.internet_facing,
        )
        for a in assets
    ]  # fmt: skip


def _rematch(
    municipality: Municipality,
    *,
    bodies: list[Body] | None,
    by: Actor,
    advisories: list[engine.Advisory] | None = None,
) -> int:
    """Match current assets against `advisories` (every stored advisory by default); new matches become alerts,
    VEX closes open ones."""
    index = engine.AdvisoryIndex(stored_advisories(municipality) if advisories is None else advisories)
    assets = Asset.objects.filter(municipality=municipality, retired_at__isnull=True)
    if bodies is not None:
        assets = assets.filter(body__in=bodies)
    if advisories is not None:
        # New advisories: only the assets sharing a key with one of their products can match (AssetKey's index).
        keys = AssetKey.objects.filter(municipality=municipality, key__in=engine.advisory_keys(advisories))
        assets = assets.filter(pk__in=keys.values("asset_id"))
    by_pk = {str(a.pk): a for a in assets}
    result = index.match(_components(by_pk.values()))
    advisory_ids = dict(Advisory.objects.filter(municipality=municipality).values_list("identifier", "pk"))
    existing = set(Alert.objects.filter(asset__in=by_pk.values()).values_list("asset_id", "advisory_id"))
    audiences = _local_audiences(municipality)
    created = 0
    for found in result.matches:
        asset = by_pk[found.component]
        advisory_pk = advisory_ids[found.advisory]
        if (asset.pk, advisory_pk) in existing:
            continue
        if advisory_pk in audiences and asset.body_id not in audiences[advisory_pk]:
            continue  # a local advisory reaches only the bodies it was sent to
        alert = Alert.objects.create(
            municipality=municipality, body_id=asset.body_id, asset=asset, advisory_id=advisory_pk,
            matched_via=found.via[:500], matched_range=found.range_text[:1000], certain=found.certain,
        )  # fmt: skip
        _triage(alert, _exploited_cves())
        created += 1
    _close_suppressed(result.suppressed, by_pk, advisory_ids, by=by)
    return created


def _local_audiences(municipality: Municipality) -> dict[int, set[int]]:
    """For each local advisory of the operator, the bodies it was sent to (`Advisory.local`)."""
    audiences: dict[int, set[int]] = {
        pk: set()
        for pk in Advisory.objects.filter(municipality=municipality, local=True).values_list("pk", flat=True)
    }
    through = Advisory.recipient_bodies.through.objects.filter(advisory_id__in=audiences)
    for advisory_id, body_id in through.values_list("advisory_id", "body_id"):
        audiences[advisory_id].add(body_id)
    return audiences


def _exploited_cves() -> set[str]:
    return set(KnownExploited.objects.values_list("cve", flat=True))


def _triage(alert: Alert, exploited: set[str]) -> None:
    """Set the alert's priority and due date from CVSS, KEV and exposure (`engine.triage`)."""
    advisory = alert.advisory
    cves = {advisory.identifier, *advisory.aliases}
    in_kev = bool(exploited & cves)
    epss = max(
        EpssScore.objects.filter(cve__in=cves).values_list("epss", flat=True), default=None
    )  # the highest of its CVEs
    priority = engine.triage(
        advisory.cvss_score, exploited=in_kev, internet_facing=alert.asset.internet_facing, epss=epss
    )
    due = (alert.created_at + timedelta(days=engine.DAYS_TO_ACT[priority])).date()
    if (alert.priority, alert.exploited, alert.due_on) != (priority, in_kev, due):
        alert.priority, alert.exploited, alert.due_on = priority, in_kev, due
        alert.save(update_fields=["priority", "exploited", "due_on"])


@transaction.atomic
def load_kev(
    municipality: Municipality,
    version: str,
    entries: list[engine.KevEntry],
    *,
    by: Actor,
    feed: FeedImport | None = None,
) -> int:
    """Store CISA's KEV catalog (upsert by CVE) and re-prioritise the operator's open alerts; returns how many
    alerts are now marked as exploited."""
    added = updated = 0
    for entry in entries:
        _, created = KnownExploited.objects.update_or_create(
            cve=entry.cve,
            defaults={"vendor": entry.vendor[:200], "product": entry.product[:200], "name": entry.name[:500],
                      "date_added": entry.date_added, "due_date": entry.due_date, "ransomware": entry.ransomware,
                      "required_action": entry.required_action, "catalog_version": version[:40]},
        )  # fmt: skip
        added += created
        updated += not created
    exploited = _exploited_cves()
    alerts = Alert.objects.filter(municipality=municipality, status__in=_OPEN_STATES).select_related(
        "advisory", "asset"
    )
    for alert in alerts:
        _triage(alert, exploited)
    marked = Alert.objects.filter(municipality=municipality, status__in=_OPEN_STATES, exploited=True).count()
    if feed is not None:
        FeedImport.objects.filter(pk=feed.pk).update(added=added, updated=updated)
    audit.record(
        "cyber.kev_loaded", by=by, municipality=municipality, object_type="cyber_feed",
        object_id=feed.pk if feed is not None else "",
        detail={"catalog_version": version, "entries": len(entries), "exploited_open_alerts": marked},
    )  # fmt: skip
    return marked


@transaction.atomic
def load_epss(
    municipality: Municipality,
    score_date: str,
    scores: list[engine.EpssScore],
    *,
    by: Actor,
    feed: FeedImport | None = None,
) -> int:
    """Store FIRST's EPSS scores (upsert by CVE; the same file twice changes nothing) and re-prioritise the
    operator's open alerts; returns how many open alerts have a CVE at or above `engine.EPSS_LIKELY`."""
    known = dict(EpssScore.objects.filter(cve__in=[s.cve for s in scores]).values_list("cve", "epss"))
    fresh = [
        EpssScore(cve=s.cve, epss=s.epss, percentile=s.percentile, score_date=score_date[:40]) for s in scores
    ]
    EpssScore.objects.bulk_create(
        fresh, batch_size=5000, update_conflicts=True, unique_fields=["cve"],
        update_fields=["epss", "percentile", "score_date"],
    )  # fmt: skip
    changed = sum(1 for s in scores if known.get(s.cve) != s.epss)
    exploited = _exploited_cves()
    alerts = Alert.objects.filter(municipality=municipality, status__in=_OPEN_STATES).select_related(
        "advisory", "asset"
    )
    for alert in alerts:
        _triage(alert, exploited)
    likely = {s.cve for s in scores if s.epss >= engine.EPSS_LIKELY}
    raised = sum(1 for a in alerts if likely & {a.advisory.identifier, *a.advisory.aliases})
    if feed is not None:
        FeedImport.objects.filter(pk=feed.pk).update(added=len(scores) - len(known), updated=changed)
    audit.record(
        "cyber.epss_loaded", by=by, municipality=municipality, object_type="cyber_feed",
        object_id=feed.pk if feed is not None else "",
        detail={"score_date": score_date[:40], "scores": len(scores), "changed": changed, "likely_open_alerts": raised},
    )  # fmt: skip
    return raised


def _close_suppressed(
    suppressed: list[engine.Suppression], by_pk: dict[str, Asset], advisory_ids: dict[str, int], *, by: Actor
) -> None:
    now = timezone.now()
    for vex in suppressed:
        alerts = Alert.objects.filter(
            asset=by_pk[vex.component], advisory_id=advisory_ids[vex.advisory], status__in=_OPEN_STATES
        )
        for alert in alerts:
            alert.status, alert.resolution, alert.closed_at = (
                Alert.Status.CLOSED,
                Alert.Resolution.NOT_APPLICABLE,
                now,
            )
            alert.note = f"VEX(known_not_affected): {vex.justification}"
            alert.save(update_fields=["status", "resolution", "closed_at", "note"])
            audit.record(
                "cyber.alert_closed_by_vex", by=by, municipality=alert.municipality_id, object_type="cyber_alert",
                object_id=alert.pk, detail={"justification": vex.justification[:500]},
            )  # fmt: skip


_OPEN_STATES = (Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED)


@transaction.atomic
def set_recipients(advisory: Advisory, *, bodies: list[Body], users: list[User], by: Actor) -> None:
    """Name the bodies (for AMBER+STRICT) and persons (for RED) an advisory may reach. Only someone who may
    see the advisory under its own label may name recipients (`engine.may_see`)."""
    viewer = engine.Viewer(
        is_analyst=True,
        person_is_named=by.user is not None and advisory.recipient_users.filter(pk=by.user.pk).exists(),
    )
    if not engine.may_see(advisory.tlp, viewer):
        raise CyberError("この TLP:RED の情報の受信者に名前がないため、受信者を決められません")
    foreign = [b.name for b in bodies if b.municipality_id != advisory.municipality_id]
    if foreign:
        raise CyberError(f"ほかの運営団体の参加団体は選べません: {', '.join(foreign)}")
    advisory.recipient_bodies.set(bodies)
    advisory.recipient_users.set(users)
    audit.record(
        "cyber.recipients_set", by=by, municipality=advisory.municipality_id, object_type="cyber_advisory",
        object_id=advisory.pk,
        detail={"tlp": advisory.tlp, "bodies": [b.pk for b in bodies], "users": sorted(u.get_username() for u in users)},
    )  # fmt: skip


@transaction.atomic
def acknowledge_alert(alert: Alert, *, by: Actor) -> Alert:
    """The body's contact confirms they have seen the alert and are dealing with it."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != Alert.Status.OPEN:
        raise CyberError("この通知はすでに確認済みか完了しています")
    alert.status, alert.acknowledged_at, alert.acknowledged_by = (
        Alert.Status.ACKNOWLEDGED,
        timezone.now(),
        by.user,
    )
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    audit.record(
        "cyber.alert_acknowledged", by=by, municipality=alert.municipality_id, object_type="cyber_alert",
        object_id=alert.pk, detail={"body": alert.body_id, "advisory": alert.advisory_id},
    )  # fmt: skip
    return alert


@transaction.atomic
def close_alert(alert: Alert, *, resolution: str, note: str, by: Actor) -> Alert:
    """Close an alert as patched, mitigated or not applicable, with a note of what was done."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == Alert.Status.CLOSED:
        raise CyberError("この通知はすでに完了しています")
    if resolution not in Alert.Resolution.values:
        raise CyberError(f"対応「{resolution}」は選べません")
    if not note.strip():
        raise CyberError("何をしたかを書いてください(例: 2026年12月5日に 7.0.14 へ更新)")
    now = timezone.now()
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, by.user
    alert.status, alert.resolution, alert.note = Alert.Status.CLOSED, resolution, note.strip()
    alert.closed_at, alert.closed_by = now, by.user
    alert.save()
    audit.record(
        "cyber.alert_closed", by=by, municipality=alert.municipality_id, object_type="cyber_alert",
        object_id=alert.pk, detail={"resolution": resolution, "note": note.strip()[:1000], "body": alert.body_id},
    )  # fmt: skip
    return alert


# ------------------------------------------------------------------------------------------ second factor


@transaction.atomic
def enrol_totp(user: User, key_hex: str, token: str, *, by: Actor) -> TOTPDevice | None:
    """Register `user`'s authenticator app when `token` is a current code for `key_hex` (None, and an audit
    record of the failed try, when it is not). One confirmed device per person; enrolling again is refused."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise CyberError("認証アプリはすでに登録されています")
    totp = TOTP(unhexlify(key_hex))
    if not (token.isdigit() and totp.verify(int(token), tolerance=1)):
        audit.record(
            "cyber.totp_failed", by=by, object_type="user", object_id=user.pk, detail={"step": "enrol"}
        )
        return None
    # last_t: the code just used cannot sign in a second time.
    device = TOTPDevice.objects.create(user=user, key=key_hex, name="cyber", confirmed=True, last_t=totp.t())
    audit.record("cyber.totp_enrolled", by=by, object_type="user", object_id=user.pk)
    return device


def verify_totp(user: User, token: str, *, by: Actor) -> TOTPDevice | None:
    """`user`'s device if `token` is a current code not used before (django-otp throttles repeated failures
    and refuses a code twice); every try is audited."""
    with transaction.atomic():
        devices = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True))
        device = next((d for d in devices if d.verify_token(token)), None)
        if device is None:
            audit.record(
                "cyber.totp_failed", by=by, object_type="user", object_id=user.pk, detail={"step": "verify"}
            )
        else:
            audit.record("cyber.totp_verified", by=by, object_type="user", object_id=user.pk)
    return device


# ------------------------------------------------------------------------------------------------ e-mail


def _send(subject: str, text: str, recipients: list[str]) -> int:
    from django.conf import settings
    from django.core.mail import send_mail

    if not recipients:
        return 0
    return send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, sorted(set(recipients)))


@transaction.atomic
def mail_new_alerts(municipality: Municipality, *, by: Actor) -> int:
    """Tell each body's contacts about alerts not yet mailed, as TLP allows (an AMBER+STRICT or RED advisory:
    only the contacts it names, and without its content); returns how many alerts were mailed."""
    from chiiki.cyber.mail import alert_message

    mailed = 0
    alerts = Alert.objects.select_for_update().filter(
        municipality=municipality, mailed_at__isnull=True, status=Alert.Status.OPEN
    )
    for alert in alerts.select_related("advisory", "asset", "body"):
        advisory = alert.advisory
        body_named = advisory.recipient_bodies.filter(pk=alert.body_id).exists()
        named_users = set(advisory.recipient_users.values_list("pk", flat=True))
        recipients = [
            c.user.email
            for c in Contact.objects.filter(body=alert.body_id).select_related("user")
            if c.user.email
            and engine.may_see(
                advisory.tlp,
                engine.Viewer(
                    is_contact_of_body=True,
                    body_is_named=body_named,
                    person_is_named=c.user_id in named_users,
                ),
            )
        ]
        subject, text = alert_message(alert)
        if _send(subject, text, recipients):
            alert.mailed_at = timezone.now()
            alert.save(update_fields=["mailed_at"])
            mailed += 1
            audit.record(
                "cyber.alert_mailed", by=by, municipality=municipality, object_type="cyber_alert",
                object_id=alert.pk, detail={"recipients": len(set(recipients)), "tlp": advisory.tlp},
            )  # fmt: skip
    return mailed


@transaction.atomic
def escalate_overdue(municipality: Municipality, *, today: Any, by: Actor) -> int:
    """Alerts past their deadline and not closed: tell the body's managers and the operator's analysts by
    e-mail, once per alert; returns how many alerts were escalated."""
    from chiiki.core.models import Membership, Role
    from chiiki.cyber.mail import escalation_message

    analysts = list(
        Membership.objects.filter(municipality=municipality, role=Role.CYBER_ANALYST).select_related("user")
    )
    escalated = 0
    overdue = Alert.objects.select_for_update().filter(
        municipality=municipality, due_on__lt=today, escalated_at__isnull=True, status__in=_OPEN_STATES
    )
    for alert in overdue.select_related("advisory", "asset", "body"):
        named = set(alert.advisory.recipient_users.values_list("pk", flat=True))
        readers = [
            c.user for c in Contact.objects.filter(body=alert.body_id, is_manager=True).select_related("user")
        ]
        readers += [m.user for m in analysts]
        sent = 0
        for is_named in (True, False):
            group = [
                u.email for u in readers
                if u.email and (alert.advisory.tlp != engine.RED or u.pk in named) == is_named
            ]  # fmt: skip
            subject, text = escalation_message(alert, named=is_named)
            sent += _send(subject, text, group)
        if sent:
            alert.escalated_at = timezone.now()
            alert.save(update_fields=["escalated_at"])
            escalated += 1
            audit.record(
                "cyber.alert_escalated", by=by, municipality=municipality, object_type="cyber_alert",
                object_id=alert.pk, detail={"body": alert.body_id, "due_on": str(alert.due_on), "recipients": len(readers)},
            )  # fmt: skip
    return escalated


# ------------------------------------------------------------------------------------------ local advisory


@dataclass(frozen=True, slots=True)
class LocalAdvisoryDraft:
    """What the analyst wrote on the page (`views.advisory_new`)."""

    title: str
    description: str
    products: str  # one `PURL-or-CPE [RANGE]` per line
    tlp: str
    cvss_vector: str = ""
    cve: str = ""
    remediation: str = ""
    remedy_category: str = "mitigation"


@dataclass(frozen=True, slots=True)
class Published:
    advisory: Advisory
    alerts: int


def _local_identifier(municipality: Municipality, year: int) -> str:
    prefix = f"CHIIKI-{municipality.code}-{year}-"
    taken = Advisory.objects.filter(municipality=municipality, identifier__startswith=prefix).count()
    return f"{prefix}{taken + 1:03d}"


@transaction.atomic
def publish_local_advisory(
    municipality: Municipality, draft: LocalAdvisoryDraft, *, bodies: list[Body], users: list[User], by: Actor
) -> Published:
    """Write the analysts' own advisory as a CSAF 2.0 document, check it against the CSAF 2.0 schema, store it
    and match it against the chosen bodies only (whatever its TLP, a local advisory reaches no other body).
    TLP:AMBER+STRICT reaches the chosen bodies' contacts; TLP:RED only the persons named (and the author), so
    each chosen body must have one of its contacts named. Nothing is stored when any check fails."""
    from django.conf import settings

    from chiiki.cyber import csaf_writer

    if not bodies:
        raise CyberError("送り先の団体を 1 つ以上選んでください")
    foreign = [b.name for b in bodies if b.municipality_id != municipality.pk]
    if foreign:
        raise CyberError(f"ほかの運営団体の参加団体は選べません: {', '.join(foreign)}")
    if draft.tlp == engine.RED:
        named = {u.pk for u in users}
        if not named:
            raise CyberError("TLP:RED の情報は、受け取る人の名前を挙げてください")
        unreached = [b.name for b in bodies if not Contact.objects.filter(body=b, user_id__in=named).exists()]
        if unreached:
            raise CyberError(
                f"TLP:RED: 次の団体の連絡担当者が一人も名前に入っていません(届きません): {', '.join(unreached)}"
            )
    now = timezone.now()
    identifier = _local_identifier(municipality, timezone.localdate().year)
    try:
        products = csaf_writer.read_product_lines(draft.products)
        document = csaf_writer.local_csaf(
            identifier=identifier, title=draft.title, description=draft.description, products=products,
            tlp=draft.tlp, publisher_name=municipality.name,
            namespace=settings.CHIIKI_SITE_URL or f"urn:chiiki:operator:{municipality.code}", now=now,
            cvss_vector=draft.cvss_vector, cve=draft.cve, remediation=draft.remediation,
            remedy_category=draft.remedy_category,
        )  # fmt: skip
        checked = engine.read_csaf(document, document="県のアドバイザリ")
    except csaf_writer.DraftError as error:
        raise CyberError(str(error)) from error
    except engine.AdvisoryError as error:
        line = csaf_writer.product_line(error.field_path)
        where = f"{line} 行目の製品" if line else error.field_path
        raise CyberError(f"{where}: {error.reason}") from error
    except engine.SeverityError as error:
        raise CyberError(str(error)) from error
    from dataclasses import replace

    _store(
        municipality, replace(checked, tlp=draft.tlp), default_tlp=draft.tlp, provenance="県が作成(CSAF 2.0)"
    )
    advisory = Advisory.objects.get(municipality=municipality, identifier=identifier)
    advisory.local = True
    advisory.save(update_fields=["local"])
    advisory.recipient_bodies.set(bodies)
    if draft.tlp == engine.RED and by.user is not None:
        users = [*users, by.user]
    advisory.recipient_users.set(users)
    alerts = _rematch(municipality, bodies=bodies, by=by)
    audit.record(
        "cyber.local_advisory_published", by=by, municipality=municipality, object_type="cyber_advisory",
        object_id=advisory.pk,
        detail={"identifier": identifier, "tlp": draft.tlp, "bodies": sorted(b.pk for b in bodies),
                "users": sorted(u.get_username() for u in users), "new_alerts": alerts},
    )  # fmt: skip
    return Published(advisory, alerts)


# ------------------------------------------------------------------------------------------------ inbox


def mark_seen(alert: Alert, user: User) -> None:
    """The inbox's read mark: `user` opened or acted on `alert` (the read itself is audited by the page)."""
    AlertSeen.objects.get_or_create(alert=alert, user=user)


# ----------------------------------------------------------------------------------------------- export


@dataclass(frozen=True, slots=True)
class Export:
    text: str
    exported: int
    withheld: int


def export_shared(municipality: Municipality, *, fmt: str, ceiling: str, by: Actor, out: str = "") -> Export:
    """The operator's shareable advisories and aggregated exposure as a STIX 2.1 bundle (`fmt` "stix") or a
    MISP event ("misp"), up to the TLP `ceiling` (RED and AMBER+STRICT never; inventories never), audited as
    `cyber.exported` with how many were withheld."""
    from chiiki.cyber.queries import shared_advisories

    if fmt not in ("stix", "misp"):
        raise CyberError(f"形式「{fmt}」は選べません(stix か misp)")
    if ceiling not in (engine.CLEAR, engine.GREEN, engine.AMBER):
        raise CyberError(f"TLP「{ceiling}」までの書き出しはできません(CLEAR, GREEN, AMBER)")
    everything = shared_advisories(municipality)
    chosen = engine.exportable(everything, ceiling=ceiling)
    write = engine.stix_bundle if fmt == "stix" else engine.misp_event
    text = write(
        chosen, operator_code=municipality.code, operator_name=municipality.name, created=timezone.now()
    )
    audit.record(
        "cyber.exported", by=by, municipality=municipality, object_type="cyber_export", object_id=fmt,
        detail={"format": fmt, "ceiling": ceiling, "advisories": len(chosen),
                "withheld": len(everything) - len(chosen), "file": out},
    )  # fmt: skip
    return Export(text, len(chosen), len(everything) - len(chosen))


# ------------------------------------------------------------------------------------------ recovery codes

RECOVERY_CODES = 10


@transaction.atomic
def make_recovery_codes(user: User, *, by: Actor) -> list[str]:
    """New one-use recovery codes for `user`'s second factor (django-otp's static device); earlier ones stop
    working. The codes are returned to be shown once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="cyber-recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    audit.record(
        "cyber.recovery_codes_made",
        by=by,
        object_type="user",
        object_id=user.pk,
        detail={"codes": len(codes)},
    )
    return codes


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def use_recovery_code(user: User, code: str, *, by: Actor) -> StaticDevice | None:
    """`user`'s recovery device if `code` is one of their unused codes (it is then used up; django-otp throttles
    repeated failures); every try is audited."""
    token = "".join(code.split()).lower()
    with transaction.atomic():
        devices = list(StaticDevice.objects.select_for_update().filter(user=user, confirmed=True))
        device = next((d for d in devices if d.verify_token(token)), None)
        if device is None:
            audit.record("cyber.recovery_code_failed", by=by, object_type="user", object_id=user.pk)
        else:
            audit.record(
                "cyber.recovery_code_used", by=by, object_type="user", object_id=user.pk,
                detail={"left": device.token_set.count()},
            )  # fmt: skip
    return device
