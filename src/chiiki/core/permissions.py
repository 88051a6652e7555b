"""The one permission check: what each role may do in its municipality.

Every view, API endpoint and command asks `has_permission(user, municipality, permission)`; nothing else decides.
Superusers get no implicit access to personal data: they too need a role in the municipality.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chiiki.core.models import Membership, Municipality, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.db.models import QuerySet

R = Role
PERMISSIONS: dict[str, frozenset[str]] = {
    "core.view_audit": frozenset({R.AUDITOR}),
    "core.manage_staff": frozenset({R.ADMINISTRATOR}),
    "registry.view": frozenset({R.ADMINISTRATOR, R.SURVEY_MANAGER, R.LINKAGE_OFFICER}),
    "registry.import": frozenset({R.ADMINISTRATOR}),
    "surveys.manage": frozenset({R.ADMINISTRATOR, R.SURVEY_MANAGER}),
    "surveys.assist": frozenset({R.SURVEY_MANAGER, R.HELPDESK}),
    "surveys.fieldwork": frozenset({R.ENUMERATOR}),
    "linkage.review": frozenset({R.LINKAGE_OFFICER}),
    "opendata.edit": frozenset({R.ADMINISTRATOR, R.OPENDATA_EDITOR}),
    "talent.post_need": frozenset({R.ADMINISTRATOR}),
    "talent.verify_organization": frozenset({R.ADMINISTRATOR}),
    "talent.view_dashboard": frozenset({R.ADMINISTRATOR, R.AUDITOR}),
    # Coverage (seed §8(1)): triage dead-zone reports (exact places are personal data), import measurements.
    "coverage.manage": frozenset({R.ADMINISTRATOR, R.COVERAGE_OFFICER}),
    # cyber: the operator's (prefecture's) analysts load advisories and run the members; each member body's
    # contacts hold CYBER_CONTACT there and see only their own body's alerts (checked per body in cyber.queries).
    "cyber.analyse": frozenset({R.CYBER_ANALYST}),
    "cyber.respond": frozenset({R.CYBER_ANALYST, R.CYBER_CONTACT}),
    # procedures: policy staff define allowances and run eligibility; clerks load facts, follow up and pay;
    # the help desk answers notices on a resident's behalf
    "procedures.define_benefit": frozenset({R.BENEFIT_POLICY}),
    "procedures.process": frozenset({R.PROCEDURE_CLERK, R.BENEFIT_POLICY}),
    "procedures.pay": frozenset({R.PROCEDURE_CLERK}),
    "procedures.assist": frozenset({R.PROCEDURE_CLERK, R.HELPDESK}),
    "infosafety.factcheck": frozenset({R.INFOSAFETY_EDITOR}),
    "infosafety.screen": frozenset({R.INFOSAFETY_EDITOR}),
    "infosafety.signals": frozenset({R.INFOSAFETY_EDITOR, R.ADMINISTRATOR}),
}


class UnknownPermissionError(KeyError):
    """A permission name that is not in PERMISSIONS: a programming error, never a silent deny."""


def roles_for(permission: str) -> frozenset[str]:
    """The roles that grant `permission`."""
    try:
        return PERMISSIONS[permission]
    except KeyError as error:
        raise UnknownPermissionError(permission) from error


def has_permission(
    user: AbstractBaseUser | AnonymousUser, municipality: Municipality | str, permission: str
) -> bool:
    """True when `user` holds a role in `municipality` that grants `permission`."""
    allowed = roles_for(permission)
    if not user.is_authenticated or not user.is_active:
        return False
    code = municipality if isinstance(municipality, str) else municipality.code
    return Membership.objects.filter(user_id=user.pk, municipality_id=code, role__in=allowed).exists()


def municipalities_with(user: AbstractBaseUser | AnonymousUser, permission: str) -> QuerySet[Municipality]:
    """The municipalities in which `user` holds `permission`."""
    allowed = roles_for(permission)
    if not user.is_authenticated or not user.is_active:
        return Municipality.objects.none()
    return Municipality.objects.filter(memberships__user_id=user.pk, memberships__role__in=allowed).distinct()


def permissions_of(user: AbstractBaseUser | AnonymousUser, municipality: Municipality | str) -> set[str]:
    """Every permission `user` holds in `municipality` (for menus; checks use has_permission)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    code = municipality if isinstance(municipality, str) else municipality.code
    roles = set(
        Membership.objects.filter(user_id=user.pk, municipality_id=code).values_list("role", flat=True)
    )
    return {name for name, allowed in PERMISSIONS.items() if roles & allowed}
