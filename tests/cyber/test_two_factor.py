"""Two-factor sign-in for the cyber app: enrolment with the secret shown, verification with real TOTP codes
computed here (RFC 6238), replay and wrong codes refused, and other apps' sign-in unchanged."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.conftest import PASSWORD

from chiiki.core.models import AuditEvent, Municipality, Role, User

from .conftest import Service, recovery_codes_on_page, secret_on_page, totp_code

pytestmark = pytest.mark.django_db


def _password_only(user: User) -> Client:
    client = Client()
    response = client.post("/staff/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_a_contact_enrols_an_authenticator_and_then_reaches_the_app(service: Service) -> None:
    client = _password_only(service.town_contact)
    home = f"/staff/m/{service.prefecture.code}/cyber/"
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{home}two-factor/?next=")

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code
    key = secret_on_page(html)

    wrong = f"{(int(totp_code(key)) + 1) % 1_000_000:06d}"
    refused = client.post(f"{home}two-factor/", {"token": wrong, "next": home})
    assert refused.status_code == 400
    assert "コードが合いません" in refused.content.decode()
    assert not TOTPDevice.objects.filter(user=service.town_contact).exists()
    assert client.get(home).status_code == 302  # still not through

    # The same secret is kept while the page is reloaded (the person may have scanned it already).
    assert secret_on_page(client.get(f"{home}two-factor/").content.decode()) == key
    accepted = client.post(f"{home}two-factor/", {"token": totp_code(key), "next": home})
    assert accepted.status_code == 302
    # Enrolment shows the recovery codes once, then goes on to where the person was going.
    assert accepted["Location"] == f"{home}recovery-codes/?next={home}"
    assert len(recovery_codes_on_page(client.get(accepted["Location"]).content.decode())) == 10
    assert client.get(home).status_code == 200
    device = TOTPDevice.objects.get(user=service.town_contact)
    assert device.confirmed
    actions = list(
        AuditEvent.objects.filter(actor=service.town_contact, action__startswith="cyber.totp")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["cyber.totp_failed", "cyber.totp_enrolled"]


def test_a_new_session_asks_for_a_fresh_code_and_refuses_a_used_one(service: Service) -> None:
    analyst = service.analyst
    first = _password_only(analyst)
    base = f"/staff/m/{service.prefecture.code}/cyber/"
    key = secret_on_page(first.get(f"{base}two-factor/").content.decode())
    used_at = time.time()
    assert first.post(f"{base}two-factor/", {"token": totp_code(key, at=used_at)}).status_code == 302

    second = _password_only(analyst)
    feeds = f"{base}feeds/"
    response = second.get(feeds)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{base}two-factor/verify/?next=")
    # The enrolment page now sends to the code step: one device per person.
    assert second.get(f"{base}two-factor/")["Location"].startswith(f"{base}two-factor/verify/")

    replay = second.post(f"{base}two-factor/verify/", {"token": totp_code(key, at=used_at), "next": feeds})
    assert replay.status_code == 400
    time.sleep(1.1)  # django-otp refuses any try for 2^(failures-1) seconds after a wrong code
    fresh = second.post(
        f"{base}two-factor/verify/", {"token": totp_code(key, at=used_at + 30), "next": feeds}
    )
    assert fresh.status_code == 302
    assert fresh["Location"] == feeds
    assert second.get(feeds).status_code == 200
    assert AuditEvent.objects.filter(actor=analyst, action="cyber.totp_verified").count() == 1
    assert AuditEvent.objects.filter(actor=analyst, action="cyber.totp_failed").count() == 1


def test_the_next_address_stays_on_this_site(service: Service) -> None:
    client = _password_only(service.hospital_contact)
    base = f"/staff/m/{service.prefecture.code}/cyber/"
    key = secret_on_page(client.get(f"{base}two-factor/").content.decode())
    response = client.post(f"{base}two-factor/", {"token": totp_code(key), "next": "https://evil.example/"})
    assert response["Location"] == f"{base}recovery-codes/?next={base}"


def test_staff_without_a_cyber_role_cannot_enrol_here(
    service: Service, make_staff: Callable[..., User]
) -> None:
    other = make_staff("registry-only", service.prefecture, Role.ADMINISTRATOR)
    client = _password_only(other)
    assert client.get(f"/staff/m/{service.prefecture.code}/cyber/two-factor/").status_code == 403


def test_other_apps_sign_in_without_a_second_factor(
    town_a: Municipality, make_staff: Callable[..., User]
) -> None:
    clerk = make_staff("registry-admin", town_a, Role.ADMINISTRATOR)
    client = _password_only(clerk)
    assert client.get(f"/staff/m/{town_a.code}/registry/").status_code == 200
    assert not TOTPDevice.objects.exists()
