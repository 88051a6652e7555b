"""The forms of the answering pages: respondent sign-in, choosing a password, a supporter opening a case."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

__all__ = ["AssistForm", "LoginForm", "PasswordForm"]


class LoginForm(forms.Form):
    login_id = forms.CharField(
        label=gettext_lazy("調査対象者ID(12桁の数字)"),
        max_length=40,
        help_text=gettext_lazy(
            "依頼状に書かれている12桁の数字です。ハイフンや空白はあってもなくてもかまいません。"
        ),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "username", "spellcheck": "false"}
        ),
    )
    secret = forms.CharField(
        label=gettext_lazy("アクセスキー または パスワード"),
        max_length=200,
        strip=False,
        help_text=gettext_lazy(
            "初めての方は依頼状のアクセスキー(英数字8文字)を、2回目からはご自分で決めたパスワードを入力してください。"
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "spellcheck": "false"}),
    )


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("新しいパスワード"),
        strip=False,
        max_length=200,
        help_text=gettext_lazy(
            "8文字以上で、英字と数字を混ぜてください。次回からはこのパスワードでログインします。"
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    confirmation = forms.CharField(
        label=gettext_lazy("新しいパスワード(確認のためもう一度)"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class AssistForm(forms.Form):
    login_id = forms.CharField(
        label=gettext_lazy("調査対象者ID(依頼状の12桁の数字)"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
