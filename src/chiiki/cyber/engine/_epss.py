"""FIRST's EPSS scores (Exploit Prediction Scoring System): the daily CSV, gzip-compressed or not.

The file opens with a comment line `#model_version:…,score_date:…`, then the header `cve,epss,percentile` and one
row per CVE; EPSS is the probability (0–1) of exploitation activity in the next 30 days.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass

from chiiki.cyber.engine._advisories import AdvisoryError

_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$")
# EPSS at or above this counts like a KEV listing for the priority (the operator's default policy).
EPSS_LIKELY = 0.1


@dataclass(frozen=True, slots=True)
class EpssScore:
    cve: str
    epss: float
    percentile: float


def read_epss(data: bytes, *, document: str = "EPSS") -> tuple[str, list[EpssScore]]:
    """(score_date, scores); a malformed row refuses the whole file, naming the row (header = row 1 after the
    comment) and the column."""
    lines = _text(data, document).splitlines()
    comment = lines[0] if lines and lines[0].startswith("#") else ""
    score_date = dict(part.split(":", 1) for part in comment.lstrip("#").split(",") if ":" in part).get(
        "score_date", ""
    )
    rows = csv.reader(io.StringIO("\n".join(lines[1:] if comment else lines)))
    header = [h.strip().lower() for h in next(rows, [])]
    if header[:3] != ["cve", "epss", "percentile"]:
        raise AdvisoryError(
            document, "row 1", f"見出しは cve,epss,percentile であるべきです(「{','.join(header)}」)"
        )
    return score_date, [_row(row, number, document) for number, row in enumerate(rows, start=2) if row]


def _text(data: bytes, document: str) -> str:
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except OSError as error:
            raise AdvisoryError(document, "(file)", f"gzip として読めません: {error}") from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise AdvisoryError(document, "(file)", f"UTF-8 として読めません: {error}") from error


def _row(row: list[str], number: int, document: str) -> EpssScore:
    if len(row) < 3:
        raise AdvisoryError(document, f"row {number}", "列が足りません(cve,epss,percentile)")
    if not _CVE.match(row[0].strip()):
        raise AdvisoryError(document, f"row {number}, cve", f"CVE 番号ではありません: {row[0]!r}")
    values = []
    for column, value in (("epss", row[1]), ("percentile", row[2])):
        try:
            number_value = float(value)
        except ValueError:
            number_value = -1.0
        if not 0.0 <= number_value <= 1.0:
            raise AdvisoryError(
                document, f"row {number}, {column}", f"0 から 1 の数ではありません: {value!r}"
            )
        values.append(number_value)
    return EpssScore(row[0].strip(), values[0], values[1])
