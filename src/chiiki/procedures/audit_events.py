"""The words for this app's audit events (gathered by chiiki.core.audit_events); object types are shown as
written."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENTS: dict[str, Promise] = {
    "procedures.card_matched": _("マイナンバーカードの情報を住民基本台帳と照合した"),
    "procedures.application_draft_saved": _("申請の下書きを保存した"),
    "procedures.application_key_issued": _("申請の確認キーを発行した"),
    "procedures.application_signed_in": _("申請番号で申請を開いた"),
    "procedures.application_sign_in_failed": _("申請番号での申請を開くのに失敗した"),
    "procedures.application_viewed": _("申請を見た"),
    "procedures.application_resubmitted": _("差し戻された申請を送り直した"),
    "procedures.application_withdrawn": _("申請を取り下げた"),
    "procedures.application_reply": _("差戻しに返信した"),
    "procedures.application_assigned": _("申請の担当を決めた"),
    "procedures.application_returned": _("申請を差し戻した"),
    "procedures.application_first_approval": _("申請を一人目として承認した"),
    "procedures.application_decided": _("申請を決定した"),
    "procedures.attachment_added": _("申請に書類を添付した"),
    "procedures.attachment_removed": _("申請の添付書類を取り除いた"),
    "procedures.attachment_refused": _("添付書類を断った(ウイルス検査)"),
    "procedures.attachment_downloaded": _("添付書類をダウンロードした"),
    "procedures.decision_letter_downloaded": _("決定通知書をダウンロードした"),
    "procedures.accounts_loaded": _("公金受取口座の情報を読み込んだ"),
    "procedures.allowance_changed": _("給付の定義を変えた"),
    "procedures.allowance_defined": _("給付を定めた"),
    "procedures.application_received": _("申請を受け付けた"),
    "procedures.applications_exported": _("申請を書き出した"),
    "procedures.applications_viewed": _("申請の一覧を見た"),
    "procedures.card_sign_in_refused": _("マイナンバーカードでのログインを断った"),
    "procedures.card_signed_in": _("マイナンバーカードでログインした"),
    "procedures.catalog_loaded": _("手続の一覧を読み込んだ"),
    "procedures.eligibility_run_requested": _("対象者の判定を依頼した"),
    "procedures.eligibility_run_summarized": _("対象者の判定を集計した"),
    "procedures.eligibility_run_viewed": _("対象者の判定結果を見た"),
    "procedures.entitlement_viewed": _("世帯の給付の判定を見た"),
    "procedures.follow_up_viewed": _("要対応の一覧を見た"),
    "procedures.notice_confirmed": _("確認書に回答した(受け取る)"),
    "procedures.notice_declined": _("確認書に回答した(辞退する)"),
    "procedures.notice_sign_in_failed": _("確認書でのログインに失敗した"),
    "procedures.notice_signed_in": _("確認書でログインした"),
    "procedures.notices_downloaded": _("確認書をダウンロードした"),
    "procedures.notices_issued": _("確認書を発行した"),
    "procedures.payment_file_created": _("振込データを作った"),
    "procedures.payment_file_downloaded": _("振込データをダウンロードした"),
    "procedures.tax_extract_loaded": _("課税情報を読み込んだ"),
}

OBJECTS: dict[str, Promise] = {}
