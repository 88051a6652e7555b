"""Forms of the coverage pages: the resident's report (also used by staff on the phone), triage, uploads."""

from __future__ import annotations

import math
from datetime import date
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiiki.core.uploads import within_upload_limit
from chiiki.coverage.actions import ReportInput
from chiiki.coverage.models import (
    Carrier,
    ChallengeCell,
    DeadZoneReport,
    Frequency,
    PlaceKind,
    Problem,
    Technology,
    TimeBand,
)
from chiiki.jp import DateParseError, nfkc, parse_date

_RADIO = forms.RadioSelect


def _number(text: str, field: str) -> float | None:
    text = nfkc(text).strip().replace("°", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise forms.ValidationError(
            _("「%(text)s」は数ではありません(例: %(example)s)。") % {"text": text, "example": field}
        ) from None
    if not math.isfinite(value):
        raise forms.ValidationError(_("数を入れてください。"))
    return value


class ReportForm(forms.Form):
    """Where, when, which carrier and what failed: every question answerable without JavaScript."""

    district = forms.ChoiceField(label=gettext_lazy("場所(地区)"), required=False)
    address_detail = forms.CharField(
        label=gettext_lazy("番地や目印(なくてもかまいません)"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("例: 123番地の近く、○○橋の手前"),
    )
    latitude = forms.CharField(
        label=gettext_lazy("緯度(わかる場合)"),
        required=False,
        max_length=30,
        help_text=gettext_lazy("地図アプリで調べた数。例: 34.8123。入れると地区より正確な場所になります。"),
    )
    longitude = forms.CharField(
        label=gettext_lazy("経度(わかる場合)"),
        required=False,
        max_length=30,
        help_text=gettext_lazy("例: 132.8456"),
    )
    carrier = forms.ChoiceField(label=gettext_lazy("携帯電話の会社"), choices=Carrier.choices, widget=_RADIO)
    technology = forms.ChoiceField(
        label=gettext_lazy("使っている通信方式"),
        choices=Technology.choices,
        widget=_RADIO,
        help_text=gettext_lazy("わからなければ 4G を選んでください。"),
    )
    problem = forms.ChoiceField(label=gettext_lazy("困っていること"), choices=Problem.choices, widget=_RADIO)
    place_kind = forms.ChoiceField(label=gettext_lazy("どこで"), choices=PlaceKind.choices, widget=_RADIO)
    frequency = forms.ChoiceField(
        label=gettext_lazy("どのくらいの頻度で"), choices=Frequency.choices, widget=_RADIO
    )
    observed_on = forms.CharField(
        label=gettext_lazy("起きた日"),
        max_length=30,
        help_text=gettext_lazy("例: 2026-12-01、令和8年12月1日"),
    )
    time_band = forms.ChoiceField(label=gettext_lazy("時間帯"), choices=TimeBand.choices, widget=_RADIO)
    download_mbps = forms.CharField(
        label=gettext_lazy("速度測定アプリの結果(下り Mbps、なくてもかまいません)"),
        required=False,
        max_length=20,
    )

    def __init__(self, *args: Any, districts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        district = cast("forms.ChoiceField", self.fields["district"])
        district.choices = [("", _("選んでください")), *districts]
        if not self.is_bound:
            self.initial.setdefault("observed_on", timezone.localdate().isoformat())

    def clean_observed_on(self) -> date:
        try:
            return parse_date(self.cleaned_data["observed_on"])
        except DateParseError:
            raise forms.ValidationError(_("日付を読めません。例: 2026-12-01 または 令和8年12月1日")) from None

    def clean_latitude(self) -> float | None:
        return _number(self.cleaned_data["latitude"], "34.8123")

    def clean_longitude(self) -> float | None:
        return _number(self.cleaned_data["longitude"], "132.8456")

    def clean_download_mbps(self) -> float | None:
        value = _number(self.cleaned_data["download_mbps"], "12.5")
        if value is not None and not 0 <= value <= 10_000:
            raise forms.ValidationError(_("速度は 0 から 10000 までの数です。"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lon = data.get("latitude"), data.get("longitude")
        if (
            (lat is None) != (lon is None)
            and not self.has_error("latitude")
            and not self.has_error("longitude")
        ):
            self.add_error("longitude" if lon is None else "latitude", _("緯度と経度は両方入れてください。"))
        elif lat is None and lon is None and not data.get("district") and not self.has_error("latitude"):
            self.add_error("district", _("場所(地区)を選んでください。または緯度と経度を入れてください。"))
        return data

    def to_input(self, *, channel: str = DeadZoneReport.Channel.WEB) -> ReportInput:
        """The checked answers as the action's input."""
        data = self.cleaned_data
        return ReportInput(
            carrier=data["carrier"],
            technology=data["technology"],
            problem=data["problem"],
            place_kind=data["place_kind"],
            frequency=data["frequency"],
            observed_on=data["observed_on"],
            time_band=data["time_band"],
            district_code=data["district"],
            address_detail=data["address_detail"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            download_mbps=data["download_mbps"],
            channel=channel,
        )


class StaffReportForm(ReportForm):
    """A report taken by staff on the phone or at the desk."""

    channel = forms.ChoiceField(
        label=gettext_lazy("受付方法"),
        choices=[
            (DeadZoneReport.Channel.PHONE, gettext_lazy("電話")),
            (DeadZoneReport.Channel.DESK, gettext_lazy("窓口")),
        ],
        widget=_RADIO,
    )


class StatusLookupForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("受付番号"),
        max_length=12,
        help_text=gettext_lazy("報告のときに表示された 8 文字(例: KT4MXC7A)"),
    )


class TriageForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("状態"), choices=DeadZoneReport.Status.choices, widget=_RADIO
    )
    public_note = forms.CharField(
        label=gettext_lazy("報告者へのお知らせ(受付番号で見られます)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    staff_note = forms.CharField(
        label=gettext_lazy("担当者のメモ(職員だけ)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MeasurementUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("測定ファイル(CSV または TSV。UTF-8・Shift_JIS のどちらでも)"))

    def clean_file(self) -> object:
        upload = within_upload_limit(self.cleaned_data["file"])
        return upload


class AreaTargetForm(forms.Form):
    technology = forms.ChoiceField(label=gettext_lazy("方式"), choices=Technology.choices, widget=_RADIO)
    fiscal_year = forms.IntegerField(
        label=gettext_lazy("年度(この年度の末までに達成する)"), min_value=2020, max_value=2050, initial=2030
    )
    target_percent = forms.DecimalField(
        label=gettext_lazy("目標の人口カバー率(%)"), min_value=0, max_value=100, decimal_places=1, initial=99
    )
    note = forms.CharField(label=gettext_lazy("根拠(計画の名前など)"), required=False, max_length=150)


class LayerUploadForm(forms.Form):
    carrier = forms.ChoiceField(label=gettext_lazy("携帯電話会社"), choices=Carrier.choices, widget=_RADIO)
    technology = forms.ChoiceField(label=gettext_lazy("方式"), choices=Technology.choices, widget=_RADIO)
    source = forms.CharField(
        label=gettext_lazy("出典(事業者の公表エリア、総務省の資料など。時点も)"), max_length=200
    )
    file = forms.FileField(
        label=gettext_lazy("エリアのファイル(GeoJSON、または Shapefile を ZIP にまとめたもの)"),
        help_text=gettext_lazy("メッシュコードの区画か多角形。座標は経緯度(JGD2011・WGS 84)"),
    )

    def clean_file(self) -> object:
        return within_upload_limit(self.cleaned_data["file"])


class RoadUploadForm(forms.Form):
    """The municipality's roads as GeoJSON lines, counted per 500 m cell in the priorities."""

    source = forms.CharField(label=gettext_lazy("出典(道路台帳、国土数値情報など。時点も)"), max_length=200)
    file = forms.FileField(
        label=gettext_lazy("道路のファイル(GeoJSON の LineString・MultiLineString)"),
        help_text=gettext_lazy("座標は経緯度(JGD2011・WGS 84)、[経度, 緯度] の順"),
    )

    def clean_file(self) -> object:
        return within_upload_limit(self.cleaned_data["file"])


class CensusUploadForm(forms.Form):
    """The national census 500 m mesh population (e-Stat 地域メッシュ統計 CSV with KEY_CODE)."""

    source = forms.CharField(
        label=gettext_lazy("出典(例: 令和2年国勢調査 500mメッシュ 5339)"), max_length=200
    )
    file = forms.FileField(
        label=gettext_lazy("人口メッシュのファイル(e-Stat の CSV、KEY_CODE の列)"),
        help_text=gettext_lazy("Shift_JIS のままで構いません。500mメッシュ(9桁)の表を選んでください"),
    )

    def clean_file(self) -> object:
        return within_upload_limit(self.cleaned_data["file"])


class BoundaryUploadForm(forms.Form):
    """The municipality's outline or its districts (大字・丁目) as GeoJSON polygons, drawn under the cells."""

    kind = forms.ChoiceField(
        label=gettext_lazy("種類"),
        choices=[
            ("districts", gettext_lazy("地区(大字・丁目)の境界")),
            ("municipality", gettext_lazy("市区町村の境界")),
        ],
    )
    source = forms.CharField(
        label=gettext_lazy("出典(e-Stat 小地域、国土数値情報 N03 など。時点も)"), max_length=200
    )
    name_property = forms.CharField(
        label=gettext_lazy("名前の属性(空なら自動で判別)"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("例: S_NAME(e-Stat 小地域)、N03_004(国土数値情報)、name"),
    )
    code_property = forms.CharField(
        label=gettext_lazy("コードの属性(空なら自動で判別)"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("例: KEY_CODE(e-Stat 小地域)、N03_007(国土数値情報)、code"),
    )
    file = forms.FileField(
        label=gettext_lazy("境界のファイル(GeoJSON の Polygon・MultiPolygon、20 MB まで)"),
        help_text=gettext_lazy("座標は経緯度(JGD2011・WGS 84)、[経度, 緯度] の順"),
    )

    def clean_file(self) -> object:
        return within_upload_limit(self.cleaned_data["file"])


def _day_field(label: Any) -> forms.CharField:  # a lazy string
    return forms.CharField(
        label=label, max_length=30, help_text=gettext_lazy("例: 2027-01-31、令和9年1月31日")
    )


def _read_day(text: str) -> date:
    try:
        return parse_date(text)
    except DateParseError:
        raise forms.ValidationError(_("日付を読めません。例: 2027-01-31 または 令和9年1月31日")) from None


class ChallengeForm(forms.Form):
    """Staff bundle confirmed dead-zone cells (the choices) into a challenge to one carrier."""

    carrier = forms.ChoiceField(label=gettext_lazy("携帯電話会社"), choices=Carrier.choices, widget=_RADIO)
    technology = forms.ChoiceField(label=gettext_lazy("方式"), choices=Technology.choices, widget=_RADIO)
    meshes = forms.MultipleChoiceField(
        label=gettext_lazy("区画(確認された不感区画、500mメッシュ)"), widget=forms.CheckboxSelectMultiple
    )
    answer_due = _day_field(gettext_lazy("回答期限"))
    note = forms.CharField(
        label=gettext_lazy("申し入れの内容"), required=False, max_length=2000, widget=forms.Textarea
    )

    def __init__(self, *args: Any, cells: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["meshes"]).choices = cells

    def clean_answer_due(self) -> date:
        return _read_day(self.cleaned_data["answer_due"])


class ChallengeAnswerForm(forms.Form):
    answer = forms.CharField(label=gettext_lazy("事業者の回答"), max_length=4000, widget=forms.Textarea)
    answered_on = _day_field(gettext_lazy("回答日"))

    def clean_answered_on(self) -> date:
        return _read_day(self.cleaned_data["answered_on"])


class ChallengeCellForm(forms.Form):
    cell = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=gettext_lazy("結果"), choices=ChallengeCell.Outcome.choices)
    note = forms.CharField(
        label=gettext_lazy("結果のメモ(報告者にも見えます)"), required=False, max_length=300
    )
