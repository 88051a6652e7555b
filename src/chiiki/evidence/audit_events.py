"""The words for this app's audit events and object types (gathered by chiiki.core.audit_events)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENTS: dict[str, Promise] = {
    "evidence.costs_set": _("調査費用の単価を設定した"),
    "evidence.responses_simulate": _("模擬回答を作った"),
    "evidence.run_compute": _("推計を計算した"),
    "evidence.run_request": _("推計の計算を依頼した"),
    "evidence.table_publish": _("集計表を公表した"),
}

OBJECTS: dict[str, Promise] = {}
