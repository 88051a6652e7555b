"""Changes to municipalities and staff. Each runs in one transaction and writes its audit record."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from chiiki.core import audit
from chiiki.core.models import Membership, Municipality, Role, User
from chiiki.jp import load_municipalities as read_municipality_list

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@transaction.atomic
def load_municipalities(*, by: AbstractBaseUser | AnonymousUser | None = None, actor_label: str = "") -> int:
    """Create or update every prefecture and municipality from the shipped list; return how many rows."""
    records = read_municipality_list()
    existing = set(Municipality.objects.values_list("code", flat=True))
    fields = ["prefecture_code", "prefecture", "county", "name", "name_kana", "kind"]
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
    audit.record(
        "core.municipalities_loaded",
        actor=by,
        actor_label=actor_label,
        detail={"created": len(new), "updated": len(old)},
    )
    return len(records)


@transaction.atomic
def grant_role(
    user: User,
    municipality: Municipality,
    role: Role | str,
    *,
    by: AbstractBaseUser | AnonymousUser | None,
    actor_label: str = "",
) -> Membership:
    """Give `user` a role in `municipality` (idempotent)."""
    membership, created = Membership.objects.get_or_create(
        user=user, municipality=municipality, role=str(role)
    )
    if created:
        audit.record(
            "core.role_granted",
            actor=by,
            actor_label=actor_label,
            municipality=municipality,
            object_type="user",
            object_id=user.pk,
            detail={"role": str(role), "username": user.username},
        )
    return membership


@transaction.atomic
def revoke_role(
    user: User, municipality: Municipality, role: Role | str, *, by: AbstractBaseUser | AnonymousUser | None
) -> bool:
    """Remove a role; return whether there was one to remove."""
    deleted, _ = Membership.objects.filter(user=user, municipality=municipality, role=str(role)).delete()
    if deleted:
        audit.record(
            "core.role_revoked",
            actor=by,
            municipality=municipality,
            object_type="user",
            object_id=user.pk,
            detail={"role": str(role), "username": user.username},
        )
    return bool(deleted)


class StaffAccountError(ValueError):
    """A staff account cannot be created as asked (name taken, weak password)."""


@transaction.atomic
def create_staff(
    municipality: Municipality,
    *,
    username: str,
    display_name: str,
    password: str,
    roles: list[Role],
    by: AbstractBaseUser | AnonymousUser | None,
    actor_label: str = "",
) -> User:
    """Create a staff account with roles in one municipality; the password must pass the validators."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if User.objects.filter(username__iexact=username).exists():
        raise StaffAccountError(f"ユーザー名「{username}」はすでに使われています")
    user = User(username=username, display_name=display_name)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise StaffAccountError(" ".join(error.messages)) from error
    user.set_password(password)
    user.save()
    audit.record(
        "core.staff_created",
        actor=by,
        actor_label=actor_label,
        municipality=municipality,
        object_type="user",
        object_id=user.pk,
        detail={"username": username},
    )
    for role in roles:
        grant_role(user, municipality, role, by=by, actor_label=actor_label)
    return user
