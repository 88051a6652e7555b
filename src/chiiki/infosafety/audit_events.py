"""The words for this app's audit events (gathered by chiiki.core.audit_events); object types are shown as
written."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENTS: dict[str, Promise] = {
    "infosafety.batch_received": _("投稿のファイルを受け付けた"),
    "infosafety.batch_screened": _("投稿のファイルを判定した"),
    "infosafety.batch_viewed": _("判定結果を見た"),
    "infosafety.claim_assigned": _("うわさの担当を決めた"),
    "infosafety.claim_declined": _("うわさを対象外にした"),
    "infosafety.claims_merged": _("うわさをまとめた"),
    "infosafety.claim_split": _("うわさから報告を分けた"),
    "infosafety.claim_split_from": _("分けた報告で新しいうわさを作った"),
    "infosafety.claim_viewed": _("情報の確認記録を見た"),
    "infosafety.dashboard_viewed": _("ファクトチェックの状況を見た"),
    "infosafety.desk_viewed": _("ファクトチェックの受付一覧を見た"),
    "infosafety.line_webhook": _("LINEからの通報を受け付けた"),
    "infosafety.post_screened": _("投稿を判定した"),
    "infosafety.posts_imported": _("投稿のファイルを受付に取り込んだ"),
    "infosafety.report_received": _("情報の通報を受け付けた"),
    "infosafety.report_throttled": _("送信が多すぎる通報を断った"),
    "infosafety.screenshot_viewed": _("通報のスクリーンショットを見た"),
    "infosafety.source_added": _("出典を加えた"),
    "infosafety.source_archived": _("出典の保存した写しを加えた"),
    "infosafety.archive_downloaded": _("出典の保存した写しを取り出した"),
    "infosafety.verdict_drafted": _("判定案を書いた"),
    "infosafety.verdict_published": _("判定を公開した"),
    "infosafety.verdict_corrected": _("判定を訂正した"),
    "infosafety.signal_set_loaded": _("判定の手がかりの一覧を読み込んだ"),
    "infosafety.import_received": _("大きな投稿ファイルの取り込みを受け付けた"),
    "infosafety.takedown_drafted": _("削除依頼を作成した"),
    "infosafety.takedown_captured": _("削除依頼に投稿の記録を加えた"),
    "infosafety.takedown_viewed": _("削除依頼を見た"),
    "infosafety.takedown_exported": _("削除依頼をZIPで書き出した"),
    "infosafety.capture_downloaded": _("投稿の記録を取り出した"),
    "infosafety.takedown_status": _("削除依頼の状況を記録した"),
    "infosafety.takedowns_viewed": _("削除依頼の一覧を見た"),
    "infosafety.watch_mode_started": _("災害・選挙時の警戒期間を始めた"),
    "infosafety.watch_patterns_changed": _("注意する言葉を変えた"),
}

OBJECTS: dict[str, Promise] = {}
