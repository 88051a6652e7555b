"""A person's skills: the self-assessment, the evidence behind it, and endorsements by verified organizations.

After every change the levels the evidence supports are recomputed through the skill-standard engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.talent import skills
from chiiki.talent.actions._base import TalentActionError, acts_for, full_clean
from chiiki.talent.models import Evidence, Organization, TalentProfile, TalentSkill


def reassess(profile: TalentProfile, *, as_of: dt.date | None = None) -> None:
    """Recompute what the evidence supports for each declared skill (no audit: part of a change)."""
    day = as_of or timezone.localdate()
    rows = list(profile.skills.all())
    evidence = list(profile.evidence.all())
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in={e.organization_id for e in evidence})}
    result = skills.assess_declared(
        {r.skill_id: r.declared for r in rows}, skills.engine_evidence(evidence, orgs), as_of=day
    )
    for row in rows:
        item = result.items[row.skill_id]
        row.supported, row.tier = int(item.supported), int(item.tier)
    TalentSkill.objects.bulk_update(rows, ["supported", "tier"])
    profile.standard_tag, profile.assessed_on = result.standard_tag, day
    profile.save(update_fields=["standard_tag", "assessed_on"])


@transaction.atomic
def set_skills(profile: TalentProfile, declared: Mapping[str, int], *, by: Actor) -> None:
    """Replace the self-assessment (skill id → level 1–4; 0 removes) and reassess against the evidence."""
    standard = skills.current_standard()
    for skill_id, level in declared.items():
        standard.skill(skill_id)
        if not 0 <= level <= 4:
            raise TalentActionError(f"レベルは0〜4です: {skill_id}={level}")
    profile.skills.all().delete()
    TalentSkill.objects.bulk_create(
        TalentSkill(profile=profile, skill_id=skill_id, declared=level)
        for skill_id, level in declared.items()
        if level > 0
    )
    reassess(profile)
    audit.record(
        "talent.skills_declared",
        by=by,
        object_type="talent_profile",
        object_id=profile.pk,
        detail={"skills": sum(1 for v in declared.values() if v > 0), "standard": standard.tag},
    )


def _check_evidence_reference(kind: str, certification_id: str, role_id: str, skill_id: str) -> None:
    """The certification, ITSS role or project skill named must exist in the current standard."""
    try:
        if kind == Evidence.Kind.CERTIFICATION:
            skills.evidence_catalog().certification(certification_id)
        elif kind == Evidence.Kind.ITSS:
            skills.current_standard().role(role_id)
        elif kind == Evidence.Kind.PROJECT:
            skills.current_standard().skill(skill_id)
    except KeyError as error:
        raise TalentActionError(str(error.args[0])) from None


@transaction.atomic
def add_evidence(
    profile: TalentProfile,
    *,
    kind: str,
    by: Actor,
    certification_id: str = "",
    itss_level: int | None = None,
    role_id: str = "",
    skill_id: str = "",
    level: int | None = None,
    description: str = "",
    obtained_on: dt.date | None = None,
) -> Evidence:
    """Add a certification, ITSS assessment or project to one's own profile; the levels are reassessed."""
    if kind == Evidence.Kind.ENDORSEMENT:
        raise TalentActionError("推薦は団体が行います。")
    _check_evidence_reference(kind, certification_id, role_id, skill_id)
    evidence = Evidence(
        profile=profile,
        kind=kind,
        certification_id=certification_id,
        itss_level=itss_level,
        role_id=role_id,
        skill_id=skill_id,
        level=level,
        description=description,
        obtained_on=obtained_on,
    )
    full_clean(evidence, exclude=["profile", "organization", "endorsed_by"])
    evidence.save()
    reassess(profile)
    audit.record(
        "talent.evidence_added",
        by=by,
        object_type="talent_evidence",
        object_id=evidence.pk,
        detail={"profile": profile.pk, "kind": kind},
    )
    return evidence


@transaction.atomic
def remove_evidence(evidence: Evidence, *, by: Actor) -> None:
    """Remove one piece of evidence (the person's own, or an endorsement they do not want)."""
    profile = evidence.profile
    audit.record(
        "talent.evidence_removed",
        by=by,
        object_type="talent_evidence",
        object_id=evidence.pk,
        detail={"profile": profile.pk, "kind": evidence.kind},
    )
    evidence.delete()
    reassess(profile)


@transaction.atomic
def endorse(
    profile: TalentProfile, organization: Organization, *, skill_id: str, level: int, by: Actor
) -> Evidence:
    """A verified organization endorses a person's skill at a level (推薦): raises the tier to "endorsed"."""
    if not acts_for(by, organization):
        raise TalentActionError("この団体として推薦する権限がありません。")
    if not organization.verified:
        raise TalentActionError("確認済みの団体だけが推薦できます。")
    skills.current_standard().skill(skill_id)
    if not 1 <= level <= 4:
        raise TalentActionError("レベルは d〜a です。")
    evidence = Evidence.objects.create(
        profile=profile,
        kind=Evidence.Kind.ENDORSEMENT,
        skill_id=skill_id,
        level=level,
        organization=organization,
        endorsed_by=by.user,
    )
    reassess(profile)
    audit.record(
        "talent.endorsed",
        by=by,
        municipality=organization.municipality_id,
        object_type="talent_profile",
        object_id=profile.pk,
        detail={"organization": organization.pk, "skill": skill_id, "level": level},
    )
    return evidence
