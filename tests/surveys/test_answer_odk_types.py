"""A form with ODK metadata, location, time and acknowledge questions answered on the web, end to end.

The server fills the metadata questions at submission (username is the household's login ID, start the first
saved page, end the submission); a location is typed as coordinates; acknowledge is one check box 'OK'.
"""

from __future__ import annotations

import hashlib

import pytest
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
| settings |
| | form_id | default_language |
| | odk_types | 日本語 (ja) |
"""


def test_metadata_location_and_acknowledge_are_answered_and_submitted(town_a: Municipality) -> None:
    source = ODK_FORM.encode()
    form = load_form(source, filename="odk.md", cross_check=False)
    _, letters = open_survey(town_a, form=(form.to_json(), hashlib.sha256(source).hexdigest()))
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
    review = client.get("/answer/review/").content.decode()
    assert client.post("/answer/review/", {"version": hidden(review, "version")}).status_code == 302
    record = Answer.objects.get(case__login_id=letters[0].login_id).submitted_data
    assert record["user"] == letters[0].login_id
    assert record["started"] <= record["ended"]
    assert record["place"]["spot"] in ("35.6812 139.7671", "35.6812, 139.7671")
    assert record["place"]["wake"] == "06:30"
    assert record["place"]["agree"] == "OK"
    assert int(record["place"]["age_days"]) > 300
