"""Uploads and downloads: Japanese file names survive in Content-Disposition, a file name cannot climb out of
the media folder, and an upload over the cap is refused with a clear message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, Role, User
from chiiki.opendata import actions
from chiiki.opendata.models import Resource


def _editor_token(town: Municipality, make_staff: Callable[..., User]) -> str:
    user = make_staff("a-editor", town, Role.OPENDATA_EDITOR)
    return actions.create_token(user, "test", by=Actor.for_user(user))[1]


def _dataset(town: Municipality) -> str:
    dataset = actions.create_dataset(
        actions.organization_for(town, by=Actor.system("test")),
        name="a-parks",
        title="公園",
        by=Actor.system("test"),
    )
    actions.publish(dataset, by=Actor.system("test"))
    return dataset.name


def _upload(token: str, package: str, name: str, content: bytes) -> Any:
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return Client().post(
        "/api/3/action/resource_create",
        {"package_id": package, "name": "公園一覧", "upload": upload},
        HTTP_AUTHORIZATION=token,
    )


def test_a_japanese_file_name_is_downloaded_under_its_own_name(
    town_a: Municipality, make_staff: Callable[..., User]
) -> None:
    response = _upload(
        _editor_token(town_a, make_staff), _dataset(town_a), "公園一覧.csv", "名称\n中央公園\n".encode()
    )
    assert response.status_code == 200, response.content
    resource = Resource.objects.get(name="公園一覧")
    download = Client().get(f"/opendata/resource/{resource.pk}/download")
    assert download.status_code == 200
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition  # RFC 5987: the name in UTF-8, percent-encoded
    assert quote("公園一覧.csv") in disposition
    assert "\n" not in disposition
    assert "\r" not in disposition


def test_an_upload_named_with_dot_dot_stays_in_the_media_folder(
    town_a: Municipality, make_staff: Callable[..., User]
) -> None:
    response = _upload(_editor_token(town_a, make_staff), _dataset(town_a), "../../../evil.csv", b"a\n1\n")
    assert response.status_code in (200, 409), response.content
    for resource in Resource.objects.exclude(file=""):
        assert ".." not in Path(resource.file.name).parts
        root = Path(default_storage.path("")).resolve()
        assert Path(default_storage.path(resource.file.name)).resolve().is_relative_to(root)


def test_an_api_upload_over_the_cap_is_refused_with_the_limit_named(
    town_a: Municipality, make_staff: Callable[..., User], settings: Any
) -> None:
    settings.CHIIKI_MAX_UPLOAD_BYTES = 1024 * 1024
    response = _upload(
        _editor_token(town_a, make_staff), _dataset(town_a), "big.csv", b"a\n" + b"1\n" * 600_000
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["__type"] == "Validation Error"
    assert "1 MB" in error["message"]
    assert not Resource.objects.filter(name="公園一覧").exists()


def test_a_page_upload_over_the_cap_is_refused_with_the_limit_named(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client], settings: Any
) -> None:
    settings.CHIIKI_MAX_UPLOAD_BYTES = 1024 * 1024
    client = login(make_staff("a-editor2", town_a, Role.OPENDATA_EDITOR))
    upload = SimpleUploadedFile("big.csv", b"a\n" + b"1\n" * 600_000, content_type="text/csv")
    response = client.post(f"/staff/m/{town_a.code}/opendata/", {"file": upload})
    assert response.status_code == 200
    assert "上限 1 MB" in response.content.decode()


def test_a_form_body_over_the_memory_limit_is_a_400_not_a_500(db: None, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post("/staff/login/", {"username": "x" * 5000, "password": "y"})
    assert response.status_code == 400
    assert "大きすぎる" in response.content.decode()  # templates/400.html says why, not a bare "Bad Request"


def test_too_many_form_fields_is_a_400_that_says_why(db: None, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = Client().post("/talent/join/", {f"f{i}": "x" for i in range(50)})
    assert response.status_code == 400
    assert "項目が多すぎる" in response.content.decode()
