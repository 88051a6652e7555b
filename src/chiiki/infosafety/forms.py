"""Forms of infosafety pages (no JavaScript needed)."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiiki.core.links import validate_link
from chiiki.core.uploads import within_upload_limit
from chiiki.infosafety.archives import archive_type, capture_type
from chiiki.infosafety.engine import SCALES, WatchPatternError, parse_patterns
from chiiki.infosafety.images import image_type
from chiiki.infosafety.models import MAX_LINK, MAX_TEXT


class ReportForm(forms.Form):
    """What a resident saw: plain fields, nothing required but the text."""

    text = forms.CharField(
        label=gettext_lazy("見た内容(投稿の文章など)"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    link = forms.CharField(
        label=gettext_lazy("リンク(あれば)"),
        help_text=gettext_lazy("https:// で始まる投稿のアドレス"),
        max_length=MAX_LINK,
        required=False,
        validators=[validate_link],
    )
    where_seen = forms.CharField(
        label=gettext_lazy("どこで見ましたか(X、LINE、掲示など)"), max_length=200, required=False
    )
    seen_at = forms.DateTimeField(
        label=gettext_lazy("いつ見ましたか"),
        help_text=gettext_lazy("例: 2026-12-04 09:30"),
        required=False,
    )
    screenshot = forms.FileField(
        label=gettext_lazy("スクリーンショット(任意)"),
        help_text=gettext_lazy("PNG・JPEG・WebP・GIF の画像。職員だけが見ます(公開しません)。"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
    )
    contact = forms.CharField(
        label=gettext_lazy("結果を知らせてほしい場合の連絡先(任意)"), max_length=200, required=False
    )

    def clean_screenshot(self) -> bytes:
        """The image's bytes (b"" when none was sent); over the upload limit or not an image is refused."""
        upload = self.cleaned_data.get("screenshot")
        if not upload:
            return b""
        within_upload_limit(upload)
        content: bytes = upload.read()
        if image_type(content[:16]) is None:
            raise forms.ValidationError(
                _("画像ファイル(PNG・JPEG・WebP・GIF)を選んでください。このファイルは画像として読めません。")
            )
        return content


ARCHIVE_HELP = gettext_lazy(
    "出典をその時点の形で残すためのファイル: PDF、PNG・JPEG の画面、ブラウザで保存したページ(HTML・MHTML)、"
    "WARC。担当者だけが取り出せます(公開しません)。"
)
ARCHIVE_ACCEPT = (
    ".pdf,.png,.jpg,.jpeg,.html,.htm,.mhtml,.mht,.warc,.gz,application/pdf,image/png,image/jpeg,text/html"
)


def archive_bytes(upload: object) -> bytes:
    """An archived copy's bytes (b"" when none was sent); over the upload limit or of an unknown kind is refused."""
    if not upload:
        return b""
    within_upload_limit(upload)
    content: bytes = upload.read()  # type: ignore[attr-defined]
    if archive_type(content) is None:
        raise forms.ValidationError(
            _(
                "PDF・PNG・JPEG・保存したウェブページ(HTML・MHTML)・WARC のファイルを選んでください。"
                "このファイルはどれとしても読めません。"
            )
        )
    return content


class SourceForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("出典(発表した機関・文書の名前)"), max_length=200)
    url = forms.CharField(
        label=gettext_lazy("URL"), max_length=MAX_LINK, required=False, validators=[validate_link]
    )
    published_on = forms.DateField(label=gettext_lazy("出典の日付"), required=False)
    note = forms.CharField(label=gettext_lazy("メモ"), max_length=500, required=False)
    archive = forms.FileField(
        label=gettext_lazy("保存した写し(任意)"),
        help_text=ARCHIVE_HELP,
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ARCHIVE_ACCEPT}),
    )

    def clean_archive(self) -> bytes:
        """The archived copy's bytes, or b"" when none was sent."""
        return archive_bytes(self.cleaned_data.get("archive"))


class ArchiveForm(forms.Form):
    """The archived copy of a source added earlier without one."""

    source = forms.TypedChoiceField(label=gettext_lazy("出典"), coerce=int)
    archive = forms.FileField(
        label=gettext_lazy("保存した写し"),
        help_text=ARCHIVE_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": ARCHIVE_ACCEPT}),
    )

    def __init__(self, *args: object, sources: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["source"].choices = sources  # type: ignore[attr-defined]

    def clean_archive(self) -> bytes:
        """The archived copy's bytes."""
        return archive_bytes(self.cleaned_data.get("archive"))


CAPTURE_ACCEPT = ".png,.jpg,.jpeg,.pdf,.mhtml,.mht,.warc,.gz,image/png,image/jpeg,application/pdf"


class CaptureForm(forms.Form):
    """The capture of a reported post: a screenshot or a saved copy of the page, as staff saw it."""

    capture = forms.FileField(
        label=gettext_lazy("投稿の記録(キャプチャ)"),
        help_text=gettext_lazy(
            "PNG・JPEG の画面、または PDF・MHTML・WARC で保存した投稿。通報に SHA-256 とともに載ります(公開しません)。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": CAPTURE_ACCEPT}),
    )

    def __init__(self, *args: object, required: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["capture"].required = required

    def clean_capture(self) -> bytes:
        """The capture's bytes (b"" when none was sent and none is required); too large or of another kind is
        refused with the reason."""
        upload = self.cleaned_data.get("capture")
        if not upload:
            return b""
        within_upload_limit(upload)
        content: bytes = upload.read()
        if capture_type(content) is None:
            raise forms.ValidationError(
                _(
                    "PNG・JPEG の画面、または PDF・MHTML・WARC で保存した投稿を選んでください。"
                    "このファイルはどれとしても読めません。"
                )
            )
        return content


def _rating_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (scale.name, [(f"{scale.code}:{r.code}", r.label) for r in scale.ratings])
        for scale in SCALES.values()
    ]


class DraftForm(forms.Form):
    rating = forms.ChoiceField(label=gettext_lazy("判定"), choices=_rating_choices)
    explanation = forms.CharField(
        label=gettext_lazy("説明(わかりやすい言葉で)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )


class CorrectionForm(forms.Form):
    rating = forms.ChoiceField(label=gettext_lazy("判定"), choices=_rating_choices)
    explanation = forms.CharField(
        label=gettext_lazy("新しい説明"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000
    )
    note = forms.CharField(label=gettext_lazy("何を訂正したか"), max_length=500)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("対象外とする理由"), max_length=300)


class MergeForm(forms.Form):
    other = forms.IntegerField(label=gettext_lazy("まとめるうわさの番号"), min_value=1)


class SplitForm(forms.Form):
    """The reports to move to a new claim; the choices are the claim's reports."""

    reports = forms.TypedMultipleChoiceField(
        label=gettext_lazy("別のうわさに分ける報告"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, data: QueryDict | None = None, *, claim_reports: list[tuple[int, str]]) -> None:
        super().__init__(data)
        field = self.fields["reports"]
        if isinstance(field, forms.TypedMultipleChoiceField):
            field.choices = claim_reports


class ScreenForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("確認する投稿の文章"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    url = forms.CharField(
        label=gettext_lazy("投稿のURL"), max_length=MAX_LINK, required=False, validators=[validate_link]
    )


class _FileForm(forms.Form):
    def clean_file(self) -> object:
        upload = within_upload_limit(self.cleaned_data["file"])
        return upload


class BatchForm(_FileForm):
    file = forms.FileField(
        label=gettext_lazy("投稿のファイル(CSV: text 列、または JSON Lines: X・Bluesky の書き出し)")
    )


class ImportForm(_FileForm):
    file = forms.FileField(
        label=gettext_lazy("投稿のファイル"),
        help_text=gettext_lazy(
            "JSON Lines (X API v2 の投稿、Bluesky の app.bsky.feed.post) または CSV (text 列、url・created_at 列は任意)"
        ),
    )


class SignalSetForm(_FileForm):
    file = forms.FileField(label=gettext_lazy("手がかりのファイル(JSON)"))


PATTERNS_HELP = gettext_lazy(
    "1行に1組。同じ投稿にすべて出てくると注意として印を付ける言葉を + でつなぎます(例: 動物園 + ライオン)。"
)


def _clean_patterns(text: str) -> list[list[str]]:
    try:
        return parse_patterns(text)
    except WatchPatternError as error:
        raise forms.ValidationError(str(error)) from error


class WatchPatternsForm(forms.Form):
    patterns = forms.CharField(
        label=gettext_lazy("注意する言葉"),
        help_text=PATTERNS_HELP,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
    )

    def clean_patterns(self) -> list[list[str]]:
        """The watch list, one pattern a line (at least one)."""
        patterns = _clean_patterns(self.cleaned_data["patterns"])
        if not patterns:
            raise forms.ValidationError(_("注意する言葉の組を一つ以上書いてください"))
        return patterns


class WatchModeForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("種類"),
        choices=[("disaster", gettext_lazy("災害")), ("election", gettext_lazy("選挙"))],
    )
    title = forms.CharField(label=gettext_lazy("名前(例: 台風10号)"), max_length=100, required=False)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("開始"), help_text=gettext_lazy("例: 2026-12-04 09:00")
    )
    ends_at = forms.DateTimeField(label=gettext_lazy("終了"), help_text=gettext_lazy("例: 2026-12-07 18:00"))
    patterns = forms.CharField(
        label=gettext_lazy("注意する言葉(任意)"),
        help_text=gettext_lazy("空なら、過去の事例から用意した言葉を使います。"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        required=False,
    )

    def clean_patterns(self) -> list[list[str]]:
        """The watch list staff wrote ([] for the shipped one)."""
        return _clean_patterns(self.cleaned_data.get("patterns") or "")
