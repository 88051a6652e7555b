"""The CKAN Action API through Django's test client: envelope, error types, GET and POST, both URL prefixes."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Role, User
from chiiki.opendata import actions
from chiiki.opendata.models import Dataset


def call(client: Client, name: str, prefix: str = "/api/3/action/", **params: str) -> tuple[int, dict]:
    response = client.get(prefix + name, params)
    return response.status_code, json.loads(response.content)


def test_package_show_answers_in_ckan_envelope_on_both_prefixes(client: Client, aed_a: Dataset) -> None:
    for prefix in ("/api/3/action/", "/api/action/"):
        status, body = call(client, "package_show", prefix, id=aed_a.name)
        assert status == 200
        assert body["success"] is True
        assert body["help"].endswith("/api/3/action/help_show?name=package_show")
        assert body["result"]["name"] == aed_a.name
        assert body["result"]["organization"]["name"] == "lg-343021"
        assert body["result"]["num_resources"] == 3


def test_package_show_by_id_works_like_by_name(client: Client, aed_a: Dataset) -> None:
    _, body = call(client, "package_show", id=str(aed_a.pk))
    assert body["result"]["name"] == aed_a.name


def test_unknown_dataset_is_a_not_found_error(client: Client, db: None) -> None:
    status, body = call(client, "package_show", id="no-such-dataset")
    assert status == 404
    assert body["success"] is False
    assert body["error"]["__type"] == "Not Found Error"


def test_private_dataset_is_an_authorization_error_for_anonymous(client: Client, aed_a: Dataset) -> None:
    actions.unpublish(aed_a, by=Actor.system("test"))
    status, body = call(client, "package_show", id=aed_a.name)
    assert status == 403
    assert body["error"]["__type"] == "Authorization Error"


def test_unknown_action_is_a_bad_request(client: Client, db: None) -> None:
    status, body = call(client, "package_explode")
    assert status == 400
    assert body["success"] is False


def test_bad_rows_is_a_validation_error(client: Client, db: None) -> None:
    status, body = call(client, "package_search", rows="many")
    assert status == 409
    assert body["error"]["__type"] == "Validation Error"
    assert "rows" in body["error"]


def test_package_search_by_post_json_with_facets(client: Client, aed_a: Dataset, aed_b: Dataset) -> None:
    response = client.post(
        "/api/3/action/package_search",
        json.dumps({"q": "宇部", "facet.field": ["organization", "res_format"], "rows": 5}),
        content_type="application/json",
    )
    result = json.loads(response.content)["result"]
    assert result["count"] == 1
    assert result["results"][0]["name"] == aed_b.name
    assert result["facets"]["organization"] == {"lg-352021": 1}
    items = result["search_facets"]["res_format"]["items"]
    assert {"name": "CSV", "display_name": "CSV", "count": 1} in items


def test_facet_field_as_json_string_in_get(client: Client, aed_a: Dataset, aed_b: Dataset) -> None:
    _, body = call(client, "package_search", **{"facet.field": '["kind"]'})
    assert body["result"]["facets"]["kind"] == {"aed": 2}


def test_status_and_lists(client: Client, aed_a: Dataset, aed_b: Dataset) -> None:
    assert call(client, "status_show")[1]["result"]["ckan_version"].startswith("2.")
    assert call(client, "package_list")[1]["result"] == sorted([aed_a.name, aed_b.name])
    # CKAN's default order is "title asc": 山口県宇部市 before 広島県府中町.
    assert call(client, "organization_list")[1]["result"] == ["lg-352021", "lg-343021"]
    assert call(client, "group_list")[1]["result"] == ["aed"]
    orgs = call(client, "organization_list", all_fields="true")[1]["result"]
    assert {o["name"]: o["package_count"] for o in orgs} == {"lg-343021": 1, "lg-352021": 1}
    assert "山口県" in call(client, "tag_list")[1]["result"]
    group = call(client, "group_show", id="aed", include_datasets="true")[1]["result"]
    assert group["package_count"] == 2
    assert len(group["packages"]) == 2


def test_resource_show_and_download_of_the_standard_csv(client: Client, aed_a: Dataset) -> None:
    data = aed_a.resources.get(role="data")
    _, body = call(client, "resource_show", id=str(data.pk))
    assert body["result"]["format"] == "CSV"
    response = client.get(body["result"]["url"].removeprefix("http://testserver"))
    assert response.status_code == 200
    assert "府中町役場" in b"".join(response.streaming_content).decode()


def test_write_action_with_a_revoked_token_is_refused(
    client: Client, town_a, make_staff: Callable[..., User]
) -> None:
    user = make_staff("editor", town_a, Role.OPENDATA_EDITOR)
    token, plaintext = actions.create_token(user, "test", by=Actor.for_user(user))
    actions.revoke_token(token, by=Actor.for_user(user))
    response = client.post(
        "/api/3/action/package_create",
        json.dumps({"name": "x-data", "owner_org": "lg-343021"}),
        content_type="application/json",
        headers={"Authorization": plaintext},
    )
    assert response.status_code == 403
    assert json.loads(response.content)["error"]["__type"] == "Authorization Error"


def test_rows_above_the_maximum_are_capped_like_ckan(client: Client, aed_a: Dataset) -> None:
    status, body = call(client, "package_search", rows="5000")
    assert status == 200
    assert body["result"]["count"] == 1


def test_malformed_ids_are_not_found_not_a_server_error(client: Client, db: None) -> None:
    for name, params in [
        ("package_show", {"id": "-" * 36}),
        ("organization_show", {"id": "-" * 36}),
        ("group_show", {"id": "a" * 33}),
        ("resource_show", {"id": "-" * 36}),
    ]:
        status, body = call(client, name, **params)
        assert status == 404, (name, body)
        assert body["error"]["__type"] == "Not Found Error"
    status, body = call(client, "package_search", fq="owner_org:" + "a" * 33)
    assert status == 200
    assert body["result"]["count"] == 0


def test_a_token_write_is_recorded_as_the_tokens_user_from_the_callers_address(
    client: Client, aed_a: Dataset, town_a, make_staff: Callable[..., User]
) -> None:
    # No browser session: the Actor of an API call carries the token's user, so audit and history name them.
    user = make_staff("api-editor", town_a, Role.OPENDATA_EDITOR)
    _, plaintext = actions.create_token(user, "test", by=Actor.for_user(user))
    response = client.post(
        "/api/3/action/package_create",
        json.dumps({"name": "fuchu-parks", "title": "公園", "owner_org": "lg-343021"}),
        content_type="application/json",
        headers={"Authorization": plaintext},
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 200
    dataset = Dataset.objects.get(name="fuchu-parks")
    event = AuditEvent.objects.get(action="opendata.dataset_created", object_id=str(dataset.pk))
    assert event.actor == user
    assert event.ip_address == "192.0.2.7"
    assert dataset.versions.get().created_by == user


def test_package_create_with_a_bad_resource_writes_nothing(
    client: Client, aed_a: Dataset, town_a, make_staff: Callable[..., User]
) -> None:
    user = make_staff("api-editor", town_a, Role.OPENDATA_EDITOR)
    _, plaintext = actions.create_token(user, "test", by=Actor.for_user(user))
    resources = [{"url": "https://example.jp/a.csv", "name": "A"}, {"name": "no url"}]
    response = client.post(
        "/api/3/action/package_create",
        json.dumps({"name": "fuchu-parks", "owner_org": "lg-343021", "resources": resources}),
        content_type="application/json",
        headers={"Authorization": plaintext},
    )
    assert response.status_code == 409
    assert json.loads(response.content)["error"]["resources"] == ["url: Missing value"]
    assert not Dataset.objects.filter(name="fuchu-parks").exists()
    resources[1]["url"] = "https://example.jp/b.csv"
    response = client.post(
        "/api/3/action/package_create",
        json.dumps({"name": "fuchu-parks", "owner_org": "lg-343021", "resources": resources}),
        content_type="application/json",
        headers={"Authorization": plaintext},
    )
    assert response.status_code == 200
    assert [r["url"] for r in json.loads(response.content)["result"]["resources"]] == [
        "https://example.jp/a.csv",
        "https://example.jp/b.csv",
    ]
