"""Forms of the survey management pages; dates are typed in 西暦 or 和暦 (令和7年10月1日), as on the CLI."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.jp import DateParseError, parse_date
from chiiki.surveys import actions
from chiiki.surveys.xlsform import CHOICE_FILE_ENDINGS, MAX_FILE_BYTES

MAX_FORM_BYTES = 5 * 1024 * 1024  # an XLSForm is a few hundred KB at most
MAX_ATTACHED_FILES = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (``<input type=file multiple>``); cleans to a list, empty when none."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(CHOICE_FILE_ENDINGS)}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not uploads and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(item, initial) for item in uploads]


def checked_uploads(uploads: list[Any]) -> list[Any]:
    """Files attached to a questionnaire: not too many, not too large, each name once."""
    if len(uploads) > MAX_ATTACHED_FILES:
        raise forms.ValidationError(_("ファイルが多すぎます(上限 20 個)。"))
    names = [upload.name for upload in uploads]
    if len(set(names)) != len(names):
        raise forms.ValidationError(_("同じ名前のファイルが2つあります。"))
    too_large = [upload.name for upload in uploads if upload.size > MAX_FILE_BYTES]
    if too_large:
        raise forms.ValidationError(
            _("ファイルが大きすぎます(上限 32 MB): %(names)s") % {"names": ", ".join(too_large)}
        )
    return uploads


class AttachFilesForm(forms.Form):
    """Files the survey's questionnaire reads, attached after the form was uploaded."""

    upload = MultipleFileField(
        label=_("添付するファイル"),
        help_text=_("CSV・XML・GeoJSON。ファイル名は上の一覧のとおりにしてください。複数選べます。"),
    )

    def clean_upload(self) -> Any:
        return checked_uploads(self.cleaned_data["upload"])

    def attached_files(self) -> dict[str, bytes]:
        """The files by name (call after is_valid)."""
        return {upload.name: upload.read() for upload in self.cleaned_data["upload"]}


class JapaneseDateField(forms.CharField):
    """A date typed as 2026-10-01, 2026/10/01 or 令和8年10月1日."""

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_date(text)
        except DateParseError as error:
            raise forms.ValidationError(
                _("日付として読めません。2026-10-01 や 令和8年10月1日 のように入力してください。")
            ) from error


class NewSurveyForm(forms.Form):
    """A survey round: its questionnaire (XLSForm), title, dates and design."""

    form_file = forms.FileField(
        label=_("調査票(XLSForm)"),
        help_text=_("Excel形式(.xlsx)の調査票。読めない行があれば、行と理由を表示します。"),
    )
    choice_files = MultipleFileField(
        label=_("選択肢などのファイル"),
        required=False,
        help_text=_(
            "調査票が select_one_from_file や instance()、pulldata() で読むファイル(CSV・XML・GeoJSON)。"
            "複数選べます。足りないときは、必要なファイル名を表示します。"
        ),
    )
    title = forms.CharField(label=_("調査名"), max_length=200)
    reference_date = JapaneseDateField(
        label=_("調査期日"), help_text=_("例: 2026-10-01 または 令和8年10月1日")
    )
    opens_on = JapaneseDateField(
        label=_("回答受付の開始日"), required=False, help_text=_("空欄なら調査期日の14日前")
    )
    closes_on = JapaneseDateField(
        label=_("回答受付の最終日"), required=False, help_text=_("空欄なら調査期日の7日後")
    )
    sample_size = forms.IntegerField(
        label=_("標本の世帯数"), required=False, min_value=1, help_text=_("空欄なら全数調査(全世帯)")
    )
    seed = forms.IntegerField(label=_("乱数の種"), required=False, min_value=0, help_text=_("空欄なら自動"))

    def clean_form_file(self) -> Any:
        upload = self.cleaned_data["form_file"]
        if upload.size > MAX_FORM_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます(上限 5 MB)。"))
        return upload

    def clean_choice_files(self) -> Any:
        return checked_uploads(self.cleaned_data["choice_files"])

    def attached_files(self) -> dict[str, bytes]:
        """The attached files by name (call after is_valid)."""
        return {upload.name: upload.read() for upload in self.cleaned_data["choice_files"]}

    def new_survey(self) -> actions.NewSurvey:
        """The survey round the form describes (call after is_valid)."""
        data = self.cleaned_data
        reference: dt.date = data["reference_date"]
        opens = data["opens_on"] or reference - dt.timedelta(days=14)
        closes = data["closes_on"] or reference + dt.timedelta(days=7)
        return actions.NewSurvey(
            title=data["title"],
            reference_date=reference,
            opens_at=_start_of(opens),
            closes_at=_start_of(closes + dt.timedelta(days=1)),
            sample_size=data["sample_size"],
            seed=data["seed"] if data["sample_size"] else None,
        )


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class LettersForm(forms.Form):
    """A batch of request letters."""

    large_print = forms.BooleanField(label=_("大きな文字で印刷する"), required=False)
    reissue = forms.BooleanField(
        label=_("まだ回答していない全世帯に鍵を発行し直す(前の依頼状は使えなくなります)"), required=False
    )


class ReissueForm(forms.Form):
    """One household's login ID, from its letter or as it tells it at the counter."""

    login_id = forms.CharField(
        label=_("調査対象者ID"), max_length=20, help_text=_("依頼状に書かれた12桁の番号")
    )
