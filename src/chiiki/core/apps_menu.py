"""The staff home's list of apps: which app each permission opens."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True, slots=True)
class AppEntry:
    permission: str
    title: Promise
    description: Promise
    url_name: str


APP_ENTRIES: tuple[AppEntry, ...] = (
    AppEntry(
        "registry.view",
        _("住民基本台帳"),
        _("読み込んだ世帯と住民を確認します。閲覧は監査ログに記録されます。"),
        "registry:households",
    ),
    AppEntry(
        "registry.import",
        _("住民基本台帳の読み込み"),
        _("抽出ファイル(CSV)を取り込みます。"),
        "registry:import",
    ),
    AppEntry(
        "core.view_audit",
        _("監査ログ"),
        _("誰がいつ何をしたかを検索し、CSVで書き出します。"),
        "core:audit_log",
    ),
)
