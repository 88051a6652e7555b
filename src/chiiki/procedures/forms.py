"""Forms of the procedures pages (Japanese labels; English through the catalog)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.core.uploads import within_upload_limit
from chiiki.procedures.actions.help import normalize_contact
from chiiki.procedures.models import HelpPoint
from chiiki.procedures.rules import RULE_SETS


class AllowanceForm(forms.Form):
    code = forms.SlugField(label=_("給付コード(英数字)"), max_length=40)
    name = forms.CharField(label=_("給付の名称"), max_length=120)
    rule_set = forms.ChoiceField(
        label=_("支給要件(規則)"), choices=[(code, rs.name) for code, rs in RULE_SETS.items()]
    )
    parameters = forms.CharField(
        label=_("パラメータ(YAML、適用開始日つき)"),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_("例: base_amount: {2024-06-03: 100000} ・ 値ごとに適用開始日を書きます。"),
    )
    reference_date = forms.DateField(label=_("基準日"), widget=forms.DateInput(attrs={"type": "date"}))
    fiscal_year = forms.IntegerField(label=_("課税情報の年度(西暦)"), min_value=1990, max_value=2100)
    legal_basis = forms.CharField(label=_("根拠(要綱など)"), max_length=200, required=False)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("ファイルの種類"), choices=[("tax", _("課税情報(住民税)")), ("accounts", _("公金受取口座"))]
    )
    file = forms.FileField(label=_("CSV または TSV(UTF-8・Shift_JIS)"))

    def clean_file(self) -> object:
        upload = within_upload_limit(self.cleaned_data["file"])
        return upload


class DictionaryImportForm(forms.Form):
    file = forms.FileField(label=_("標準項目辞書(JSON、書き出しと同じ形式)"))

    def clean_file(self) -> object:
        return within_upload_limit(self.cleaned_data["file"])


class FormImportForm(forms.Form):
    workbook = forms.FileField(label=_("申請書の XLSForm(.xlsx)"))
    description = forms.FileField(label=_("申請書の説明(JSON、form.json と同じ形式)"))

    def clean_workbook(self) -> object:
        return within_upload_limit(self.cleaned_data["workbook"])

    def clean_description(self) -> object:
        return within_upload_limit(self.cleaned_data["description"])


class NoticeSignInForm(forms.Form):
    login_id = forms.CharField(label=_("確認書番号(12桁)"), max_length=40)
    access_key = forms.CharField(label=_("確認キー(8文字)"), max_length=40)


class AnswerForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("回答"),
        widget=forms.RadioSelect,
        choices=[
            ("accept", _("受け取ります(登録されている口座へ)")),
            ("correct", _("受け取ります(口座を直します)")),
            ("decline", _("辞退します")),
        ],
    )
    bank_code = forms.CharField(label=_("金融機関コード(4桁)"), max_length=4, required=False)
    branch_code = forms.CharField(label=_("支店コード(3桁)"), max_length=3, required=False)
    account_type = forms.ChoiceField(
        label=_("預金種目"), choices=[("1", _("普通")), ("2", _("当座")), ("4", _("貯蓄"))], required=False
    )
    account_number = forms.CharField(label=_("口座番号(7桁以内)"), max_length=7, required=False)
    holder_kana = forms.CharField(label=_("口座名義(カタカナ)"), max_length=30, required=False)


class AssistForm(AnswerForm):
    consent = forms.CharField(
        label=_("本人の同意(確認した方法)"),
        max_length=200,
        help_text=_("例: 窓口で本人が確認書を提示し、口頭で同意"),
    )


class AssistLookupForm(forms.Form):
    login_id = forms.CharField(label=_("確認書番号(12桁)"), max_length=40)


class PaymentForm(forms.Form):
    transfer_date = forms.DateField(label=_("振込指定日"), widget=forms.DateInput(attrs={"type": "date"}))


class ApplicationSignInForm(forms.Form):
    login_id = forms.CharField(label=_("申請番号(12桁)"), max_length=40)
    access_key = forms.CharField(label=_("確認キー(8文字)"), max_length=40)


class EmailLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("メールアドレス"),
        max_length=254,
        help_text=_("このアドレスに、サインイン用のリンクを送ります。リンクは一度だけ使えます。"),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("添付するファイル"), help_text=_("PDF・JPEG・PNG のファイル。写真でもかまいません。")
    )

    def clean_file(self) -> object:
        return within_upload_limit(self.cleaned_data["file"])


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("担当者への返信"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ContactEmailForm(forms.Form):
    contact_email = forms.EmailField(
        label=_("お知らせを受け取るメールアドレス"),
        help_text=_("差戻しや審査の結果をお知らせします。空にすると送りません。"),
        max_length=254,
        required=False,
    )


class ReturnForm(forms.Form):
    message = forms.CharField(
        label=_("申請者へのメッセージ(直してほしいこと)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("決定"),
        widget=forms.RadioSelect,
        choices=[("approve", _("承認する")), ("reject", _("承認しない"))],
    )
    reason = forms.CharField(
        label=_("理由(決定通知書に載ります)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HelpPointForm(forms.Form):
    """A help point of the directory (staff)."""

    name = forms.CharField(label=_("名称"), max_length=120)
    kind = forms.ChoiceField(label=_("種類"), choices=HelpPoint.Kind.choices)
    address = forms.CharField(label=_("住所"), max_length=200)
    opening_hours = forms.CharField(
        label=_("開いている日時"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例: 平日 8:30〜17:15(祝日・年末年始を除く)"),
    )
    latitude = forms.FloatField(label=_("緯度"), min_value=20, max_value=46, help_text=_("例: 34.3963"))
    longitude = forms.FloatField(label=_("経度"), min_value=122, max_value=154, help_text=_("例: 132.4594"))
    wheelchair = forms.BooleanField(label=_("車いすで入れる"), required=False)
    hearing_loop = forms.BooleanField(label=_("ヒアリングループ(磁気ループ)あり"), required=False)
    parking = forms.BooleanField(label=_("駐車場あり"), required=False)
    accessibility_notes = forms.CharField(
        label=_("バリアフリーについての補足"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class HelpSlotForm(forms.Form):
    """A bookable session at a help point (staff)."""

    starts_at = forms.DateTimeField(
        label=_("開始日時"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("終了日時"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    capacity = forms.IntegerField(label=_("定員"), min_value=1, max_value=500)
    topic = forms.CharField(
        label=_("内容"),
        max_length=120,
        required=False,
        help_text=_("例: スマートフォンでマイナポータルを使う"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["capacity"].unit = _("人")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        starts, ends = self.cleaned_data.get("starts_at"), self.cleaned_data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("終了日時は開始日時より後にしてください。"))
        if starts and starts <= timezone.now():
            self.add_error("starts_at", _("開始日時はこれから先の日時にしてください。"))
        return cleaned


class BookingForm(forms.Form):
    """A resident's booking: no account, a name and a way to reach them."""

    name = forms.CharField(label=_("お名前"), max_length=80)
    contact = forms.CharField(
        label=_("電話番号またはメールアドレス"),
        max_length=254,
        help_text=_("予約の変更や取消のときに使います。例: 082-123-4567"),
    )
    need = forms.CharField(
        label=_("相談したいこと"),
        max_length=200,
        required=False,
        help_text=_("例: マイナンバーカードで児童手当を申請したい"),
    )

    def clean_contact(self) -> str:
        try:
            return normalize_contact(self.cleaned_data["contact"])
        except ValueError:
            raise forms.ValidationError(
                _("電話番号(0から始まる10桁か11桁)かメールアドレスを入力してください。")
            ) from None


class CancelBookingForm(forms.Form):
    number = forms.CharField(label=_("予約番号(12桁)"), max_length=20)
    contact = forms.CharField(label=_("予約したときの電話番号またはメールアドレス"), max_length=254)
