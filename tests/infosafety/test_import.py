"""Import of posts exported from X (API v2) and Bluesky (app.bsky.feed.post) into the fact-check desk."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.inline_worker import run_due_tasks

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Job, Municipality, Role, User
from chiiki.infosafety import actions
from chiiki.infosafety.engine import PostFileError, read_posts
from chiiki.infosafety.models import Claim, PostImport, Report

LEVEE = "緑川の堤防が決壊したらしい。本町はもう水没してるって。消防車が何台も来てる"

# An X API v2 response line with the author expanded, and a bare post object (GET /2/tweets/search/recent).
X_RESPONSE = {
    "data": {
        "id": "1864912345678901234",
        "text": "【拡散希望】" + LEVEE + " https://t.co/AbCdEf1234",
        "created_at": "2026-12-04T23:41:07.000Z",
        "author_id": "2244994945",
        "lang": "ja",
        "edit_history_tweet_ids": ["1864912345678901234"],
    },
    "includes": {"users": [{"id": "2244994945", "name": "みどりの住人", "username": "midori_jumin"}]},
}
X_POST = {
    "id": "1864912345678905678",
    "text": "動物園からライオンが逃げたって！外に出ないで #緑川 #台風",
    "created_at": "2026-12-05T00:02:41.000Z",
    "author_id": "99887766",
    "edit_history_tweet_ids": ["1864912345678905678"],
}
# Bluesky: a post view (app.bsky.feed.searchPosts), a listRecords item and a bare record.
BSKY_VIEW = {
    "uri": "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lcxyz2abc22k",
    "cid": "bafyreig2fjxi3rptqdgylg7e5hmjl6mcke7rn2b6cugzlqq3i4zu6rq52q",
    "author": {"did": "did:plc:z72i7hdynmk6r22z27h6tvur", "handle": "midori.bsky.social"},
    "record": {
        "$type": "app.bsky.feed.post",
        "text": LEVEE + "って本当？",
        "createdAt": "2026-12-04T23:55:00.123Z",
        "langs": ["ja"],
    },
    "indexedAt": "2026-12-04T23:55:01.456Z",
}
BSKY_LISTED = {
    "uri": "at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3lcxyz9qwe11p",
    "cid": "bafyreihq2o3sbyqz3nqdgkaz5gkwnvjzgzpvjxrqk4skbu5nnfmsrfvjfu",
    "value": {
        "$type": "app.bsky.feed.post",
        "text": "動物園からライオンが逃げたらしい！外に出ないで",
        "createdAt": "2026-12-05T00:10:00Z",
    },
}
BSKY_RECORD = {
    "$type": "app.bsky.feed.post",
    "text": "給水車は明日の朝9時に駅前に来るそうです",
    "createdAt": "2026-12-05T01:00:00+09:00",
}


def _jsonl(*items: object) -> bytes:
    return "\n".join(json.dumps(item, ensure_ascii=False) for item in items).encode()


def test_x_and_bluesky_records_are_read_with_their_address_and_time() -> None:
    rows = read_posts(_jsonl(X_RESPONSE, X_POST, BSKY_VIEW, BSKY_LISTED, BSKY_RECORD), name="day.jsonl")
    assert [r.platform for r in rows] == ["X", "X", "Bluesky", "Bluesky", "Bluesky"]
    assert rows[0].url == "https://x.com/midori_jumin/status/1864912345678901234"
    assert rows[0].posted_at == datetime(2026, 12, 4, 23, 41, 7, tzinfo=UTC)
    assert rows[1].url == "https://x.com/i/web/status/1864912345678905678"  # no username in the file
    assert rows[2].url == "https://bsky.app/profile/midori.bsky.social/post/3lcxyz2abc22k"
    assert rows[2].post_id == BSKY_VIEW["uri"]
    assert rows[3].url == "https://bsky.app/profile/did:plc:ewvi7nxzyoun6zhxrhs64oiz/post/3lcxyz9qwe11p"
    assert rows[4].url == ""
    assert rows[4].posted_at == datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    assert [r.line for r in rows] == [1, 2, 3, 4, 5]


def test_a_csv_with_times_and_platforms() -> None:
    data = (
        "text,url,created_at,platform,id\n"
        f"{LEVEE},https://x.example/1,2026-12-05 08:30,X,1\n"
        "ライオンが逃げた,,,,\n"
    ).encode()
    first, second = read_posts(data, name="posts.csv")
    assert first.posted_at is not None
    assert first.posted_at.utcoffset() is not None  # Japan time when no offset is written
    assert first.posted_at.hour == 8
    assert (first.platform, first.post_id, second.posted_at) == ("X", "1", None)


@pytest.mark.parametrize(
    ("lines", "where"),
    [
        ((X_POST, "{not json"), "2行目: JSON として読めません"),
        ((X_POST, {"data": {"id": "18649", "created_at": "2026-12-04T23:41:07Z"}}), '2行目: "text"'),
        (({**X_POST, "id": "abc"}, X_POST), "1行目: X の投稿 ID"),
        ((BSKY_RECORD, {**BSKY_RECORD, "$type": "app.bsky.feed.like"}), "2行目: Bluesky の投稿"),
        ((X_POST, X_POST, {**BSKY_VIEW, "uri": "https://bsky.app/x"}), '3行目: "uri"'),
        (({**BSKY_RECORD, "createdAt": "yesterday"},), "1行目: 投稿日時"),
        (([1, 2],), "1行目: 投稿のオブジェクト"),
    ],
)
def test_a_malformed_line_refuses_the_file_naming_the_line(lines: tuple[object, ...], where: str) -> None:
    data = b"\n".join(
        line.encode() if isinstance(line, str) else json.dumps(line, ensure_ascii=False).encode()
        for line in lines
    )
    with pytest.raises(PostFileError, match=where):
        read_posts(data, name="bad.jsonl")


@pytest.fixture
def editor(town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]) -> Client:
    return login(make_staff("imp1", town_a, Role.INFOSAFETY_EDITOR))


def _upload(client: Client, town: Municipality, data: bytes, name: str) -> object:
    return client.post(f"/staff/m/{town.code}/infosafety/import/", {"file": SimpleUploadedFile(name, data)})


def test_import_through_the_page_groups_posts_into_claims(town_a: Municipality, editor: Client) -> None:
    assert editor.get(f"/staff/m/{town_a.code}/infosafety/import/").status_code == 200
    # A resident already reported the levee rumour on the web form.
    Client().post(f"/factcheck/{town_a.code}/report/", {"text": LEVEE})
    levee = Claim.objects.get(municipality=town_a)
    data = _jsonl(X_RESPONSE, X_POST, BSKY_VIEW, BSKY_LISTED, BSKY_RECORD)
    response = _upload(editor, town_a, data, "x-and-bluesky.jsonl")
    assert response.status_code == 302  # type: ignore[attr-defined]
    imported = Report.objects.filter(municipality=town_a, channel=Report.Channel.IMPORT)
    assert imported.count() == 5
    # The two levee posts joined the resident's claim; the two lion posts make one new claim; water another.
    assert set(imported.filter(text__contains="堤防").values_list("claim_id", flat=True)) == {levee.pk}
    lion = set(imported.filter(text__contains="ライオン").values_list("claim_id", flat=True))
    assert len(lion) == 1
    assert Claim.objects.filter(municipality=town_a).count() == 3
    first = Claim.objects.get(pk=lion.pop())
    assert first.first_reported_at == datetime(2026, 12, 5, 0, 2, 41, tzinfo=UTC)  # the post's own time
    assert imported.get(post_id=X_POST["id"]).link == "https://x.com/i/web/status/1864912345678905678"
    event = AuditEvent.objects.get(action="infosafety.posts_imported")
    assert event.detail["reports"] == 5
    assert event.detail["new_claims"] == 2
    # Loading the same export again skips every post with an id or URI; a bare record has neither.
    _upload(editor, town_a, data, "x-and-bluesky.jsonl")
    assert imported.count() == 6
    again = AuditEvent.objects.filter(action="infosafety.posts_imported").order_by("pk").last()
    assert again is not None
    assert again.detail["skipped"] == 4


def test_a_malformed_import_is_refused_whole_naming_the_line(town_a: Municipality, editor: Client) -> None:
    data = _jsonl(X_POST, BSKY_RECORD) + b"\n" + json.dumps({"id": "5", "lang": "ja"}).encode()
    response = _upload(editor, town_a, data, "broken.jsonl")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "3行目" in response.content.decode()  # type: ignore[attr-defined]
    assert not Report.objects.filter(municipality=town_a).exists()
    assert not Claim.objects.filter(municipality=town_a).exists()
    # A link that is no web address refuses the file too, naming its line.
    csv = f"text,url\n{LEVEE},https://x.example/1\nライオン,javascript:alert(1)\n".encode()
    response = _upload(editor, town_a, csv, "posts.csv")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "3行目" in response.content.decode()  # type: ignore[attr-defined]
    assert not Report.objects.filter(municipality=town_a).exists()


def test_import_is_for_editors_of_the_town(
    town_a: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    other = login(make_staff("imp2", town_b, Role.INFOSAFETY_EDITOR))
    assert _upload(other, town_a, _jsonl(X_POST), "x.jsonl").status_code in (403, 404)  # type: ignore[attr-defined]
    assert Client().get(f"/staff/m/{town_a.code}/infosafety/import/").status_code in (302, 403)
    assert not Report.objects.filter(municipality=town_a).exists()


def test_a_file_over_the_page_limit_is_imported_by_the_worker(
    town_a: Municipality, editor: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(actions, "MAX_IMPORT", 3)  # the page takes 2,000 posts; this file has 5
    Client().post(f"/factcheck/{town_a.code}/report/", {"text": LEVEE})
    levee = Claim.objects.get(municipality=town_a)
    data = _jsonl(X_RESPONSE, X_POST, BSKY_VIEW, BSKY_LISTED, BSKY_RECORD)
    response = _upload(editor, town_a, data, "big-day.jsonl")
    assert response.status_code == 302  # type: ignore[attr-defined]
    job = PostImport.objects.get()
    assert job.status == Job.Status.QUEUED
    assert not Report.objects.filter(channel=Report.Channel.IMPORT).exists()  # nothing until the worker runs
    assert AuditEvent.objects.get(action="infosafety.import_received").object_id == str(job.pk)
    run_due_tasks("long")
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert (job.total, job.reports, job.new_claims, job.joined_claims) == (5, 5, 2, 1)
    assert "5 件を取り込みました" in job.message
    imported = Report.objects.filter(municipality=town_a, channel=Report.Channel.IMPORT)
    assert set(imported.filter(text__contains="堤防").values_list("claim_id", flat=True)) == {levee.pk}
    page = editor.get(f"/staff/m/{town_a.code}/infosafety/import/").content.decode()
    assert "big-day.jsonl" in page
    assert "5 件を取り込みました" in page


def test_a_bad_line_fails_the_worker_import_naming_it(town_a: Municipality, editor: Client) -> None:
    data = _jsonl(X_POST, BSKY_RECORD) + b"\n" + json.dumps({"id": "5", "lang": "ja"}).encode()
    job = actions.request_import(town_a, data, name="broken.jsonl", by=Actor.system("test"))
    run_due_tasks("long")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "3" in job.message  # the line
    assert not Report.objects.filter(channel=Report.Channel.IMPORT).exists()
