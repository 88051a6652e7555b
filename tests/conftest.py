"""Shared fixtures: two real municipalities with staff in each role, on the test database."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import hypothesis
import pytest
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import Membership, Municipality, Role, User
from chiiki.demo import residents as synthetic
from chiiki.registry.actions import import_registry

PASSWORD = "correct-horse-battery-staple"

# Tests never assert on wall-clock time: on a loaded machine (CI's two cores, two test workers) Hypothesis'
# per-example deadline and its "input generation is slow" check fail tests that are right.
hypothesis.settings.register_profile(
    "chiiki", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("chiiki")


@pytest.fixture
def town_a(db: None) -> Municipality:
    """広島県府中町 with a small synthetic registry."""
    town = Municipality.objects.create(
        code="343021",
        prefecture_code="34",
        prefecture="広島県",
        county="安芸郡",
        name="府中町",
        name_kana="フチュウチョウ",
        kind="town",
    )
    import_registry(town, synthetic.generate(persons=60, seed=1), by=Actor.system("test"))
    return town


@pytest.fixture
def town_b(db: None) -> Municipality:
    """山口県宇部市 with a different small registry."""
    town = Municipality.objects.create(
        code="352021",
        prefecture_code="35",
        prefecture="山口県",
        county="",
        name="宇部市",
        name_kana="ウベシ",
        kind="city",
    )
    import_registry(town, synthetic.generate(persons=40, seed=2), by=Actor.system("test"))
    return town


@pytest.fixture
def make_staff(db: None) -> Callable[..., User]:
    """Create a staff user holding the given roles in the given municipality."""

    def make(username: str, municipality: Municipality | None = None, *roles: Role) -> User:
        user = User.objects.create_user(username=username, password=PASSWORD)
        for role in roles:
            assert municipality is not None
            Membership.objects.create(user=user, municipality=municipality, role=role)
        return user

    return make


@pytest.fixture
def login() -> Callable[[User], Client]:
    """A test client logged in through the real login page."""

    def make(user: User) -> Client:
        client = Client()
        response = client.post("/staff/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.content.decode()
        return client

    return make


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Uploaded files go to a temporary folder, never into var/ of the working tree."""
    location = tmp_path_factory.mktemp("media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }


@pytest.fixture(autouse=True)
def _site_language() -> Any:
    """Each test starts in the site's language (Japanese): a request in English leaves English active in the
    thread, and a later test reading messages outside a request would see it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


# Fixtures through which a test reaches the database (pytest-django pulls django_db_blocker into every test, so
# it says nothing). The PostgreSQL pass of CI (`CHIIKI_TESTS_DATABASE_ONLY=1`)
# runs only the tests that use one of them: the Django-free engines and pure functions behave the same whatever
# the database, and they already ran on SQLite in the same CI run.
_DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_setup", "live_server"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With CHIIKI_TESTS_DATABASE_ONLY=1, deselect the tests that never touch the database."""
    if os.environ.get("CHIIKI_TESTS_DATABASE_ONLY") != "1":
        return
    kept, dropped = [], []
    for item in items:
        uses_database = item.get_closest_marker("django_db") is not None or not _DATABASE_FIXTURES.isdisjoint(
            getattr(item, "fixturenames", ())
        )
        (kept if uses_database else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
