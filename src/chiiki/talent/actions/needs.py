"""Needs an organization posts (projects, side-job and full-time roles, mentoring requests) and closes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.talent import skills
from chiiki.talent.actions._base import TalentActionError, acts_for, full_clean
from chiiki.talent.models import Need, Organization
from chiiki.talent.standard import SkillLevel

NEED_FIELDS = (
    "kind", "title", "description", "role_id", "required", "hours_per_month", "work_mode", "prefecture",
    "location", "budget_per_hour", "salary_max", "start_on", "languages", "business_field", "startup_stage",
)  # fmt: skip


@transaction.atomic
def post_need(organization: Organization, fields: Mapping[str, Any], *, by: Actor) -> Need:
    """Post a need. Required skills are skill id → level code (a–d) of the current DSS-P version."""
    if not acts_for(by, organization):
        raise TalentActionError("この団体としてニーズを投稿する権限がありません。")
    standard = skills.current_standard()
    need = Need(organization=organization, posted_by=by.user, standard_tag=standard.tag)
    for name in NEED_FIELDS:
        if name in fields:
            setattr(need, name, fields[name])
    for skill_id, code in need.required.items():
        try:
            standard.skill(skill_id)
            SkillLevel.from_code(code)
        except (KeyError, ValueError) as error:
            raise TalentActionError(str(error.args[0])) from None
    if need.kind == Need.Kind.MENTORING and (need.business_field is None or need.startup_stage is None):
        raise TalentActionError("メンタリング依頼には分野とステージが必要です。")
    full_clean(need, exclude=["organization", "posted_by"])
    need.save()
    audit.record(
        "talent.need_posted",
        by=by,
        municipality=organization.municipality_id,
        object_type="talent_need",
        object_id=need.pk,
        detail={"organization": organization.pk, "kind": int(need.kind)},
    )
    return need


@transaction.atomic
def close_need(need: Need, *, by: Actor) -> None:
    """Stop a need from being matched."""
    need.status = Need.Status.CLOSED
    need.save(update_fields=["status"])
    audit.record(
        "talent.need_closed",
        by=by,
        municipality=need.organization.municipality_id,
        object_type="talent_need",
        object_id=need.pk,
    )
