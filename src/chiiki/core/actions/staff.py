"""Changes to municipalities and staff. Each runs in one transaction and writes its audit record.

Separation of duties (issue 13, finding 9): whoever administers a municipality cannot audit it — an
administrator cannot hold the auditor role in the same municipality, nor be a platform auditor — and the last
auditor of a municipality cannot be removed, so nobody can leave their own work without a watcher.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Membership, Municipality, Role, User
from chiiki.jp import load_municipalities as read_municipality_list

# Roles one person may not hold together in one municipality: the watched and the watcher.
CONFLICTING = {Role.ADMINISTRATOR: Role.AUDITOR, Role.AUDITOR: Role.ADMINISTRATOR}


class StaffAccountError(ValueError):
    """A staff account cannot be created as asked (name taken, weak password, conflicting roles)."""


class RoleChangeRefused(ValueError):
    """A role cannot be granted or removed (separation of duties); the message says why, for the page."""


@transaction.atomic
def load_municipalities(*, by: Actor) -> int:
    """Create or update every prefecture and municipality from the shipped list; return how many rows."""
    records = read_municipality_list()
    existing = set(Municipality.objects.values_list("code", flat=True))
    fields = [
        "prefecture_code",
        "prefecture",
        "county",
        "name",
        "name_kana",
        "kind",
        "prefecture_en",
        "name_en",
    ]
    new = [
        Municipality(code=r.code, **{f: getattr(r, f) for f in fields})
        for r in records
        if r.code not in existing
    ]
    old = [
        Municipality(code=r.code, **{f: getattr(r, f) for f in fields}) for r in records if r.code in existing
    ]
    Municipality.objects.bulk_create(new, batch_size=500)
    Municipality.objects.bulk_update(old, fields, batch_size=500)
    audit.record("core.municipalities_loaded", by=by, detail={"created": len(new), "updated": len(old)})
    return len(records)


def role_conflict(user: User, municipality: Municipality, role: Role | str) -> str:
    """Why `user` may not get `role` in `municipality` ("" when they may)."""
    role = Role(role)
    other = CONFLICTING.get(role)
    if other and Membership.objects.filter(user=user, municipality=municipality, role=other).exists():
        return _("管理者と監査担当者は、同じ団体で兼ねられません。")
    if role == Role.ADMINISTRATOR and user.is_platform_auditor:
        return _("プラットフォーム監査担当者は、管理者になれません。")
    return ""


@transaction.atomic
def grant_role(user: User, municipality: Municipality, role: Role | str, *, by: Actor) -> Membership:
    """Give `user` a role in `municipality` (idempotent); refuse an administrator the auditor role there."""
    conflict = role_conflict(user, municipality, role)
    if conflict:
        raise RoleChangeRefused(conflict)
    membership, created = Membership.objects.get_or_create(
        user=user, municipality=municipality, role=str(role)
    )
    if created:
        audit.record(
            "core.role_granted",
            by=by,
            municipality=municipality,
            object_type="user",
            object_id=user.pk,
            detail={"role": str(role), "username": user.username},
        )
    return membership


@transaction.atomic
def revoke_role(user: User, municipality: Municipality, role: Role | str, *, by: Actor) -> bool:
    """Remove a role; return whether there was one to remove. The last auditor of a municipality stays."""
    if str(role) == Role.AUDITOR:
        # Locked, so two administrators removing the last two auditors at once cannot both succeed.
        auditors = list(
            Membership.objects.select_for_update()
            .filter(municipality=municipality, role=Role.AUDITOR)
            .values_list("user_id", flat=True)
        )
        if auditors == [user.pk]:
            raise RoleChangeRefused(_("最後の監査担当者は外せません。先に別の人を監査担当者にしてください。"))
    deleted, _count = Membership.objects.filter(user=user, municipality=municipality, role=str(role)).delete()
    if deleted:
        audit.record(
            "core.role_revoked",
            by=by,
            municipality=municipality,
            object_type="user",
            object_id=user.pk,
            detail={"role": str(role), "username": user.username},
        )
    return bool(deleted)


@transaction.atomic
def set_platform_auditor(user: User, appointed: bool, *, by: Actor) -> bool:
    """Appoint (or dismiss) a platform auditor; return whether anything changed. Never an administrator."""
    if appointed and Membership.objects.filter(user=user, role=Role.ADMINISTRATOR).exists():
        raise RoleChangeRefused(_("管理者はプラットフォーム監査担当者になれません。"))
    if user.is_platform_auditor == appointed:
        return False
    user.is_platform_auditor = appointed
    user.save(update_fields=["is_platform_auditor"])
    audit.record(
        "core.platform_auditor_appointed" if appointed else "core.platform_auditor_dismissed",
        by=by,
        object_type="user",
        object_id=user.pk,
        detail={"username": user.username},
    )
    return True


@transaction.atomic
def create_staff(
    municipality: Municipality,
    *,
    username: str,
    display_name: str,
    password: str,
    roles: list[Role],
    by: Actor,
) -> User:
    """Create a staff account with roles in one municipality; the password must pass the validators."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if User.objects.filter(username__iexact=username).exists():
        raise StaffAccountError(_("ユーザー名「%(name)s」はすでに使われています") % {"name": username})
    if Role.ADMINISTRATOR in roles and Role.AUDITOR in roles:
        raise StaffAccountError(_("管理者と監査担当者は、同じ団体で兼ねられません。"))
    user = User(username=username, display_name=display_name, home_municipality=municipality)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise StaffAccountError(" ".join(error.messages)) from error
    user.set_password(password)
    user.save()
    audit.record(
        "core.staff_created",
        by=by,
        municipality=municipality,
        object_type="user",
        object_id=user.pk,
        detail={"username": username},
    )
    for role in roles:
        grant_role(user, municipality, role, by=by)
    return user
