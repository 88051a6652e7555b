"""Stored evidence runs of a survey, per-survey cost settings, and tables published from a run."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import Job, Municipality, User
from chiiki.opendata.models import Dataset
from chiiki.surveys.models import Survey


class EvidenceRun(Job):
    """One computation of weights, estimates, representativeness and field-work evidence for a survey: a job.

    `result` is plain JSON (numbers and labels only, no personal data), so a run can be shown and compared
    later even after the answers change; `options` keeps the costs and thresholds it used. `queued_at` is when
    it was requested; state, attempts and message come from `Job`.
    """

    job_task: ClassVar[str] = "chiiki.evidence.tasks.compute_evidence_run"

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="evidence_runs")
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    options = models.JSONField(_("設定"), default=dict, blank=True)
    result = models.JSONField(_("結果"), null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["survey", "-queued_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="evidence_run_status_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(result__isnull=False),
                name="evidence_run_done_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}#{self.pk} {self.status}"


class SurveyCosts(models.Model):
    """Unit costs (yen) of one survey's field work; surveys without a row use settings.CHIIKI_SURVEY_COSTS."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="evidence_costs")
    costs = models.JSONField(_("単価(円)"), default=dict)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.costs}"


class PublishedTable(models.Model):
    """A disclosure-checked table of a run, published as an open-data dataset."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="published_tables")
    run = models.ForeignKey(EvidenceRun, on_delete=models.PROTECT, related_name="published_tables")
    table = models.CharField(_("表"), max_length=60)
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="+")
    suppressed_cells = models.PositiveIntegerField(_("秘匿したセル数"), default=0)
    published_at = models.DateTimeField(_("公開日時"), default=timezone.now)
    published_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering: ClassVar[list[str]] = ["survey", "-published_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["run", "table"], name="published_table_once_per_run"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.table}"
