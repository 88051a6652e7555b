"""Refusing what is not a table before reading it: pipes and devices, empty files, PDFs, images, .xls, .ods."""

from __future__ import annotations

import stat
from pathlib import Path


class TableReadError(Exception):
    """The file cannot be read as a table; the message says why in plain Japanese, then English.

    `line` is the 1-based line at fault when there is one (a line no known encoding reads).
    """

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


# Files people upload by mistake, recognized by their first bytes (PDFs often have no NUL byte early on).
_MAGIC = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
)
# The OLE2 container of Excel 97-2003 (.xls) files.
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_regular_file(path: str | Path) -> None:
    """Raise TableReadError unless `path` is a regular file; pipes and devices are refused before opening.

    Opening a FIFO blocks until someone writes to it and /dev/zero never ends, so `stat` decides first.
    """
    try:
        mode = Path(path).stat().st_mode
    except OSError as exc:
        raise TableReadError(
            f"ファイルを開けません: {path}（{exc.strerror}） / cannot open the file"
        ) from exc
    if stat.S_ISDIR(mode):
        raise TableReadError(f"フォルダです。ファイルを指定してください: {path} / this is a directory")
    if not stat.S_ISREG(mode):
        raise TableReadError(
            f"通常のファイルではありません（パイプや装置）: {path} / not a regular file (pipe, device or socket)"
        )


def sniff_other_format(data: bytes) -> str:
    """The name of a known non-table format the bytes are in, or "" when they may be a table."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"PK\x03\x04" and b"application/vnd.oasis.opendocument" in data[:200]:
        return "OpenDocument .ods"
    return ""


def looks_binary(data: bytes) -> bool:
    """True when the start of `data` holds a NUL byte (and no UTF-16 BOM explains it)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text has a NUL in every ASCII character
    return b"\x00" in data[:4096]


def read_table_bytes(path: str | Path, *, label: str = "") -> bytes:
    """The bytes of a file that may be a text table; TableReadError for anything that cannot be one.

    `label` names the file in messages (e.g. 住民基本台帳の抽出). XLSX is refused here: callers that read
    workbooks check for them first.
    """
    check_regular_file(path)
    what = f"{label}の" if label else ""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise TableReadError(f"{what}ファイルを開けません: {path}（{exc.strerror}）") from exc
    check_table_bytes(data, label=label)
    return data


def check_table_bytes(data: bytes, *, label: str = "") -> None:
    """Raise TableReadError unless `data` may be a text table (an upload's bytes, or a file's).

    Refused: empty files, PDFs, images, Excel workbooks (.xlsx, .xls), OpenDocument and other binary data.
    """
    what = f"{label}の" if label else ""
    if not data or data.isspace():
        raise TableReadError(f"{what}ファイルが空です / the file is empty")
    kind = sniff_other_format(data)
    if not kind and data[:4] == b"PK\x03\x04":
        kind = "Excel (.xlsx)"
    if not kind and data.startswith(XLS_MAGIC):
        kind = "古い Excel 形式（.xls）"
    if kind:
        raise TableReadError(
            f"{what}ファイルが CSV ではありません（{kind}）。CSV で保存し直してください / not a CSV file ({kind})"
        )
    if looks_binary(data):
        raise TableReadError(f"{what}ファイルが CSV ではないようです（バイナリデータ） / not a CSV file")
