"""Recovery codes for the cyber app's second factor (django-otp's static device): made at enrolment and shown
once, each usable once instead of the authenticator's code, made anew on request (the old ones then fail)."""

from __future__ import annotations

from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from tests.conftest import PASSWORD

from chiiki.core.models import AuditEvent, User

from .conftest import Service, recovery_codes_on_page, secret_on_page, totp_code


def _password_only(user: User) -> Client:
    client = Client()
    assert client.post("/staff/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def _enrol(user: User, base: str) -> list[str]:
    client = _password_only(user)
    key = secret_on_page(client.get(f"{base}two-factor/").content.decode())
    accepted = client.post(f"{base}two-factor/", {"token": totp_code(key), "next": base})
    assert accepted["Location"] == f"{base}recovery-codes/?next={base}"
    page = client.get(accepted["Location"])
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    codes = recovery_codes_on_page(page.content.decode())
    # Shown once: the same page again shows how many are left, not the codes.
    again = client.get(f"{base}recovery-codes/").content.decode()
    assert recovery_codes_on_page(again) == []
    assert "使える回復コードは 10 個あります" in again
    return codes


def test_a_recovery_code_signs_in_once(service: Service) -> None:
    base = f"/staff/m/{service.prefecture.code}/cyber/"
    codes = _enrol(service.town_contact, base)
    assert len(codes) == 10
    assert len(set(codes)) == 10

    lost_phone = _password_only(service.town_contact)
    verify = lost_phone.get(f"{base}inbox/")["Location"]
    assert verify.startswith(f"{base}two-factor/verify/")
    assert "回復コードで入る" in lost_phone.get(verify).content.decode()
    spaced = " ".join([codes[0][:4], codes[0][4:]]).upper()  # as shown, typed in capitals
    used = lost_phone.post(f"{base}two-factor/recover/", {"code": spaced, "next": base})
    assert (used.status_code, used["Location"]) == (302, base)
    assert lost_phone.get(base).status_code == 200
    assert StaticToken.objects.filter(device__user=service.town_contact).count() == 9

    another = _password_only(service.town_contact)
    reused = another.post(f"{base}two-factor/recover/", {"code": codes[0], "next": base})
    assert reused.status_code == 400
    assert "すでに使われています" in reused.content.decode()
    assert another.get(base).status_code == 302  # still not through
    actions = list(
        AuditEvent.objects.filter(actor=service.town_contact, action__startswith="cyber.recovery")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["cyber.recovery_codes_made", "cyber.recovery_code_used", "cyber.recovery_code_failed"]


def test_new_codes_replace_the_old_ones(service: Service) -> None:
    base = f"/staff/m/{service.prefecture.code}/cyber/"
    old = _enrol(service.analyst, base)
    client = _password_only(service.analyst)
    assert client.post(f"{base}two-factor/recover/", {"code": old[0], "next": base}).status_code == 302
    made = client.post(f"{base}recovery-codes/", {"next": base})
    assert made.status_code == 302
    new = recovery_codes_on_page(client.get(made["Location"]).content.decode())
    assert len(new) == 10
    assert not set(new) & set(old)
    assert set(
        StaticToken.objects.filter(device__user=service.analyst).values_list("token", flat=True)
    ) == set(new)
    refused = _password_only(service.analyst).post(
        f"{base}two-factor/recover/", {"code": old[1], "next": base}
    )
    assert refused.status_code == 400


def test_regenerating_needs_the_second_factor(service: Service) -> None:
    base = f"/staff/m/{service.prefecture.code}/cyber/"
    client = _password_only(service.hospital_contact)
    response = client.post(f"{base}recovery-codes/", {"next": base})
    assert response.status_code == 302
    assert "/two-factor/" in response["Location"]
    assert not StaticToken.objects.exists()
