"""Issue 13, finding 2 (open data): every link the catalog stores or renders is http, https or relative.

A resource URL given through the CKAN API was rendered as a link on the public dataset page without a scheme
check (stored XSS). Now the catalog actions refuse other schemes (so the API answers CKAN's Validation Error
naming the field), and the page, package_show and the DCAT output drop links stored before the check.
Harvested links: tests/opendata/test_harvest.py::test_unsafe_remote_links_are_not_kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, Role, User
from chiiki.opendata import actions
from chiiki.opendata.models import Dataset, Organization, Resource

UNSAFE = [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "java\tscript:alert(1)",
    "jav\nascript:alert(1)",
    "\x01\x02javascript:alert(1)",
    " JAVASCRIPT:alert(1)",
    "vbscript:msgbox(1)",
]
SAFE = ["https://example.jp/a.csv", "http://example.jp/a.csv", "/opendata/", "a.csv"]


@pytest.fixture
def organization(town_a: Municipality) -> Organization:
    return actions.organization_for(town_a, by=Actor.system("test"))


@pytest.fixture
def token(town_a: Municipality, organization: Organization, make_staff: Callable[..., User]) -> str:
    user = make_staff("api-editor", town_a, Role.OPENDATA_EDITOR)
    return actions.create_token(user, "test", by=Actor.for_user(user))[1]


def _call(action: str, data: dict, token: str) -> tuple[int, dict]:
    response = Client().post(
        f"/api/3/action/{action}",
        json.dumps(data),
        content_type="application/json",
        headers={"Authorization": token},
    )
    return response.status_code, response.json()


def _refused(status: int, body: dict) -> dict:
    assert status == 409, body
    assert body["error"]["__type"] == "Validation Error"
    return body["error"]


@pytest.mark.parametrize("link", UNSAFE)
def test_package_create_refuses_an_unsafe_dataset_url(token: str, link: str) -> None:
    error = _refused(
        *_call("package_create", {"name": "x-data", "owner_org": "lg-343021", "url": link}, token)
    )
    assert "url" in error
    assert not Dataset.objects.exists()


@pytest.mark.parametrize("link", UNSAFE)
def test_package_create_refuses_an_unsafe_resource_url_naming_the_resource(token: str, link: str) -> None:
    resources = [{"url": "https://example.jp/ok.csv"}, {"url": link, "name": "x"}]
    data = {"name": "x-data", "owner_org": "lg-343021", "resources": resources}
    error = _refused(*_call("package_create", data, token))
    assert error["resources"][1] == {"url": [error["resources"][1]["url"][0]]}
    assert "使えません" in error["resources"][1]["url"][0]
    assert not Dataset.objects.exists()
    assert not Resource.objects.exists()


@pytest.mark.parametrize("link", UNSAFE)
def test_resource_create_and_package_update_refuse_unsafe_urls(token: str, link: str) -> None:
    assert _call("package_create", {"name": "x-data", "owner_org": "lg-343021"}, token)[0] == 200
    assert "url" in _refused(*_call("resource_create", {"package_id": "x-data", "url": link}, token))
    assert "url" in _refused(*_call("package_update", {"id": "x-data", "url": link}, token))
    data = {"id": "x-data", "resources": [{"url": link}]}
    assert "resources" in _refused(*_call("package_update", data, token))
    assert not Resource.objects.exists()
    assert Dataset.objects.get().url == ""


@pytest.mark.parametrize("link", SAFE)
def test_http_https_and_relative_links_are_kept(token: str, link: str) -> None:
    data = {
        "name": "x-data",
        "owner_org": "lg-343021",
        "url": link,
        "resources": [{"url": link, "name": "r"}],
    }
    status, body = _call("package_create", data, token)
    assert status == 200, body
    assert body["result"]["url"] == link
    assert body["result"]["resources"][0]["url"] == link


@pytest.mark.parametrize("link", UNSAFE)
def test_the_model_fields_refuse_unsafe_links(organization: Organization, link: str) -> None:
    dataset = Dataset(organization=organization, name="x-data", title="x", url=link)
    with pytest.raises(ValidationError) as refused:
        dataset.full_clean()
    assert "url" in refused.value.message_dict
    resource = Resource(dataset=dataset, name="x", url=link)
    with pytest.raises(ValidationError):
        resource.full_clean(exclude=["dataset"])


def test_links_stored_before_the_check_are_not_rendered(organization: Organization) -> None:
    """Rows written straight into the table (as before the fix) show no link on the page, the API or DCAT."""
    dataset = actions.create_dataset(
        organization, name="old-data", title="古いデータ", by=Actor.system("test")
    )
    actions.publish(dataset, by=Actor.system("test"))
    Dataset.objects.filter(pk=dataset.pk).update(url=UNSAFE[2])
    for position, link in enumerate(UNSAFE):
        Resource.objects.create(dataset=dataset, name=f"link{position}", url=link, position=position)
    page = Client().get("/opendata/dataset/old-data/").content.decode()
    assert "link0" in page  # the names are listed
    assert "script:" not in page.lower().replace("\t", "").replace("\n", "")
    assert "data:text" not in page
    show = Client().get("/api/3/action/package_show", {"id": "old-data"}).json()["result"]
    assert show["url"] == ""
    assert {r["url"] for r in show["resources"]} == {""}
    for url in ("/catalog.ttl", "/opendata/dataset/old-data.ttl", "/catalog.jsonld"):
        text = Client().get(url).content.decode().lower()
        assert "script:" not in text
        assert "data:text" not in text
