"""The words for this app's audit events and object types (gathered by chiiki.core.audit_events).

The side-job app writes its events under the talent bank's name (``talent.…``), where auditors look for them.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENTS: dict[str, Promise] = {
    "talent.contract_recorded": _("副業の契約を登録した"),
    "talent.hours_recorded": _("労働時間を記録した"),
    "talent.hours_viewed": _("労働時間を見た"),
    "talent.management_model_confirmed": _("管理モデルに同意した"),
    "talent.management_model_ended": _("管理モデルを終えた"),
    "talent.management_model_proposed": _("管理モデルを提案した"),
}

OBJECTS: dict[str, Promise] = {
    "sidejob": _("副業"),
    "talent_contract": _("副業の契約"),
    "talent_management_model": _("管理モデル"),
}
