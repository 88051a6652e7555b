"""Screening over HTTP: one post on the page, a file through the task worker, and loading signal sets."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.inline_worker import run_due_tasks

from chiiki.core.models import AuditEvent, Job, Municipality, Role, User
from chiiki.infosafety.engine import default_signal_set
from chiiki.infosafety.models import ScreenedPost, ScreeningBatch, SignalSetVersion, TakedownReport


@pytest.fixture
def editor(town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]) -> Client:
    return login(make_staff("ed", town_a, Role.INFOSAFETY_EDITOR))


def test_one_post_is_screened_and_explained_on_the_page(town_a: Municipality, editor: Client) -> None:
    url = f"/staff/m/{town_a.code}/infosafety/screening/"
    page = editor.post(
        url, {"text": "ホワイト案件 荷物を受け取るだけ 日給5万 テレグラムで", "url": "https://x.example/9"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "募集の疑いが強い" in html
    assert "テレグラム・シグナルなどへの誘導" in html
    post = ScreenedPost.objects.get()
    assert post.level == "flag"
    assert post.url == "https://x.example/9"
    assert {m["id"] for m in post.matches} >= {"white_job", "secret_app", "carry_or_receive"}
    refused = editor.post(url, {"text": "x", "url": "javascript:alert(1)"})
    assert "javascript" in refused.content.decode()
    assert ScreenedPost.objects.count() == 1


def test_a_file_is_screened_by_the_worker(
    town_a: Municipality, editor: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    lines = [
        {"data": {"id": "1", "text": "【急募】UD案件 即日即金 詳細はシグナルで"}},
        {"$type": "app.bsky.feed.post", "text": "倉庫内軽作業 時給1200円 交通費支給 日払いOK"},
        {"text": "高額バイト 書類を届けるだけ DMください", "url": "https://x.example/3"},
    ]
    body = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            f"/staff/m/{town_a.code}/infosafety/screening/upload/",
            {"file": SimpleUploadedFile("posts.jsonl", body)},
        )
    assert response.status_code == 302
    batch = ScreeningBatch.objects.get()
    assert batch.status == Job.Status.QUEUED
    assert not ScreenedPost.objects.exists()  # nothing is screened inside the request
    run_due_tasks("long")
    batch.refresh_from_db()
    assert batch.status == Job.Status.DONE, batch.message
    assert (batch.total, batch.flagged) == (3, 2)
    assert batch.signal_version == default_signal_set().version
    levels = dict(ScreenedPost.objects.filter(batch=batch).values_list("line", "level"))
    assert levels[1] == "flag"
    assert levels[2] == "low"
    assert levels[3] == "flag"
    page = editor.get(f"/staff/m/{town_a.code}/infosafety/screening/batches/{batch.pk}/").content.decode()
    assert "UD案件" in page
    assert "犯罪の役割を指す隠語" in page


def test_a_malformed_file_is_refused_whole_naming_the_line(
    town_a: Municipality, editor: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    body = '{"text": "ホワイト案件"}\n{"text": "ok"}\n{"txt": "no text"}\n'.encode()
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(
            f"/staff/m/{town_a.code}/infosafety/screening/upload/",
            {"file": SimpleUploadedFile("posts.jsonl", body)},
        )
    run_due_tasks("long")
    batch = ScreeningBatch.objects.get()
    assert batch.status == Job.Status.FAILED
    assert "3行目" in batch.message
    assert not ScreenedPost.objects.exists()


def test_loading_a_signal_set_shows_the_diff_and_is_used(town_a: Municipality, editor: Client) -> None:
    url = f"/staff/m/{town_a.code}/infosafety/signals/"
    assert "2026.12-1" in editor.get(url).content.decode()
    raw = json.loads(json.dumps(default_signal_set().raw))
    raw["version"] = "2026.12-local"
    raw["signals"].append(
        {
            "id": "local_word",
            "label": "地元の隠語",
            "weight": 0.6,
            "source": "chiiki-unverified",
            "patterns": ["ミドリ案件"],
        }
    )
    upload = SimpleUploadedFile("signals.json", json.dumps(raw, ensure_ascii=False).encode())
    html = editor.post(url, {"file": upload}).content.decode()
    assert "+ 手がかり local_word" in html
    assert SignalSetVersion.objects.get().version == "2026.12-local"
    screened = editor.post(f"/staff/m/{town_a.code}/infosafety/screening/", {"text": "ミドリ案件あります"})
    assert "地元の隠語" in screened.content.decode()
    assert ScreenedPost.objects.get().signal_version == "2026.12-local"
    again = editor.post(url, {"file": SimpleUploadedFile("signals.json", json.dumps(raw).encode())})
    assert again.status_code == 400
    assert "もう読み込まれています" in again.content.decode()
    broken = editor.post(url, {"file": SimpleUploadedFile("signals.json", b'{"format": "x"}')})
    assert broken.status_code == 400
    assert SignalSetVersion.objects.count() == 1
    assert AuditEvent.objects.filter(action="infosafety.signal_set_loaded").count() == 1


def test_a_flagged_post_is_reported_and_tracked_until_removed(town_a: Municipality, editor: Client) -> None:
    editor.post(
        f"/staff/m/{town_a.code}/infosafety/screening/",
        {"text": "受け子募集 即日即金 テレグラムで", "url": "https://x.example/status/77"},
    )
    post = ScreenedPost.objects.get()
    base = f"/staff/m/{town_a.code}/infosafety/takedowns"
    assert editor.post(f"{base}/new/", {"post": post.pk, "recipient": "ihc"}).status_code == 302
    report = TakedownReport.objects.get()
    assert "犯罪実行者募集情報" in report.reason
    assert "犯罪の役割を指す隠語" in report.reason
    editor.post(f"{base}/{report.pk}/status/", {"status": "removed"})  # not sent yet: refused
    report.refresh_from_db()
    assert report.status == "drafted"
    editor.post(f"{base}/{report.pk}/status/", {"status": "sent"})
    editor.post(f"{base}/{report.pk}/status/", {"status": "removed"})
    report.refresh_from_db()
    assert report.status == "removed"
    exported = editor.get(f"{base}/?format=csv").content.decode("utf-8-sig").splitlines()
    assert exported[0].startswith("通報番号,作成日時,通報先,URL,情報の種別")
    assert "https://x.example/status/77" in exported[1]
    assert "削除された" in exported[1]
    steps = (
        AuditEvent.objects.filter(action="infosafety.takedown_status")
        .order_by("id")
        .values_list("detail", flat=True)
    )
    assert [d["to"] for d in steps] == ["sent", "removed"]
