"""Decoding the bytes of a text table: BOMs first, then strict UTF-8, cp932 and EUC-JP, else the best guess."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

UTF8 = "UTF-8"
UTF8_BOM = "UTF-8 (BOM付き)"
UTF16_BOM = "UTF-16 (BOM付き)"
CP932 = "Shift_JIS (cp932)"
EUC_JP = "EUC-JP"
# Single bytes that Python's cp932 accepts but no Windows text contains (0x80, 0xA0, 0xFD-0xFF map to
# U+0080, U+00A0, U+F8F0-U+F8F3): bytes of another encoding that happen to "decode".
_CP932_STRAY = re.compile("[\u0080\u00a0\uf8f0-\uf8f3]")


@dataclass(frozen=True)
class Decoded:
    """Text of a file with the encoding it was read in and notes on anything replaced."""

    text: str
    encoding: str
    notes: list[str] = field(default_factory=list)


def decode(data: bytes) -> Decoded:
    """Decode bytes as UTF-16 (with BOM), UTF-8 (BOM or not), cp932 or EUC-JP, in that order.

    A file that is none of them exactly is read in whichever of UTF-8 and cp932 breaks fewer characters, and
    a note says how many were replaced with U+FFFD; callers that must not guess check `notes`.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export: UTF-16 with a BOM (usually tab-separated).
        try:
            return Decoded(data.decode("utf-16"), UTF16_BOM)
        except UnicodeDecodeError:
            pass
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return Decoded(data[3:].decode("utf-8"), UTF8_BOM)
        except UnicodeDecodeError:
            pass
    strict = decode_strictly(data)
    if strict is not None:
        return strict
    utf = data.decode("utf-8", errors="replace")
    sjis = data.decode("cp932", errors="replace")
    bad_utf = utf.count("\ufffd")
    bad_sjis = sjis.count("\ufffd") + len(_CP932_STRAY.findall(sjis))
    text, name, bad = (utf, UTF8, bad_utf) if bad_utf <= bad_sjis else (sjis, CP932, bad_sjis)
    note = f"文字コード {name} として読めない部分が {bad} か所あり、「\ufffd」に置き換えました"
    return Decoded(text, name, [note])


def decode_strictly(data: bytes) -> Decoded | None:
    """UTF-8, else cp932, else EUC-JP, each only when every byte reads; None when none does.

    cp932 comes before EUC-JP because most municipal files are cp932 and EUC-JP bytes rarely read as cp932.
    """
    for codec, name in (("utf-8", UTF8), ("cp932", CP932), ("euc_jp", EUC_JP)):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if codec != "cp932" or not _CP932_STRAY.search(text):
            return Decoded(text, name)
    return None
