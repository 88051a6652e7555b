"""Forms of the talent pages. They parse input only; the actions decide what may change."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from chiiki.talent import skills
from chiiki.talent.corporate_number import CorporateNumberError
from chiiki.talent.corporate_number import validate as validate_corporate_number
from chiiki.talent.matching import BUSINESS_FIELDS, LANGUAGES, PREFECTURES, STARTUP_STAGE_JA
from chiiki.talent.models import Evidence, Need, Organization, SideJobContract, TalentProfile, Visibility
from chiiki.talent.standard import SkillLevel

PREFECTURE_CHOICES = [(i + 1, name) for i, name in enumerate(PREFECTURES)]
LANGUAGE_NAMES = {
    "ja": _("日本語"), "en": _("英語"), "zh": _("中国語"), "ko": _("韓国語"), "vi": _("ベトナム語"),
    "pt": _("ポルトガル語"), "es": _("スペイン語"), "tl": _("タガログ語"), "id": _("インドネシア語"),
    "ne": _("ネパール語"), "th": _("タイ語"), "fr": _("フランス語"),
}  # fmt: skip
LANGUAGE_CHOICES = [(code, LANGUAGE_NAMES.get(code, code)) for code in LANGUAGES]
# The engine names fields and stages in Japanese only; these literals put them in the translation catalog.
FIELD_LABELS = {
    "IT・ソフトウェア": _("IT・ソフトウェア"), "製造業": _("製造業"), "農林水産業": _("農林水産業"),
    "観光・宿泊": _("観光・宿泊"), "医療・福祉": _("医療・福祉"), "小売・EC": _("小売・EC"),
    "エネルギー・環境": _("エネルギー・環境"), "金融": _("金融"), "教育": _("教育"), "物流": _("物流"),
    "建設・不動産": _("建設・不動産"), "食品": _("食品"), "地域交通": _("地域交通"), "行政・公共": _("行政・公共"),
}  # fmt: skip
STAGE_LABELS = {
    "シード": _("シード"),
    "アーリー": _("アーリー"),
    "ミドル": _("ミドル"),
    "レイター": _("レイター"),
}
FIELD_CHOICES = [(i, FIELD_LABELS.get(name, name)) for i, name in enumerate(BUSINESS_FIELDS)]
STAGE_CHOICES = [(int(k), STAGE_LABELS.get(v, v)) for k, v in STARTUP_STAGE_JA.items()]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values]


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    """The person's own profile, with the visibility of each section."""

    primary_role = forms.ChoiceField(label=_("主なロール(DSS-P)"), required=False, choices=())
    travel_prefectures = forms.TypedMultipleChoiceField(
        label=_("出張できる都道府県"),
        choices=PREFECTURE_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("言語"), choices=LANGUAGE_CHOICES, widget=forms.CheckboxSelectMultiple, initial=["ja"]
    )
    mentor_fields = forms.TypedMultipleChoiceField(
        label=_("助言できる分野(メンター)"),
        choices=FIELD_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mentor_stages = forms.TypedMultipleChoiceField(
        label=_("支援できるステージ(メンター)"),
        choices=STAGE_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    home_prefecture = forms.TypedChoiceField(label=_("居住都道府県"), choices=PREFECTURE_CHOICES, coerce=int)

    class Meta:
        model = TalentProfile
        fields = (
            "display_name", "headline", "bio", "is_digital_talent", "is_mentor", "is_management", "is_side_job",
            "primary_role", "home_prefecture", "travel_prefectures", "hours_per_month", "remote_ok", "on_site_ok",
            "available_from", "fee_min_per_hour", "fee_max_per_hour", "salary_min", "salary_max", "languages",
            "mentor_fields", "mentor_stages", "contact_email", "contact_phone", "visibility_profile",
            "visibility_skills", "visibility_availability", "visibility_fees",
        )  # fmt: skip
        widgets: ClassVar[dict[str, Any]] = {"available_from": DATE, "bio": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["primary_role"].choices = [("", "—"), *skills.role_choices()]  # type: ignore[attr-defined]
        self.fields["contact_email"].help_text = _("紹介が双方の承諾で成立した相手にだけ表示されます。")
        for name in ("visibility_profile", "visibility_skills", "visibility_availability", "visibility_fees"):
            self.fields[name].help_text = _("公開(誰でも)/確認済みの団体のみ/非公開(本人のみ)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(k) for k in ("is_digital_talent", "is_mentor", "is_management", "is_side_job")):
            raise forms.ValidationError(_("登録する立場を1つ以上選んでください。"))
        return data

    def _post_clean(self) -> None:
        """Skip the model's own checks when clean() has already refused the form in plain words.

        Otherwise a person who chose no kind also reads the database's message,
        'Constraint "profile_has_a_kind" is violated', in the error summary. An invalid form saves nothing.
        """
        if self.has_error(NON_FIELD_ERRORS):
            return
        super()._post_clean()  # type: ignore[misc]  # Django's ModelForm hook, absent from django-stubs

    def profile_fields(self) -> dict[str, Any]:
        """Cleaned values keyed by profile field."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class JoinForm(ProfileForm):
    """Registration for someone without an account: a login name and password, then the profile."""

    username = forms.CharField(label=_("ログイン名"), max_length=150)
    password = forms.CharField(label=_("パスワード(12文字以上)"), min_length=12, widget=forms.PasswordInput)

    field_order = ("username", "password")


class SkillsForm(forms.Form):
    """Self-assessment: one level per DSS-P skill item (z = not claimed)."""

    def __init__(self, *args: Any, initial_levels: dict[str, int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        levels = initial_levels or {}
        for item in skills.current_standard().skills:
            self.fields[item.id] = forms.TypedChoiceField(
                label=skills.localized(f"{item.category_ja} / {item.name_ja}", item.name_en),
                choices=skills.LEVEL_CHOICES,
                coerce=int,
                required=False,  # a skill left out is "z": not claimed
                initial=levels.get(item.id, 0),
            )

    def levels(self) -> dict[str, int]:
        """Skill id → level 0–4."""
        return {k: int(v) if v not in ("", None) else 0 for k, v in self.cleaned_data.items()}


class EvidenceForm(forms.Form):
    """A certification, ITSS assessment or documented project."""

    kind = forms.ChoiceField(
        label=_("種類"), choices=[(k.value, k.label) for k in Evidence.Kind if k != Evidence.Kind.ENDORSEMENT]
    )
    certification_id = forms.ChoiceField(label=_("資格"), required=False, choices=())
    itss_level = forms.TypedChoiceField(
        label=_("ITSSレベル"), required=False, coerce=int, empty_value=None,
        choices=[("", "—"), *[(i, str(i)) for i in range(1, 8)]],
    )  # fmt: skip
    role_id = forms.ChoiceField(label=_("ITSS評価のロール"), required=False, choices=())
    skill_id = forms.ChoiceField(label=_("プロジェクトで使ったスキル"), required=False, choices=())
    level = forms.TypedChoiceField(
        label=_("プロジェクトでのレベル"), required=False, coerce=int, empty_value=None,
        choices=[("", "—"), *skills.LEVEL_CHOICES[1:]],
    )  # fmt: skip
    description = forms.CharField(label=_("説明(プロジェクト名など)"), required=False, max_length=300)
    obtained_on = forms.DateField(label=_("取得日・評価日"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        catalog = skills.evidence_catalog()
        self.fields["certification_id"].choices = [  # type: ignore[attr-defined]
            ("", "—"), *[(c.id, f"{c.name_ja} ({c.issuer})") for c in catalog.certifications.values()]
        ]  # fmt: skip
        self.fields["role_id"].choices = [("", "—"), *skills.role_choices()]  # type: ignore[attr-defined]
        self.fields["skill_id"].choices = [("", "—"), *skills.skill_choices()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        needed = {
            "certification": ("certification_id", "obtained_on"),
            "itss": ("itss_level", "role_id", "obtained_on"),
            "project": ("skill_id", "level"),
        }.get(str(kind), ())
        for name in needed:
            if not data.get(name):
                self.add_error(name, _("この種類では必須です。"))
        return data


class EndorseForm(forms.Form):
    """A verified organization endorses one skill at a level."""

    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("推薦する団体"))
    skill_id = forms.ChoiceField(label=_("スキル"), choices=())
    level = forms.TypedChoiceField(label=_("レベル"), coerce=int, choices=skills.LEVEL_CHOICES[1:])

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["skill_id"].choices = skills.skill_choices()  # type: ignore[attr-defined]


class OrganizationForm(forms.ModelForm):  # type: ignore[type-arg]
    """A company or startup registering itself with its 法人番号."""

    kind = forms.ChoiceField(
        label=_("種類"),
        choices=[(k.value, k.label) for k in Organization.Kind if k != Organization.Kind.MUNICIPALITY],
    )
    prefecture = forms.TypedChoiceField(label=_("所在都道府県"), choices=PREFECTURE_CHOICES, coerce=int)
    business_field = forms.TypedChoiceField(
        label=_("事業分野"), choices=[("", "—"), *FIELD_CHOICES], coerce=int, empty_value=None, required=False
    )
    startup_stage = forms.TypedChoiceField(
        label=_("ステージ(スタートアップ)"), choices=[("", "—"), *STAGE_CHOICES], coerce=int, empty_value=None,
        required=False,
    )  # fmt: skip

    class Meta:
        model = Organization
        fields = (
            "kind", "name", "corporate_number", "prefecture", "business_field", "startup_stage", "description",
            "contact_email",
        )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["corporate_number"].required = True
        self.fields["corporate_number"].help_text = _("13桁。全角数字やハイフンも使えます。")

    def clean_corporate_number(self) -> str:
        try:
            return validate_corporate_number(self.cleaned_data["corporate_number"])
        except CorporateNumberError as error:
            raise forms.ValidationError(str(error)) from None


class NeedForm(forms.ModelForm):  # type: ignore[type-arg]
    """A need: kind, role and level (the role's main skills become the requirement), hours, place, budget."""

    role_id = forms.ChoiceField(label=_("求めるロール(DSS-P)"), required=False, choices=())
    role_level = forms.TypedChoiceField(
        label=_("求めるレベル"), coerce=int, initial=3, choices=skills.LEVEL_CHOICES[1:],
        help_text=_("ロールの主なスキル(重要度 b 以上)を、このレベルまで求めます。"),
    )  # fmt: skip
    prefecture = forms.TypedChoiceField(label=_("勤務地(都道府県)"), choices=PREFECTURE_CHOICES, coerce=int)
    languages = forms.MultipleChoiceField(
        label=_("必要な言語"), choices=LANGUAGE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    business_field = forms.TypedChoiceField(
        label=_("分野(メンタリング)"), choices=[("", "—"), *FIELD_CHOICES], coerce=int, empty_value=None,
        required=False,
    )  # fmt: skip
    startup_stage = forms.TypedChoiceField(
        label=_("ステージ(メンタリング)"), choices=[("", "—"), *STAGE_CHOICES], coerce=int, empty_value=None,
        required=False,
    )  # fmt: skip

    class Meta:
        model = Need
        fields = (
            "kind", "title", "description", "role_id", "hours_per_month", "work_mode", "prefecture", "location",
            "budget_per_hour", "salary_max", "start_on", "languages", "business_field", "startup_stage",
        )  # fmt: skip
        widgets: ClassVar[dict[str, Any]] = {
            "start_on": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role_id"].choices = [("", "—"), *skills.role_choices()]  # type: ignore[attr-defined]
        self.fields["budget_per_hour"].help_text = _("0 は「予算の上限なし・応相談」です。")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Need.Kind.MENTORING and (
            data.get("business_field") is None or data.get("startup_stage") is None
        ):
            raise forms.ValidationError(_("メンタリング依頼には分野とステージが必要です。"))
        return data

    def need_fields(self) -> dict[str, Any]:
        """Cleaned values for post_need, with the role's skills as the requirement."""
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        role = self.cleaned_data.get("role_id")
        level = SkillLevel(self.cleaned_data["role_level"])
        values["required"] = skills.required_for_role(role, level) if role else {}
        return values


class ContractForm(forms.ModelForm):  # type: ignore[type-arg]
    """A contract with the worker, with the employer's 36協定 numbers."""

    class Meta:
        model = SideJobContract
        fields = (
            "kind", "concluded_on", "has_agreement", "monthly_limit_hours", "annual_limit_hours", "special_clause",
            "special_monthly_hours", "special_annual_hours", "special_months", "year_start_month",
            "legal_holiday_weekday",
        )  # fmt: skip
        widgets: ClassVar[dict[str, Any]] = {"concluded_on": DATE}

    def agreement(self) -> dict[str, Any]:
        """The 36協定 fields for create_contract."""
        return {k: self.cleaned_data[k] for k in self.Meta.fields if k not in ("kind", "concluded_on")}


class ContractChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A contract shown as its employer and the date it was concluded (which decides 使用者A and B)."""

    def label_from_instance(self, obj: Any) -> str:
        """E.g. ``株式会社しまなみ製作所(2026-04-01)``."""
        return f"{obj.employer_name}({obj.concluded_on})"


class ManagementModelForm(forms.Form):
    """A 管理モデル between two of the worker's employment contracts (the engine checks the caps)."""

    first_contract = ContractChoiceField(
        label=_("使用者A(先に契約した雇用主)"), queryset=SideJobContract.objects.none()
    )
    second_contract = ContractChoiceField(
        label=_("使用者B(後に契約した雇用主)"), queryset=SideJobContract.objects.none()
    )
    first_cap_hours = forms.IntegerField(
        label=_("使用者Aの時間外・休日労働の上限(時間/月)"), min_value=0, max_value=99, initial=30
    )
    second_cap_hours = forms.IntegerField(
        label=_("使用者Bの労働時間の上限(時間/月)"), min_value=1, max_value=99, initial=40
    )
    starts_on = forms.DateField(label=_("適用開始日"), widget=DATE)

    def __init__(self, *args: Any, worker: TalentProfile, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        employment = SideJobContract.objects.filter(worker=worker, kind=SideJobContract.Kind.EMPLOYMENT)
        for name in ("first_contract", "second_contract"):
            field = self.fields[name]
            assert isinstance(field, ContractChoiceField)  # noqa: S101  # declared above
            field.queryset = employment


class HoursForm(forms.Form):
    """One block of work."""

    day = forms.DateField(label=_("日付"), widget=DATE)
    hours = forms.DecimalField(label=_("時間"), min_value=0.25, max_value=24, decimal_places=2)
    scheduled = forms.BooleanField(label=_("所定労働時間内(残業でない)"), required=False, initial=True)
    start = forms.TimeField(
        label=_("開始時刻"), initial="09:00", widget=forms.TimeInput(attrs={"type": "time"})
    )

    def entry(self) -> tuple[Any, int, bool, Any]:
        """(day, minutes, scheduled, start) for record_hours."""
        d = self.cleaned_data
        return d["day"], int(d["hours"] * 60), bool(d["scheduled"]), d["start"]


VISIBILITY_LABELS = dict(Visibility.choices)
