"""Reminder schedules and the non-response follow-up by enumerators (paradata live in `surveys.models`)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import Municipality, User
from chiiki.registry.models import District
from chiiki.surveys.models import Survey, SurveyCase, VisitOutcome

# After these a household needs no further visit; "absent" and "helped online" stay on the list until it answers.
FINAL_OUTCOMES = frozenset({VisitOutcome.REFUSED, VisitOutcome.VACANT, VisitOutcome.ANSWERED_ON_SPOT})


class ReminderSchedule(models.Model):
    """When reminders go to households that have not answered: days after the survey opens."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="reminder_schedule")
    days_after_opening = models.JSONField(_("督促の日(回答受付開始からの日数)"), default=list)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.days_after_opening}"


class FollowUpArea(models.Model):
    """An enumerator district of one survey: registry districts (or parts of them) given to one enumerator."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="follow_up_areas")
    number = models.PositiveIntegerField(_("調査区番号"))
    enumerator = models.ForeignKey(User, on_delete=models.PROTECT, related_name="follow_up_areas")
    districts = models.ManyToManyField(District, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["survey", "number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["survey", "number"], name="follow_up_area_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}-{self.number}"


class FollowUpAssignment(models.Model):
    """One non-responding household on an enumerator's list, with the outcome of the last visit."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(FollowUpArea, on_delete=models.CASCADE, related_name="assignments")
    case = models.OneToOneField(SurveyCase, on_delete=models.PROTECT, related_name="follow_up")
    position = models.PositiveIntegerField(_("訪問順"), default=0)
    outcome = models.CharField(_("最後の訪問結果"), max_length=20, choices=VisitOutcome.choices, blank=True)
    outcome_at = models.DateTimeField(_("最後の訪問日時"), null=True, blank=True)
    visits = models.PositiveIntegerField(_("訪問回数"), default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["area", "position", "id"]

    def __str__(self) -> str:
        return f"{self.area} / {self.case_id}"

    @property
    def is_settled(self) -> bool:
        """True when the last visit ended the follow-up (refused, vacant, answered on the spot)."""
        return self.outcome in FINAL_OUTCOMES


class DashboardSnapshot(models.Model):
    """A large survey's dashboard figures as the worker last aggregated them.

    Surveys above ``CHIIKI_DASHBOARD_LIVE_CASES`` cases are not aggregated on each view (a city of a million
    households takes seconds to minutes): the page shows the last snapshot with its time, and asks the worker for a
    new one when it is older than ``CHIIKI_DASHBOARD_MAX_AGE_SECONDS``. ``requested_at`` keeps one refresh queued
    at a time.
    """

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="dashboard_snapshot")
    data = models.JSONField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.computed_at}"
