"""The report of a screened post as it is handed to a platform and to the Internet Hotline Center.

Three shapes of the same facts (docs/apps/infosafety.md, "Reports to platforms and the Internet Hotline Center"):
a plain text to paste into the recipient's own form, a JSON record (`chiiki-infosafety-takedown`, version 1) and
a ZIP with both, the capture of the post and a `SHA256SUMS` line for it, so the recipient can check that the
capture is the one the report names.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from chiiki.infosafety.models import TakedownReport

__all__ = ["CATEGORY", "FORMAT", "FORMAT_VERSION", "ihc_record", "platform_text", "report_zip"]

FORMAT = "chiiki-infosafety-takedown"
FORMAT_VERSION = 1
# The Internet Hotline Center treats recruitment of people to commit crimes as illegal information since
# 2025-03-01 (issue 15); platforms' forms have a matching "illegal activity" kind of report.
CATEGORY = "犯罪実行者募集情報"
CATEGORY_CLASS = "違法情報"


def _capture(report: TakedownReport) -> dict[str, Any] | None:
    if not report.capture_name:
        return None
    return {
        "file_name": report.capture_name,
        "media_type": report.capture_type,
        "bytes": report.capture_size,
        "sha256": report.capture_sha256,
        "captured_at": report.captured_at.isoformat(timespec="seconds") if report.captured_at else None,
    }


def ihc_record(report: TakedownReport) -> dict[str, Any]:
    """The report as the documented JSON record (the Internet Hotline Center format)."""
    post = report.post
    municipality = report.municipality
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "number": report.pk,
        "reporter": {"municipality_code": municipality.code, "municipality": str(municipality)},
        "recipient": report.recipient,
        "recipient_name": str(report.get_recipient_display()),
        "created_at": report.created_at.isoformat(timespec="seconds"),
        "url": report.url,
        "information_class": CATEGORY_CLASS,
        "category": CATEGORY,
        "reason": report.reason,
        "post_text": post.text,
        "score": round(post.score, 3),
        "level": post.level,
        "signal_version": post.signal_version,
        "signals": [
            {
                "id": str(m.get("id", "")),
                "label": str(m.get("label", "")),
                "weight": m.get("weight"),
                "evidence": list(m.get("evidence", [])),
            }
            for m in post.matches
            if float(m.get("weight", 0)) > 0
        ],
        "status": report.status,
        "status_name": str(report.get_status_display()),
        "updated_at": report.updated_at.isoformat(timespec="seconds"),
        "capture": _capture(report),
    }


def platform_text(report: TakedownReport) -> str:
    """The report in words, to paste into the platform's (or the Center's) form."""
    record = ihc_record(report)
    lines = [
        f"通報番号: {record['number']}",
        f"通報先: {record['recipient_name']}",
        f"通報元: {record['reporter']['municipality']}",
        f"対象の投稿(URL): {record['url']}",
        f"情報の種別: {CATEGORY_CLASS}({CATEGORY})",
        f"理由: {record['reason']}",
        "投稿の本文:",
        *(f"  {line}" for line in report.post.text.splitlines() or [""]),
    ]
    capture = record["capture"]
    if capture:
        lines += [
            f"投稿の記録(キャプチャ): {capture['file_name']}({capture['media_type']}、{capture['bytes']} バイト)",
            f"記録の SHA-256: {capture['sha256']}",
            f"記録した日時: {capture['captured_at']}",
        ]
    else:
        lines.append("投稿の記録(キャプチャ): なし")
    lines.append(f"作成日時: {record['created_at']}")
    return "\n".join(lines) + "\n"


def report_zip(report: TakedownReport, capture: bytes | None) -> bytes:
    """A ZIP of the report's text, its JSON record and, when there is one, the capture with its SHA256SUMS."""
    out = io.BytesIO()
    stem = f"takedown-{report.pk}"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.txt", platform_text(report).encode("utf-8"))
        archive.writestr(
            f"{stem}.json", json.dumps(ihc_record(report), ensure_ascii=False, indent=2).encode("utf-8")
        )
        if capture is not None and report.capture_name:
            archive.writestr(report.capture_name, capture)
            archive.writestr("SHA256SUMS", f"{report.capture_sha256}  {report.capture_name}\n")
    return out.getvalue()
