"""The words for this app's audit events and object types (gathered by chiiki.core.audit_events)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENTS: dict[str, Promise] = {
    "talent.contact_shown": _("連絡先を知らせた"),
    "talent.dashboard_viewed": _("人材バンクの状況を見た"),
    "talent.demo_loaded": _("デモの人材バンクを読み込んだ"),
    "talent.endorsed": _("スキルを推薦した"),
    "talent.evidence_added": _("スキルの裏付けを加えた"),
    "talent.evidence_removed": _("スキルの裏付けを削除した"),
    "talent.introduction_accepted": _("紹介を受けた"),
    "talent.introduction_declined": _("紹介を断った"),
    "talent.introduction_requested": _("紹介を依頼した"),
    "talent.matches_viewed": _("候補者を見た"),
    "talent.need_closed": _("ニーズを締め切った"),
    "talent.need_posted": _("ニーズを登録した"),
    "talent.organization_registered": _("団体を登録した"),
    "talent.organization_verified": _("団体を確認済みにした"),
    "talent.profile_created": _("人材として登録した"),
    "talent.profile_deleted": _("人材の登録を削除した"),
    "talent.profile_exported": _("人材の登録内容を書き出した"),
    "talent.profile_updated": _("人材の登録内容を更新した"),
    "talent.profile_viewed": _("人材のページを見た"),
    "talent.profiles_searched": _("人材を検索した"),
    "talent.skills_declared": _("スキルを登録した"),
    "talent.standard_carried_over": _("人材とニーズを新しいスキル標準に移した"),
    "talent.standard_installed": _("スキル標準を読み込んだ"),
}

OBJECTS: dict[str, Promise] = {
    "talent": _("人材バンク"),
    "talent_evidence": _("スキルの裏付け"),
    "talent_introduction": _("紹介"),
    "talent_need": _("ニーズ"),
    "talent_organization": _("人材バンクの団体"),
    "talent_profile": _("人材の登録"),
}
