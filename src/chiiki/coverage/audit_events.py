"""The words for this app's audit events (gathered by chiiki.core.audit_events); object types are shown as
written."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENTS: dict[str, Promise] = {
    "coverage.boundaries_imported": _("市区町村・地区の境界を読み込んだ"),
    "coverage.census_loaded": _("国勢調査の人口メッシュを読み込んだ"),
    "coverage.challenge_answered": _("事業者の回答を記録した"),
    "coverage.challenge_cell_decided": _("申し入れた区画の結果を記録した"),
    "coverage.challenge_opened": _("事業者への申し入れを作った"),
    "coverage.layer_imported": _("事業者・国のエリアを読み込んだ"),
    "coverage.map_published": _("通信環境の地図をオープンデータとして公開した"),
    "coverage.measurements_imported": _("測定データを取り込んだ"),
    "coverage.measurements_received": _("測定データのファイルを受け付けた"),
    "coverage.places_set": _("地区の代表地点を設定した"),
    "coverage.report_received": _("不感地区の報告を受け付けた"),
    "coverage.report_triaged": _("不感地区の報告を確認した"),
    "coverage.report_viewed": _("不感地区の報告を見た"),
    "coverage.reports_coarsened": _("古い報告の地点をメッシュ単位にした"),
    "coverage.roads_imported": _("道路の線を読み込んだ"),
    "coverage.reports_listed": _("不感地区の報告の一覧を見た"),
    "coverage.target_set": _("市区町村のカバー率の目標を設定した"),
    "coverage.targets_loaded": _("カバー率の目標を読み込んだ"),
}

OBJECTS: dict[str, Promise] = {}
