"""Linkage runs on the web: one case per uploaded record, its candidates, reviews and four-eyes final links.

A run links an uploaded records file to the municipality's registry with the Django-free engine. Records the
engine is sure of become final links at once; the doubtful ones wait in the review queue until one officer
decides and a *different* officer confirms (the database refuses the same person in both roles).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import Job, Municipality
from chiiki.registry.models import Person


class LinkageRun(Job):
    """An uploaded records file linked to the registry of one municipality: a job run by the task worker.

    `queued_at` is when the file was uploaded; the job's state, attempts and message come from `Job`.
    """

    job_task: ClassVar[str] = "chiiki.linkage.tasks.run_linkage"
    job_queue: ClassVar[str] = (
        "long"  # a whole records file against the registry: not before exports and letters
    )

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="linkage_runs")
    records_file = models.FileField(_("照合するレコード"), upload_to="linkage-records/%Y/%m/")
    original_name = models.CharField(_("ファイル名"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    registry_count = models.PositiveIntegerField(_("住民の数"), default=0)
    record_count = models.PositiveIntegerField(_("レコード数"), default=0)
    linked_count = models.PositiveIntegerField(_("自動で紐付け"), default=0)
    review_count = models.PositiveIntegerField(_("確認待ち"), default=0)
    unmatched_count = models.PositiveIntegerField(_("該当なし"), default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["-queued_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class LinkCase(models.Model):
    """One input record of a run and what the engine decided for it; review cases move through the queue."""

    class Decision(models.TextChoices):
        LINKED = "linked", _("自動で紐付け")
        REVIEW = "review", _("職員の確認が必要")
        UNMATCHED = "unmatched", _("該当なし")

    class State(models.TextChoices):
        OPEN = "open", _("確認待ち")
        AWAITING_CONFIRMATION = "awaiting_confirmation", _("二人目の承認待ち")
        CLOSED = "closed", _("確定")

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="cases")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    record_id = models.CharField(_("レコード番号"), max_length=100)
    record = models.JSONField(_("レコードの内容"), default=dict)
    decision = models.CharField(_("判定"), max_length=10, choices=Decision.choices)
    reason = models.CharField(_("理由"), max_length=60, blank=True)
    # The registry may be re-imported later; the code the engine saw is kept beside the foreign key.
    best_person = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    best_person_code = models.CharField(_("最有力候補の住民番号"), max_length=20, blank=True)
    probability = models.FloatField(_("一致確率"), default=0.0)
    state = models.CharField(_("状態"), max_length=25, choices=State.choices, default=State.CLOSED)

    class Meta:
        ordering: ClassVar[list[str]] = ["run", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["run", "record_id"], name="linkcase_unique_record"),
            models.CheckConstraint(
                condition=Q(decision="review") | Q(state="closed"), name="linkcase_only_review_waits"
            ),
        ]

    def __str__(self) -> str:
        return self.record_id


class Candidate(models.Model):
    """A registry person the engine proposes for a review case, with the evidence field by field."""

    case = models.ForeignKey(LinkCase, on_delete=models.CASCADE, related_name="candidates")
    rank = models.PositiveSmallIntegerField(_("順位"))
    person = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    person_code = models.CharField(_("住民番号"), max_length=20)
    person_values = models.JSONField(_("住民登録の内容"), default=dict)
    probability = models.FloatField(_("一致確率"))
    match_weight = models.FloatField(_("一致の重み(ビット)"))
    # [{"field": "name_kanji", "level": "exact_with_variant_kanji", "weight": 6.1}, ...]: the waterfall.
    evidence = models.JSONField(_("項目ごとの根拠"), default=list)

    class Meta:
        ordering: ClassVar[list[str]] = ["case", "rank"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["case", "rank"], name="candidate_unique_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.rank}"


class ReviewDecision(models.Model):
    """The first officer's decision on a review case, and the second officer's confirmation or return."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("二人目の承認待ち")
        CONFIRMED = "confirmed", _("承認済み")
        RETURNED = "returned", _("差し戻し")

    case = models.ForeignKey(LinkCase, on_delete=models.CASCADE, related_name="reviews")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted = models.ForeignKey(
        Candidate, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    reject_all = models.BooleanField(_("どの候補とも紐付けない"), default=False)
    note = models.TextField(_("メモ"), blank=True)
    at = models.DateTimeField(_("判断日時"), auto_now_add=True)
    outcome = models.CharField(_("承認"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("承認日時"), null=True, blank=True)
    confirmation_note = models.TextField(_("承認者のメモ"), blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["case", "at", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(Q(accepted__isnull=False) & Q(reject_all=False))
                | (Q(accepted__isnull=True) & Q(reject_all=True)),
                name="review_accepts_one_or_rejects_all",
            ),
            # Four eyes, enforced by the database as well as by the action.
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=F("officer")),
                name="review_confirmer_is_another_officer",
            ),
            models.CheckConstraint(
                condition=Q(outcome="pending", confirmed_by__isnull=True)
                | (~Q(outcome="pending") & Q(confirmed_by__isnull=False)),
                name="review_outcome_has_confirmer",
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(outcome="pending"), name="review_one_pending_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.outcome}"


class FinalLink(models.Model):
    """A final link of a record to a registry person: made by the engine, or reviewed by two officers."""

    class Source(models.TextChoices):
        AUTOMATIC = "automatic", _("自動(確実な一致)")
        REVIEWED = "reviewed", _("職員の確認と承認")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="final_links")
    case = models.OneToOneField(LinkCase, on_delete=models.CASCADE, related_name="final_link")
    record_id = models.CharField(_("レコード番号"), max_length=100)
    person = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    person_code = models.CharField(_("住民番号"), max_length=20)
    source = models.CharField(_("根拠"), max_length=10, choices=Source.choices)
    review = models.OneToOneField(
        ReviewDecision, null=True, blank=True, on_delete=models.PROTECT, related_name="final_link"
    )
    at = models.DateTimeField(_("確定日時"), auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["run", "record_id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(source="automatic", review__isnull=True)
                | Q(source="reviewed", review__isnull=False),
                name="finallink_reviewed_has_review",
            ),
            # One-to-one within a run: a person is the final link of at most one record.
            models.UniqueConstraint(fields=["run", "person_code"], name="finallink_one_record_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} -> {self.person_code}"
