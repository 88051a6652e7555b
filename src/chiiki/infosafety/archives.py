"""What an archived copy of a source is, read from its bytes (never from its name or the browser's word).

An editor keeps a copy of each piece of evidence as it was when the verdict was written, since pages change
and disappear: a PDF, a PNG or JPEG screenshot, a page saved from a browser (HTML, or MHTML, Chrome's
"single file"), or a WARC file (plain or gzipped) from a web archiving tool.
"""

from __future__ import annotations

import re
import zlib

__all__ = ["ARCHIVE_TYPES", "CAPTURE_TYPES", "archive_type", "capture_type"]

# media type → file suffix of the archived copies a source may carry
ARCHIVE_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "text/html": "html",
    "multipart/related": "mhtml",
    "application/warc": "warc",
    "application/gzip": "warc.gz",
}

_BOMS = (b"\xef\xbb\xbf",)
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_MHTML = re.compile(rb"content-type:\s*multipart/related", re.I)


def _is_html(head: bytes) -> bool:
    """A page saved from a browser: <!doctype html> or <html> first, after a BOM, blanks and comments such
    as the "saved from url" one browsers write."""
    text = head
    for bom in _BOMS:
        text = text.removeprefix(bom)
    text = text.lstrip()
    while text.startswith(b"<!--"):
        text = _COMMENT.sub(b"", text, count=1).lstrip()
    lower = text[:20].lower()
    return lower.startswith((b"<!doctype html", b"<html"))


def _is_mhtml(head: bytes) -> bool:
    """A saved page as one MIME file: a MIME header naming multipart/related before the first blank line."""
    header = head.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    return b"mime-version:" in header.lower() and bool(_MHTML.search(header))


def _is_gzipped_warc(head: bytes) -> bool:
    try:
        start = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
    except zlib.error:
        return False
    return start.startswith((b"WARC/1.0", b"WARC/1.1"))


def archive_type(content: bytes) -> str | None:
    """The media type of an archived copy from its signature, else None (an unknown kind is refused)."""
    head = content[:4096]
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"WARC/1.0\r\n", b"WARC/1.1\r\n")):
        return "application/warc"
    if head.startswith(b"\x1f\x8b") and _is_gzipped_warc(head):
        return "application/gzip"
    if _is_mhtml(head):
        return "multipart/related"
    if _is_html(head):
        return "text/html"
    return None


# What a capture of a reported post may be: a screenshot (PNG, JPEG) or a saved copy of the page (PDF, MHTML,
# WARC). A bare HTML file is refused: without its images and styles it is not a faithful picture of the post.
CAPTURE_TYPES = {kind: suffix for kind, suffix in ARCHIVE_TYPES.items() if kind != "text/html"}


def capture_type(content: bytes) -> str | None:
    """The media type of a capture read from its bytes (the archived-copy checks), else None."""
    kind = archive_type(content) if content else None
    return kind if kind in CAPTURE_TYPES else None
