"""Attachments are told apart by their first bytes, never by their name: PDF, JPEG and PNG only (no Django).

A file whose extension does not match its content is refused with both named, so a renamed file cannot pass
as another type.
"""

from __future__ import annotations

from pathlib import PurePosixPath

# Each kind's magic bytes and the extensions a file of that kind may carry.
KINDS: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "pdf": (b"%PDF-", (".pdf",)),
    "jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    "png": (b"\x89PNG\r\n\x1a\n", (".png",)),
}
CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}


class FileRefused(ValueError):
    """The file is not one of the accepted kinds, or its name says another kind than its content."""

    def __init__(self, reason: str, reason_en: str) -> None:
        super().__init__(f"{reason} ({reason_en})")
        self.reason = reason
        self.reason_en = reason_en


def kind_of(head: bytes) -> str | None:
    """The kind the content's first bytes say, or None."""
    for kind, (magic, _extensions) in KINDS.items():
        if head.startswith(magic):
            return kind
    return None


def check_attachment(head: bytes, filename: str) -> str:
    """The file's kind ("pdf", "jpeg", "png") from its content; refused when unknown or the extension lies."""
    kind = kind_of(head)
    extension = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if kind is None:
        raise FileRefused(
            "PDF・JPEG・PNG のファイルだけを添付できます。このファイルの中身はそのどれでもありません",
            "only PDF, JPEG and PNG files can be attached; this file's content is none of them",
        )
    allowed = KINDS[kind][1]
    if extension not in allowed:
        shown = extension or "(なし)"
        raise FileRefused(
            f"ファイル名の拡張子 {shown} と中身 ({kind.upper()}) が合いません。"
            f"拡張子が {allowed[0]} のファイルとして添付してください",
            f"the extension {extension or '(none)'} does not match the content ({kind.upper()})",
        )
    return kind
