"""The words for this app's audit events and object types (gathered by chiiki.core.audit_events)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENTS: dict[str, Promise] = {
    "registry.household_viewed": _("世帯の住民票を見た"),
    "registry.households_viewed": _("世帯の一覧を見た"),
    "registry.import": _("住民基本台帳を読み込んだ"),
    "registry.upload_received": _("住民基本台帳のファイルを受け付けた"),
}

OBJECTS: dict[str, Promise] = {
    "household": _("世帯"),
    "registry": _("住民基本台帳"),
    "registry_upload": _("住民基本台帳のファイル"),
}
