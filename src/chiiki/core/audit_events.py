"""The words for the audit log's codes: each event name (``core.login``) and object type (``household``) in
Japanese and English, so that auditors read what happened, not an internal code.

Each app names its own events in ``<app>/audit_events.py`` (``EVENTS`` and ``OBJECTS``, dicts of lazy
translations); this module gathers them from the installed apps, so core imports no app. The CSV export keeps
the codes (a machine reads them) beside the words. tests/core/test_audit_labels.py fails when an event the code
can write has no words.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = [
    "EVENTS",
    "OBJECTS",
    "event_codes_matching",
    "event_label",
    "event_labels",
    "object_label",
    "object_labels",
]

EVENTS: dict[str, Promise] = {
    "core.audit_exported": _("監査ログを書き出した"),
    "core.audit_viewed": _("監査ログを検索した"),
    "core.login": _("ログインした"),
    "core.login_failed": _("ログインに失敗した"),
    "core.login_locked": _("失敗が続いたためログインを一時止めた"),
    "core.municipalities_loaded": _("地方公共団体の一覧を読み込んだ"),
    "core.platform_auditor_appointed": _("プラットフォーム監査担当者に任命した"),
    "core.platform_auditor_dismissed": _("プラットフォーム監査担当者を解任した"),
    "core.role_granted": _("役割を付けた"),
    "core.role_revoked": _("役割を外した"),
    "core.staff_created": _("職員アカウントを作った"),
}

OBJECTS: dict[str, Promise] = {
    "user": _("職員アカウント"),
}


def _app_modules() -> list[ModuleType]:
    modules: list[ModuleType] = []
    for config in apps.get_app_configs():
        name = f"{config.name}.audit_events"
        if config.name.startswith("chiiki.") and config.name != "chiiki.core" and find_spec(name) is not None:
            modules.append(import_module(name))
    return modules


@cache
def event_labels() -> dict[str, Promise]:
    """Every event name the installed apps declare, with its words."""
    labels = dict(EVENTS)
    for module in _app_modules():
        labels.update(getattr(module, "EVENTS", {}))
    return labels


@cache
def object_labels() -> dict[str, Promise]:
    """Every object type the installed apps declare, with its words."""
    labels = dict(OBJECTS)
    for module in _app_modules():
        labels.update(getattr(module, "OBJECTS", {}))
    return labels


def event_label(action: str) -> Promise | str:
    """The words for an event name; an unknown name (a newer or removed app's) is shown as it was written."""
    return event_labels().get(action, action)


def object_label(object_type: str) -> Promise | str:
    """The words for an object type; an unknown or empty one as it was written."""
    return object_labels().get(object_type, object_type)


def event_codes_matching(text: str) -> list[str]:
    """Event names whose words (in the active language) or code contain `text`: the audit search's 操作."""
    needle = text.strip().lower()
    return [code for code, label in event_labels().items() if needle in str(label).lower() or needle in code]
