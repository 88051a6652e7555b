"""Introductions through the platform: one side asks, the other accepts or declines, and contact details are
shown (each showing audited) only once both sides have accepted."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.talent.access import side_of
from chiiki.talent.actions._base import TalentActionError, acts_for
from chiiki.talent.models import Introduction, Need, Organization, TalentProfile


def _check_requester(profile: TalentProfile, organization: Organization, side: str, by: Actor) -> None:
    if side == Introduction.Side.ORGANIZATION:
        if not acts_for(by, organization):
            raise TalentActionError("この団体として申し込む権限がありません。")
    elif side == Introduction.Side.TALENT:
        if by.user is None or profile.user_id != by.user.pk:
            raise TalentActionError("本人だけが申し込めます。")
    else:
        raise TalentActionError(f"不明な申込側です: {side}")


@transaction.atomic
def request_introduction(
    profile: TalentProfile,
    organization: Organization,
    *,
    side: str,
    by: Actor,
    need: Need | None = None,
    message: str = "",
) -> Introduction:
    """Ask for an introduction; the asking side's consent is recorded at once, the other side must accept."""
    if need is not None and need.organization_id != organization.pk:
        raise TalentActionError("ニーズと団体が一致しません。")
    _check_requester(profile, organization, side, by)
    if Introduction.objects.filter(
        profile=profile, organization=organization, need=need, declined_at__isnull=True
    ).exists():
        raise TalentActionError("この組み合わせの紹介はすでに申し込まれています。")
    now = timezone.now()
    intro = Introduction.objects.create(
        profile=profile,
        organization=organization,
        need=need,
        initiated_by=side,
        requested_by=by.user,
        message=message,
        organization_accepted_at=now if side == Introduction.Side.ORGANIZATION else None,
        talent_accepted_at=now if side == Introduction.Side.TALENT else None,
    )
    audit.record(
        "talent.introduction_requested",
        by=by,
        municipality=organization.municipality_id,
        object_type="talent_introduction",
        object_id=intro.pk,
        detail={"profile": profile.pk, "organization": organization.pk, "need": need.pk if need else None,
                "side": side},
    )  # fmt: skip
    return intro


@transaction.atomic
def respond_introduction(intro: Introduction, *, accept: bool, by: Actor) -> Introduction:
    """Accept or decline on the caller's side. Declining by either side ends it."""
    side = side_of(by.user, intro)
    if side is None:
        raise TalentActionError("この紹介に応答する権限がありません。")
    if intro.declined_at is not None:
        raise TalentActionError("この紹介はすでに終了しています。")
    now = timezone.now()
    if not accept:
        intro.declined_at, intro.declined_by = now, side
    elif side == Introduction.Side.TALENT:
        intro.talent_accepted_at = intro.talent_accepted_at or now
    else:
        intro.organization_accepted_at = intro.organization_accepted_at or now
    intro.save()
    audit.record(
        "talent.introduction_accepted" if accept else "talent.introduction_declined",
        by=by,
        municipality=intro.organization.municipality_id,
        object_type="talent_introduction",
        object_id=intro.pk,
        detail={"side": side, "both_accepted": intro.accepted},
    )
    return intro


@transaction.atomic
def contact_details(intro: Introduction, *, by: Actor) -> dict[str, str]:
    """The other side's contact details, only once both accepted; each showing is audited."""
    side = side_of(by.user, intro)
    if side is None or not intro.accepted:
        raise TalentActionError("双方が承諾するまで連絡先は表示されません。")
    if side == Introduction.Side.ORGANIZATION:
        details = {
            "name": intro.profile.display_name,
            "email": intro.profile.contact_email or intro.profile.user.email,
            "phone": intro.profile.contact_phone,
        }
    else:
        details = {"name": intro.organization.name, "email": intro.organization.contact_email, "phone": ""}
    audit.record(
        "talent.contact_shown",
        by=by,
        municipality=intro.organization.municipality_id,
        object_type="talent_introduction",
        object_id=intro.pk,
        detail={"side": side},
    )
    return details
