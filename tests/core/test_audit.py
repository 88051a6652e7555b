"""The audit log records every read of personal data and cannot be changed or deleted by anyone."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, AuditLogImmutableError, Municipality, Role, User
from chiiki.registry.models import Household


def test_saved_event_cannot_be_saved_again(town_a: Municipality) -> None:
    event = audit.record("test.action", by=Actor.system("t"), municipality=town_a)
    event.action = "rewritten"
    with pytest.raises(AuditLogImmutableError):
        event.save()


def test_event_cannot_be_deleted_through_the_model_or_queryset(town_a: Municipality) -> None:
    event = audit.record("test.action", by=Actor.system("t"), municipality=town_a)
    with pytest.raises(AuditLogImmutableError):
        event.delete()
    with pytest.raises(AuditLogImmutableError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditLogImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    assert AuditEvent.objects.filter(pk=event.pk, action="test.action").exists()


@pytest.mark.parametrize(
    "statement", ["UPDATE core_auditevent SET action = 'x'", "DELETE FROM core_auditevent"]
)
def test_database_refuses_raw_update_and_delete(town_a: Municipality, statement: str) -> None:
    audit.record("test.action", by=Actor.system("t"), municipality=town_a)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.filter(action="test.action").count() == 1


def test_viewing_a_household_is_audited_with_who_and_from_where(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    user = make_staff("a-survey", town_a, Role.SURVEY_MANAGER)
    client = login(user)
    household = Household.objects.filter(municipality=town_a).first()
    assert household is not None
    response = client.get(
        f"/staff/m/{town_a.code}/registry/households/{household.pk}/",
        HTTP_USER_AGENT="test-browser",
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 200
    assert household.members.first().family_name in response.content.decode()  # type: ignore[union-attr]
    event = AuditEvent.objects.filter(action="registry.household_viewed").get()
    assert (event.actor, event.municipality, event.object_id) == (user, town_a, str(household.pk))
    assert event.ip_address == "192.0.2.7"
    assert event.user_agent == "test-browser"


def test_auditor_searches_and_exports_only_their_municipality(
    town_a: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    audit.record("secret.b_action", by=Actor.system("b-clerk"), municipality=town_b)
    audit.record("visible.a_action", by=Actor.system("a-clerk"), municipality=town_a)
    client = login(make_staff("a-auditor", town_a, Role.AUDITOR))
    page = client.get("/staff/audit/", {"municipality": town_a.code})
    assert page.status_code == 200
    assert "visible.a_action" in page.content.decode()
    assert "secret.b_action" not in page.content.decode()
    assert client.get("/staff/audit/", {"municipality": town_b.code}).status_code == 200
    assert (
        "secret.b_action" not in client.get("/staff/audit/", {"municipality": town_b.code}).content.decode()
    )
    export = client.get("/staff/audit/export.csv", {"municipality": town_a.code, "action": "a_action"})
    body = b"".join(export.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert body.startswith("\ufeff日時,")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert [row[3] for row in rows[1:]] == ["visible.a_action"]
    assert AuditEvent.objects.filter(action="core.audit_exported", municipality=town_a).count() == 1


def test_non_auditor_cannot_see_the_audit_log(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_staff("a-admin", town_a, Role.ADMINISTRATOR))
    assert client.get("/staff/audit/", {"municipality": town_a.code}).status_code == 403
    assert client.get("/staff/audit/export.csv", {"municipality": town_a.code}).status_code == 403


def test_audit_log_has_no_edit_routes_in_admin(town_a: Municipality, make_staff: Callable[..., User]) -> None:
    root = make_staff("root")
    root.is_superuser = root.is_staff = True
    root.save()
    client = Client()
    client.force_login(root)
    event = audit.record("test.action", by=Actor.system("t"), municipality=town_a)
    response = client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code in (403, 404)
    assert AuditEvent.objects.filter(pk=event.pk).exists()
