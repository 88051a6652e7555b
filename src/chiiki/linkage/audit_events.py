"""The words for this app's audit events and object types (gathered by chiiki.core.audit_events)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENTS: dict[str, Promise] = {
    "linkage.case_reviewed": _("紐付けの判断をした"),
    "linkage.case_viewed": _("紐付けの確認事案を見た"),
    "linkage.links_exported": _("紐付けの結果を書き出した"),
    "linkage.queue_viewed": _("確認待ちの一覧を見た"),
    "linkage.review_confirmed": _("紐付けの判断を承認した"),
    "linkage.review_returned": _("紐付けの判断を差し戻した"),
    "linkage.run_created": _("紐付けを依頼した"),
    "linkage.run_finished": _("紐付けが終わった"),
}

OBJECTS: dict[str, Promise] = {
    "linkage_case": _("紐付けの確認事案"),
    "linkage_run": _("紐付けの実行"),
}
