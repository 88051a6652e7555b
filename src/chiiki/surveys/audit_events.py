"""The words for this app's audit events and object types (gathered by chiiki.core.audit_events)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENTS: dict[str, Promise] = {
    "surveys.answer_corrected": _("提出済みの回答を訂正した"),
    "surveys.answer_saved": _("回答のページを保存した"),
    "surveys.answer_submitted": _("回答を提出した"),
    "surveys.answering_extended": _("回答期間を延ばした"),
    "surveys.case_viewed": _("世帯の回答を見た"),
    "surveys.key_reissued": _("アクセスキーを再発行した"),
    "surveys.letters_downloaded": _("依頼状のファイルを受け取った"),
    "surveys.letters_requested": _("依頼状の作成を依頼した"),
    "surveys.answers_export": _("回答を書き出した"),
    "surveys.assist_opened": _("支援付きの回答を始めた"),
    "surveys.enumerate_opened": _("調査員が聞き取りの回答を始めた"),
    "surveys.export_downloaded": _("書き出したファイルを受け取った"),
    "surveys.export_requested": _("回答の書き出しを依頼した"),
    "surveys.keys_issue": _("アクセスキーを発行した"),
    "surveys.letters_write": _("依頼状を作った"),
    "surveys.notifications_queue": _("お知らせの送信を予約した"),
    "surveys.questionnaire_files_attached": _("調査票のファイルを添付した"),
    "surveys.questionnaire_import": _("調査票を読み込んだ"),
    "surveys.respondent_login": _("回答者がログインした"),
    "surveys.respondent_login_failed": _("回答者のログインに失敗した"),
    "surveys.respondent_login_locked": _("失敗が続いたため回答者のログインを一時止めた"),
    "surveys.respondent_password_set": _("回答者がパスワードを設定した"),
    "surveys.sample_draw": _("標本を抽出した"),
    "surveys.survey_create": _("調査を作った"),
}

OBJECTS: dict[str, Promise] = {
    "questionnaire_version": _("調査票"),
    "survey": _("調査"),
    "survey_case": _("調査対象の世帯"),
    "survey_export": _("回答の書き出し"),
}
