"""The staff home's list of apps: which app each permission opens."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True, slots=True)
class AppEntry:
    permission: str
    title: Promise
    description: Promise
    url_name: str
    code_in_query: bool = (
        False  # pages spanning municipalities take ?municipality=CODE instead of a path part
    )

    def url_for(self, code: str) -> str:
        """The entry's URL for one municipality."""
        if self.code_in_query:
            return f"{reverse(self.url_name)}?municipality={code}"
        return reverse(self.url_name, kwargs={"code": code})


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
        "linkage.review",
        _("住民基本台帳との照合"),
        _("レコードを台帳と照合し、確実でないものを候補と並べて確認します。確定には二人の職員が必要です。"),
        "linkage:runs",
    ),
    AppEntry(
        "opendata.edit",
        _("オープンデータ"),
        _("ファイルを標準形式に直して取り込み、検査報告を確かめて公開します。"),
        "opendata:staff",
    ),
    AppEntry(
        "surveys.fieldwork",
        _("担当世帯の訪問"),
        _("割り当てられた未回答の世帯を確認し、訪問結果を記録します。表示は監査ログに記録されます。"),
        "fieldwork:assignments",
    ),
    AppEntry(
        "surveys.assist",
        _("調査の回答支援"),
        _(
            "窓口で、回答者と一緒に調査票を入力します。依頼状の調査対象者IDで開き、支援付き回答として記録されます。"
        ),
        "surveys:assist_open",
    ),
    AppEntry(
        "surveys.manage",
        _("調査の作成と依頼状"),
        _(
            "調査票(XLSForm)から調査を作り、対象世帯を抽出し、依頼状を作ります。なくした世帯には鍵を発行し直します。"
        ),
        "surveys:manage_list",
    ),
    AppEntry(
        "surveys.manage",
        _("調査の回答状況と督促・訪問"),
        _("回答率の推移、督促の予定、未回答世帯の訪問リストと調査員ごとの残りの仕事を見ます。"),
        "fieldwork:surveys",
    ),
    AppEntry(
        "surveys.manage",
        _("調査の推計と根拠"),
        _(
            "回答に重みを付けた推計値と標準誤差、回答の偏り、調査員の訪問の効果を見て、秘匿の検査をした表を公開します。"
        ),
        "evidence:surveys",
    ),
    AppEntry(
        "talent.view_dashboard",
        _("人材バンク 地域ダッシュボード"),
        _("地方の人材の供給とニーズ、成立した紹介、副業の労働時間を都道府県別に見ます(集計のみ)。"),
        "talent:dashboard",
    ),
    AppEntry(
        "talent.post_need",
        _("人材バンクにニーズを投稿"),
        _("この団体として、プロジェクト・副業・常勤・メンタリングのニーズを投稿し、候補者を見ます。"),
        "talent:staff_need_new",
    ),
    AppEntry(
        "talent.verify_organization",
        _("人材バンクの団体の確認"),
        _("同じ都道府県の企業・スタートアップを法人番号で確かめ、確認済みにします。"),
        "talent:verify",
    ),
    AppEntry(
        "core.manage_staff",
        _("職員と役割"),
        _("職員のアカウントを作り、役割を付けたり外したりします。"),
        "core:staff_list",
    ),
    AppEntry(
        "core.view_audit",
        _("監査ログ"),
        _("誰がいつ何をしたかを検索し、CSVで書き出します。"),
        "core:audit_log",
        code_in_query=True,
    ),
)
