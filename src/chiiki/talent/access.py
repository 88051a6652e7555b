"""Who may act for an organization, and which sections of a profile a viewer may see.

A municipality's organization acts through its staff's `talent.post_need` role (the one permission check);
a company or startup through its `OrganizationMember`s. A profile section marked "organizations" is visible
to people acting for a *verified* organization; "private" only to the person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from chiiki.core.permissions import has_permission, municipalities_with
from chiiki.talent.models import Introduction, Organization, TalentProfile, Visibility

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    Viewer = AbstractBaseUser | AnonymousUser

SECTIONS = ("profile", "skills", "availability", "fees")


def organizations_for(user: Viewer) -> QuerySet[Organization]:
    """The organizations `user` may act for."""
    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    municipalities = municipalities_with(user, "talent.post_need")
    return Organization.objects.filter(
        Q(members__user_id=user.pk) | Q(municipality__in=municipalities)
    ).distinct()


def can_act_for(user: Viewer, organization: Organization) -> bool:
    """True when `user` may post needs, accept introductions and record hours for `organization`."""
    if not user.is_authenticated or not user.is_active:
        return False
    if organization.kind == Organization.Kind.MUNICIPALITY:
        code = organization.municipality_id
        return code is not None and has_permission(user, code, "talent.post_need")
    return organization.members.filter(user_id=user.pk).exists()


def acts_for_verified_organization(user: Viewer) -> bool:
    """True when `user` acts for at least one verified organization (sees sections marked "organizations")."""
    return organizations_for(user).filter(verified=True).exists()


def profile_of(user: Viewer) -> TalentProfile | None:
    """The viewer's own talent profile, if any."""
    if not user.is_authenticated:
        return None
    return TalentProfile.objects.filter(user_id=user.pk).first()


def visible_sections(
    profile: TalentProfile, user: Viewer, *, verified_viewer: bool | None = None
) -> set[str]:
    """The sections of `profile` that `user` may see (the owner sees all). `verified_viewer` may be precomputed."""
    if user.is_authenticated and profile.user_id == user.pk:
        return set(SECTIONS)
    if verified_viewer is None:
        verified_viewer = acts_for_verified_organization(user)
    allowed = {Visibility.PUBLIC.value, *([Visibility.ORGANIZATIONS.value] if verified_viewer else [])}
    if profile.visibility_profile not in allowed:
        return set()  # the profile itself is hidden: nothing else shows either
    return {s for s in SECTIONS if getattr(profile, f"visibility_{s}") in allowed}


def listable_profiles(user: Viewer) -> QuerySet[TalentProfile]:
    """Profiles whose basic section `user` may see (search results and match lists draw from these)."""
    allowed = [Visibility.PUBLIC.value]
    if acts_for_verified_organization(user):
        allowed.append(Visibility.ORGANIZATIONS.value)
    query = Q(visibility_profile__in=allowed, user__is_active=True)
    if user.is_authenticated:
        query |= Q(user_id=user.pk)
    return TalentProfile.objects.filter(query)


def side_of(user: Viewer | None, intro: Introduction) -> str | None:
    """Which side of the introduction `user` stands on (talent first when both), or None."""
    if user is None or not user.is_authenticated:
        return None
    if intro.profile.user_id == user.pk:
        return Introduction.Side.TALENT
    if can_act_for(user, intro.organization):
        return Introduction.Side.ORGANIZATION
    return None
