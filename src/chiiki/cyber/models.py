"""Cyber-threat information run by a prefecture for the bodies in its area (seed §1).

The tenant is the operator's `Municipality` (a prefecture, or the body running the 自治体情報セキュリティクラウド);
member bodies (towns, hospitals), their inventories, the advisories loaded and the alerts all belong to it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import Job, Municipality


class Tlp(models.TextChoices):
    """FIRST TLP 2.0 labels (chiiki.cyber.engine.may_see says who sees what)."""

    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"


class Body(models.Model):
    """A member body: a municipality, a hospital or a clinic group, with its security contacts."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("市区町村")
        HOSPITAL = "hospital", _("病院")
        CLINIC = "clinic", _("診療所・医療法人")
        OTHER = "other", _("その他")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="cyber_bodies")
    kind = models.CharField(_("種別"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=120)
    local_gov_code = models.CharField(_("全国地方公共団体コード"), max_length=6, blank=True)
    medical_code = models.CharField(_("医療機関コード"), max_length=10, blank=True)
    contacts: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Contact", related_name="cyber_bodies"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["municipality", "name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["municipality", "name"], name="cyber_body_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A body's security contact (情報セキュリティ連絡担当者): sees and answers the body's alerts."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="contact_links")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cyber_contacts"
    )
    is_manager = models.BooleanField(_("管理者(期限切れの通知先)"), default=False)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["body", "user"], name="cyber_contact_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.body})"


class Asset(models.Model):
    """One piece of software or equipment a body runs (from an SBOM, the CSV template or by hand)."""

    class Source(models.TextChoices):
        CYCLONEDX = "cyclonedx", "CycloneDX"
        SPDX = "spdx", "SPDX"
        CSV = "csv", _("CSV(一覧表)")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="cyber_assets")
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="assets")
    source = models.CharField(_("取込元"), max_length=20, choices=Source.choices)
    ref = models.CharField(_("参照"), max_length=200, blank=True)  # bom-ref or row number
    vendor = models.CharField(_("ベンダー"), max_length=200, blank=True)
    name = models.CharField(_("製品"), max_length=200)
    version = models.CharField(_("バージョン"), max_length=100, blank=True)
    purl = models.CharField("PURL", max_length=500, blank=True)
    cpe = models.CharField("CPE", max_length=500, blank=True)
    location = models.CharField(_("設置場所"), max_length=200, blank=True)
    internet_facing = models.BooleanField(_("インターネット公開"), default=False)
    added_at = models.DateTimeField(default=timezone.now)
    # Set when a later inventory no longer lists it: kept, so the alerts on it and who acted stay on record.
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["body", "vendor", "name", "version"]

    def __str__(self) -> str:
        return f"{self.vendor} {self.name} {self.version}".strip()


class AssetKey(models.Model):
    """A key an asset is found by (its PURL, CPE or vendor and product, as the matching engine reads them).

    New advisories are matched against only the assets that share a key with their products, found through this
    table's index, instead of reading every asset of every body again (a day's advisories against 150,000
    assets in seconds)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="match_keys")
    key = models.CharField(max_length=1000)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["asset", "key"], name="cyber_asset_key_once")
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["municipality", "key"], name="cyber_asset_key_lookup")
        ]

    def __str__(self) -> str:
        return self.key.replace("\x1f", " ")


class Advisory(models.Model):
    """One advisory as loaded (OSV record or CSAF document), versioned when a feed brings an update."""

    class Format(models.TextChoices):
        OSV = "osv", "OSV"
        CSAF = "csaf", "CSAF 2.0"
        NVD = "nvd", "NVD CVE JSON 2.0"
        JVN = "jvn", "JVN (MyJVN VULDEF / JVNRSS)"

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="cyber_advisories")
    identifier = models.CharField(_("識別子"), max_length=200)
    source_format = models.CharField(_("形式"), max_length=10, choices=Format.choices)
    title = models.CharField(_("件名"), max_length=500)
    summary = models.TextField(_("概要"), blank=True)
    aliases = models.JSONField(_("別名(CVE など)"), default=list, blank=True)
    tlp = models.CharField(_("TLP"), max_length=12, choices=Tlp.choices, default=Tlp.CLEAR)
    cvss_score = models.FloatField(_("CVSS 基本値"), null=True, blank=True)
    cvss_vector = models.CharField(_("CVSS ベクトル"), max_length=200, blank=True)
    remediation = models.TextField(_("対策"), blank=True)
    modified = models.CharField(_("更新日時(文書)"), max_length=40, blank=True)
    revision = models.PositiveIntegerField(_("版"), default=1)
    digest = models.CharField(max_length=64)  # SHA-256 of the canonical JSON: same document twice = no change
    document = models.JSONField()
    provenance = models.CharField(_("出典"), max_length=500, blank=True)
    recipient_bodies = models.ManyToManyField(Body, blank=True, related_name="+")  # named for AMBER+STRICT
    recipient_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+"
    )  # for RED
    loaded_at = models.DateTimeField(default=timezone.now)
    # Written by the operator's analysts on the page (a CSAF 2.0 document they composed): matched only against
    # the bodies chosen as its recipients (`recipient_bodies`), whatever its TLP.
    local = models.BooleanField(_("県が作成し、選んだ団体にだけ送る"), default=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["-loaded_at", "identifier"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["municipality", "identifier"], name="cyber_advisory_unique_id"),
        ]

    def __str__(self) -> str:
        return self.identifier


class AdvisoryRevision(models.Model):
    """An earlier version of an advisory, kept when an update replaced it."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField()
    digest = models.CharField(max_length=64)
    document = models.JSONField()
    replaced_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.advisory} r{self.revision}"


class KnownExploited(models.Model):
    """An entry of CISA's Known Exploited Vulnerabilities catalog (public data, shared by every operator)."""

    cve = models.CharField("CVE", max_length=30, unique=True)
    vendor = models.CharField(_("ベンダー"), max_length=200, blank=True)
    product = models.CharField(_("製品"), max_length=200, blank=True)
    name = models.CharField(_("名称"), max_length=500, blank=True)
    date_added = models.DateField(_("KEV 掲載日"))
    due_date = models.DateField(_("KEV の対応期限(米国連邦機関)"), null=True, blank=True)
    ransomware = models.BooleanField(_("ランサムウェアでの悪用"), default=False)
    required_action = models.TextField(_("求められる対応"), blank=True)
    catalog_version = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return self.cve


class EpssScore(models.Model):
    """FIRST's EPSS score of a CVE (public data, shared by every operator): the probability of exploitation
    activity in the next 30 days, from the latest file loaded."""

    cve = models.CharField("CVE", max_length=30, unique=True)
    epss = models.FloatField("EPSS")
    percentile = models.FloatField(_("百分位"))
    score_date = models.CharField(_("算出日"), max_length=40, blank=True)

    def __str__(self) -> str:
        return f"{self.cve} {self.epss}"


class FeedImport(Job):
    """A file of advisories to load (uploaded, or fetched from a configured URL), then every body re-matched."""

    job_task: ClassVar[str] = "chiiki.cyber.tasks.import_feed"
    job_queue: ClassVar[str] = "long"

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="cyber_feed_imports"
    )

    class Format(models.TextChoices):
        OSV = "osv", "OSV"
        CSAF = "csaf", "CSAF 2.0"
        NVD = "nvd", "NVD CVE JSON 2.0"
        JVN = "jvn", "JVN (MyJVN VULDEF / JVNRSS)"
        KEV = "kev", "CISA KEV"
        EPSS = "epss", "FIRST EPSS (CSV)"

    source_format = models.CharField(_("形式"), max_length=10, choices=Format.choices)
    file = models.FileField(upload_to="cyber-feeds/%Y/%m/", blank=True)
    url = models.URLField(_("取得元 URL"), max_length=500, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    tlp = models.CharField(_("TLP(文書に無いとき)"), max_length=12, choices=Tlp.choices, default=Tlp.CLEAR)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["-queued_at"]

    def __str__(self) -> str:
        return self.original_name or self.url


class Alert(models.Model):
    """An advisory that concerns one asset of one body: what was matched, and who acted and when."""

    class Status(models.TextChoices):
        OPEN = "open", _("未確認")
        ACKNOWLEDGED = "acknowledged", _("確認済み(対応中)")
        CLOSED = "closed", _("完了")

    class Resolution(models.TextChoices):
        PATCHED = "patched", _("更新(パッチ適用)した")
        MITIGATED = "mitigated", _("回避策をとった")
        NOT_APPLICABLE = "not_applicable", _("該当しなかった")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="cyber_alerts")
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="alerts")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="alerts")
    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="alerts")
    matched_via = models.CharField(_("一致した識別子"), max_length=500)
    matched_range = models.CharField(_("該当するバージョン"), max_length=1000)
    certain = models.BooleanField(_("バージョンで確認済み"), default=True)
    priority = models.PositiveSmallIntegerField(
        _("優先度"), choices=[(1, _("緊急")), (2, _("高")), (3, _("中")), (4, _("低"))], default=3
    )
    exploited = models.BooleanField(_("悪用が確認されている(KEV)"), default=False)
    due_on = models.DateField(_("対応の期限"), null=True, blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=Status.choices, default=Status.OPEN)
    resolution = models.CharField(_("対応"), max_length=20, choices=Resolution.choices, blank=True)
    note = models.TextField(_("対応の記録"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)  # the body's contacts were told by e-mail
    escalated_at = models.DateTimeField(null=True, blank=True)  # overdue: the manager and the prefecture told
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["status", "-created_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["asset", "advisory"], name="cyber_alert_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.advisory} / {self.asset}"


class AlertSeen(models.Model):
    """A person opened an alert (its page) or acted on it: the inbox shows the others as unread. The read itself
    is in the audit log (`cyber.alert_viewed`); this is only the inbox's mark."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="seen_by")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["alert", "user"], name="cyber_alert_seen_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} / {self.user_id}"
