"""The words for this app's audit events (gathered by chiiki.core.audit_events); object types are shown as
written."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENTS: dict[str, Promise] = {
    "cyber.advisories_loaded": _("脆弱性情報を読み込んだ"),
    "cyber.alert_acknowledged": _("通知を確認した"),
    "cyber.alert_closed": _("通知への対応を記録して閉じた"),
    "cyber.alert_closed_by_vex": _("VEXにより影響なしとして閉じた"),
    "cyber.alert_viewed": _("通知を見た"),
    "cyber.alerts_viewed": _("通知の一覧を見た"),
    "cyber.body_registered": _("団体を登録した"),
    "cyber.contact_added": _("連絡担当者を追加した"),
    "cyber.epss_loaded": _("悪用の見込み(EPSS)を読み込んだ"),
    "cyber.feed_requested": _("脆弱性情報の読み込みを依頼した"),
    "cyber.inventory_imported": _("機器・ソフトウェアの一覧を取り込んだ"),
    "cyber.inventory_viewed": _("機器・ソフトウェアの一覧を見た"),
    "cyber.kev_loaded": _("悪用が確認された脆弱性の一覧を読み込んだ"),
    "cyber.totp_enrolled": _("二段階認証の認証アプリを登録した"),
    "cyber.totp_failed": _("二段階認証のコードが合わなかった"),
    "cyber.totp_verified": _("二段階認証を通った"),
    "cyber.alert_mailed": _("通知をメールで知らせた"),
    "cyber.alert_escalated": _("期限切れの通知を管理者と県に知らせた"),
    "cyber.exported": _("脆弱性情報と影響の集計を書き出した(STIX・MISP)"),
    "cyber.source_failed": _("設定された脆弱性情報の取得元を使えなかった"),
    "cyber.recipients_set": _("TLP:REDの受け取り手を指定した"),
    "cyber.local_advisory_published": _("県のアドバイザリを作成して送った"),
    "cyber.recovery_codes_made": _("二段階認証の回復コードを作った"),
    "cyber.recovery_code_used": _("二段階認証の回復コードを使った"),
    "cyber.recovery_code_failed": _("二段階認証の回復コードが合わなかった"),
}

OBJECTS: dict[str, Promise] = {}
