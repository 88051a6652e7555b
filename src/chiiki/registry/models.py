"""The resident registry (住民基本台帳) a municipality loads: districts, households and persons."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import Job, Municipality


class District(models.Model):
    """An area of the municipality (大字 or 町丁目), the unit for strata and enumerator districts."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="districts")
    code = models.CharField(_("地区コード"), max_length=20)
    name = models.CharField(_("地区名"), max_length=60)
    name_kana = models.CharField(_("地区名(カナ)"), max_length=120, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["municipality", "code"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["municipality", "code"], name="district_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    """A household (世帯) of the registry."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="households")
    household_code = models.CharField(_("世帯番号"), max_length=20)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="households")
    address = models.CharField(_("住所"), max_length=200)
    postal_code = models.CharField(_("郵便番号"), max_length=7, blank=True)
    registered_on = models.DateField(_("世帯の成立日"), null=True, blank=True)
    removed_on = models.DateField(_("世帯の消除日"), null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["municipality", "household_code"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["municipality", "household_code"], name="household_unique_code"),
        ]

    def __str__(self) -> str:
        return self.household_code


class Person(models.Model):
    """A resident (住民) of the registry."""

    class Sex(models.TextChoices):
        MALE = "1", _("男")
        FEMALE = "2", _("女")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="persons")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    person_code = models.CharField(_("住民番号"), max_length=20)
    family_name = models.CharField(_("氏"), max_length=40)
    given_name = models.CharField(_("名"), max_length=40)
    family_name_kana = models.CharField(_("氏(カナ)"), max_length=80, blank=True)
    given_name_kana = models.CharField(_("名(カナ)"), max_length=80, blank=True)
    sex = models.CharField(_("性別"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("生年月日"))
    relationship = models.CharField(_("続柄"), max_length=20)
    registered_on = models.DateField(_("住民となった日"), null=True, blank=True)
    removed_on = models.DateField(_("消除日"), null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["municipality", "household", "id"]
        # Candidate lookups of one person (procedures' card sign-in) by birth date or by name, not a scan.
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["municipality", "birth_date"], name="registry_person_birth"),
            models.Index(fields=["municipality", "family_name", "given_name"], name="registry_person_name"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["municipality", "person_code"], name="person_unique_code"),
            models.CheckConstraint(condition=models.Q(sex__in=["1", "2"]), name="person_sex_known"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name}"

    @property
    def is_head(self) -> bool:
        """True for the head of household (世帯主)."""
        return self.relationship == "世帯主"


class RegistryUpload(Job):
    """An extract uploaded on the web, imported by the task worker (never inside the request)."""

    job_task: ClassVar[str] = "chiiki.registry.tasks.import_uploaded_registry"
    job_queue: ClassVar[str] = "long"  # a whole registry: not in the way of exports and letters

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="registry_uploads")
    file = models.FileField(upload_to="registry-uploads/%Y/%m/")
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    replace = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["-queued_at"]

    def __str__(self) -> str:
        return self.original_name
