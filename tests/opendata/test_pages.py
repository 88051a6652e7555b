"""Public catalog pages (no login) and the staff pages: upload through the task, publish, tokens."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks_db.models import DBTaskResult

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.opendata import actions
from chiiki.opendata.models import ApiToken, Dataset, Upload
from chiiki.opendata.tasks import convert_upload

from .conftest import aed_csv


def test_catalog_page_searches_and_offers_facets(client: Client, aed_a: Dataset, aed_b: Dataset) -> None:
    page = client.get("/opendata/", {"q": "宇部"}).content.decode()
    assert aed_b.title in page
    assert aed_a.title not in page
    assert "組織" in page
    assert "res_format=CSV" in page
    filtered = client.get("/opendata/", {"organization": "lg-343021"}).content.decode()
    assert aed_a.title in filtered
    assert aed_b.title not in filtered


def test_dataset_page_shows_preview_map_report_and_downloads(client: Client, aed_a: Dataset) -> None:
    page = client.get(f"/opendata/dataset/{aed_a.name}/").content.decode()
    assert "府中町公民館" in page  # preview table
    assert "<svg" in page
    assert page.count("<circle") == 2
    assert "広島県" in page  # prefectural office label inside the box
    assert "検査の結果" in page
    assert "/download" in page
    report = client.get(f"/opendata/dataset/{aed_a.name}/report/").content.decode()
    assert "検査報告" in report
    history = client.get(f"/opendata/dataset/{aed_a.name}/history/").content.decode()
    assert "dataset_imported" in history


def test_private_dataset_is_hidden_from_the_public_but_shown_to_its_editor(
    client: Client,
    aed_a: Dataset,
    town_a: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    actions.unpublish(aed_a, by=Actor.system("test"))
    data = aed_a.resources.get(role="data")
    assert client.get(f"/opendata/dataset/{aed_a.name}/").status_code == 404
    assert client.get(f"/opendata/resource/{data.pk}/download").status_code == 404
    editor = login(make_staff("ed", town_a, Role.OPENDATA_EDITOR))
    assert editor.get(f"/opendata/dataset/{aed_a.name}/").status_code == 200


def test_upload_page_queues_the_conversion_and_the_task_stores_the_dataset(
    town_a: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    editor = login(make_staff("ed", town_a, Role.OPENDATA_EDITOR))
    csv = aed_csv("343021", "広島県府中町", [("1", "府中町役場", "34.39", "132.50")]).encode("cp932")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            f"/staff/m/{town_a.code}/opendata/",
            {"file": SimpleUploadedFile("aed.csv", csv), "kind": "aed", "dataset_name": ""},
        )
    assert response.status_code == 302
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("convert_upload")
    assert convert_upload.call(*queued.args_kwargs["args"]) == "done"
    upload = Upload.objects.get()
    assert "1 行を変換しました" in upload.message
    dataset = Dataset.objects.get(name="343021-aed")
    assert not dataset.is_published
    page = editor.get(f"/staff/m/{town_a.code}/opendata/").content.decode()
    assert "343021-aed" in page
    assert AuditEvent.objects.filter(action="opendata.upload_received").exists()


def test_upload_form_refuses_other_file_types(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    editor = login(make_staff("ed", town_a, Role.OPENDATA_EDITOR))
    response = editor.post(
        f"/staff/m/{town_a.code}/opendata/", {"file": SimpleUploadedFile("a.pdf", b"%PDF")}
    )
    assert response.status_code == 200
    assert "CSV か XLSX" in response.content.decode()
    assert not Upload.objects.exists()


def test_publish_and_unpublish_buttons_write_audit_records(
    aed_a: Dataset, town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    editor = login(make_staff("ed", town_a, Role.OPENDATA_EDITOR))
    editor.post(f"/staff/m/{town_a.code}/opendata/dataset/{aed_a.name}/unpublish/")
    aed_a.refresh_from_db()
    assert not aed_a.is_published
    editor.post(f"/staff/m/{town_a.code}/opendata/dataset/{aed_a.name}/publish/")
    aed_a.refresh_from_db()
    assert aed_a.is_published
    event = AuditEvent.objects.filter(action="opendata.dataset_published").first()
    assert event is not None
    assert event.actor is not None
    assert event.actor.username == "ed"


def test_staff_of_another_town_cannot_publish(
    aed_a: Dataset,
    town_a: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    other = login(make_staff("b-ed", town_b, Role.OPENDATA_EDITOR))
    assert other.post(f"/staff/m/{town_a.code}/opendata/dataset/{aed_a.name}/unpublish/").status_code == 403
    assert other.post(f"/staff/m/{town_b.code}/opendata/dataset/{aed_a.name}/unpublish/").status_code == 404
    aed_a.refresh_from_db()
    assert aed_a.is_published


def test_token_page_shows_a_new_token_once_and_stores_only_its_hash(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    editor = login(make_staff("ed", town_a, Role.OPENDATA_EDITOR))
    page = editor.post(f"/staff/m/{town_a.code}/opendata/tokens/", {"name": "harvest"}).content.decode()
    token = ApiToken.objects.get()
    start = page.index("<code>chiiki_") + len("<code>")
    plaintext = page[start : page.index("</code>", start)]
    assert plaintext not in token.token_hash
    assert actions.user_for_token(plaintext) == token.user
    assert plaintext not in editor.get(f"/staff/m/{town_a.code}/opendata/tokens/").content.decode()
    editor.post(f"/staff/m/{town_a.code}/opendata/tokens/", {"revoke": str(token.pk)})
    assert actions.user_for_token(plaintext) is None


def test_facet_links_stay_on_the_catalog_page_when_nothing_is_searched(
    client: Client, aed_a: Dataset, aed_b: Dataset
) -> None:
    # With no query string, the links once began with "&", which a browser reads as a path: /opendata/&kind=aed (404).
    page = client.get("/opendata/").content.decode()
    hrefs = re.findall(r'<a href="([^"]*organization=[^"]*)"', page)
    assert hrefs
    assert all(href.startswith("?") for href in hrefs)
    followed = client.get("/opendata/" + html.unescape(hrefs[0]))
    assert followed.status_code == 200
    assert "絞り込み中" in followed.content.decode()
