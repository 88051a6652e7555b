"""Reading a file of posts: CSV/TSV with a text column, or JSON Lines of post objects from X and Bluesky.

The layout (also in docs/apps/infosafety.md):

- JSON Lines, one object per line, any of:
  - an X API v2 post object `{"id", "text", "created_at", "author_id", ...}`, or a response line
    `{"data": {...} or [...], "includes": {"users": [{"id", "username"}]}}` (a list gives several posts);
  - a Bluesky `app.bsky.feed.post` record `{"$type": "app.bsky.feed.post", "text", "createdAt"}`, as it is,
    inside a `com.atproto.repo.listRecords` item `{"uri", "cid", "value": {record}}`, or inside a post view
    `{"uri", "cid", "author": {"did", "handle"}, "record": {record}, "indexedAt"}`;
  - any object with "text" (and optionally "url", "id", "created_at").
- CSV/TSV with a header: a column text, 本文 or 投稿 (required); url/URL/リンク, created_at/投稿日時,
  platform/媒体 and id/投稿ID (optional).

The post's address is taken from "url", else made from the X post id (and the author's username when the
response includes it) or from the Bluesky at:// URI. Times are ISO 8601; a time without an offset is Japan
time. A file with any bad line is refused whole, naming the line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from chiiki.tables import TableReadError, check_table_bytes, read_delimited

MAX_POSTS = 200_000
MAX_TEXT = 2000
TEXT_COLUMNS = ("text", "本文", "投稿")
URL_COLUMNS = ("url", "URL", "リンク")
TIME_COLUMNS = ("created_at", "投稿日時")
PLATFORM_COLUMNS = ("platform", "媒体")
ID_COLUMNS = ("id", "投稿ID")
JAPAN = ZoneInfo("Asia/Tokyo")
BLUESKY_POST = "app.bsky.feed.post"
_AT_URI = re.compile(r"^at://([^/]+)/app\.bsky\.feed\.post/([A-Za-z0-9._:~-]+)$")
_X_ID = re.compile(r"^[0-9]{1,25}$")
_X_USER = re.compile(r"^[A-Za-z0-9_]{1,15}$")


@dataclass(frozen=True, slots=True)
class PostRow:
    """One post of the file; `line` is as the user counts lines (a CSV header is line 1)."""

    line: int
    text: str
    url: str = ""
    post_id: str = ""
    posted_at: datetime | None = None
    platform: str = ""  # "X", "Bluesky", or what a CSV says


class PostFileError(ValueError):
    """The file cannot be read; the message names the line and the reason."""


def read_posts(data: bytes, *, name: str = "") -> list[PostRow]:
    """Read every post of a .jsonl/.ndjson or CSV/TSV file; raise PostFileError on the first bad line."""
    if name.lower().endswith((".jsonl", ".ndjson", ".json")):
        rows = _read_jsonl(data)
    else:
        rows = _read_table(data)
    if not rows:
        raise PostFileError("投稿が一件もありません (no posts)")
    if len(rows) > MAX_POSTS:
        raise PostFileError(f"投稿が多すぎます ({len(rows)}件、上限 {MAX_POSTS}件)")
    return rows


def _read_jsonl(data: bytes) -> list[PostRow]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PostFileError("JSON Lines は UTF-8 で保存してください (not UTF-8)") from error
    rows: list[PostRow] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            rows.extend(_json_rows(number, line))
    return rows


def _json_rows(number: int, line: str) -> list[PostRow]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as error:
        raise PostFileError(f"{number}行目: JSON として読めません ({error.msg})") from error
    if not isinstance(item, dict):
        raise PostFileError(f"{number}行目: 投稿のオブジェクト ({{...}}) ではありません")
    if "data" in item:  # an X API v2 response line
        users = _x_users(item.get("includes"))
        posts = item["data"] if isinstance(item["data"], list) else [item["data"]]
        if not posts:
            raise PostFileError(f'{number}行目: "data" に投稿がありません')
        return [_x_post(number, post, users) for post in posts]
    if isinstance(item.get("record"), dict) or isinstance(item.get("value"), dict) or "$type" in item:
        return [_bluesky_post(number, item)]
    if "edit_history_tweet_ids" in item or "author_id" in item:
        return [_x_post(number, item, {})]
    return [_generic(number, item)]


def _x_users(includes: object) -> dict[str, str]:
    if not isinstance(includes, dict) or not isinstance(includes.get("users"), list):
        return {}
    return {
        str(u.get("id")): str(u.get("username"))
        for u in includes["users"]
        if isinstance(u, dict) and _X_USER.match(str(u.get("username", "")))
    }


def _x_post(number: int, post: object, users: dict[str, str]) -> PostRow:
    if not isinstance(post, dict):
        raise PostFileError(f'{number}行目: "data" の投稿がオブジェクトではありません')
    post_id = str(post.get("id", ""))
    if post_id and not _X_ID.match(post_id):
        raise PostFileError(f'{number}行目: X の投稿 ID "{post_id[:30]}" は数字ではありません')
    url = str(post.get("url", ""))
    if not url and post_id:
        user = users.get(str(post.get("author_id", "")))
        url = f"https://x.com/{user}/status/{post_id}" if user else f"https://x.com/i/web/status/{post_id}"
    return _checked(number, _text(number, post), url, post_id, _when(number, post.get("created_at")), "X")


def _bluesky_post(number: int, item: dict[str, Any]) -> PostRow:
    record = item.get("record") if isinstance(item.get("record"), dict) else item.get("value", item)
    if not isinstance(record, dict) or record.get("$type", BLUESKY_POST) != BLUESKY_POST:
        kind = record.get("$type") if isinstance(record, dict) else None
        raise PostFileError(f"{number}行目: Bluesky の投稿 ({BLUESKY_POST}) ではありません ({kind})")
    uri, url = str(item.get("uri", "")), ""
    if uri:
        match = _AT_URI.match(uri)
        if match is None:
            raise PostFileError(f'{number}行目: "uri" が Bluesky の投稿の at:// URI ではありません')
        author = item.get("author")
        handle = str(author.get("handle", "")) if isinstance(author, dict) else ""
        url = f"https://bsky.app/profile/{handle or match.group(1)}/post/{match.group(2)}"
    url = str(item.get("url", url))
    return _checked(
        number, _text(number, record), url, uri, _when(number, record.get("createdAt")), "Bluesky"
    )


def _generic(number: int, item: dict[str, Any]) -> PostRow:
    return _checked(
        number,
        _text(number, item),
        str(item.get("url", "")),
        str(item.get("id", item.get("uri", ""))),
        _when(number, item.get("created_at", item.get("createdAt"))),
        str(item.get("platform", ""))[:40],
    )


def _text(number: int, item: dict[str, Any]) -> str:
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise PostFileError(f'{number}行目: "text" (投稿の本文) がありません')
    return text


def _when(number: int, value: object) -> datetime | None:
    """An ISO 8601 time (Z or an offset; without one, Japan time); None when absent."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PostFileError(f"{number}行目: 投稿日時が文字列ではありません")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise PostFileError(
            f'{number}行目: 投稿日時 "{value[:40]}" が読めません (例: 2026-12-04T09:30:00Z)'
        ) from error
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=JAPAN)


def _read_table(data: bytes) -> list[PostRow]:
    try:
        check_table_bytes(data, label="投稿のファイル")
        table = read_delimited(data, label="投稿のファイル")
    except TableReadError as error:
        where = f"{error.line}行目: " if error.line else ""
        raise PostFileError(f"{where}{error}") from error
    header = [cell.strip() for cell in table.header]
    text_at = next((header.index(c) for c in TEXT_COLUMNS if c in header), None)
    if text_at is None:
        raise PostFileError("1行目: 本文の列 (text / 本文 / 投稿) がありません")
    at = {
        name: next((header.index(c) for c in columns if c in header), None)
        for name, columns in (
            ("url", URL_COLUMNS),
            ("time", TIME_COLUMNS),
            ("platform", PLATFORM_COLUMNS),
            ("id", ID_COLUMNS),
        )
    }
    rows: list[PostRow] = []
    for number, record in enumerate(table.rows, start=2):
        if not any(cell.strip() for cell in record):
            continue

        def cell(name: str, record: list[str] = record) -> str:
            index = at[name]
            return record[index].strip() if index is not None and index < len(record) else ""

        text = record[text_at] if text_at < len(record) else ""
        rows.append(
            _checked(
                number, text, cell("url"), cell("id"), _when(number, cell("time")), cell("platform")[:40]
            )
        )
    return rows


def _checked(
    number: int, text: str, url: str, post_id: str, posted_at: datetime | None = None, platform: str = ""
) -> PostRow:
    if not text.strip():
        raise PostFileError(f"{number}行目: 本文が空です")
    if len(text) > MAX_TEXT:
        raise PostFileError(f"{number}行目: 本文が {MAX_TEXT} 文字を超えています ({len(text)}文字)")
    if "\x00" in text:
        raise PostFileError(f"{number}行目: 使えない文字 (NUL) があります")
    return PostRow(number, text, url.strip()[:500], post_id[:300], posted_at, platform)
