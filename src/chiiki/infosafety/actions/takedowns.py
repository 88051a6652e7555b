"""Reports of screened posts to platforms and to the Internet Hotline Center, and their outcome."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.links import validate_link
from chiiki.infosafety.archives import CAPTURE_TYPES, capture_type
from chiiki.infosafety.models import ScreenedPost, TakedownReport

if TYPE_CHECKING:
    from chiiki.core.acting import Actor

# The reason in the terms platforms and the Internet Hotline Center use (犯罪実行者募集情報: treated as illegal
# information by the Center since 2025-03-01, per issue 15).
REASON = "犯罪実行者募集情報(いわゆる闇バイトの募集)にあたると考えられます。確認した手がかり: {signals}"
NEXT = {
    TakedownReport.Status.DRAFTED: {TakedownReport.Status.SENT},
    TakedownReport.Status.SENT: {TakedownReport.Status.REMOVED, TakedownReport.Status.REFUSED},
}


NOT_A_CAPTURE = "PNG・JPEG の画面、または PDF・MHTML・WARC で保存した投稿のどれでもありません"


class CaptureError(ValueError):
    """The report cannot take a capture (it has one already); the message says why in plain Japanese."""


@transaction.atomic
def attach_capture(report: TakedownReport, content: bytes, *, by: Actor) -> TakedownReport:
    """Keep `content` as the capture of the reported post: checked by its bytes, stored once on the configured
    storage with its SHA-256 (a capture is evidence: it is never replaced), and audited."""
    kind = capture_type(content)
    if kind is None:
        raise ValidationError({"capture": NOT_A_CAPTURE})
    locked = TakedownReport.objects.select_for_update().get(pk=report.pk)
    if locked.capture:
        raise CaptureError("この通報には投稿の記録があります(記録は差し替えられません)")
    digest = hashlib.sha256(content).hexdigest()
    locked.capture_type = kind
    locked.capture_size = len(content)
    locked.capture_sha256 = digest
    locked.captured_by = by.user
    locked.captured_at = timezone.now()
    # the stored name is ours (the sender's file name is not kept); the storage adds a suffix if it is taken
    locked.capture.save(f"takedown-{locked.pk}.{CAPTURE_TYPES[kind]}", ContentFile(content), save=False)
    locked.save(
        update_fields=[
            "capture",
            "capture_type",
            "capture_size",
            "capture_sha256",
            "captured_by",
            "captured_at",
            "updated_at",
        ]
    )
    audit.record(
        "infosafety.takedown_captured",
        by=by,
        municipality=locked.municipality_id,
        object_type="takedown",
        object_id=locked.pk,
        detail={"type": kind, "bytes": len(content), "sha256": digest},
    )
    return locked


@transaction.atomic
def draft_takedown(post: ScreenedPost, *, recipient: str, by: Actor, capture: bytes = b"") -> TakedownReport:
    """Write the report of a screened post: its URL and the matched signals as the reason, and its capture if
    one is given (a bad capture refuses the whole report: nothing is written)."""
    if capture and capture_type(capture) is None:
        raise ValidationError({"capture": NOT_A_CAPTURE})
    if recipient not in TakedownReport.Recipient.values:
        raise ValidationError({"recipient": "通報先を選んでください"})
    if not post.url:
        raise ValidationError({"url": "投稿の URL がないため通報できません"})
    validate_link(post.url)
    signals = "、".join(str(m.get("label", "")) for m in post.matches if float(m.get("weight", 0)) > 0)
    report = TakedownReport.objects.create(
        municipality_id=post.municipality_id,
        post=post,
        recipient=recipient,
        reason=REASON.format(signals=signals or "なし"),
        url=post.url,
        created_by=by.user,
    )
    audit.record(
        "infosafety.takedown_drafted",
        by=by,
        municipality=post.municipality_id,
        object_type="takedown",
        object_id=report.pk,
        detail={"recipient": recipient, "url": post.url},
    )
    if capture:
        report = attach_capture(report, capture, by=by)
    return report


@transaction.atomic
def record_takedown_status(report: TakedownReport, *, status: str, by: Actor) -> TakedownReport:
    """Move a report on: drafted → sent → removed or refused (nothing goes back)."""
    report = TakedownReport.objects.select_for_update().get(pk=report.pk)
    if status not in NEXT.get(TakedownReport.Status(report.status), set()):
        raise ValidationError({"status": f"「{report.get_status_display()}」からは進められません"})
    before = report.status
    report.status = status
    report.save(update_fields=["status", "updated_at"])
    audit.record(
        "infosafety.takedown_status",
        by=by,
        municipality=report.municipality_id,
        object_type="takedown",
        object_id=report.pk,
        detail={"from": before, "to": status},
    )
    return report
