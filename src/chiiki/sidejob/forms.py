"""Forms of the side-job pages. They parse input only; the actions decide what may change."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chiiki.sidejob.models import WEEKDAY_CHOICES, SideJobContract
from chiiki.talent.forms import CHOOSE, DATE
from chiiki.talent.models import TalentProfile


class ContractForm(forms.ModelForm):  # type: ignore[type-arg]
    """A contract with the worker, with the employer's 36協定 numbers."""

    kind = forms.ChoiceField(label=_("契約の種類"), choices=[CHOOSE, *SideJobContract.Kind.choices])
    legal_holiday_weekday = forms.TypedChoiceField(
        label=_("法定休日の曜日"), choices=WEEKDAY_CHOICES, coerce=int, initial=6
    )

    class Meta:
        model = SideJobContract
        fields = (
            "kind", "concluded_on", "has_agreement", "monthly_limit_hours", "annual_limit_hours", "special_clause",
            "special_monthly_hours", "special_annual_hours", "special_months", "year_start_month",
            "legal_holiday_weekday",
        )  # fmt: skip
        widgets: ClassVar[dict[str, Any]] = {
            "concluded_on": DATE,
            # shown beside the box by the page components (templates/ui/README.md)
            **{
                name: forms.NumberInput(attrs={"data-unit": pgettext_lazy("unit", "時間")})
                for name in (
                    "monthly_limit_hours",
                    "annual_limit_hours",
                    "special_monthly_hours",
                    "special_annual_hours",
                )
            },
        }

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
        label=_("使用者A(先に契約した雇用主)"), queryset=SideJobContract.objects.none(), empty_label=CHOOSE[1]
    )
    second_contract = ContractChoiceField(
        label=_("使用者B(後に契約した雇用主)"), queryset=SideJobContract.objects.none(), empty_label=CHOOSE[1]
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
