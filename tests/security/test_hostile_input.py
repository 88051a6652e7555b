"""Hostile strings in every form a user can reach and in the JSON APIs: never a server error, never reflected
markup, never a half-written row. Run on PostgreSQL too: NUL bytes and lone surrogates fail there first.

Forms are found by reading each page's HTML (every <input>, <select> and <textarea> name), so a new field on
a page listed here is probed without editing this file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from chiiki.core.models import Membership, Municipality, Role, User

from .conftest import World

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = [
    SCRIPT,
    IMG,
    "x" * 100_000,
    "a\x00b",
    "\u202egnp.exe",
    "' OR 1=1 --",
    "-99999999999999999999",
    "99999999999999999999",
    "0000-00-00",
    "99999-01-01",
]
MARKUP = (SCRIPT, "<img src=x onerror=alert(1)>")


class _Fields(HTMLParser):
    """The names and default values of the fields of the page's POST forms (the CSRF token kept)."""

    def __init__(self) -> None:
        super().__init__()
        self.in_post_form = False
        self.fields: list[tuple[str, str, str]] = []  # (tag or input type, name, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.in_post_form = a.get("method", "").lower() == "post"
        elif self.in_post_form and tag in ("input", "select", "textarea") and a.get("name"):
            self.fields.append((a.get("type", tag) if tag == "input" else tag, a["name"], a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_post_form = False


def _fields(html: str) -> list[tuple[str, str, str]]:
    parser = _Fields()
    parser.feed(html)
    return parser.fields


def _hostile_posts(client: Client, url: str) -> list[tuple[str, int]]:
    """Post each hostile value into every text-like field of the page's forms; return (value, status)."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    fields = _fields(page.content.decode())
    assert fields, f"{url} has no POST form"
    answers = []
    for value in HOSTILE:
        data: dict[str, str] = {}
        for kind, name, default in fields:
            keep = kind in ("hidden", "submit", "checkbox", "radio") or name == "csrfmiddlewaretoken"
            data[name] = default if keep else value
        response = client.post(url, data)
        answers.append((value[:30], response.status_code))
        body = response.content.decode(errors="replace")
        for markup in MARKUP:
            assert markup not in body, f"{url} reflects {markup!r} unescaped"
    return answers


def _talent_pages(world: World) -> dict[str, list[str]]:
    return {
        "worker": ["/talent/me/edit/", "/talent/me/skills/", "/talent/me/hours/", "/talent/me/hours/model/",
                   "/talent/organizations/new/"],
        "employer": [f"/talent/organizations/{world.company.pk}/needs/new/", f"/talent/contracts/{world.contract.pk}/",
                     f"/talent/organizations/{world.company.pk}/contracts/new/?profile={world.worker.pk}",
                     f"/talent/hours-models/{world.agreement.pk}/"],
    }  # fmt: skip


def test_talent_forms_survive_hostile_values(world: World, login: Callable[[User], Client]) -> None:
    users = {"worker": world.worker.user, "employer": world.employer}
    for who, urls in _talent_pages(world).items():
        client = login(users[who])
        for url in urls:
            statuses = _hostile_posts(client, url)
            assert all(status in (200, 302, 400) for _value, status in statuses), (url, statuses)


def test_public_forms_survive_hostile_values(db: None) -> None:
    for url in ("/talent/join/", "/staff/login/", "/answer/"):
        statuses = _hostile_posts(Client(), url)
        assert all(status in (200, 302, 400) for _value, status in statuses), (url, statuses)


def _staff_form_pages(code: str) -> list[str]:
    """Every /staff/m/<code>/… page without other parameters (lists, uploads, settings)."""
    routes: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif route.startswith("/staff/m/<str:code>/") and route.count("<") == 1 and route.endswith("/"):
                routes.append(route.replace("<str:code>", code))

    walk(get_resolver().url_patterns, "/")
    return routes


def test_staff_forms_survive_hostile_values(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    user = make_staff("a-everything", town_a, *Role)
    client = login(user)
    probed = 0
    for url in _staff_form_pages(town_a.code):
        page = client.get(url)
        if page.status_code != 200 or not _fields(page.content.decode()):
            continue
        statuses = _hostile_posts(client, url)
        # 404: a hostile id in a form field names no object (the verify page looks its organization up).
        assert all(status in (200, 302, 400, 404) for _value, status in statuses), (url, statuses)
        probed += 1
    assert probed >= 3  # the walk found real forms


@pytest.mark.parametrize("value", ["a\x00b", SCRIPT, "' OR 1=1 --", "\u202e"])
def test_search_boxes_survive_hostile_queries(
    world: World, login: Callable[[User], Client], value: str
) -> None:
    client = login(world.employer)
    for url in ("/talent/", "/talent/needs/", "/opendata/"):
        response = client.get(url, {"q": value, "prefecture": value, "page": value})
        assert response.status_code in (200, 400), url
        assert SCRIPT not in response.content.decode()


def test_audit_search_survives_hostile_queries(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_staff("a-auditor", town_a, Role.AUDITOR))
    for value in ("a\x00b", SCRIPT, "0000-00-00", "99999-01-01"):
        data = {"municipality": town_a.code, "action": value, "actor": value, "since": value}
        assert client.get("/staff/audit/", data).status_code in (200, 400)
        assert client.get("/staff/audit/export.csv", data).status_code in (200, 302, 400)


JSON_BODIES = [
    '{"profile": 1, "organization": "\\u0000", "message": "a\\u0000b"}',
    '{"profile": 1, "organization": 1, "message": "\\ud800"}',
    '{"profile": [1], "organization": {"a": 1}, "message": ["x"]}',
    '{"profile": 99999999999999999999999, "organization": -1}',
    "[1, 2",
    '"just a string"',
]


@pytest.mark.parametrize("body", JSON_BODIES)
def test_talent_api_survives_hostile_json(world: World, login: Callable[[User], Client], body: str) -> None:
    client = login(world.worker.user)
    before = world.worker.introductions.count()
    response = client.post("/api/v1/talent/introductions", body, content_type="application/json")
    assert response.status_code in (400, 404, 422), response.content[:300]
    assert world.worker.introductions.count() == before


@pytest.mark.parametrize(
    "body",
    [
        '{"q": "a\\u0000b"}',
        '{"q": "\\ud800"}',
        '{"q": ["x"], "rows": "many", "start": -5}',
        '{"rows": 99999999999999999999, "fq": {"a": 1}}',
        '{"id": "\\u0000"}',
        '{"id": ["x"]}',
        "[1, 2",
    ],
)
def test_ckan_api_survives_hostile_json(world: World, body: str) -> None:
    for action in ("package_search", "package_show", "resource_show", "organization_show"):
        response = Client().post(f"/api/3/action/{action}", body, content_type="application/json")
        assert response.status_code in (200, 400, 404, 409), (action, response.content[:300])
        assert json.loads(response.content)["success"] in (True, False)


def test_a_refused_form_writes_nothing(world: World, login: Callable[[User], Client]) -> None:
    """A post that fails validation runs no INSERT or UPDATE (no half-written row)."""
    client = login(world.worker.user)
    with CaptureQueriesContext(connection) as queries:
        client.post("/talent/me/edit/", {"display_name": "a\x00b", "home_prefecture": "x"})
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    # Sessions and the audit log are the only tables a refused form may touch.
    assert not [w for w in writes if "talent_" in w], writes
    assert not Membership.objects.filter(user=world.worker.user).exists()


def test_nul_in_a_form_is_a_400_naming_the_field_on_every_database(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_staff("a-editor", town_a, Role.OPENDATA_EDITOR))
    response = client.post(f"/staff/m/{town_a.code}/opendata/tokens/", {"name": "a\x00b"})
    assert response.status_code == 400
    assert "「name」に使えない文字" in response.content.decode()


def test_a_lone_surrogate_in_json_is_a_ckan_validation_error(db: None) -> None:
    body = '{"q": "\\ud800"}'
    response = Client().post("/api/3/action/package_search", body, content_type="application/json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["__type"] == "Validation Error"
    assert "q" in error


def test_an_escaped_backslash_before_u0000_is_ordinary_text(db: None) -> None:
    body = json.dumps({"q": "\\u0000"})  # the six characters \u0000, typed: storable, not refused
    response = Client().post("/api/3/action/package_search", body, content_type="application/json")
    assert response.status_code == 200


HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/talent/profiles?role=a%00b&skill=%00&kind=%00",
        f"/api/v1/talent/profiles?offset={HUGE}",
        f"/api/v1/talent/profiles?prefecture={HUGE}&min_level=-{HUGE}",
        "/api/v1/talent/needs?role=a%00b",
        f"/api/v1/talent/needs?offset={HUGE}&prefecture={HUGE}",
        f"/api/v1/talent/profiles/{HUGE}",
        f"/api/v1/talent/needs/{HUGE}",
        f"/api/v1/talent/needs/{HUGE}/matches",
        f"/talent/profiles/{HUGE}/",
        f"/talent/needs/{HUGE}/",
        f"/talent/?prefecture={HUGE}&max_fee={HUGE}&min_level=-{HUGE}&page={HUGE}",
        f"/talent/needs/?prefecture={HUGE}&kind={HUGE}",
        "/api/v1/registry/municipalities/%00/households",
        f"/api/v1/talent/dashboard/{HUGE}",
        "/opendata/dataset/%00/",
        "/opendata/resource/not-a-uuid/download",
        "/api/3/action/package_show?id=%00",
        f"/api/3/action/package_search?rows={HUGE}&start={HUGE}",
    ],
)
def test_hostile_query_strings_and_ids_are_never_a_server_error(
    world: World, login: Callable[[User], Client], url: str
) -> None:
    response = login(world.employer).get(url)
    assert response.status_code in (200, 400, 403, 404, 409, 422), response.content[:300]
