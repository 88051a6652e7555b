"""Screenshots sent with a report (checked by their bytes, shown to editors only) and the rate limit of the
public report form and API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.demo.infosafety import sample_screenshot
from chiiki.infosafety import actions
from chiiki.infosafety.images import image_type
from chiiki.infosafety.models import Report, ReportAttempt

TEXT = "地震で動物園からライオンが逃げた！近所を歩いてるって"


def test_image_types_are_read_from_the_bytes() -> None:
    assert image_type(sample_screenshot(2, 2)) == "image/png"
    assert image_type(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "image/jpeg"
    assert image_type(b"RIFF\x24\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert image_type(b"GIF89a\x01\x00") == "image/gif"
    assert image_type(b"<svg xmlns='http://www.w3.org/2000/svg'>") is None
    assert image_type(b"%PDF-1.7") is None
    assert image_type(b"") is None


@pytest.fixture
def editor(town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]) -> Client:
    return login(make_staff("ed1", town_a, Role.INFOSAFETY_EDITOR))


def test_a_screenshot_is_kept_and_shown_to_editors_only(
    town_a: Municipality, editor: Client, make_staff: Callable[..., User]
) -> None:
    resident = Client()
    image = sample_screenshot(2, 2)
    # The browser's name and type lie; the bytes decide.
    upload = SimpleUploadedFile("photo.txt", image, content_type="text/plain")
    sent = resident.post(f"/factcheck/{town_a.code}/report/", {"text": TEXT, "screenshot": upload})
    assert sent.status_code == 302
    report = Report.objects.get(municipality=town_a)
    assert report.screenshot_type == "image/png"
    assert report.screenshot.name.endswith(f"report-{report.pk}.png")
    with report.screenshot.open("rb") as stored:
        assert stored.read() == image

    claim_page = editor.get(f"/staff/m/{town_a.code}/infosafety/claims/{report.claim_id}/").content.decode()
    address = f"/staff/m/{town_a.code}/infosafety/reports/{report.pk}/screenshot"
    assert address in claim_page
    shown = editor.get(address)
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/png"
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert shown.content == image
    assert AuditEvent.objects.filter(action="infosafety.screenshot_viewed", object_id=str(report.pk)).exists()

    # Never to the public: not without the editor's role, not on the published pages, not through the API.
    assert resident.get(address).status_code in (302, 403, 404)
    assert Client().get(address).status_code != 200
    drafter, approver = (
        User.objects.get(username="ed1"),
        make_staff("ed2", town_a, Role.INFOSAFETY_EDITOR),
    )
    claim = report.claim
    actions.add_source(
        claim, title="市動物園の発表", url="https://zoo.example.jp/1", published_on=None, note="",
        by=Actor.for_user(drafter),
    )  # fmt: skip
    actions.draft_verdict(
        claim, scale="jfc", rating="false", explanation="無事です。", by=Actor.for_user(drafter)
    )
    actions.publish_verdict(claim, by=Actor.for_user(approver))
    public = resident.get(f"/factcheck/{town_a.code}/{report.claim_id}/").content.decode()
    assert "screenshot" not in public
    assert report.screenshot.name not in public
    api = resident.get(f"/api/v1/infosafety/municipalities/{town_a.code}/factchecks").content.decode()
    assert "screenshot" not in api
    assert report.screenshot.name not in api


def test_the_staff_form_takes_a_screenshot_too(town_a: Municipality, editor: Client) -> None:
    gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    upload = SimpleUploadedFile("shot.gif", gif, content_type="image/gif")
    sent = editor.post(f"/staff/m/{town_a.code}/infosafety/report/", {"text": TEXT, "screenshot": upload})
    assert sent.status_code == 302
    report = Report.objects.get(municipality=town_a)
    assert report.channel == Report.Channel.STAFF
    assert report.screenshot_type == "image/gif"


@pytest.mark.parametrize("where", ["public", "staff"])
def test_a_file_that_is_not_an_image_is_refused_next_to_the_field(
    town_a: Municipality, editor: Client, where: str
) -> None:
    client, address = (
        (Client(), f"/factcheck/{town_a.code}/report/")
        if where == "public"
        else (editor, f"/staff/m/{town_a.code}/infosafety/report/")
    )
    # An SVG named and typed as a PNG (it could carry script).
    svg = SimpleUploadedFile("shot.png", b"<svg onload='alert(1)'></svg>", content_type="image/png")
    refused = client.post(address, {"text": TEXT, "screenshot": svg})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "画像ファイル(PNG・JPEG・WebP・GIF)を選んでください" in page
    assert 'id="id_screenshot"' in page
    assert 'aria-invalid="true"' in page or "id_screenshot_error" in page or "field--error" in page
    assert not Report.objects.exists()


def test_an_oversized_screenshot_is_refused_naming_the_limit(town_a: Municipality, settings: Any) -> None:
    settings.CHIIKI_MAX_UPLOAD_BYTES = 1024 * 1024
    big = SimpleUploadedFile(
        "big.png", sample_screenshot(2, 2) + b"\x00" * (1024 * 1024), content_type="image/png"
    )
    refused = Client().post(f"/factcheck/{town_a.code}/report/", {"text": TEXT, "screenshot": big})
    assert refused.status_code == 400
    assert "ファイルが大きすぎます(上限 1 MB)" in refused.content.decode()
    assert not Report.objects.exists()


def test_the_public_form_and_api_are_rate_limited_per_address(town_a: Municipality, settings: Any) -> None:
    settings.CHIIKI_INFOSAFETY_REPORT_LIMIT = 3
    settings.CHIIKI_INFOSAFETY_REPORT_WINDOW_SECONDS = 3600
    here = Client(REMOTE_ADDR="198.51.100.7")
    form = f"/factcheck/{town_a.code}/report/"
    api = f"/api/v1/infosafety/municipalities/{town_a.code}/reports"
    assert here.post(form, {"text": TEXT}).status_code == 302
    assert here.post(form, {"text": "投票用紙は鉛筆で書くと書き換えられる"}).status_code == 302
    assert (
        here.post(api, {"text": "給水車が来ないらしい"}, content_type="application/json").status_code == 201
    )

    refused = here.post(form, {"text": "避難所がもう満員らしい"})
    assert refused.status_code == 429
    assert "しばらく受け付けられません" in refused.content.decode()
    assert "60分ほど待って" in refused.content.decode()
    refused_api = here.post(api, {"text": "避難所がもう満員らしい"}, content_type="application/json")
    assert refused_api.status_code == 429
    assert "しばらく受け付けられません" in refused_api.json()["detail"]
    english = here.post(form, {"text": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 429
    assert "Too many reports" in english.content.decode()
    assert Report.objects.filter(municipality=town_a).count() == 3
    assert ReportAttempt.objects.count() == 3  # refused sendings do not lengthen the wait
    assert AuditEvent.objects.filter(action="infosafety.report_throttled").count() == 3

    # Another address is not held back, and reading the form is never limited.
    assert here.get(form).status_code == 200
    assert Client(REMOTE_ADDR="203.0.113.9").post(form, {"text": TEXT}).status_code == 302

    # When the window has passed, the address may send again.
    ReportAttempt.objects.update(at=ReportAttempt.objects.first().at.replace(year=2000))  # type: ignore[union-attr]
    assert here.post(form, {"text": "避難所がもう満員らしい"}).status_code == 302


def test_the_api_takes_a_screenshot_in_base64_checked_like_the_forms(
    town_a: Municipality, settings: Any
) -> None:
    import base64
    import json

    url = f"/api/v1/infosafety/municipalities/{town_a.code}/reports"
    image = sample_screenshot(2, 2)
    body = {"text": TEXT, "screenshot": base64.b64encode(image).decode()}
    sent = Client().post(url, json.dumps(body), "application/json")
    assert sent.status_code == 201
    report = Report.objects.get(pk=sent.json()["id"])
    assert report.channel == Report.Channel.API
    assert report.screenshot_type == "image/png"
    with report.screenshot.open("rb") as stored:
        assert stored.read() == image
    svg = base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode()
    refused = Client().post(url, json.dumps({"text": TEXT, "screenshot": svg}), "application/json")
    assert refused.status_code == 400
    assert "screenshot" in refused.json()["detail"]
    garbled = Client().post(url, json.dumps({"text": TEXT, "screenshot": "not base64!"}), "application/json")
    assert garbled.status_code == 400
    assert "base64" in garbled.json()["detail"]
    settings.CHIIKI_MAX_UPLOAD_BYTES = 16
    big = Client().post(url, json.dumps(body), "application/json")
    assert big.status_code == 400
    assert "大きすぎます" in big.json()["detail"]
    assert Report.objects.count() == 1  # nothing stored for the refusals
