"""Municipalities (tenants), staff accounts and roles, and the append-only audit log."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.jp import LocalGovCodeError
from chiiki.jp import validate_local_gov_code as validate_code_digits


def validate_local_gov_code(value: str) -> None:
    """Django validator for the 6-digit 全国地方公共団体コード with its check digit."""
    try:
        validate_code_digits(value)
    except LocalGovCodeError as error:
        raise ValidationError(str(error)) from error


class Municipality(models.Model):
    """A prefecture or municipality (地方公共団体): the tenant that owns every record of personal data."""

    class Kind(models.TextChoices):
        PREFECTURE = "prefecture", _("都道府県")
        DESIGNATED_CITY = "designated_city", _("政令指定都市")
        WARD = "ward", _("行政区")
        CITY = "city", _("市")
        SPECIAL_WARD = "special_ward", _("特別区")
        TOWN = "town", _("町")
        VILLAGE = "village", _("村")

    code = models.CharField(
        _("全国地方公共団体コード"), max_length=6, primary_key=True, validators=[validate_local_gov_code]
    )
    prefecture_code = models.CharField(_("都道府県コード"), max_length=2)
    prefecture = models.CharField(_("都道府県名"), max_length=10)
    county = models.CharField(_("郡"), max_length=20, blank=True)
    name = models.CharField(_("名称"), max_length=40)
    name_kana = models.CharField(_("名称(カナ)"), max_length=80)
    kind = models.CharField(_("種別"), max_length=20, choices=Kind.choices)
    # Romanized from the readings (Hepburn without macrons): for English pages, not the bodies' own English names.
    prefecture_en = models.CharField(_("都道府県名(ローマ字)"), max_length=20, blank=True)
    name_en = models.CharField(_("名称(ローマ字)"), max_length=80, blank=True)
    is_demo = models.BooleanField(_("デモ用"), default=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["code"]
        verbose_name = _("地方公共団体")
        verbose_name_plural = _("地方公共団体")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(code__gte="010000") & models.Q(code__lte="479999"),
                name="municipality_code_range",
            ),
            models.CheckConstraint(
                condition=models.Q(prefecture_code=Substr("code", 1, 2)),
                name="municipality_prefecture_code_matches",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name as residents write it, with the prefecture: 広島県府中町."""
        if self.kind == self.Kind.PREFECTURE:
            return self.prefecture
        return f"{self.prefecture}{self.name}"

    @property
    def english_name(self) -> str:
        """The romanized name with the prefecture (Fuchu Town, Hiroshima); the Japanese one when there is none."""
        if not self.name_en:
            return self.display_name
        if self.kind == self.Kind.PREFECTURE or not self.prefecture_en:
            return self.name_en
        return f"{self.name_en}, {self.prefecture_en}"


class Role(models.TextChoices):
    """What a staff member may do in one municipality (see chiiki.core.permissions)."""

    ADMINISTRATOR = "administrator", _("管理者")
    SURVEY_MANAGER = "survey_manager", _("調査担当者")
    ENUMERATOR = "enumerator", _("統計調査員")
    HELPDESK = "helpdesk", _("相談窓口担当(デジタル推進委員)")
    LINKAGE_OFFICER = "linkage_officer", _("紐付け担当者")
    OPENDATA_EDITOR = "opendata_editor", _("オープンデータ編集者")
    AUDITOR = "auditor", _("監査担当者")
    # Roles of the apps for online procedures (seed §9), SNS safety (§4), mobile coverage (§8(1)) and
    # cyber-threat information (§1); their permissions are in chiiki.core.permissions.
    PROCEDURE_CLERK = "procedure_clerk", _("手続担当者")
    BENEFIT_POLICY = "benefit_policy", _("給付制度担当者")
    INFOSAFETY_EDITOR = "infosafety_editor", _("情報安全担当者(ファクトチェック・闇バイト対策)")
    COVERAGE_OFFICER = "coverage_officer", _("通信環境担当者")
    CYBER_ANALYST = "cyber_analyst", _("サイバーセキュリティ分析担当者")
    CYBER_CONTACT = "cyber_contact", _("情報セキュリティ連絡担当者")


class User(AbstractUser):
    """A staff account. Residents never get one: they answer with an ID and access key."""

    display_name = models.CharField(_("表示名"), max_length=80, blank=True)
    # The municipality whose administrators manage the account: it stays on their staff page with no role left.
    home_municipality = models.ForeignKey(
        "Municipality", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Searches the audit records that concern no municipality (sign-ins, the talent bank, API tokens).
    # Appointed by the server's operator (`chiiki staff platform-auditor`), never on a page.
    is_platform_auditor = models.BooleanField(_("プラットフォーム監査担当者"), default=False)

    def __str__(self) -> str:
        return self.display_name or self.username


class Membership(models.Model):
    """One role of one user in one municipality."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("役割"), max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "municipality", "role"], name="membership_unique_role"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.municipality_id} / {self.role}"


class AuditLogImmutableError(RuntimeError):
    """Raised when code tries to change or delete an audit record."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditLogImmutableError("audit records cannot be changed")

    def seal(self, *, chain_seq: int, chain_hash: str) -> int:
        """Link not-yet-chained records into their chain: the one change the database triggers allow."""
        unchained = self.filter(chain_hash__isnull=True)
        return models.QuerySet.update(unchained, chain_seq=chain_seq, chain_hash=chain_hash)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogImmutableError("audit records cannot be deleted")


class AuditEvent(models.Model):
    """One entry of the append-only audit log: who did what to which object, when, from where.

    The application never updates or deletes these rows; database triggers (see migrations) refuse it too.
    """

    at = models.DateTimeField(_("日時"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("実行者"), max_length=150, blank=True)
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("対象の種類"), max_length=64, blank=True)
    object_id = models.CharField(_("対象ID"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("接続元"), null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(_("詳細"), default=dict, blank=True)
    # Tamper evidence (chiiki.core.audit_chain): each record's place in its municipality's chain (records of no
    # municipality form the platform's chain) and the SHA-256 of its content and the previous record's hash.
    # Set once, shortly after the record is committed; null until then.
    chain_seq = models.PositiveBigIntegerField(null=True, blank=True)
    chain_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 - null: not chained yet

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["municipality", "at"]),
            models.Index(fields=["municipality", "chain_seq"], name="audit_chain_order"),
            models.Index(
                fields=["id"], condition=models.Q(chain_hash__isnull=True), name="audit_not_chained"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditLogImmutableError("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogImmutableError("audit records cannot be deleted")

    @property
    def action_label(self) -> Any:
        """What happened, in words (chiiki.core.audit_events); the code stays in `action`."""
        from chiiki.core.audit_events import event_label

        return event_label(self.action)

    @property
    def object_label(self) -> Any:
        """The kind of object, in words."""
        from chiiki.core.audit_events import object_label

        return object_label(self.object_type)


class AuditChainHead(models.Model):
    """The last chained record of one audit chain ("" is the platform's, else a municipality code).

    Sealing locks this row, so two sealers never fork a chain; `chiiki audit verify` compares it with the
    chain's last record, which catches records removed from the end.
    """

    chain = models.CharField(max_length=6, primary_key=True, blank=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.chain or 'platform'} #{self.last_seq}"


class LoginFailure(models.Model):
    """A failed sign-in (staff or respondent), kept in the database so every app server sees the same count.

    `device` is the known-device id of the browser when it had signed in to the account before, else "".
    """

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    device = models.CharField(max_length=32, blank=True, default="")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["username", "at"])]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


class Job(models.Model):
    """Background work that staff wait for (an upload to convert, a linkage run, an export): its state.

    Every kind of job inherits these fields and is run by `chiiki.core.jobs.run_job`, which moves it from
    queued to running to done or failed, keeps a heartbeat while it runs, retries an unexpected failure once,
    and keeps the reason of a failure for the staff page. `chiiki.core.jobs.reap_stale_jobs` picks up a job
    whose worker died. A subclass names the task that runs it in `job_task` (a dotted path).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("待機中")
        RUNNING = "running", _("処理中")
        DONE = "done", _("完了")
        FAILED = "failed", _("失敗")

    status = models.CharField(
        _("状態"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    message = models.TextField(_("結果"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("試行回数"), default=0)
    queued_at = models.DateTimeField(_("受付日時"), default=timezone.now)
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("完了日時"), null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True)  # "host:pid" of the worker process running it

    job_task: ClassVar[str] = ""
    max_attempts: ClassVar[int] = 2
    # "default" for short jobs (exports, letters), "long" for conversions and runs: each queue has its own
    # worker process, so a short job never waits behind a long one (chiiki.core.jobs).
    job_queue: ClassVar[str] = "default"
    # Seconds the job may run before it is stopped and failed; None: the limit of its queue (settings).
    time_limit: ClassVar[float | None] = None

    class Meta:
        abstract = True

    @property
    def is_pending(self) -> bool:
        """Queued or running: the page should say it is not finished yet."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
