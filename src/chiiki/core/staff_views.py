"""Administrators manage their municipality's staff accounts and roles."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiiki.core.access import municipality_permission
from chiiki.core.actions import StaffAccountError, create_staff, grant_role, revoke_role
from chiiki.core.models import Membership, Municipality, Role, User


class NewStaffForm(forms.Form):
    username = forms.RegexField(
        label=gettext_lazy("ユーザー名(半角英数字)"),
        regex=r"^[A-Za-z0-9._-]{3,40}$",
        error_messages={"invalid": gettext_lazy("半角英数字と . _ - で3〜40文字にしてください。")},
    )
    display_name = forms.CharField(label=gettext_lazy("表示名"), max_length=80, required=False)
    password = forms.CharField(
        label=gettext_lazy("初期パスワード(10文字以上)"), widget=forms.PasswordInput, strip=False
    )
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("役割"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )


class RoleChangeForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none())
    role = forms.ChoiceField(choices=Role.choices)
    change = forms.ChoiceField(choices=[("grant", "grant"), ("revoke", "revoke")])

    def __init__(self, *args: object, municipality: Municipality, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type for mypy
        field.queryset = User.objects.filter(memberships__municipality=municipality).distinct()


@municipality_permission("core.manage_staff")
def staff_list(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """List the municipality's staff and their roles; create accounts; grant and revoke roles."""
    new_form = NewStaffForm(request.POST if request.POST.get("form") == "new" else None)
    if request.method == "POST" and request.POST.get("form") == "new" and new_form.is_valid():
        data = new_form.cleaned_data
        try:
            create_staff(
                municipality,
                username=data["username"],
                display_name=data["display_name"],
                password=data["password"],
                roles=[Role(r) for r in data["roles"]],
                by=request.user,
            )
        except StaffAccountError as error:
            new_form.add_error(None, str(error))
        else:
            messages.success(
                request, _("アカウント「%(name)s」を作成しました。") % {"name": data["username"]}
            )
            return redirect("core:staff_list", code=municipality.code)
    if request.method == "POST" and request.POST.get("form") == "role":
        role_form = RoleChangeForm(request.POST, municipality=municipality)
        if role_form.is_valid():
            user, role = role_form.cleaned_data["user"], role_form.cleaned_data["role"]
            if role_form.cleaned_data["change"] == "grant":
                grant_role(user, municipality, role, by=request.user)
            elif user == request.user and role == Role.ADMINISTRATOR:
                messages.error(request, _("自分の管理者の役割は外せません。"))
            else:
                revoke_role(user, municipality, role, by=request.user)
            return redirect("core:staff_list", code=municipality.code)
    memberships = (
        Membership.objects.filter(municipality=municipality)
        .select_related("user")
        .order_by("user__username", "role")
    )
    staff: dict[User, list[Membership]] = {}
    for membership in memberships:
        staff.setdefault(membership.user, []).append(membership)
    return render(
        request,
        "core/staff_list.html",
        {"municipality": municipality, "staff": staff, "form": new_form, "roles": Role.choices},
    )
