"""Reading a file of posts to screen: CSV/TSV with a text column, or JSON Lines of post objects.

JSON Lines accepts one object per line with a "text" field: the layout of X API v2 post objects
({"id", "text", ...}) and of Bluesky `app.bsky.feed.post` records ({"$type", "text", "createdAt"}), so
exports from both platforms load as they are. A CSV needs a column named text, 本文 or 投稿 (url/URL optional).
A file with any bad line is refused whole, naming the line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from chiiki.tables import TableReadError, check_table_bytes, read_delimited

MAX_POSTS = 200_000
MAX_TEXT = 2000
TEXT_COLUMNS = ("text", "本文", "投稿")
URL_COLUMNS = ("url", "URL", "リンク")


@dataclass(frozen=True, slots=True)
class PostRow:
    """One post of the file; `line` is as the user counts lines (a CSV header is line 1)."""

    line: int
    text: str
    url: str = ""
    post_id: str = ""


class PostFileError(ValueError):
    """The file cannot be screened; the message names the line and the reason."""


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
            rows.append(_json_row(number, line))
    return rows


def _json_row(number: int, line: str) -> PostRow:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as error:
        raise PostFileError(f"{number}行目: JSON として読めません ({error.msg})") from error
    if isinstance(item, dict) and isinstance(item.get("data"), dict):
        item = item["data"]  # an X API v2 response line {"data": {...}}
    if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item["text"].strip():
        raise PostFileError(f'{number}行目: "text" (投稿の本文) がありません')
    return _checked(number, item["text"], str(item.get("url", "")), str(item.get("id", item.get("uri", ""))))


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
    url_at = next((header.index(c) for c in URL_COLUMNS if c in header), None)
    rows: list[PostRow] = []
    for number, record in enumerate(table.rows, start=2):
        if not any(cell.strip() for cell in record):
            continue
        text = record[text_at] if text_at < len(record) else ""
        url = record[url_at] if url_at is not None and url_at < len(record) else ""
        rows.append(_checked(number, text, url, ""))
    return rows


def _checked(number: int, text: str, url: str, post_id: str) -> PostRow:
    if not text.strip():
        raise PostFileError(f"{number}行目: 本文が空です")
    if len(text) > MAX_TEXT:
        raise PostFileError(f"{number}行目: 本文が {MAX_TEXT} 文字を超えています ({len(text)}文字)")
    if "\x00" in text:
        raise PostFileError(f"{number}行目: 使えない文字 (NUL) があります")
    return PostRow(number, text, url.strip()[:500], post_id[:100])
