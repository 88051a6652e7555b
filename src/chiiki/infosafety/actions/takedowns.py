"""Reports of screened posts to platforms and to the Internet Hotline Center, and their outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from chiiki.core import audit
from chiiki.core.links import validate_link
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


@transaction.atomic
def draft_takedown(post: ScreenedPost, *, recipient: str, by: Actor) -> TakedownReport:
    """Write the report of a screened post: its URL and the matched signals as the reason."""
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
