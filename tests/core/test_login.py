"""Staff login: rate-limited, audited, and silent about which part was wrong."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from tests.conftest import PASSWORD

from chiiki.core.models import AuditEvent, Municipality, Role, User


def test_login_locks_after_five_failures_even_with_the_right_password(
    town_a: Municipality, make_staff: Callable[..., User]
) -> None:
    make_staff("a-admin", town_a, Role.ADMINISTRATOR)
    client = Client()
    for _ in range(5):
        response = client.post("/staff/login/", {"username": "a-admin", "password": "wrong"})
        assert "ユーザー名またはパスワードが違います" in response.content.decode()
    response = client.post("/staff/login/", {"username": "a-admin", "password": PASSWORD})
    assert response.status_code == 200
    assert "しばらくの間ログインできません" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="core.login_failed").count() == 5
    assert AuditEvent.objects.filter(action="core.login_locked").count() == 1


def test_unknown_user_gets_the_same_message_as_a_wrong_password(db: None) -> None:
    response = Client().post("/staff/login/", {"username": "nobody", "password": "x"})
    assert "ユーザー名またはパスワードが違います" in response.content.decode()


def test_successful_login_resets_the_count_and_is_audited(
    town_a: Municipality, make_staff: Callable[..., User]
) -> None:
    user = make_staff("a-admin", town_a, Role.ADMINISTRATOR)
    client = Client()
    for _ in range(4):
        client.post("/staff/login/", {"username": "a-admin", "password": "wrong"})
    assert client.post("/staff/login/", {"username": "a-admin", "password": PASSWORD}).status_code == 302
    assert AuditEvent.objects.filter(action="core.login", actor=user).exists()
    client.post("/staff/logout/")
    for _ in range(4):
        client.post("/staff/login/", {"username": "a-admin", "password": "wrong"})
    assert client.post("/staff/login/", {"username": "a-admin", "password": PASSWORD}).status_code == 302


def test_login_ignores_an_offsite_next_url(town_a: Municipality, make_staff: Callable[..., User]) -> None:
    make_staff("a-admin", town_a, Role.ADMINISTRATOR)
    response = Client().post(
        "/staff/login/", {"username": "a-admin", "password": PASSWORD, "next": "//evil.example/"}
    )
    assert response["Location"] == "/staff/"


def test_passwords_are_hashed_with_argon2(town_a: Municipality, make_staff: Callable[..., User]) -> None:
    user = make_staff("a-admin", town_a, Role.ADMINISTRATOR)
    assert user.password.startswith("argon2$")


def test_hashes_use_owasp_argon2_parameters_and_old_hashes_still_verify_and_upgrade(
    town_a: Municipality, make_staff: Callable[..., User]
) -> None:
    from django.contrib.auth.hashers import Argon2PasswordHasher

    user = make_staff("a-admin", town_a, Role.ADMINISTRATOR)
    assert "$m=19456,t=2,p=1$" in user.password
    old = Argon2PasswordHasher()  # Django's heavier defaults, as a hash made before this setting
    user.password = old.encode(PASSWORD, old.salt())
    user.save()
    assert "$m=102400," in user.password
    assert Client().post("/staff/login/", {"username": "a-admin", "password": PASSWORD}).status_code == 302
    user.refresh_from_db()
    assert "$m=19456,t=2,p=1$" in user.password
