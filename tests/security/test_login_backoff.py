"""Finding 1: one person could lock every login. Behind the proxy every request had the proxy's address, and 20
failures from one address locked everybody at it for 15 minutes. Now the client address comes from the trusted
proxy's header, failures count per account and address with an exponential back-off, and a browser that signed
in to an account before gets through while that account is guessed from elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.surveys.answering_setup import Letter, open_survey
from tests.surveys.test_answer_login import unused_login_id

from chiiki.core import throttle
from chiiki.core.actions import note_login_failure
from chiiki.core.known_devices import COOKIE
from chiiki.core.models import AuditEvent, LoginFailure, Municipality, Role, User

PASSWORD = "correct-horse-battery-staple"  # tests/conftest.py
PROXY = "127.0.0.1"
WRONG_STAFF = "ユーザー名またはパスワードが違います"
WAIT = "待ってからお試しください"
LOCKED_RESIDENT = "しばらくの間ログインできません"


@pytest.fixture
def behind_proxy(settings: Any) -> None:
    settings.CHIIKI_TRUSTED_PROXIES = [PROXY]


@pytest.fixture
def cheap_hashing(settings: Any) -> None:
    """The residents' keys and passwords with a fast hasher: these tests count attempts, not hashing cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def via_proxy(client_address: str) -> Client:
    """A browser at `client_address` whose requests reach Chiiki through the reverse proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def staff_attempt(client: Client, username: str, password: str) -> Any:
    return client.post("/staff/login/", {"username": username, "password": password})


def resident_attempt(client: Client, login_id: str, secret: str) -> Any:
    return client.post("/answer/", {"login_id": login_id, "secret": secret})


@pytest.fixture
def letters(town_a: Municipality, cheap_hashing: None) -> list[Letter]:
    return open_survey(town_a)[1]


@pytest.fixture
def staff(town_a: Municipality, make_staff: Callable[..., User]) -> User:
    return make_staff("a-admin", town_a, Role.ADMINISTRATOR)


@pytest.mark.usefixtures("behind_proxy")
def test_made_up_names_from_one_client_behind_the_proxy_lock_out_nobody_else(
    staff: User, letters: list[Letter]
) -> None:
    attacker = via_proxy("203.0.113.66")
    for n in range(25):
        assert WRONG_STAFF in staff_attempt(attacker, f"nobody{n}", "guess").content.decode()
    assert staff_attempt(via_proxy("198.51.100.10"), staff.username, PASSWORD).status_code == 302
    assert (
        resident_attempt(via_proxy("198.51.100.11"), letters[0].login_id, letters[0].access_key).status_code
        == 302
    )
    # The audit log names each client, not the proxy.
    failed = AuditEvent.objects.filter(action="core.login_failed")
    assert set(failed.values_list("ip_address", flat=True)) == {"203.0.113.66"}
    login = AuditEvent.objects.get(action="core.login")
    assert (login.ip_address, login.actor_id) == ("198.51.100.10", staff.pk)
    assert AuditEvent.objects.get(action="surveys.respondent_login").ip_address == "198.51.100.11"


def test_made_up_names_from_a_shared_address_lock_out_nobody_at_that_address(
    staff: User, letters: list[Letter]
) -> None:
    """A school, a care home or a municipal office behind one NAT address: one pupil's 40 failures slow down
    those 40 names, not the staff or the residents who sign in from the same address."""
    school = "192.0.2.50"
    for n in range(20):
        staff_attempt(Client(REMOTE_ADDR=school), f"nobody{n}", "guess")
        resident_attempt(Client(REMOTE_ADDR=school), unused_login_id(), "AAAA-AAAA")
    assert staff_attempt(Client(REMOTE_ADDR=school), staff.username, PASSWORD).status_code == 302
    resident = resident_attempt(Client(REMOTE_ADDR=school), letters[0].login_id, letters[0].access_key)
    assert resident.status_code == 302


def test_failures_of_one_account_at_one_address_back_off_there_only(staff: User) -> None:
    home, office = "192.0.2.1", "192.0.2.2"
    for _ in range(5):
        assert (
            WRONG_STAFF in staff_attempt(Client(REMOTE_ADDR=home), staff.username, "wrong").content.decode()
        )
    # The sixth attempt waits, even with the right password, and says so without saying what was wrong.
    waiting = staff_attempt(Client(REMOTE_ADDR=home), staff.username, PASSWORD).content.decode()
    assert WAIT in waiting
    assert AuditEvent.objects.filter(action="core.login_locked", ip_address=home).count() == 1
    # Attempts refused while waiting are not checked and not counted: hammering does not lengthen the wait.
    staff_attempt(Client(REMOTE_ADDR=home), staff.username, "wrong")
    assert LoginFailure.objects.count() == 5
    # The same account from another address is not held back.
    assert staff_attempt(Client(REMOTE_ADDR=office), staff.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_wait_doubles_with_each_failure_up_to_the_window(settings: Any) -> None:
    settings.CHIIKI_LOGIN_MAX_FAILURES = 5
    settings.CHIIKI_LOGIN_BACKOFF_SECONDS = 30
    settings.CHIIKI_LOGIN_WINDOW_SECONDS = 900
    start = timezone.now()
    waits = []
    for _ in range(11):
        LoginFailure.objects.create(username="hanako", ip_address="192.0.2.1", at=start)
        waits.append(throttle.wait_seconds("hanako", "192.0.2.1", now=start))
    assert waits == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]
    # Once the wait has passed, the next attempt goes ahead.
    assert throttle.wait_seconds("hanako", "192.0.2.1", now=start + timedelta(seconds=901)) == 0


@pytest.mark.django_db
def test_one_account_guessed_from_many_addresses_waits_for_unknown_browsers_only() -> None:
    for n in range(20):
        note_login_failure("hanako", f"203.0.113.{n}")
    assert throttle.is_locked("hanako", "198.51.100.1")  # a browser that never signed in to it
    assert not throttle.is_locked("hanako", "198.51.100.1", device="the-owners-phone")
    assert not throttle.is_locked("taro", "203.0.113.1")  # other accounts at those addresses are untouched


def test_the_owners_browser_signs_in_while_the_account_is_guessed_from_everywhere(staff: User) -> None:
    owner = Client(REMOTE_ADDR="198.51.100.7")
    assert staff_attempt(owner, staff.username, PASSWORD).status_code == 302
    assert COOKIE in owner.cookies
    owner.post("/staff/logout/")
    for n in range(20):
        staff_attempt(Client(REMOTE_ADDR=f"203.0.113.{n}"), staff.username, "guess")
    assert (
        WAIT in staff_attempt(Client(REMOTE_ADDR="198.51.100.8"), staff.username, PASSWORD).content.decode()
    )
    assert staff_attempt(owner, staff.username, PASSWORD).status_code == 302
    # A cookie that was not signed by the server is no known device.
    forger = Client(REMOTE_ADDR="198.51.100.9")
    forger.cookies[COOKIE] = owner.cookies[COOKIE].value[:-3] + "AAA"
    assert WAIT in staff_attempt(forger, staff.username, PASSWORD).content.decode()


def test_a_resident_who_answered_before_signs_in_while_the_id_is_guessed_elsewhere(
    letters: list[Letter],
) -> None:
    """The way around the back-off for residents that needs no CAPTCHA: their own phone is known."""
    letter = letters[0]
    phone = Client(REMOTE_ADDR="198.51.100.20")
    assert resident_attempt(phone, letter.login_id, letter.access_key)["Location"] == "/answer/password/"
    phone.post("/answer/password/", {"password": "kawa-2025-mori", "confirmation": "kawa-2025-mori"})
    phone.post("/answer/logout/")
    for n in range(20):
        resident_attempt(Client(REMOTE_ADDR=f"203.0.113.{n}"), letter.login_id, "AAAA-AAAA")
    stranger = resident_attempt(Client(REMOTE_ADDR="198.51.100.21"), letter.login_id, "kawa-2025-mori")
    assert LOCKED_RESIDENT in stranger.content.decode()
    assert resident_attempt(phone, letter.login_id, "kawa-2025-mori").status_code == 302
