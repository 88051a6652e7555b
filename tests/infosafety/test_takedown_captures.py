"""Captures of reported recruitment posts: checked by their bytes and size, kept on the configured storage,
named with their SHA-256 in the report for the platform and the Internet Hotline Center, included in the
report's ZIP, downloadable by the town's screening staff only, every step audited."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.demo.infosafety import sample_pdf, sample_screenshot
from chiiki.infosafety.models import ScreenedPost, TakedownReport

PNG = sample_screenshot(4, 3)
PDF = sample_pdf("受け子募集 即日即金")
MHTML = (
    b"From: <Saved by Blink>\r\nSnapshot-Content-Location: https://x.example/status/77\r\n"
    b'MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="----x"\r\n\r\n'
    b"------x\r\nContent-Type: text/html\r\n\r\n<html></html>\r\n------x--\r\n"
)


@pytest.fixture
def editor(town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]) -> Client:
    return login(make_staff("ed", town_a, Role.INFOSAFETY_EDITOR))


@pytest.fixture
def report(town_a: Municipality, editor: Client) -> TakedownReport:
    editor.post(
        f"/staff/m/{town_a.code}/infosafety/screening/",
        {"text": "受け子募集 即日即金 テレグラムで", "url": "https://x.example/status/77"},
    )
    post = ScreenedPost.objects.get()
    answer = editor.post(
        f"/staff/m/{town_a.code}/infosafety/takedowns/new/", {"post": post.pk, "recipient": "x"}
    )
    made = TakedownReport.objects.get()
    assert (
        answer["Location"] == f"/staff/m/{town_a.code}/infosafety/takedowns/{made.pk}/"
    )  # on to its capture
    return made


def _base(town: Municipality, report: TakedownReport) -> str:
    return f"/staff/m/{town.code}/infosafety/takedowns/{report.pk}"


def test_a_screenshot_is_attached_and_named_with_its_hash_in_every_shape_of_the_report(
    town_a: Municipality, editor: Client, report: TakedownReport
) -> None:
    base = _base(town_a, report)
    page = editor.get(f"{base}/").content.decode()
    assert "投稿の記録はまだありません" in page
    assert "投稿の記録(キャプチャ): なし" in page
    upload = SimpleUploadedFile("shot.txt", PNG, content_type="text/plain")  # the name and type lie
    assert editor.post(f"{base}/capture/", {"capture": upload}).status_code == 302
    report.refresh_from_db()
    digest = hashlib.sha256(PNG).hexdigest()
    assert report.capture_type == "image/png"
    assert report.capture_size == len(PNG)
    assert report.capture_sha256 == digest
    assert report.captured_by is not None
    assert report.captured_by.username == "ed"
    assert report.capture_name == f"takedown-{report.pk}-capture.png"
    with report.capture.open("rb") as stored:  # on the configured storage
        assert stored.read() == PNG
    captured = AuditEvent.objects.get(action="infosafety.takedown_captured")
    assert captured.detail == {"type": "image/png", "bytes": len(PNG), "sha256": digest}
    assert captured.object_id == str(report.pk)

    page = editor.get(f"{base}/").content.decode()
    assert f"記録の SHA-256: {digest}" in page  # the text for the platform
    assert f"&quot;sha256&quot;: &quot;{digest}&quot;" in page  # the JSON record (HTML-escaped)

    got = editor.get(f"{base}/capture")
    assert got.status_code == 200
    assert got.content == PNG
    assert got["Content-Type"] == "image/png"
    assert got["Content-Disposition"] == f'attachment; filename="takedown-{report.pk}-capture.png"'
    assert got["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got["Content-Security-Policy"]
    assert "no-store" in got["Cache-Control"]
    read = AuditEvent.objects.get(action="infosafety.capture_downloaded")
    assert read.actor is not None
    assert read.actor.username == "ed"
    assert read.object_id == str(report.pk)

    exported = editor.get(f"{base}/report.zip")
    assert exported["Content-Type"] == "application/zip"
    assert exported["Content-Disposition"].startswith("attachment;")
    with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        names = set(archive.namelist())
        assert names == {
            f"takedown-{report.pk}.txt",
            f"takedown-{report.pk}.json",
            f"takedown-{report.pk}-capture.png",
            "SHA256SUMS",
        }
        assert archive.read(f"takedown-{report.pk}-capture.png") == PNG
        assert archive.read("SHA256SUMS").decode() == f"{digest}  takedown-{report.pk}-capture.png\n"
        text = archive.read(f"takedown-{report.pk}.txt").decode()
        record = json.loads(archive.read(f"takedown-{report.pk}.json"))
    assert "対象の投稿(URL): https://x.example/status/77" in text
    assert "犯罪実行者募集情報" in text
    assert f"takedown-{report.pk}-capture.png" in text
    assert record["format"] == "chiiki-infosafety-takedown"
    assert record["format_version"] == 1
    assert record["category"] == "犯罪実行者募集情報"
    assert record["url"] == "https://x.example/status/77"
    assert record["recipient"] == "x"
    assert record["capture"]["file_name"] == f"takedown-{report.pk}-capture.png"
    assert record["capture"]["sha256"] == digest
    assert record["capture"]["media_type"] == "image/png"
    assert {s["id"] for s in record["signals"]} >= {"crime_role", "secret_app"}
    assert AuditEvent.objects.filter(action="infosafety.takedown_exported").count() == 1

    rows = editor.get(f"/staff/m/{town_a.code}/infosafety/takedowns/?format=csv").content.decode("utf-8-sig")
    header, first = rows.splitlines()[:2]
    assert header.endswith("記録ファイル名,記録SHA-256")
    assert first.endswith(f"takedown-{report.pk}-capture.png,{digest}")

    # A capture is evidence: it is not replaced.
    again = editor.post(f"{base}/capture/", {"capture": SimpleUploadedFile("p.pdf", PDF)})
    assert again.status_code == 400
    assert "差し替えられません" in again.content.decode()
    report.refresh_from_db()
    assert report.capture_sha256 == digest
    assert AuditEvent.objects.filter(action="infosafety.takedown_captured").count() == 1


@pytest.mark.parametrize(("content", "kind"), [(PDF, "application/pdf"), (MHTML, "multipart/related")])
def test_a_saved_copy_of_the_post_is_a_capture_too(
    town_a: Municipality, editor: Client, report: TakedownReport, content: bytes, kind: str
) -> None:
    base = _base(town_a, report)
    assert (
        editor.post(f"{base}/capture/", {"capture": SimpleUploadedFile("post", content)}).status_code == 302
    )
    report.refresh_from_db()
    assert report.capture_type == kind
    got = editor.get(f"{base}/capture")
    assert got.content == content
    assert got["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "shot.png"),
        (b"<!DOCTYPE html><html><body>post</body></html>", "post.html"),  # a bare page is no faithful capture
        (b"GIF89a\x01\x00\x01\x00", "shot.gif"),
        (b"MZ\x90\x00program", "capture.pdf"),
    ],
)
def test_a_file_of_another_kind_is_refused_with_the_reason(
    town_a: Municipality, editor: Client, report: TakedownReport, content: bytes, name: str
) -> None:
    answer = editor.post(f"{_base(town_a, report)}/capture/", {"capture": SimpleUploadedFile(name, content)})
    assert answer.status_code == 400
    assert "このファイルはどれとしても読めません" in answer.content.decode()
    report.refresh_from_db()
    assert not report.capture
    assert not AuditEvent.objects.filter(action="infosafety.takedown_captured").exists()
    assert editor.get(f"{_base(town_a, report)}/capture").status_code == 404
    with zipfile.ZipFile(io.BytesIO(editor.get(f"{_base(town_a, report)}/report.zip").content)) as archive:
        assert len(archive.namelist()) == 2  # the text and the record; no capture
        assert json.loads(archive.read(f"takedown-{report.pk}.json"))["capture"] is None


@override_settings(CHIIKI_MAX_UPLOAD_BYTES=1024 * 1024)
def test_an_oversized_capture_is_refused(
    town_a: Municipality, editor: Client, report: TakedownReport
) -> None:
    big = SimpleUploadedFile("big.png", PNG + b"0" * (1024 * 1024))
    answer = editor.post(f"{_base(town_a, report)}/capture/", {"capture": big})
    assert answer.status_code == 400
    assert "1 MB" in answer.content.decode()
    report.refresh_from_db()
    assert not report.capture


def test_only_screening_staff_of_the_town_reach_the_report_and_its_capture(
    town_a: Municipality,
    town_b: Municipality,
    editor: Client,
    report: TakedownReport,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    base = _base(town_a, report)
    editor.post(f"{base}/capture/", {"capture": SimpleUploadedFile("shot.png", PNG)})
    addresses = [f"{base}/", f"{base}/capture", f"{base}/report.zip"]
    for address in addresses:
        assert Client().get(address).status_code == 302  # to the sign-in page
    clerk = login(make_staff("clerk", town_a, Role.SURVEY_MANAGER))
    editor_b = login(make_staff("edb", town_b, Role.INFOSAFETY_EDITOR))
    for address in addresses:
        assert clerk.get(address).status_code == 403
        assert editor_b.get(address).status_code == 403
    other = f"/staff/m/{town_b.code}/infosafety/takedowns/{report.pk}"
    for address in [f"{other}/", f"{other}/capture", f"{other}/report.zip"]:
        assert editor_b.get(address).status_code == 404
    refused = editor_b.post(f"{other}/capture/", {"capture": SimpleUploadedFile("s.png", PNG)})
    assert refused.status_code == 404
    assert AuditEvent.objects.filter(action="infosafety.takedown_captured").count() == 1
    assert not AuditEvent.objects.filter(
        action__in=["infosafety.capture_downloaded", "infosafety.takedown_exported"]
    ).exists()
