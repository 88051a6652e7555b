"""Forms of the talent pages. They parse input only; the actions decide what may change."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chiiki.core.models import User
from chiiki.talent import skills
from chiiki.talent.corporate_number import CorporateNumberError
from chiiki.talent.corporate_number import validate as validate_corporate_number
from chiiki.talent.matching import BUSINESS_FIELDS, LANGUAGES, PREFECTURES, STARTUP_STAGE_JA
from chiiki.talent.models import Evidence, Need, Organization, TalentProfile, Visibility
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
# The first option of a select box: a plain prompt, never Django's "---------" or a preselected first value
# (北海道 used to be chosen for anyone who did not look).
CHOOSE = ("", _("選んでください"))
NONE_CHOSEN = ("", _("なし"))
PASSWORD_MIN_LENGTH = 12
# Django's password validators, worded plainly for people registering themselves (codes of django.contrib.auth).
PASSWORD_PROBLEMS = {
    "password_too_short": _("パスワードは12文字以上にしてください。"),
    "password_too_common": _("よく使われていて推測されやすいパスワードです。別のパスワードにしてください。"),
    "password_entirely_numeric": _("数字だけのパスワードは使えません。文字も入れてください。"),
    "password_too_similar": _("ログイン名や表示名に似たパスワードは使えません。"),
}


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
    home_prefecture = forms.TypedChoiceField(
        label=_("居住都道府県"), choices=[CHOOSE, *PREFECTURE_CHOICES], coerce=int
    )

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
        self.fields["primary_role"].choices = [NONE_CHOSEN, *skills.role_choices()]  # type: ignore[attr-defined]
        self.fields["hours_per_month"].unit = pgettext_lazy("unit", "時間")  # type: ignore[attr-defined]  # beside the box (ui components)
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
    password = forms.CharField(
        label=_("パスワード(12文字以上)"),
        widget=forms.PasswordInput,
        error_messages={"required": _("パスワードを入力してください。")},
    )

    field_order = ("username", "password")

    def clean_password(self) -> str:
        """At least 12 characters, not a common or all-digit password, not like the login name."""
        password: str = self.cleaned_data["password"]
        problems = []
        if len(password) < PASSWORD_MIN_LENGTH:
            problems.append(PASSWORD_PROBLEMS["password_too_short"])
        candidate = User(
            username=self.data.get("username", ""), display_name=self.data.get("display_name", "")
        )
        try:
            validate_password(password, candidate)
        except ValidationError as error:
            problems += [
                PASSWORD_PROBLEMS[e.code]
                for e in error.error_list
                if e.code in PASSWORD_PROBLEMS and e.code != "password_too_short"
            ]
        if problems:
            raise forms.ValidationError(problems)
        return password


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
        choices=[CHOOSE, *[(i, str(i)) for i in range(1, 8)]],
    )  # fmt: skip
    role_id = forms.ChoiceField(label=_("ITSS評価のロール"), required=False, choices=())
    skill_id = forms.ChoiceField(label=_("プロジェクトで使ったスキル"), required=False, choices=())
    level = forms.TypedChoiceField(
        label=_("プロジェクトでのレベル"), required=False, coerce=int, empty_value=None,
        choices=[CHOOSE, *skills.LEVEL_CHOICES[1:]],
    )  # fmt: skip
    description = forms.CharField(label=_("説明(プロジェクト名など)"), required=False, max_length=300)
    obtained_on = forms.DateField(label=_("取得日・評価日"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        catalog = skills.evidence_catalog()
        self.fields["certification_id"].choices = [  # type: ignore[attr-defined]
            CHOOSE, *[(c.id, f"{c.name_ja} ({c.issuer})") for c in catalog.certifications.values()]
        ]  # fmt: skip
        self.fields["role_id"].choices = [CHOOSE, *skills.role_choices()]  # type: ignore[attr-defined]
        self.fields["skill_id"].choices = [CHOOSE, *skills.skill_choices()]  # type: ignore[attr-defined]

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

    def evidence_fields(self) -> dict[str, Any]:
        """Keyword arguments of add_evidence: only the fields of the chosen kind."""
        d, kind = self.cleaned_data, self.cleaned_data["kind"]
        return {
            "kind": kind,
            "certification_id": d["certification_id"] if kind == "certification" else "",
            "itss_level": d["itss_level"] if kind == "itss" else None,
            "role_id": d["role_id"] if kind == "itss" else "",
            "skill_id": d["skill_id"] if kind == "project" else "",
            "level": d["level"] if kind == "project" else None,
            "description": d["description"],
            "obtained_on": d["obtained_on"] if kind != "project" else None,
        }


class EndorseForm(forms.Form):
    """A verified organization endorses one skill at a level."""

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label=_("推薦する団体"), empty_label=CHOOSE[1]
    )
    skill_id = forms.ChoiceField(label=_("スキル"), choices=())
    level = forms.TypedChoiceField(label=_("レベル"), coerce=int, choices=[CHOOSE, *skills.LEVEL_CHOICES[1:]])

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["skill_id"].choices = [CHOOSE, *skills.skill_choices()]  # type: ignore[attr-defined]


class OrganizationForm(forms.ModelForm):  # type: ignore[type-arg]
    """A company or startup registering itself with its 法人番号."""

    kind = forms.ChoiceField(
        label=_("種類"),
        choices=[
            CHOOSE,
            *[(k.value, k.label) for k in Organization.Kind if k != Organization.Kind.MUNICIPALITY],
        ],
    )
    prefecture = forms.TypedChoiceField(
        label=_("所在都道府県"), choices=[CHOOSE, *PREFECTURE_CHOICES], coerce=int
    )
    business_field = forms.TypedChoiceField(
        label=_("事業分野"),
        choices=[NONE_CHOSEN, *FIELD_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    startup_stage = forms.TypedChoiceField(
        label=_("ステージ(スタートアップ)"), choices=[NONE_CHOSEN, *STAGE_CHOICES], coerce=int,
        empty_value=None, required=False,
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

    def organization_fields(self) -> dict[str, Any]:
        """Keyword arguments of register_organization."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class NeedForm(forms.ModelForm):  # type: ignore[type-arg]
    """A need: kind, role and level (the role's main skills become the requirement), hours, place, budget."""

    kind = forms.TypedChoiceField(label=_("種類"), choices=[CHOOSE, *Need.Kind.choices], coerce=int)
    role_id = forms.ChoiceField(label=_("求めるロール(DSS-P)"), required=False, choices=())
    role_level = forms.TypedChoiceField(
        label=_("求めるレベル"), coerce=int, initial=3, choices=skills.LEVEL_CHOICES[1:],
        help_text=_("ロールの主なスキル(重要度 b 以上)を、このレベルまで求めます。"),
    )  # fmt: skip
    work_mode = forms.TypedChoiceField(
        label=_("働き方"), choices=[CHOOSE, *Need.WorkMode.choices], coerce=int
    )
    prefecture = forms.TypedChoiceField(
        label=_("勤務地(都道府県)"), choices=[CHOOSE, *PREFECTURE_CHOICES], coerce=int
    )
    languages = forms.MultipleChoiceField(
        label=_("必要な言語"), choices=LANGUAGE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    business_field = forms.TypedChoiceField(
        label=_("分野(メンタリング)"), choices=[NONE_CHOSEN, *FIELD_CHOICES], coerce=int, empty_value=None,
        required=False,
    )  # fmt: skip
    startup_stage = forms.TypedChoiceField(
        label=_("ステージ(メンタリング)"), choices=[NONE_CHOSEN, *STAGE_CHOICES], coerce=int, empty_value=None,
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
        self.fields["role_id"].choices = [NONE_CHOSEN, *skills.role_choices()]  # type: ignore[attr-defined]
        self.fields["hours_per_month"].unit = pgettext_lazy("unit", "時間")  # type: ignore[attr-defined]  # beside the box (ui components)
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


VISIBILITY_LABELS = dict(Visibility.choices)
