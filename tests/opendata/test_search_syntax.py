"""CKAN's q syntax (fields, AND/OR/NOT, phrases, wildcards, ranges) and include_private, on a small catalog."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import ckanapi
import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, Role, User
from chiiki.opendata import actions, queries, solr
from chiiki.opendata.models import Dataset

PUBLIC = {"bousai-hinan", "hinan-map", "aed-extra", "koukyou-shisetsu"}


@pytest.fixture
def catalog(town_a: Municipality, town_b: Municipality) -> dict[str, Dataset]:
    """Four public datasets over two organizations, and one private dataset in each organization."""
    org_a, org_b = (
        actions.organization_for(town_a, by=Actor.system("test")),
        actions.organization_for(town_b, by=Actor.system("test")),
    )
    spec = [
        (org_a, "bousai-hinan", "防災 避難所一覧", ["防災", "避難"], False, {}),
        (org_b, "hinan-map", "避難マップ", ["避難"], False, {}),
        (org_a, "aed-extra", "公共施設のAED", ["AED"], False, {}),
        (org_b, "koukyou-shisetsu", "公共施設一覧", ["施設"], False, {"update_frequency": "monthly"}),
        (org_a, "private-a", "避難計画（案）A", ["避難"], True, {}),
        (org_b, "private-b", "避難計画（案）B", ["避難"], True, {}),
    ]
    out = {}
    for org, name, title, tags, private, extras in spec:
        notes = "廃止予定の一覧です" if name == "aed-extra" else ""
        out[name] = actions.create_dataset(
            org,
            name=name,
            title=title,
            notes=notes,
            tags=tags,
            private=private,
            extras=extras,
            by=Actor.system("test"),
        )
    actions.add_resource(
        out["hinan-map"], by=Actor.system("test"), name="地図", fmt="CSV", url="https://example.jp/m.csv"
    )
    actions.update_dataset(out["koukyou-shisetsu"], by=Actor.system("test"), license_id="pdl-1.0")
    return out


def names(q: str = "", fq: str = "") -> set[str]:
    return {d.name for d in queries.search_datasets(q=q, fq=fq, rows=100).datasets}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("tags:防災", {"bousai-hinan"}),
        ("organization:lg-352021", {"hinan-map", "koukyou-shisetsu"}),
        ("name:aed-*", {"aed-extra"}),
        ("name:*-map", {"hinan-map"}),
        ('title:"公共施設"', {"aed-extra", "koukyou-shisetsu"}),
        ("res_format:CSV", {"hinan-map"}),
        ("res_format:csv", {"hinan-map"}),
        ("license_id:pdl-1.0", {"koukyou-shisetsu"}),
        ("extras_update_frequency:monthly", {"koukyou-shisetsu"}),
        ("*:*", PUBLIC),
        ("防災 AND 避難", {"bousai-hinan"}),
        ("防災 避難", {"bousai-hinan"}),
        ("避難 OR 防災", {"bousai-hinan", "hinan-map"}),
        ("避難 || 公共施設", PUBLIC),
        ("-廃止", PUBLIC - {"aed-extra"}),
        ("NOT 廃止", PUBLIC - {"aed-extra"}),
        ("避難 -防災", {"hinan-map"}),
        ("避難 AND NOT tags:防災", {"hinan-map"}),
        ("tags:(防災 OR AED)", {"bousai-hinan", "aed-extra"}),
        ("(tags:防災 OR tags:AED) AND organization:lg-343021", {"bousai-hinan", "aed-extra"}),
        ('"避難所一覧"', {"bousai-hinan"}),
        ('"一覧 避難所"', set()),
        ("公共*", {"aed-extra", "koukyou-shisetsu"}),
        ("text:マップ", {"hinan-map"}),
        ("+tags:避難 +organization:lg-352021", {"hinan-map"}),
        ("tags:避難 dataset_type:dataset", {"bousai-hinan", "hinan-map"}),
        ("-dataset_type:harvest", PUBLIC),
    ],
)
def test_q_understands_ckan_field_and_boolean_syntax(
    catalog: dict[str, Dataset], q: str, expected: set[str]
) -> None:
    assert names(q=q) == expected


def test_q_metadata_modified_range_and_now_arithmetic(catalog: dict[str, Dataset]) -> None:
    stamp = queries.ckan_time(catalog["koukyou-shisetsu"].metadata_modified)
    assert names(q=f"metadata_modified:[{stamp}Z TO *]") == {"koukyou-shisetsu"}
    assert names(q=f"metadata_modified:{{{stamp}Z TO *]") == set()
    assert names(q="metadata_modified:[NOW-1DAY TO NOW+1DAY]") == PUBLIC
    assert names(q="metadata_modified:[* TO NOW-1DAY]") == set()


def test_q_and_fq_combine_and_fq_still_refuses_free_text(catalog: dict[str, Dataset]) -> None:
    assert names(q="避難", fq="organization:lg-343021") == {"bousai-hinan"}
    assert names(fq="tags:避難 OR tags:AED") == {"bousai-hinan", "hinan-map", "aed-extra"}
    with pytest.raises(queries.SearchQueryError, match="項目:値"):
        names(fq="避難")


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("(防災 OR 避難", "閉じていません"),
        ("防災)", "開き括弧"),
        ('"避難', "引用符"),
        ("tags:", "値がありません"),
        ("防災 AND", "途中で終わって"),
        ("OR 防災", "前に語がありません"),
        ("color:red", "絞り込めません: color"),
        ("title:[a TO b]", "範囲指定はこの項目に使えません"),
        ("metadata_modified:[yesterday TO *]", "日時を読めません"),
        ("metadata_modified:[2024-01-01", "閉じていません"),
    ],
)
def test_malformed_q_is_a_search_query_error_naming_the_problem(
    catalog: dict[str, Dataset], q: str, message: str
) -> None:
    with pytest.raises(queries.SearchQueryError, match=message):
        names(q=q)


def test_deeply_nested_or_huge_query_is_refused_cleanly(catalog: dict[str, Dataset]) -> None:
    for q in ("(" * 3000 + "防災" + ")" * 3000, "NOT " * 3000 + "防災", " ".join(["防災"] * 1000)):
        with pytest.raises(queries.SearchQueryError, match="多すぎ"):
            names(q=q)
    assert names(q="(" * 10 + "防災" + ")" * 10) == {"bousai-hinan"}


@given(st.text(alphabet='ab防災:()"[]{}*?+-! ANDORTtagsxr', max_size=30))
def test_any_text_parses_or_raises_search_query_error_only(text: str) -> None:
    try:
        solr.condition(text, free_text=True)
    except solr.SearchQueryError:
        pass


def test_malformed_q_over_http_is_ckans_search_query_error(
    client: Client, catalog: dict[str, Dataset]
) -> None:
    response = client.get("/api/3/action/package_search", {"q": "(防災 OR"})
    body = json.loads(response.content)
    assert response.status_code == 400  # CKAN's status for a Search Query Error
    assert body["success"] is False
    assert body["error"]["__type"] == "Search Query Error"
    assert "途中で終わって" in body["error"]["message"]
    ok = json.loads(client.get("/api/3/action/package_search", {"q": "tags:防災 OR name:aed-*"}).content)
    assert {r["name"] for r in ok["result"]["results"]} == {"bousai-hinan", "aed-extra"}
    assert ok["result"]["count"] == 2


def test_nul_in_a_query_is_an_error_naming_the_field_in_the_api_and_on_the_page(
    client: Client, catalog: dict[str, Dataset]
) -> None:
    # NUL is refused for every request by core.unstorable_text (PostgreSQL cannot compare it), before the view.
    response = client.get("/api/3/action/package_search", {"q": "避難\x00"})
    assert response.status_code == 409
    error = json.loads(response.content)["error"]
    assert error["__type"] == "Validation Error"
    assert "q" in error
    page = client.get("/opendata/", {"q": "避難\x00マップ"})
    assert page.status_code == 400
    assert "「q」" in page.content.decode()
    filtered = client.get("/opendata/", {"tags": '防"災\\'})
    assert filtered.status_code == 200
    assert "防災 避難所一覧" in filtered.content.decode()
    assert "避難マップ" not in filtered.content.decode()


def test_page_search_box_treats_unreadable_syntax_as_plain_words(
    client: Client, catalog: dict[str, Dataset]
) -> None:
    assert client.get("/opendata/", {"q": "避難 ("}).status_code == 200
    page = client.get("/opendata/", {"q": "tags:防災"}).content.decode()
    assert "防災 避難所一覧" in page
    assert "避難マップ" not in page


def _token(make_staff: Callable[..., User], town: Municipality, username: str) -> str:
    return actions.create_token(
        staff := make_staff(username, town, Role.OPENDATA_EDITOR), "t", by=Actor.for_user(staff)
    )[1]


def test_include_private_shows_only_the_callers_own_private_datasets(
    client: Client, catalog: dict[str, Dataset], town_a: Municipality, make_staff: Callable[..., User]
) -> None:
    def search(params: dict[str, str], token: str = "") -> set[str]:
        headers = {"Authorization": token} if token else {}
        body = json.loads(
            client.get("/api/3/action/package_search", {"rows": "100", **params}, headers=headers).content
        )
        return {r["name"] for r in body["result"]["results"]}

    token_a = _token(make_staff, town_a, "editor-a")
    assert search({"include_private": "true"}) == PUBLIC  # anonymous: none
    assert search({}, token_a) == PUBLIC  # not asked for
    assert search({"include_private": "true"}, token_a) == PUBLIC | {"private-a"}
    assert search({"include_private": "true", "q": "避難計画"}, token_a) == {"private-a"}
    # A role without opendata.edit reads no private dataset.
    auditor = actions.create_token(
        staff := make_staff("auditor-a", town_a, Role.AUDITOR), "t", by=Actor.for_user(staff)
    )[1]
    assert search({"include_private": "true"}, auditor) == PUBLIC
    # Deleted datasets stay hidden even from their editors.
    actions.update_dataset(catalog["private-a"], by=Actor.system("test"), state=Dataset.State.DELETED)
    assert search({"include_private": "true"}, token_a) == PUBLIC


def test_package_show_of_another_organizations_private_dataset_is_refused(
    client: Client, catalog: dict[str, Dataset], town_a: Municipality, make_staff: Callable[..., User]
) -> None:
    token_a = _token(make_staff, town_a, "editor-a")
    own = client.get("/api/3/action/package_show", {"id": "private-a"}, headers={"Authorization": token_a})
    assert own.status_code == 200
    other = client.get("/api/3/action/package_show", {"id": "private-b"}, headers={"Authorization": token_a})
    assert other.status_code == 403
    assert json.loads(other.content)["error"]["__type"] == "Authorization Error"


def test_ckanapi_client_sends_q_syntax_and_include_private(
    shared_live_server: str,
    catalog: dict[str, Dataset],
    town_b: Municipality,
    make_staff: Callable[..., User],
) -> None:
    anonymous = ckanapi.RemoteCKAN(shared_live_server)
    found = anonymous.action.package_search(q="tags:避難 AND organization:lg-352021")
    assert [r["name"] for r in found["results"]] == ["hinan-map"]
    assert anonymous.action.package_search(q="避難 OR 防災", include_private=True)["count"] == 2
    with pytest.raises(ckanapi.SearchQueryError):
        anonymous.action.package_search(q='title:"公共施設')
    editor_b = ckanapi.RemoteCKAN(shared_live_server, apikey=_token(make_staff, town_b, "editor-b"))
    found = editor_b.action.package_search(q="避難", include_private=True, rows=50)
    assert {r["name"] for r in found["results"]} == {"bousai-hinan", "hinan-map", "private-b"}
    assert next(r for r in found["results"] if r["name"] == "private-b")["private"] is True
    with pytest.raises(ckanapi.NotAuthorized):
        editor_b.action.package_show(id="private-a")


def test_private_filter_keeps_facets_to_the_readable_datasets(
    catalog: dict[str, Dataset], town_a: Municipality, make_staff: Callable[..., User]
) -> None:
    user = make_staff("editor-a", town_a, Role.OPENDATA_EDITOR)
    found = queries.search_datasets(
        base=queries.readable(user), q="避難", facet_fields=("organization", "tags")
    )
    assert found.count == 3
    assert {n: c for n, _, c in found.facets["organization"]} == {"lg-343021": 2, "lg-352021": 1}
    assert ("避難", "避難", 3) in found.facets["tags"]
    assert queries.readable(None).count() == len(PUBLIC)
    assert isinstance(queries.parse_ckan_time("NOW-1DAY"), dt.datetime)


def test_facets_of_a_filter_that_keeps_everything_equal_the_unfiltered_ones(
    catalog: dict[str, Dataset],
) -> None:
    fields = ("organization", "kind", "tags", "res_format", "license_id", "groups")
    everything = queries.search_datasets(facet_fields=fields)
    # Lucene reads "a OR -b" as "a, and not b", so tags:* OR -tags:* would find nothing, as on CKAN.
    for q in ("*:*", "-存在しない語", "tags:* OR *:*"):
        same = queries.search_datasets(q=q, facet_fields=fields)
        assert same.count == everything.count == len(PUBLIC)
        assert same.facets == everything.facets
    narrowed = queries.search_datasets(q="避難", facet_fields=fields)
    assert {n: c for n, _, c in narrowed.facets["tags"]} == {"避難": 2, "防災": 1}
    assert {n: c for n, _, c in narrowed.facets["res_format"]} == {"CSV": 1}
