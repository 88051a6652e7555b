"""The audit log: every record is searchable by some auditor (finding 8), its CSV detail is JSON, nobody can
both administer and audit a municipality or remove its last auditor (finding 9), and a record changed or
removed behind the application's back — by a database superuser — is found by `chiiki audit verify`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.actions import seal_audit_records, set_platform_auditor
from chiiki.core.audit_chain import verify
from chiiki.core.audit_events import event_label
from chiiki.core.models import AuditEvent, Membership, Municipality, Role, User
from chiiki.core.views import audit_scopes

# Records the issue found stored without a municipality, out of every auditor's reach.
PLATFORM_ACTIONS = [
    "talent.profile_viewed",
    "talent.profiles_searched",
    "core.login",
    "core.login_failed",
    "opendata.token_created",
    "surveys.respondent_login_failed",
]


@pytest.fixture
def platform_auditor(make_staff: Callable[..., User]) -> User:
    person = make_staff("p-auditor")
    set_platform_auditor(person, True, by=Actor.system("test"))
    return person


def test_records_of_no_municipality_are_searchable_by_the_platform_auditor_only(
    town_a: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
    platform_auditor: User,
) -> None:
    for action in PLATFORM_ACTIONS:
        audit.record(action, by=Actor.system("someone"), detail={"note": "x"})
    found = login(platform_auditor).get("/staff/audit/", {"municipality": "platform"})
    assert found.status_code == 200
    page = found.content.decode()
    for action in PLATFORM_ACTIONS:
        assert str(event_label(action)) in page  # shown in words (chiiki.core.audit_events)
    town_auditor = login(make_staff("a-auditor", town_a, Role.AUDITOR))
    refused = town_auditor.get("/staff/audit/", {"municipality": "platform"}).content.decode()
    assert str(event_label("talent.profile_viewed")) not in refused
    # The platform auditor's own search is recorded where platform auditors see it.
    assert AuditEvent.objects.filter(action="core.audit_viewed", municipality=None).exists()


def test_every_record_falls_in_the_scope_of_some_auditor(
    town_a: Municipality, town_b: Municipality, make_staff: Callable[..., User], platform_auditor: User
) -> None:
    auditors = [make_staff("a-auditor", town_a, Role.AUDITOR), make_staff("b-auditor", town_b, Role.AUDITOR)]
    audit.record("core.login_failed", by=Actor.system("x"))
    audit.record("surveys.exported", by=Actor.system("x"), municipality=town_b)
    visible: set[str | None] = set()
    for person in [*auditors, platform_auditor]:
        visible |= {None if code == "platform" else code for code, _label in audit_scopes(person)}
    stored = set(AuditEvent.objects.values_list("municipality_id", flat=True).distinct())
    assert stored <= visible


def test_the_audit_csv_detail_column_is_json(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    audit.record(
        "registry.viewed", by=Actor.system("x"), municipality=town_a, detail={"rows": 3, "名前": "山田"}
    )
    client = login(make_staff("a-auditor", town_a, Role.AUDITOR))
    response = client.get(
        "/staff/audit/export.csv", {"municipality": town_a.code, "action": "registry.viewed"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))  # type: ignore[attr-defined]
    assert json.loads(rows[1][-1]) == {"rows": 3, "名前": "山田"}


# ------------------------------------------------------------------------------------ separation of duties


def _role_change(client: Client, town: Municipality, user: User, role: str, change: str) -> Any:
    return client.post(
        f"/staff/m/{town.code}/staff/",
        {"form": "role", "user": user.pk, "role": role, "change": change},
        follow=True,
    )


def test_an_administrator_cannot_make_himself_auditor(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    admin = make_staff("a-admin", town_a, Role.ADMINISTRATOR)
    client = login(admin)
    page = _role_change(client, town_a, admin, Role.AUDITOR, "grant").content.decode()
    assert "管理者と監査担当者は、同じ団体で兼ねられません。" in page
    assert not Membership.objects.filter(user=admin, role=Role.AUDITOR).exists()
    # The page does not even offer it.
    assert (
        f'<option value="{Role.AUDITOR}">' not in page.split(f'id="role-{admin.pk}"')[1].split("</select>")[0]
    )


def test_the_last_auditor_cannot_be_removed_and_a_removed_one_can_be_given_the_role_back(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    admin = login(make_staff("a-admin", town_a, Role.ADMINISTRATOR))
    first = make_staff("a-auditor", town_a, Role.AUDITOR)
    page = _role_change(admin, town_a, first, Role.AUDITOR, "revoke").content.decode()
    assert "最後の監査担当者は外せません" in page
    assert Membership.objects.filter(user=first, role=Role.AUDITOR).exists()
    # With a second auditor, the first may go; they stay on the page (created for this town) and can come back.
    second = make_staff("a-auditor2", town_a, Role.AUDITOR)
    User.objects.filter(pk__in=[first.pk, second.pk]).update(home_municipality=town_a)
    _role_change(admin, town_a, first, Role.AUDITOR, "revoke")
    assert not Membership.objects.filter(user=first).exists()
    listed = admin.get(f"/staff/m/{town_a.code}/staff/").content.decode()
    assert f'id="role-{first.pk}"' in listed
    _role_change(admin, town_a, first, Role.AUDITOR, "grant")
    assert Membership.objects.filter(user=first, role=Role.AUDITOR).exists()


def test_an_administrator_is_no_platform_auditor(
    town_a: Municipality, make_staff: Callable[..., User]
) -> None:
    from chiiki.core.actions import RoleChangeRefused, grant_role

    admin = make_staff("a-admin", town_a, Role.ADMINISTRATOR)
    with pytest.raises(RoleChangeRefused):
        set_platform_auditor(admin, True, by=Actor.system("test"))
    watcher = make_staff("p-auditor")
    set_platform_auditor(watcher, True, by=Actor.system("test"))
    with pytest.raises(RoleChangeRefused):
        grant_role(watcher, town_a, Role.ADMINISTRATOR, by=Actor.system("test"))


# ------------------------------------------------------------------------------------ tamper evidence

TABLE = "core_auditevent"


def as_database_superuser(sql: str, params: list[Any]) -> None:
    """Change the audit table the way a database superuser can: with the append-only triggers out of the way."""
    from chiiki.core.migrations import _audit_triggers

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER {TABLE}_no_update")
            cursor.execute(f"DROP TRIGGER {TABLE}_no_delete")
            cursor.execute(sql, params)
            for statement in _audit_triggers.SQLITE:
                cursor.execute(statement)
        else:  # a superuser's session that fires no triggers
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


@pytest.fixture
def chained(town_a: Municipality) -> list[AuditEvent]:
    for n in range(5):
        audit.record("registry.viewed", by=Actor.system("x"), municipality=town_a, detail={"n": n})
        audit.record("core.login_failed", by=Actor.system(f"guess{n}"))
    seal_audit_records()
    return list(AuditEvent.objects.filter(municipality=town_a, action="registry.viewed").order_by("id"))


def test_an_intact_log_verifies(chained: list[AuditEvent]) -> None:
    breaks, checked = verify()
    assert breaks == []
    assert checked[chained[0].municipality_id] >= 5
    assert checked[""] >= 5
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "OK" in out.getvalue()


def test_a_record_edited_in_the_database_is_named_as_the_first_broken_link(chained: list[AuditEvent]) -> None:
    victim = chained[2]
    as_database_superuser(
        "UPDATE core_auditevent SET actor_label = %s WHERE id = %s", ["someone else", victim.pk]
    )
    breaks, _checked = verify()
    assert [(b.chain, b.event_id) for b in breaks] == [(victim.municipality_id, victim.pk)]
    assert "changed" in breaks[0].reason
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("audit_verify", stderr=err)
    assert f"audit record {victim.pk}" in err.getvalue()


def test_a_record_deleted_in_the_database_is_found(chained: list[AuditEvent]) -> None:
    victim = chained[1]
    as_database_superuser("DELETE FROM core_auditevent WHERE id = %s", [victim.pk])
    breaks, _checked = verify()
    assert len(breaks) == 1
    assert breaks[0].seq == victim.chain_seq
    assert "missing" in breaks[0].reason


def test_records_removed_from_the_end_are_found(chained: list[AuditEvent]) -> None:
    as_database_superuser("DELETE FROM core_auditevent WHERE id = %s", [chained[-1].pk])
    breaks, _checked = verify()
    assert len(breaks) == 1
    assert "removed from the end" in breaks[0].reason


def test_a_rewritten_chain_is_caught_against_heads_saved_earlier(chained: list[AuditEvent]) -> None:
    from chiiki.core.audit_chain import heads

    saved = heads()
    victim = chained[0]
    # A superuser who recomputes the whole chain after the edit leaves a consistent chain...
    as_database_superuser(
        "UPDATE core_auditevent SET actor_label = %s, chain_hash = NULL, chain_seq = NULL WHERE municipality_id = %s",
        ["someone else", victim.municipality_id],
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditchainhead WHERE chain = %s", [victim.municipality_id])
    seal_audit_records()
    assert verify()[0] == []
    # ...which no longer passes through the head recorded before.
    breaks, _checked = verify(against=saved)
    assert [b.chain for b in breaks] == [victim.municipality_id]


def test_the_application_can_chain_a_record_once_and_change_nothing_else(town_a: Municipality) -> None:
    event = audit.record("registry.viewed", by=Actor.system("x"), municipality=town_a)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET actor_label = 'x' WHERE id = %s", [event.pk])
    seal_audit_records()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET chain_hash = 'x' WHERE id = %s", [event.pk])
