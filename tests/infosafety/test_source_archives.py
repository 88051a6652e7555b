"""Archived copies of a verdict's sources: checked by their bytes and size, kept on the configured storage,
downloadable by editors of the municipality only, every step audited."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.demo.infosafety import sample_pdf, sample_screenshot
from chiiki.infosafety.archives import archive_type
from chiiki.infosafety.models import Claim, Source

PDF = sample_pdf("緑川市動物園のお知らせ")
SAVED_PAGE = (
    b"\xef\xbb\xbf<!-- saved from url=(0030)https://zoo.example.jp/news/1 -->\n"
    b"<!DOCTYPE html><html><head><script>alert(1)</script></head><body>\xe7\x84\xa1\xe4\xba\x8b</body></html>"
)
MHTML = (
    b"From: <Saved by Blink>\r\nSnapshot-Content-Location: https://zoo.example.jp/news/1\r\n"
    b'MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="----x"\r\n\r\n'
    b"------x\r\nContent-Type: text/html\r\n\r\n<html></html>\r\n------x--\r\n"
)
WARC = b"WARC/1.1\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: <urn:uuid:1>\r\nContent-Length: 0\r\n\r\n\r\n\r\n"


def test_archive_types_are_read_from_the_bytes() -> None:
    assert archive_type(PDF) == "application/pdf"
    assert archive_type(sample_screenshot(2, 2)) == "image/png"
    assert archive_type(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "image/jpeg"
    assert archive_type(SAVED_PAGE) == "text/html"
    assert archive_type(b"  <html lang='ja'><body></body></html>") == "text/html"
    assert archive_type(MHTML) == "multipart/related"
    assert archive_type(WARC) == "application/warc"
    assert archive_type(gzip.compress(WARC)) == "application/gzip"
    assert archive_type(gzip.compress(b"just text")) is None  # a gzip file that is not a WARC
    assert archive_type(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>") is None
    assert archive_type(b"MZ\x90\x00") is None  # a Windows program
    assert archive_type(b"GIF89a\x01\x00") is None  # screenshots are PNG or JPEG
    assert archive_type(b"") is None


@pytest.fixture
def editor(town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]) -> Client:
    return login(make_staff("ed1", town_a, Role.INFOSAFETY_EDITOR))


@pytest.fixture
def claim(town_a: Municipality) -> Claim:
    Client().post(f"/factcheck/{town_a.code}/report/", {"text": "地震で動物園からライオンが逃げた"})
    return Claim.objects.get(municipality=town_a)


def _step(town: Municipality, claim: Claim, step: str) -> str:
    return f"/staff/m/{town.code}/infosafety/claims/{claim.pk}/{step}/"


def test_a_source_is_added_with_its_archived_copy_and_editors_download_it(
    town_a: Municipality, editor: Client, claim: Claim
) -> None:
    upload = SimpleUploadedFile("notice.txt", PDF, content_type="text/plain")  # the name and type lie
    form = {"title": "市動物園の発表", "url": "https://zoo.example.jp/news/1", "archive": upload}
    assert editor.post(_step(town_a, claim, "source"), form).status_code == 302
    source = Source.objects.get(claim=claim)
    assert source.archive_type == "application/pdf"
    assert source.archive_size == len(PDF)
    assert source.archive_sha256 == hashlib.sha256(PDF).hexdigest()
    assert source.archived_by is not None
    assert source.archived_by.username == "ed1"
    assert source.archive.name.endswith(f"source-{source.pk}.pdf")
    with source.archive.open("rb") as stored:  # on the configured storage
        assert stored.read() == PDF
    archived = AuditEvent.objects.get(action="infosafety.source_archived")
    assert archived.detail == {
        "source": source.pk,
        "type": "application/pdf",
        "bytes": len(PDF),
        "sha256": source.archive_sha256,
    }

    address = f"/staff/m/{town_a.code}/infosafety/sources/{source.pk}/archive"
    assert address in editor.get(f"/staff/m/{town_a.code}/infosafety/claims/{claim.pk}/").content.decode()
    got = editor.get(address)
    assert got.status_code == 200
    assert got.content == PDF
    assert got["Content-Type"] == "application/pdf"
    assert got["Content-Disposition"] == f'attachment; filename="source-{source.pk}.pdf"'
    assert got["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got["Content-Security-Policy"]
    assert "no-store" in got["Cache-Control"]
    read = AuditEvent.objects.get(action="infosafety.archive_downloaded")
    assert read.actor is not None
    assert read.actor.username == "ed1"
    assert read.object_id == str(claim.pk)


def test_a_saved_page_is_added_later_and_only_ever_downloaded(
    town_a: Municipality, editor: Client, claim: Claim
) -> None:
    editor.post(_step(town_a, claim, "source"), {"title": "市動物園の発表"})
    source = Source.objects.get(claim=claim)
    assert not source.archive
    page = editor.get(f"/staff/m/{town_a.code}/infosafety/claims/{claim.pk}/").content.decode()
    assert "保存した写しはまだありません" in page
    upload = SimpleUploadedFile("page.html", SAVED_PAGE, content_type="text/html")
    assert (
        editor.post(_step(town_a, claim, "archive"), {"source": source.pk, "archive": upload}).status_code
        == 302
    )
    source.refresh_from_db()
    assert source.archive_type == "text/html"
    got = editor.get(f"/staff/m/{town_a.code}/infosafety/sources/{source.pk}/archive")
    assert got["Content-Disposition"].startswith("attachment;")  # its scripts never run on our site
    assert got.content == SAVED_PAGE
    # A copy is evidence: it is not replaced.
    again = SimpleUploadedFile("w.warc", WARC)
    answer = editor.post(
        _step(town_a, claim, "archive"), {"source": source.pk, "archive": again}, follow=True
    )
    assert answer.status_code == 400  # the source is no longer offered: the form names the field
    source.refresh_from_db()
    assert source.archive_type == "text/html"
    assert AuditEvent.objects.filter(action="infosafety.source_archived").count() == 1


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "page.html"),
        (b"MZ\x90\x00program", "copy.pdf"),
        (b"plain words", "copy.txt"),
    ],
)
def test_a_file_of_another_kind_is_refused_with_the_reason(
    town_a: Municipality, editor: Client, claim: Claim, content: bytes, name: str
) -> None:
    form = {"title": "市動物園の発表", "archive": SimpleUploadedFile(name, content)}
    answer = editor.post(_step(town_a, claim, "source"), form)
    assert answer.status_code == 400
    assert "保存したウェブページ" in answer.content.decode()
    assert not Source.objects.exists()  # nothing written, neither the source nor the file
    assert not AuditEvent.objects.filter(action__in=["infosafety.source_added", "infosafety.source_archived"])


@override_settings(CHIIKI_MAX_UPLOAD_BYTES=1024 * 1024)
def test_an_oversized_copy_is_refused(town_a: Municipality, editor: Client, claim: Claim) -> None:
    editor.post(_step(town_a, claim, "source"), {"title": "市動物園の発表"})
    source = Source.objects.get(claim=claim)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024))
    answer = editor.post(_step(town_a, claim, "archive"), {"source": source.pk, "archive": big})
    assert answer.status_code == 400
    assert "1 MB" in answer.content.decode()
    source.refresh_from_db()
    assert not source.archive


def test_only_editors_of_the_town_get_the_copy(
    town_a: Municipality,
    town_b: Municipality,
    editor: Client,
    claim: Claim,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    editor.post(
        _step(town_a, claim, "source"), {"title": "発表", "archive": SimpleUploadedFile("a.pdf", PDF)}
    )
    source = Source.objects.get(claim=claim)
    address = f"/staff/m/{town_a.code}/infosafety/sources/{source.pk}/archive"
    assert Client().get(address).status_code == 302  # to the sign-in page
    assert login(make_staff("clerk", town_a, Role.SURVEY_MANAGER)).get(address).status_code == 403
    editor_b = login(make_staff("edb", town_b, Role.INFOSAFETY_EDITOR))
    assert editor_b.get(address).status_code == 403
    assert editor_b.get(f"/staff/m/{town_b.code}/infosafety/sources/{source.pk}/archive").status_code == 404
    # A source of another claim cannot be chosen in this claim's form.
    other = Client().post(f"/factcheck/{town_a.code}/report/", {"text": "投票用紙は鉛筆だと書き換えられる"})
    assert other.status_code == 302
    second = Claim.objects.exclude(pk=claim.pk).get()
    answer = editor.post(
        _step(town_a, second, "archive"), {"source": source.pk, "archive": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert answer.status_code == 400
    # The public page never names it.
    assert f"sources/{source.pk}/archive" not in Client().get(f"/factcheck/{town_a.code}/").content.decode()
    assert AuditEvent.objects.filter(action="infosafety.archive_downloaded").count() == 0
