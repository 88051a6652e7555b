"""The words for this app's audit events and object types (gathered by chiiki.core.audit_events)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENTS: dict[str, Promise] = {
    "fieldwork.assignment_viewed": _("訪問先の世帯を見た"),
    "fieldwork.assignments_viewed": _("担当する訪問先の一覧を見た"),
    "fieldwork.dashboard_viewed": _("回収状況を見た"),
    "fieldwork.follow_up_build": _("訪問の割り当てを作った"),
    "fieldwork.reminder_schedule_set": _("督促の予定を決めた"),
    "fieldwork.reminders_send": _("督促を送った"),
    "fieldwork.visit_record": _("訪問を記録した"),
}

OBJECTS: dict[str, Promise] = {}
