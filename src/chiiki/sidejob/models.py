"""Side jobs (副業・兼業): a worker's contracts with several employers, the hours worked under each, and the
管理モデル two employers agree in advance (MHLW side-job guideline).

The worker is a talent-bank profile and an employer on the platform is a talent-bank organization: this app
builds on `chiiki.talent`. The tables kept the names they had when these models lived in the talent app
(`talent_sidejobcontract`, `talent_workentry`, `talent_managementagreement`), so moving them copied no data.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import User
from chiiki.talent.models import Organization, TalentProfile

# datetime.weekday(): Monday is 0. A 36協定 names the day of the week that is the legal holiday (法定休日).
WEEKDAY_CHOICES = [
    (0, _("月曜日")),
    (1, _("火曜日")),
    (2, _("水曜日")),
    (3, _("木曜日")),
    (4, _("金曜日")),
    (5, _("土曜日")),
    (6, _("日曜日")),
]


class SideJobContract(models.Model):
    """One of a side-job worker's contracts. Employment is combined across employers; 委任・請負 is not.

    The employer is an organization on the platform, or (for a main employer that is not) a name, in which
    case the worker records those hours themselves.
    """

    class Kind(models.TextChoices):
        # values are the hours engine's ContractKind
        EMPLOYMENT = "employment", _("雇用")
        MANDATE = "mandate", _("委任・準委任")
        WORK_FOR_HIRE = "work_for_hire", _("請負")
        FREELANCE = "freelance", _("フリーランス(業務委託)")

    worker = models.ForeignKey(TalentProfile, on_delete=models.CASCADE, related_name="contracts")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="contracts"
    )
    employer_name = models.CharField(_("雇用主・発注者の名称"), max_length=120)
    kind = models.CharField(_("契約の種類"), max_length=16, choices=Kind.choices)
    concluded_on = models.DateField(_("契約締結日"))
    has_agreement = models.BooleanField(_("36協定あり"), default=True)
    monthly_limit_hours = models.PositiveSmallIntegerField(_("36協定: 月の延長時間"), default=45)
    annual_limit_hours = models.PositiveSmallIntegerField(_("36協定: 年の延長時間"), default=360)
    special_clause = models.BooleanField(_("特別条項あり"), default=False)
    special_monthly_hours = models.PositiveSmallIntegerField(_("特別条項: 月の上限"), default=0)
    special_annual_hours = models.PositiveSmallIntegerField(_("特別条項: 年の上限"), default=0)
    special_months = models.PositiveSmallIntegerField(_("特別条項: 年の回数"), default=0)
    year_start_month = models.PositiveSmallIntegerField(_("起算月"), default=4)
    legal_holiday_weekday = models.PositiveSmallIntegerField(
        _("法定休日の曜日"), choices=WEEKDAY_CHOICES, default=6
    )
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "talent_sidejobcontract"
        ordering: ClassVar[list[str]] = ["concluded_on", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["employment", "mandate", "work_for_hire", "freelance"]),
                name="contract_kind_known",
            ),
            models.CheckConstraint(condition=models.Q(legal_holiday_weekday__lte=6), name="contract_weekday"),
            models.CheckConstraint(
                condition=models.Q(year_start_month__gte=1) & models.Q(year_start_month__lte=12),
                name="contract_year_start_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} / {self.employer_name}"


class WorkEntry(models.Model):
    """A block of work on one day under one contract, recorded by the employer (or the worker)."""

    contract = models.ForeignKey(SideJobContract, on_delete=models.CASCADE, related_name="entries")
    day = models.DateField(_("日付"))
    minutes = models.PositiveSmallIntegerField(_("時間(分)"))
    scheduled = models.BooleanField(_("所定労働時間内"), default=True)
    start = models.TimeField(_("開始時刻"), default="09:00")
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "talent_workentry"
        ordering: ClassVar[list[str]] = ["day", "start", "id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["contract", "day"])]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(minutes__lte=1440), name="work_entry_minutes_range"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.day} {self.minutes}"


class ManagementAgreement(models.Model):
    """管理モデル (MHLW side-job guideline, 2020-09): monthly caps agreed in advance between the worker's two
    employers, so that each checks only its own hours. 使用者A (the earlier contract) caps its own 法定外労働;
    使用者B caps all the hours it uses the worker. Each employer confirms its side (for an employer not on the
    platform, the worker does); the agreement is in force once both have, until it is ended."""

    worker = models.ForeignKey(TalentProfile, on_delete=models.CASCADE, related_name="management_agreements")
    first_contract = models.ForeignKey(SideJobContract, on_delete=models.CASCADE, related_name="+")
    second_contract = models.ForeignKey(SideJobContract, on_delete=models.CASCADE, related_name="+")
    first_cap_hours = models.PositiveSmallIntegerField(_("使用者Aの時間外・休日労働の上限(時間/月)"))
    second_cap_hours = models.PositiveSmallIntegerField(_("使用者Bの労働時間の上限(時間/月)"))
    starts_on = models.DateField(_("適用開始日"))
    first_confirmed_at = models.DateTimeField(null=True, blank=True)
    second_confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "talent_managementagreement"
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=~models.Q(first_contract=models.F("second_contract")), name="model_two_contracts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} / {self.first_contract_id}+{self.second_contract_id}"

    @property
    def in_force(self) -> bool:
        """Both sides confirmed and not ended."""
        return bool(self.first_confirmed_at and self.second_confirmed_at and self.ended_on is None)

    def side_of(self, contract_id: int) -> str | None:
        """``"first"`` (使用者A), ``"second"`` (使用者B) or None when the contract is not part of it."""
        if contract_id == self.first_contract_id:
            return "first"
        if contract_id == self.second_contract_id:
            return "second"
        return None
