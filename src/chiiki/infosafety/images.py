"""Which image a screenshot is, read from its first bytes (never from its name or the browser's word)."""

from __future__ import annotations

__all__ = ["IMAGE_TYPES", "image_type"]

# media type → file suffix of the images a screenshot may be
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}


def image_type(head: bytes) -> str | None:
    """The media type of a PNG, JPEG, WebP or GIF image from its signature (magic bytes), else None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return None
