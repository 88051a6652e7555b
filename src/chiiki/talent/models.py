"""The talent bank: organizations that post needs, people's profiles with skills and evidence, introductions
both sides accept, and the fair-exposure ledger of candidate lists. (Side-job contracts and their hours are
the `sidejob` app's, which builds on these models.)

Unlike the registry, a talent profile belongs to the person, not to a municipality: the person registers,
decides what each kind of viewer sees, and can export or delete it. Organizations (a municipality, a company,
a startup) post needs; a municipality acts through its staff's roles, a company through its members.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import Municipality, User
from chiiki.talent.corporate_number import CorporateNumberError
from chiiki.talent.corporate_number import validate as validate_corporate_digits


def validate_corporate_number(value: str) -> None:
    """Django validator for the 13-digit 法人番号 with its check digit."""
    try:
        validate_corporate_digits(value)
    except CorporateNumberError as error:
        raise ValidationError(str(error)) from error


def validate_prefecture(value: int) -> None:
    """A JIS X 0401 prefecture code, 1–47."""
    if not 1 <= value <= 47:
        raise ValidationError(_("都道府県コードは1〜47です。"))


class Visibility(models.TextChoices):
    """Who may see one section of a profile."""

    PUBLIC = "public", _("公開(誰でも)")
    ORGANIZATIONS = "organizations", _("登録済み(確認済み)の団体のみ")
    PRIVATE = "private", _("非公開(本人のみ)")


class Organization(models.Model):
    """A municipality, regional company or startup that posts needs (求人・相談).

    Companies and startups carry a 法人番号 (check digit validated). A municipality's organization is
    tied to its `core.Municipality` and is verified by construction; others are verified by a municipal
    administrator of their prefecture, and only verified organizations' endorsements count as evidence.
    """

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("地方公共団体")
        COMPANY = "company", _("地域企業")
        STARTUP = "startup", _("スタートアップ")

    kind = models.CharField(_("種類"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=120)
    corporate_number = models.CharField(
        _("法人番号"), max_length=13, blank=True, validators=[validate_corporate_number]
    )
    municipality = models.OneToOneField(
        Municipality,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="talent_organization",
    )
    prefecture = models.PositiveSmallIntegerField(_("所在都道府県"), validators=[validate_prefecture])
    business_field = models.PositiveSmallIntegerField(_("事業分野"), null=True, blank=True)
    startup_stage = models.PositiveSmallIntegerField(_("ステージ"), null=True, blank=True)
    description = models.TextField(_("紹介"), blank=True)
    contact_email = models.EmailField(_("連絡先メール"), blank=True)
    verified = models.BooleanField(_("確認済み"), default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["prefecture", "name"]
        verbose_name = _("団体")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["municipality", "company", "startup"]), name="org_kind_known"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="municipality", municipality__isnull=False)
                | (~models.Q(kind="municipality") & models.Q(municipality__isnull=True)),
                name="org_municipality_iff_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="municipality") | ~models.Q(corporate_number=""),
                name="org_company_has_corporate_number",
            ),
            models.CheckConstraint(
                condition=models.Q(prefecture__gte=1) & models.Q(prefecture__lte=47),
                name="org_prefecture_range",
            ),
            models.UniqueConstraint(
                fields=["corporate_number"],
                condition=~models.Q(corporate_number=""),
                name="org_corporate_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrganizationMember(models.Model):
    """A person who acts for a company or startup (municipal staff act through their roles instead)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="talent_organizations")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["organization", "user"], name="org_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


class TalentProfile(models.Model):
    """A person registered in the talent bank, in one or several capacities at once."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="talent_profile")
    display_name = models.CharField(_("表示名"), max_length=80)
    headline = models.CharField(_("ひとこと紹介"), max_length=160, blank=True)
    bio = models.TextField(_("経歴・自己紹介"), blank=True)
    is_digital_talent = models.BooleanField(_("デジタル人材"), default=False)
    is_mentor = models.BooleanField(_("メンター・ロールモデル"), default=False)
    is_management = models.BooleanField(_("経営人材"), default=False)
    is_side_job = models.BooleanField(_("副業・兼業プロフェッショナル"), default=False)
    primary_role = models.CharField(_("主なロール(DSS-P)"), max_length=64, blank=True)
    home_prefecture = models.PositiveSmallIntegerField(_("居住都道府県"), validators=[validate_prefecture])
    travel_prefectures = models.JSONField(_("出張できる都道府県"), default=list, blank=True)
    hours_per_month = models.PositiveSmallIntegerField(_("月の稼働可能時間"), default=0)
    remote_ok = models.BooleanField(_("リモート可"), default=True)
    on_site_ok = models.BooleanField(_("現地可"), default=False)
    available_from = models.DateField(_("稼働開始可能日"), default=timezone.localdate)
    fee_min_per_hour = models.PositiveIntegerField(_("希望報酬(時給・下限, 円)"), default=0)
    fee_max_per_hour = models.PositiveIntegerField(_("希望報酬(時給・上限, 円)"), null=True, blank=True)
    salary_min = models.PositiveIntegerField(_("希望年収(下限, 万円)"), null=True, blank=True)
    salary_max = models.PositiveIntegerField(_("希望年収(上限, 万円)"), null=True, blank=True)
    languages = models.JSONField(_("言語"), default=list, blank=True)
    mentor_fields = models.JSONField(_("助言できる分野"), default=list, blank=True)
    mentor_stages = models.JSONField(_("支援できるステージ"), default=list, blank=True)
    contact_email = models.EmailField(_("連絡先メール"), blank=True)
    contact_phone = models.CharField(_("連絡先電話"), max_length=20, blank=True)
    visibility_profile = models.CharField(
        _("基本情報の公開範囲"), max_length=16, choices=Visibility.choices, default=Visibility.ORGANIZATIONS
    )
    visibility_skills = models.CharField(
        _("スキル・根拠の公開範囲"),
        max_length=16,
        choices=Visibility.choices,
        default=Visibility.ORGANIZATIONS,
    )
    visibility_availability = models.CharField(
        _("稼働条件の公開範囲"), max_length=16, choices=Visibility.choices, default=Visibility.ORGANIZATIONS
    )
    visibility_fees = models.CharField(
        _("報酬の公開範囲"), max_length=16, choices=Visibility.choices, default=Visibility.ORGANIZATIONS
    )
    standard_tag = models.CharField(_("評価に使ったスキル標準"), max_length=32, blank=True)
    assessed_on = models.DateField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]
        verbose_name = _("人材プロフィール")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(is_digital_talent=True)
                | models.Q(is_mentor=True)
                | models.Q(is_management=True)
                | models.Q(is_side_job=True),
                name="profile_has_a_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(home_prefecture__gte=1) & models.Q(home_prefecture__lte=47),
                name="profile_prefecture_range",
            ),
            models.CheckConstraint(condition=models.Q(hours_per_month__lte=744), name="profile_hours_range"),
            models.CheckConstraint(
                condition=models.Q(fee_max_per_hour__isnull=True)
                | models.Q(fee_max_per_hour__gte=models.F("fee_min_per_hour")),
                name="profile_fee_range_ordered",
            ),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__in": Visibility.values}), name=f"profile_{name}_known"
                )
                for name in (
                    "visibility_profile",
                    "visibility_skills",
                    "visibility_availability",
                    "visibility_fees",
                )
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def kinds_ja(self) -> list[str]:
        """The capacities the person registered in, as labels."""
        labels = (
            (self.is_digital_talent, _("デジタル人材")),
            (self.is_mentor, _("メンター・ロールモデル")),
            (self.is_management, _("経営人材")),
            (self.is_side_job, _("副業・兼業プロフェッショナル")),
        )
        return [str(label) for on, label in labels if on]


class TalentSkill(models.Model):
    """One self-assessed DSS-P skill level, with what the evidence supports (recomputed on every change)."""

    profile = models.ForeignKey(TalentProfile, on_delete=models.CASCADE, related_name="skills")
    skill_id = models.CharField(max_length=64)
    declared = models.PositiveSmallIntegerField()  # SkillLevel: 1 d … 4 a
    supported = models.PositiveSmallIntegerField(default=0)
    tier = models.PositiveSmallIntegerField(
        default=0
    )  # EvidenceTier: 0 self-declared, 1 evidenced, 2 endorsed

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["profile", "skill_id"], name="talent_skill_unique"),
            models.CheckConstraint(
                condition=models.Q(declared__gte=1) & models.Q(declared__lte=4), name="talent_skill_level"
            ),
            models.CheckConstraint(condition=models.Q(tier__lte=2), name="talent_skill_tier"),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id}:{self.skill_id}={self.declared}"


class Evidence(models.Model):
    """Something that backs a declared level: a certification, an ITSS assessment, a project, an endorsement."""

    class Kind(models.TextChoices):
        CERTIFICATION = "certification", _("資格")
        ITSS = "itss", _("ITSSレベル評価")
        PROJECT = "project", _("プロジェクト実績")
        ENDORSEMENT = "endorsement", _("団体からの推薦")

    profile = models.ForeignKey(TalentProfile, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("種類"), max_length=16, choices=Kind.choices)
    certification_id = models.CharField(_("資格"), max_length=32, blank=True)
    itss_level = models.PositiveSmallIntegerField(_("ITSSレベル"), null=True, blank=True)
    role_id = models.CharField(_("ロール"), max_length=64, blank=True)
    skill_id = models.CharField(_("スキル項目"), max_length=64, blank=True)
    level = models.PositiveSmallIntegerField(_("レベル"), null=True, blank=True)
    description = models.CharField(_("説明"), max_length=300, blank=True)
    obtained_on = models.DateField(_("取得日・評価日"), null=True, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="endorsements"
    )
    endorsed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["kind", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="certification", obtained_on__isnull=False) & ~models.Q(certification_id="")
                )
                | models.Q(
                    kind="itss",
                    itss_level__gte=1,
                    itss_level__lte=7,
                    obtained_on__isnull=False,
                )
                & ~models.Q(role_id="")
                | (models.Q(kind="project", level__gte=1, level__lte=4) & ~models.Q(skill_id=""))
                | (
                    models.Q(kind="endorsement", level__gte=1, level__lte=4, organization__isnull=False)
                    & ~models.Q(skill_id="")
                ),
                name="evidence_fields_match_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.certification_id or self.skill_id or self.role_id}"


class Need(models.Model):
    """A need posted by an organization: a project, a side-job role, a full-time role or a mentoring request."""

    class Kind(models.IntegerChoices):
        # values are the matching engine's NeedKind
        PROJECT = 0, _("プロジェクト")
        SIDE_JOB = 1, _("副業・兼業の役割")
        FULL_TIME = 2, _("正社員・常勤の役割")
        MENTORING = 3, _("メンタリング依頼")

    class WorkMode(models.IntegerChoices):
        REMOTE = 0, _("リモート")
        ON_SITE = 1, _("現地")
        HYBRID = 2, _("併用(リモート+現地)")

    class Status(models.TextChoices):
        OPEN = "open", _("募集中")
        CLOSED = "closed", _("終了")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="needs")
    posted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.PositiveSmallIntegerField(_("種類"), choices=Kind.choices)
    title = models.CharField(_("タイトル"), max_length=120)
    description = models.TextField(_("内容"), blank=True)
    role_id = models.CharField(_("求めるロール(DSS-P)"), max_length=64, blank=True)
    required = models.JSONField(_("必要なスキルとレベル"), default=dict, blank=True)
    standard_tag = models.CharField(_("スキル標準"), max_length=32)
    hours_per_month = models.PositiveSmallIntegerField(_("月の稼働時間"))
    work_mode = models.PositiveSmallIntegerField(_("働き方"), choices=WorkMode.choices)
    prefecture = models.PositiveSmallIntegerField(_("勤務地(都道府県)"), validators=[validate_prefecture])
    location = models.CharField(_("勤務地(詳細)"), max_length=120, blank=True)
    budget_per_hour = models.PositiveIntegerField(_("予算(時給, 円)"), default=0)
    salary_max = models.PositiveIntegerField(_("年収の上限(万円)"), null=True, blank=True)
    start_on = models.DateField(_("開始希望日"))
    languages = models.JSONField(_("必要な言語"), default=list, blank=True)
    business_field = models.PositiveSmallIntegerField(_("分野"), null=True, blank=True)
    startup_stage = models.PositiveSmallIntegerField(_("ステージ"), null=True, blank=True)
    status = models.CharField(_("状態"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        verbose_name = _("ニーズ")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(kind__lte=3), name="need_kind_known"),
            models.CheckConstraint(condition=models.Q(work_mode__lte=2), name="need_mode_known"),
            models.CheckConstraint(
                condition=models.Q(prefecture__gte=1) & models.Q(prefecture__lte=47),
                name="need_prefecture_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=3)
                | (models.Q(business_field__isnull=False) & models.Q(startup_stage__isnull=False)),
                name="need_mentoring_has_field_and_stage",
            ),
            models.CheckConstraint(
                condition=models.Q(hours_per_month__gte=1) & models.Q(hours_per_month__lte=744),
                name="need_hours_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Introduction(models.Model):
    """An introduction through the platform. Contact details are shown only when both sides have accepted."""

    class Side(models.TextChoices):
        ORGANIZATION = "organization", _("団体")
        TALENT = "talent", _("人材")

    profile = models.ForeignKey(TalentProfile, on_delete=models.CASCADE, related_name="introductions")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="introductions")
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="introductions"
    )
    initiated_by = models.CharField(_("申し込んだ側"), max_length=16, choices=Side.choices)
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.TextField(_("メッセージ"), blank=True)
    organization_accepted_at = models.DateTimeField(null=True, blank=True)
    talent_accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.CharField(max_length=16, choices=Side.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["profile", "organization", "need"],
                condition=models.Q(declined_at__isnull=True),
                name="introduction_one_open_per_pair",
            ),
            models.CheckConstraint(
                condition=models.Q(initiated_by__in=["organization", "talent"]),
                name="introduction_side_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ↔ {self.profile}"

    @property
    def accepted(self) -> bool:
        """Both sides have agreed and neither has declined: contact details may be shown."""
        return (
            self.declined_at is None
            and self.organization_accepted_at is not None
            and self.talent_accepted_at is not None
        )

    @property
    def state_ja(self) -> str:
        """A short label of where the introduction stands."""
        if self.declined_at is not None:
            return str(_("お断り"))
        if self.accepted:
            return str(_("成立(連絡先を表示中)"))
        if self.organization_accepted_at is None:
            return str(_("団体の承諾待ち"))
        return str(_("本人の承諾待ち"))


class Exposure(models.Model):
    """How often a profile has been placed in the top slots of one need's candidate list shown to the need's
    organization (the fair-exposure ledger). Counts halve every week without showing, so exposure fades."""

    profile = models.ForeignKey(TalentProfile, on_delete=models.CASCADE, related_name="+")
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="exposures")
    times_shown = models.PositiveIntegerField(default=0)
    last_shown = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["need", "profile"], name="exposure_one_per_need_profile"),
        ]

    def __str__(self) -> str:
        return f"{self.need_id}/{self.profile_id}: {self.times_shown}"


class SkillStandardVersion(models.Model):
    """A version of the skill standard an operator installed (`chiiki talent standard load`).

    Without one, the talent bank uses the default version shipped with Chiiki. Installing a version makes it
    the one new profiles and needs are assessed against; profiles and needs keep the version they were
    assessed under (their `standard_tag`) until a mapping carries them over."""

    tag = models.CharField(_("版"), max_length=32, unique=True)  # e.g. "DSS-P 2.0"
    definition = models.JSONField(_("定義"))
    source_document = models.TextField(_("出典"), blank=True)
    matrix_verified = models.BooleanField(_("ロール別の重要度を公式の表で確認済み"), default=False)
    is_current = models.BooleanField(_("使用中"), default=False)
    revision = models.PositiveIntegerField(_("改訂"), default=1)
    installed_at = models.DateTimeField(_("導入日時"), default=timezone.now)
    installed_by = models.CharField(_("導入者"), max_length=150)

    class Meta:
        ordering: ClassVar = ["installed_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="talent_one_current_standard"
            ),
        ]

    def __str__(self) -> str:
        return self.tag
