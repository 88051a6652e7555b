"""A person's own profile: registering, changing it, exporting and deleting everything held about them.

Talent-bank persons are `core.User` accounts without a municipality membership: they register themselves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import User
from chiiki.talent import signals, skills
from chiiki.talent.actions._base import TalentActionError, full_clean
from chiiki.talent.models import Exposure, OrganizationMember, TalentProfile
from chiiki.talent.standard import SkillLevel

PROFILE_FIELDS = (
    "display_name", "headline", "bio", "is_digital_talent", "is_mentor", "is_management", "is_side_job",
    "primary_role", "home_prefecture", "travel_prefectures", "hours_per_month", "remote_ok", "on_site_ok",
    "available_from", "fee_min_per_hour", "fee_max_per_hour", "salary_min", "salary_max", "languages",
    "mentor_fields", "mentor_stages", "contact_email", "contact_phone", "visibility_profile",
    "visibility_skills", "visibility_availability", "visibility_fees",
)  # fmt: skip


@transaction.atomic
def register_talent(*, username: str, password: str, fields: Mapping[str, Any], by: Actor) -> TalentProfile:
    """Create a talent account (a `core.User` with no municipal role) and its profile.

    `by` is whoever sent the form (usually nobody signed in yet); the audit record names the new account.
    """
    if User.objects.filter(username=username).exists():
        raise TalentActionError("このユーザー名は使われています。別の名前にしてください。")
    user = User.objects.create_user(username=username, password=password, display_name=fields["display_name"])
    return create_profile(user, fields, by=dataclasses.replace(by, user=user))


@transaction.atomic
def create_profile(user: User, fields: Mapping[str, Any], *, by: Actor) -> TalentProfile:
    """Register an existing account in the talent bank."""
    if TalentProfile.objects.filter(user=user).exists():
        raise TalentActionError("すでに人材として登録されています。")
    profile = TalentProfile(user=user, standard_tag=skills.current_standard().tag)
    for name in PROFILE_FIELDS:
        if name in fields:
            setattr(profile, name, fields[name])
    full_clean(profile, exclude=["user"])
    profile.save()
    audit.record("talent.profile_created", by=by, object_type="talent_profile", object_id=profile.pk)
    return profile


@transaction.atomic
def update_profile(profile: TalentProfile, fields: Mapping[str, Any], *, by: Actor) -> TalentProfile:
    """Change the person's own profile fields (and visibility)."""
    changed = sorted(
        name for name in PROFILE_FIELDS if name in fields and getattr(profile, name) != fields[name]
    )
    for name in changed:
        setattr(profile, name, fields[name])
    profile.updated_at = timezone.now()
    full_clean(profile, exclude=["user"])
    profile.save()
    audit.record(
        "talent.profile_updated",
        by=by,
        object_type="talent_profile",
        object_id=profile.pk,
        detail={"fields": changed},
    )
    return profile


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime | dt.time) else value


@transaction.atomic
def export_profile(profile: TalentProfile, *, by: Actor) -> dict[str, Any]:
    """Everything the platform holds about the person, as JSON-ready data (本人による開示・持ち出し)."""
    data: dict[str, Any] = {
        "format": "chiiki-talent-export/1",
        "exported_at": timezone.now().isoformat(),
        "username": profile.user.get_username(),
        "profile": {name: _iso(getattr(profile, name)) for name in PROFILE_FIELDS},
        "standard": profile.standard_tag,
        "assessed_on": _iso(profile.assessed_on),
        "skills": _exported_skills(profile),
        "evidence": _exported_evidence(profile),
        "introductions": _exported_introductions(profile),
        # The fair-exposure ledger: how often the profile was placed near the top of a need's candidate list.
        "exposure": [
            {"need": e.need.title, "times_shown": e.times_shown, "last_shown": _iso(e.last_shown)}
            for e in Exposure.objects.filter(profile=profile).select_related("need").order_by("id")
        ],
        # Sections of the apps built on the talent bank (side-job contracts and hours, 管理モデル).
        **signals.export_sections(profile),
    }
    audit.record("talent.profile_exported", by=by, object_type="talent_profile", object_id=profile.pk)
    return data


def _exported_skills(profile: TalentProfile) -> list[dict[str, Any]]:
    return [
        {
            "skill_id": s.skill_id,
            "declared": SkillLevel(s.declared).code,
            "supported": SkillLevel(s.supported).code,
            "tier": skills.TIER_JA[s.tier],
        }
        for s in profile.skills.order_by("skill_id")
    ]


def _exported_evidence(profile: TalentProfile) -> list[dict[str, Any]]:
    return [
        {
            "kind": e.kind,
            "certification_id": e.certification_id,
            "itss_level": e.itss_level,
            "role_id": e.role_id,
            "skill_id": e.skill_id,
            "level": e.level,
            "description": e.description,
            "obtained_on": _iso(e.obtained_on),
            "organization": e.organization.name if e.organization else "",
        }
        for e in profile.evidence.select_related("organization")
    ]


def _exported_introductions(profile: TalentProfile) -> list[dict[str, Any]]:
    return [
        {
            "organization": i.organization.name,
            "need": i.need.title if i.need else "",
            "initiated_by": i.initiated_by,
            "message": i.message,
            "state": i.state_ja,
            "created_at": _iso(i.created_at),
        }
        for i in profile.introductions.select_related("organization", "need")
    ]


@transaction.atomic
def delete_profile(profile: TalentProfile, *, by: Actor) -> None:
    """Delete the person's data. The account is closed and anonymized (the audit log keeps who did what)."""
    user = profile.user
    audit.record(
        "talent.profile_deleted",
        by=by,
        object_type="talent_profile",
        object_id=profile.pk,
        detail={"skills": profile.skills.count(), "evidence": profile.evidence.count()},
    )
    profile.delete()  # with everything that refers to it (skills, evidence, introductions, side-job contracts, …)
    if not user.memberships.exists() and not OrganizationMember.objects.filter(user=user).exists():
        user.username = f"deleted-{user.pk}"
        user.display_name = ""
        user.first_name = user.last_name = user.email = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
