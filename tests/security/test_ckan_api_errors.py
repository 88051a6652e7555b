"""Issue 13, finding 7: hostile requests to the CKAN-compatible API get CKAN's error envelope, never a 500.

Each case below was a server error before: JSON sent as text/plain or without a Content-Type carrying a lone
surrogate or NUL (the check ran on application/json only), a body nested 100,000 deep (RecursionError),
numbers of 2^63 and above as offsets and pages (an integer overflow in the database driver), and over-length
fields in package_create (DataError on PostgreSQL, stored silently on SQLite).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, Role, User
from chiiki.opendata import actions
from chiiki.opendata.models import Dataset, Organization, Resource

BIG = [str(2**63), str(2**63 + 1), str(2**64), "9" * 40]


@pytest.fixture
def organization(town_a: Municipality) -> Organization:
    return actions.organization_for(town_a, by=Actor.system("test"))


@pytest.fixture
def token(town_a: Municipality, organization: Organization, make_staff: Callable[..., User]) -> str:
    user = make_staff("api-editor", town_a, Role.OPENDATA_EDITOR)
    return actions.create_token(user, "test", by=Actor.for_user(user))[1]


def _ckan_error(response: object, *statuses: int) -> dict:
    status = response.status_code  # type: ignore[attr-defined]
    assert status in statuses, (status, response.content[:300])  # type: ignore[attr-defined]
    body = json.loads(response.content)  # type: ignore[attr-defined]
    assert body["success"] is False
    assert body["error"]["__type"] in ("Bad request", "Validation Error")
    return body["error"]


def _post(body: bytes | str, content_type: str, token: str = "", action: str = "package_create") -> object:
    headers = {"Authorization": token} if token else {}
    return Client().generic(
        "POST", f"/api/3/action/{action}", data=body, content_type=content_type, headers=headers
    )


UNSTORABLE_BODIES = [
    '{"name": "x-data", "owner_org": "lg-343021", "title": "\\ud800"}',
    '{"name": "x-data", "owner_org": "lg-343021", "title": "a\\u0000b"}',
    b'{"name": "x-data", "owner_org": "lg-343021", "title": "\xed\xa0\x80"}',  # a surrogate as raw bytes
    b'{"name": "x-data", "owner_org": "lg-343021", "title": "a\x00b"}',  # a raw NUL
]


@pytest.mark.parametrize("content_type", ["text/plain", "", "application/octet-stream"])
@pytest.mark.parametrize("body", UNSTORABLE_BODIES)
def test_unstorable_text_outside_application_json_is_refused(
    token: str, content_type: str, body: bytes | str
) -> None:
    error = _ckan_error(_post(body, content_type, token), 400, 409)
    assert error["message"]
    assert not Dataset.objects.exists()


@pytest.mark.parametrize("content_type", ["text/plain", ""])
def test_a_search_with_a_lone_surrogate_as_text_plain_names_the_field(content_type: str, db: None) -> None:
    error = _ckan_error(_post('{"q": "\\ud800"}', content_type, action="package_search"), 409)
    assert "q" in error


DEEP = 100_000


@pytest.mark.parametrize(
    "body",
    [
        "[" * DEEP + "]" * DEEP,
        '{"a":' * DEEP + "1" + "}" * DEEP,
        '{"q":' * DEEP + '"\\u0000"' + "}" * DEEP,  # deep and unstorable: the middleware parses it first
        '{"q": ' + "[" * 900 + '"\\ud800"' + "]" * 900 + "}",  # parses, but deep enough to strain a walk
    ],
)
@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_json_nested_deep_is_a_bad_request(body: str, content_type: str, db: None) -> None:
    for action in ("package_search", "package_create"):
        error = _ckan_error(_post(body, content_type, action=action), 400, 409)
        assert error["message"]


@pytest.mark.parametrize("value", BIG)
@pytest.mark.parametrize(
    ("action", "key"),
    [
        ("package_list", "offset"),
        ("package_list", "limit"),
        ("organization_list", "offset"),
        ("organization_list", "limit"),
        ("group_list", "offset"),
        ("package_search", "start"),
    ],
)
def test_huge_integers_are_a_validation_error_naming_the_parameter(
    organization: Organization, action: str, key: str, value: str
) -> None:
    error = _ckan_error(Client().get(f"/api/3/action/{action}", {key: value}), 409)
    assert key in error
    error = _ckan_error(_post(json.dumps({key: int(value)}), "application/json", action=action), 409)
    assert key in error


def test_the_largest_accepted_offset_finds_nothing_rather_than_failing(organization: Organization) -> None:
    for action in ("package_list", "organization_list", "group_list"):
        response = Client().get(f"/api/3/action/{action}", {"offset": str(2**31 - 1)})
        assert response.status_code == 200
        assert response.json()["result"] == []


@pytest.mark.parametrize("value", BIG)
def test_huge_pages_of_the_dcat_catalog_are_a_bad_request(value: str, db: None) -> None:
    for url in ("/catalog.ttl", "/catalog.jsonld", "/catalog.rdf"):
        response = Client().get(url, {"page": value})
        assert response.status_code == 400
        assert "page" in response.content.decode()
    assert Client().get("/opendata/", {"page": value}).status_code == 200  # the last page, not an error


@pytest.mark.parametrize("value", BIG)
def test_huge_offsets_on_the_registry_api_are_a_bad_request(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client], value: str
) -> None:
    client = login(make_staff("reader", town_a, Role.ADMINISTRATOR))
    response = client.get(f"/api/v1/registry/municipalities/{town_a.code}/households", {"offset": value})
    assert response.status_code == 400
    assert "offset" in response.json()["detail"]


LONG = {
    "title": "題" * 301,
    "url": "https://example.jp/" + "a" * 500,
    "name": "a" * 101,
}


@pytest.mark.parametrize("field", sorted(LONG))
def test_over_length_package_fields_are_a_validation_error_naming_the_field(token: str, field: str) -> None:
    data = {"name": "long-fields", "owner_org": "lg-343021", field: LONG[field]}
    error = _ckan_error(_post(json.dumps(data), "application/json", token), 409)
    assert field in error
    assert not Dataset.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("format", "X" * 41), ("name", "名" * 301), ("url", "https://example.jp/" + "a" * 1000)],
)
def test_over_length_resource_fields_are_refused_on_every_database(
    token: str, field: str, value: str
) -> None:
    resource = {"url": "https://example.jp/a.csv", "name": "a", field: value}
    data = {
        "name": "long-resource",
        "owner_org": "lg-343021",
        "resources": [{"url": "https://example.jp/ok.csv"}, resource],
    }
    error = _ckan_error(_post(json.dumps(data), "application/json", token), 409)
    assert field in error["resources"][1]
    assert not Dataset.objects.exists()  # the package and its first resource are rolled back together
    created = _post(json.dumps({"name": "ok-data", "owner_org": "lg-343021"}), "application/json", token)
    assert created.status_code == 200  # type: ignore[attr-defined]
    again = _post(
        json.dumps({"package_id": "ok-data", **resource}), "application/json", token, "resource_create"
    )
    assert field in _ckan_error(again, 409)
    assert not Resource.objects.exists()


def test_package_update_refuses_an_over_length_title(token: str) -> None:
    assert (
        _post(json.dumps({"name": "upd", "owner_org": "lg-343021"}), "application/json", token).status_code
        == 200
    )  # type: ignore[attr-defined]
    error = _ckan_error(
        _post(json.dumps({"id": "upd", "title": "題" * 301}), "application/json", token, "package_update"),
        409,
    )
    assert "title" in error
    assert Dataset.objects.get(name="upd").title == "upd"
