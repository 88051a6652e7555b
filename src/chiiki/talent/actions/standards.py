"""Installing a version of the skill standard, and carrying profiles and needs from one version to the next.

The standard is data an operator loads (`chiiki talent standard load FILE`), not code: a revision published by
IPA, or the official role × skill table that removes the "not verified" warning, is installed without a
release of Chiiki. Profiles and needs keep the version they were assessed under until a mapping file carries
them over (`chiiki talent standard carry-over MAPPING`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.talent import skills
from chiiki.talent.actions._base import TalentActionError
from chiiki.talent.actions.skills import reassess
from chiiki.talent.models import Evidence, Need, SkillStandardVersion, TalentProfile, TalentSkill
from chiiki.talent.standard import (
    SkillStandard,
    StandardDataError,
    VersionMapping,
    build_skill_standard,
    diff_standards,
)


@dataclass(frozen=True)
class Installed:
    """What installing a definition did: the version, whether anything changed, and the differences."""

    tag: str
    changed: bool
    differences: list[str]


def check_definition(definition: dict[str, Any]) -> SkillStandard:
    """Build the standard a definition describes, or raise TalentActionError saying what is wrong."""
    try:
        return build_skill_standard(definition)
    except (StandardDataError, KeyError, ValueError, TypeError) as error:
        raise TalentActionError(f"スキル標準の定義に誤りがあります: {error}") from error


def differences(definition: dict[str, Any]) -> list[str]:
    """What installing `definition` would change, against the same version if installed, else the current one."""
    new = check_definition(definition)
    return diff_standards(skills.installed_standard(new.tag) or skills.current_standard(), new)


@transaction.atomic
def install_skill_standard(definition: dict[str, Any], *, by: Actor, make_current: bool = True) -> Installed:
    """Install a version (or a new revision of an installed one) and, by default, make it the one new profiles
    and needs are assessed against. Reinstalling the same definition changes nothing."""
    new = check_definition(definition)
    lines = differences(definition)
    row = SkillStandardVersion.objects.select_for_update().filter(tag=new.tag).first()
    if (
        row is not None
        and row.definition == definition
        and row.is_current == (row.is_current or make_current)
    ):
        return Installed(new.tag, False, lines)
    if row is None:
        row = SkillStandardVersion(tag=new.tag, definition=definition, revision=1)
    elif row.definition != definition:
        row.definition, row.revision = definition, row.revision + 1
    row.source_document, row.matrix_verified = new.source_document, new.matrix_verified
    row.installed_at, row.installed_by = timezone.now(), by.name[:150]
    if make_current:
        SkillStandardVersion.objects.exclude(tag=new.tag).filter(is_current=True).update(is_current=False)
        row.is_current = True
    row.save()
    audit.record(
        "talent.standard_installed",
        by=by,
        object_type="skill_standard",
        object_id=new.tag,
        detail={"revision": row.revision, "current": row.is_current, "differences": len(lines) - 1},
    )
    return Installed(new.tag, True, lines)


@dataclass
class CarriedOver:
    """Counts of what a mapping carried to the new version, and the ids it could not carry."""

    profiles: int = 0
    needs: int = 0
    skills_dropped: dict[str, int] = field(default_factory=dict)

    def dropped(self, skill_id: str) -> None:
        """Count a skill (or role) of the old version that the mapping does not carry."""
        self.skills_dropped[skill_id] = self.skills_dropped.get(skill_id, 0) + 1


@transaction.atomic
def carry_over(mapping: VersionMapping, *, by: Actor) -> CarriedOver:
    """Move every profile and need assessed under `mapping.source_tag` to `mapping.target_tag` (which must be
    the current version), renaming skills and roles by the mapping and reassessing each profile. A skill the
    mapping does not carry is removed from the self-assessment and counted; evidence rows are kept."""
    if skills.current_standard().tag != mapping.target_tag:
        raise TalentActionError(
            f"移行先 {mapping.target_tag} を先に使用中の版にしてください (install it first)"
        )
    done = CarriedOver()
    for profile in TalentProfile.objects.select_for_update().filter(standard_tag=mapping.source_tag):
        _carry_profile(profile, mapping, done)
    for need in Need.objects.select_for_update().filter(standard_tag=mapping.source_tag):
        _carry_need(need, mapping, done)
    audit.record(
        "talent.standard_carried_over",
        by=by,
        object_type="skill_standard",
        object_id=mapping.target_tag,
        detail={
            "from": mapping.source_tag,
            "profiles": done.profiles,
            "needs": done.needs,
            "dropped": done.skills_dropped,
        },
    )
    return done


def _carry_profile(profile: TalentProfile, mapping: VersionMapping, done: CarriedOver) -> None:
    carried: dict[str, int] = {}  # new skill id → level; two old skills mapped to one keep the higher level
    for row in profile.skills.all():
        new_id = mapping.skill(row.skill_id)
        if new_id is None:
            done.dropped(row.skill_id)
        else:
            carried[new_id] = max(carried.get(new_id, 0), row.declared)
    profile.skills.all().delete()
    TalentSkill.objects.bulk_create(
        TalentSkill(profile=profile, skill_id=k, declared=v) for k, v in carried.items()
    )
    for evidence in profile.evidence.exclude(kind=Evidence.Kind.CERTIFICATION):
        evidence.skill_id = mapping.skill(evidence.skill_id) or evidence.skill_id
        evidence.role_id = mapping.role(evidence.role_id) or evidence.role_id
        evidence.save(update_fields=["skill_id", "role_id"])
    profile.standard_tag = mapping.target_tag
    profile.save(update_fields=["standard_tag"])
    reassess(profile)
    done.profiles += 1


def _carry_need(need: Need, mapping: VersionMapping, done: CarriedOver) -> None:
    required: dict[str, Any] = {}
    for skill_id, level in need.required.items():
        new_id = mapping.skill(skill_id)
        if new_id is None:
            done.dropped(skill_id)
        else:
            required[new_id] = level
    role = mapping.role(need.role_id)
    if role is None:
        done.dropped(need.role_id)
    need.required, need.role_id, need.standard_tag = required, role or "", mapping.target_tag
    need.save(update_fields=["required", "role_id", "standard_tag"])
    done.needs += 1
