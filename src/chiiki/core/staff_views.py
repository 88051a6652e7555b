"""Administrators manage their municipality's staff accounts and roles."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.actions import (
    RoleChangeRefused,
    StaffAccountError,
    create_staff,
    grant_role,
    revoke_role,
    role_conflict,
)
from chiiki.core.models import Membership, Municipality, Role, User


def eligible_accounts(municipality: Municipality) -> QuerySet[User]:
    """The accounts this municipality's administrators manage: those with a role here, and those created here
    (their home) even when every role was removed, so that a role can always be given back."""
    return (
        User.objects.filter(Q(memberships__municipality=municipality) | Q(home_municipality=municipality))
        .distinct()
        .order_by("username")
    )


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
        field.queryset = eligible_accounts(municipality)


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
                by=Actor.from_request(request),
            )
        except StaffAccountError as error:
            new_form.add_error(None, str(error))
        else:
            messages.success(
                request, _("アカウント「%(name)s」を作成しました。") % {"name": data["username"]}
            )
            return redirect("core:staff_list", code=municipality.code)
    if (
        request.method == "POST"
        and request.POST.get("form") == "role"
        and _change_role(request, municipality)
    ):
        return redirect("core:staff_list", code=municipality.code)
    return render(
        request,
        "core/staff_list.html",
        {"municipality": municipality, "staff": _staff_rows(municipality), "form": new_form},
    )


def _change_role(request: HttpRequest, municipality: Municipality) -> bool:
    """Grant or revoke the posted role; False when the form names an account or role not on this page."""
    if request.POST.get("change") == "grant" and not request.POST.get("role"):
        # The role list starts empty, so that nobody is made 管理者 by a click on 付ける.
        messages.error(request, _("付ける役割を選んでください。"))
        return True
    role_form = RoleChangeForm(request.POST, municipality=municipality)
    if not role_form.is_valid():
        messages.error(request, _("役割を変更できませんでした。もう一度お試しください。"))
        return False
    user, role = role_form.cleaned_data["user"], role_form.cleaned_data["role"]
    try:
        if role_form.cleaned_data["change"] == "grant":
            grant_role(user, municipality, role, by=Actor.from_request(request))
        elif user == request.user and role == Role.ADMINISTRATOR:
            messages.error(request, _("自分の管理者の役割は外せません。"))
        else:
            revoke_role(user, municipality, role, by=Actor.from_request(request))
    except RoleChangeRefused as refused:
        messages.error(request, str(refused))
    return True


def _staff_rows(municipality: Municipality) -> list[dict[str, object]]:
    """Each eligible account with the roles it holds here and the roles it may still be given."""
    held: dict[int, list[Membership]] = {}
    for membership in Membership.objects.filter(municipality=municipality).order_by("role"):
        held.setdefault(membership.user_id, []).append(membership)
    rows = []
    for person in eligible_accounts(municipality):
        memberships = held.get(person.pk, [])
        taken = {m.role for m in memberships}
        grantable: list[tuple[str, Any]] = [
            (value, label)
            for value, label in Role.choices
            if value not in taken and not role_conflict(person, municipality, value)
        ]
        if grantable:
            # An empty first choice: the list never preselects a role (it once defaulted to 管理者).
            grantable.insert(0, ("", _("役割を選ぶ")))
        rows.append({"person": person, "memberships": memberships, "grantable": grantable})
    return rows
