"""`next=` on the staff login and the language switch never sends the user to another site."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from chiiki.core.models import User

from .conftest import PASSWORD

OFF_SITE = ["//evil.example/", "/\\evil.example", "/\\/evil.example", "https:evil.example", "\\\\evil.example",
            "https://evil.example/", "/\t/evil.example", " //evil.example"]  # fmt: skip


@pytest.mark.parametrize("target", OFF_SITE)
def test_staff_login_ignores_an_off_site_next(target: str, make_staff: Callable[..., User]) -> None:
    user = make_staff("someone")
    response = Client().post(
        "/staff/login/", {"username": user.username, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == "/staff/"


def test_staff_login_follows_a_next_on_this_site(make_staff: Callable[..., User]) -> None:
    user = make_staff("someone")
    response = Client().post(
        "/staff/login/", {"username": user.username, "password": PASSWORD, "next": "/staff/audit/?q=1"}
    )
    assert response["Location"] == "/staff/audit/?q=1"


@pytest.mark.parametrize("target", OFF_SITE)
def test_language_switch_ignores_an_off_site_next(target: str, db: None) -> None:
    response = Client().post("/i18n/setlang/", {"language": "en", "next": target})
    assert response.status_code == 302
    assert "evil" not in response["Location"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_text_size_switch_ignores_an_off_site_next(target: str, db: None) -> None:
    response = Client().post("/answer/text-size/", {"size": "large", "next": target})
    assert response.status_code == 302
    assert "evil" not in response["Location"]
