"""Administrators create staff accounts and change roles in their own municipality only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from chiiki.core.models import AuditEvent, Membership, Municipality, Role, User


def test_administrator_creates_an_account_with_roles(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_staff("a-admin", town_a, Role.ADMINISTRATOR))
    response = client.post(
        f"/staff/m/{town_a.code}/staff/",
        {
            "form": "new",
            "username": "tanaka",
            "display_name": "田中",
            "password": "long-enough-pass-123",
            "roles": [Role.ENUMERATOR, Role.HELPDESK],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="tanaka")
    assert set(user.memberships.values_list("role", flat=True)) == {Role.ENUMERATOR, Role.HELPDESK}
    assert user.check_password("long-enough-pass-123")
    assert AuditEvent.objects.filter(action="core.staff_created", municipality=town_a).count() == 1
    assert AuditEvent.objects.filter(action="core.role_granted", municipality=town_a).count() == 2


def test_weak_password_and_taken_name_are_explained(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_staff("a-admin", town_a, Role.ADMINISTRATOR))
    weak = client.post(
        f"/staff/m/{town_a.code}/staff/",
        {"form": "new", "username": "sato", "password": "12345", "roles": [Role.AUDITOR]},
    )
    assert weak.status_code == 200
    assert not User.objects.filter(username="sato").exists()
    taken = client.post(
        f"/staff/m/{town_a.code}/staff/",
        {"form": "new", "username": "A-ADMIN", "password": "long-enough-pass-123", "roles": [Role.AUDITOR]},
    )
    assert "すでに使われています" in taken.content.decode()


def test_roles_are_granted_and_revoked_but_not_ones_own_administrator_role(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    admin = make_staff("a-admin", town_a, Role.ADMINISTRATOR)
    clerk = make_staff("a-clerk", town_a, Role.ENUMERATOR)
    client = login(admin)
    url = f"/staff/m/{town_a.code}/staff/"
    client.post(url, {"form": "role", "user": clerk.pk, "role": Role.AUDITOR, "change": "grant"})
    client.post(url, {"form": "role", "user": clerk.pk, "role": Role.ENUMERATOR, "change": "revoke"})
    assert list(clerk.memberships.values_list("role", flat=True)) == [Role.AUDITOR]
    client.post(url, {"form": "role", "user": admin.pk, "role": Role.ADMINISTRATOR, "change": "revoke"})
    assert Membership.objects.filter(user=admin, role=Role.ADMINISTRATOR).exists()


def test_administrator_cannot_touch_staff_of_another_town(
    town_a: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    outsider = make_staff("b-clerk", town_b, Role.ENUMERATOR)
    client = login(make_staff("a-admin", town_a, Role.ADMINISTRATOR))
    response = client.post(
        f"/staff/m/{town_a.code}/staff/",
        {"form": "role", "user": outsider.pk, "role": Role.AUDITOR, "change": "grant"},
    )
    assert response.status_code == 200  # the form refuses a user who is not staff of town A
    assert not Membership.objects.filter(user=outsider, municipality=town_a).exists()


def test_staff_add_command_creates_an_account(
    town_a: Municipality, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command(
        "staff_add",
        "--municipality",
        town_a.code,
        "--username",
        "suzuki",
        "--role",
        "auditor",
        "--role",
        "enumerator",
        "--generate-password",
    )
    assert "初期パスワード" in capsys.readouterr().out
    assert set(User.objects.get(username="suzuki").memberships.values_list("role", flat=True)) == {
        "auditor",
        "enumerator",
    }
    with pytest.raises(CommandError, match="すでに使われています"):
        call_command(
            "staff_add",
            "--municipality",
            town_a.code,
            "--username",
            "suzuki",
            "--role",
            "auditor",
            "--generate-password",
        )
