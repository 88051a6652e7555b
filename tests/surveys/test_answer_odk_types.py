"""A form with ODK metadata, location, time and acknowledge questions answered on the web, end to end.

The server fills the metadata questions at submission (username is the household's login ID, start the first
saved page, end the submission); a location is typed as coordinates; acknowledge is one check box 'OK'.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chiiki.core.models import Municipality
from chiiki.surveys.models import Answer
from chiiki.surveys.xlsform import load_form

from .answering_setup import (  # noqa: F401 - fast_password_hashing is a fixture
    fast_password_hashing,
    hidden,
    open_survey,
    post_page,
    sign_in,
)

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

ODK_FORM = """
| survey |
| | type | name | label::日本語 (ja) | calculation |
| | start | started | | |
| | end | ended | | |
| | username | user | | |
| | today | day | | |
| | begin group | place | 場所 | |
| | geopoint | spot | 家の位置 | |
| | time | wake | 起きる時刻 | |
| | acknowledge | agree | 内容を確認しました | |
| | calculate | age_days | | int(decimal-date-time(today()) - decimal-date-time('2025-01-01')) |
| | end group | | | |
| | begin group | photos | 写真 | |
| | image | house | 家の写真 | |
| | end group | | | |
| settings |
| | form_id | default_language |
| | odk_types | 日本語 (ja) |
"""


def test_metadata_location_and_acknowledge_are_answered_and_submitted(town_a: Municipality) -> None:
    source = ODK_FORM.encode()
    form = load_form(source, filename="odk.md", cross_check=False)
    survey, letters = open_survey(town_a, form=(form.to_json(), hashlib.sha256(source).hexdigest()))
    client = Client()
    assert sign_in(client, letters[0].login_id, letters[0].access_key).status_code == 302
    page = client.get("/answer/q/place/").content.decode()
    assert 'name="place/spot"' in page
    assert 'name="place/agree" value="OK"' in page
    assert "started" not in page  # metadata is never asked
    wrong = post_page(client, "/answer/q/place/", {"place/spot": "north", "place/wake": "6:30"})
    assert "緯度と経度を" in wrong.content.decode()
    done = post_page(
        client,
        "/answer/q/place/",
        {"place/spot": "35.6812, 139.7671", "place/wake": "06:30", "place/agree": "OK"},
    )
    assert done.status_code == 302
    refused = post_upload(client, "not an image", "house.png")  # a .png that is not one: shown again
    assert refused.status_code == 422
    assert "このファイルは受け付けられません" in refused.content.decode()
    page = client.get("/answer/q/photos/").content.decode()
    assert 'type="file"' in page
    assert 'enctype="multipart/form-data"' in page
    assert post_upload(client, PNG, "house.png").status_code == 302
    review = client.get("/answer/review/").content.decode()
    assert client.post("/answer/review/", {"version": hidden(review, "version")}).status_code == 302
    record = Answer.objects.get(case__login_id=letters[0].login_id).submitted_data
    assert record["user"] == letters[0].login_id
    assert record["started"] <= record["ended"]
    assert record["place"]["spot"] in ("35.6812 139.7671", "35.6812, 139.7671")
    assert record["place"]["wake"] == "06:30"
    assert record["place"]["agree"] == "OK"
    assert int(record["place"]["age_days"]) > 300
    stored = record["photos"]["house"]
    assert stored.startswith(f"survey-uploads/{survey.pk}/")
    with default_storage.open(stored) as handle:
        assert handle.read() == PNG
    default_storage.delete(stored)


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def post_upload(client: Client, content: bytes | str, name: str) -> Any:
    """Send the photos page with one file for the image question."""
    html = client.get("/answer/q/photos/").content.decode()
    upload = SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)
    data = {
        "version": hidden(html, "version"),
        "digest": hidden(html, "digest"),
        "shown": ["photos/house"],
        "action": "next",
        "photos/house": upload,
    }
    return client.post("/answer/q/photos/", data)
