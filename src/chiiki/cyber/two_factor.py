"""Two-factor sign-in for the cyber app (issue 17 §7): inventories tell an attacker what to attack, so every
page of the app asks, once per session, for a time-based one-time code (TOTP, RFC 6238) from an authenticator
app, on top of the password. Other apps' sign-in is unchanged.

A person without a device enrols first: the page shows the secret as a QR code and as text, and the device is
stored only when a code from the app checks (the secret waits in the session until then, so showing the page
writes nothing). Devices are django-otp's `TOTPDevice`; `request.user.is_verified()` comes from its middleware.
"""

from __future__ import annotations

import base64
import io
import re
from binascii import unhexlify
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.cyber import actions

View = Callable[..., HttpResponse]
SESSION_KEY = "cyber_totp_candidate"
CODES_KEY = "cyber_recovery_codes"  # new recovery codes, until the page has shown them once
ISSUER = "Chiiki"


def _verified(request: HttpRequest) -> bool:
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


def cyber_permission(permission: str) -> Callable[[View], View]:
    """`municipality_permission`, and a session that passed the second factor (else to enrolment or the
    code page, coming back afterwards)."""

    def decorate(view: View) -> View:
        @municipality_permission(permission)
        @wraps(view)
        def wrapped(
            request: HttpRequest, municipality: Municipality, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            if not _verified(request):
                step = "cyber:totp_verify" if has_device(request) else "cyber:totp_enrol"
                target = reverse(step, kwargs={"code": municipality.code})
                return redirect(f"{target}?next={quote(request.get_full_path())}")
            return view(request, municipality, *args, **kwargs)

        return wrapped

    return decorate


def has_device(request: HttpRequest) -> bool:
    return bool(TOTPDevice.objects.filter(user_id=request.user.pk or -1, confirmed=True).exists())


class CodeForm(forms.Form):
    token = forms.RegexField(
        label=gettext_lazy("認証アプリに表示された6桁の数字"), regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": gettext_lazy("6桁の数字で書いてください")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )  # fmt: skip

    def clean_token(self) -> str:
        return str(self.cleaned_data["token"]).strip()


def _next(request: HttpRequest, municipality: Municipality) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("cyber:home", kwargs={"code": municipality.code})


def grouped(key_hex: str) -> str:
    """The secret in base32 as authenticator apps take it typed in, in groups of four."""
    text = base64.b32encode(unhexlify(key_hex)).decode().rstrip("=")
    return " ".join(re.findall(".{1,4}", text))


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    out = io.BytesIO()
    image.save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


@municipality_permission("cyber.respond")
def enrol(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Register an authenticator app: the secret as a QR code and as text, then a code from the app."""
    if has_device(request):
        return redirect(f"{reverse('cyber:totp_verify', kwargs={'code': municipality.code})}?next="
                        f"{quote(_next(request, municipality))}")  # fmt: skip
    key = str(request.session.get(SESSION_KEY) or "")
    if not re.fullmatch(r"[0-9a-f]{40}", key):
        key = default_key()
        request.session[SESSION_KEY] = key
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = actions.enrol_totp(
            request.user,  # type: ignore[arg-type]
            key,
            form.cleaned_data["token"],
            by=Actor.from_request(request),
        )
        if device is not None:
            request.session.pop(SESSION_KEY, None)
            otp_login(request, device)
            codes = actions.make_recovery_codes(request.user, by=Actor.from_request(request))  # type: ignore[arg-type]
            request.session[CODES_KEY] = codes
            target = reverse("cyber:recovery_codes", kwargs={"code": municipality.code})
            return redirect(f"{target}?next={quote(_next(request, municipality))}")
        form.add_error(
            "token",
            _(
                "コードが合いません。アプリに今出ている数字を入れてください(時計がずれていないかも確かめてください)。"
            ),
        )
    label = f"{ISSUER}:{request.user.get_username()}"
    url = (f"otpauth://totp/{quote(label)}?secret={grouped(key).replace(' ', '')}&issuer={ISSUER}"
           f"&algorithm=SHA1&digits=6&period=30")  # fmt: skip
    context = {"municipality": municipality, "form": form, "secret": grouped(key), "qr": _qr_data_uri(url),
               "next": _next(request, municipality)}  # fmt: skip
    return render(request, "cyber/totp_enrol.html", context, status=400 if form.errors else 200)


@municipality_permission("cyber.respond")
def verify(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The code step of a new session (the device is already registered)."""
    if not has_device(request):
        return redirect(f"{reverse('cyber:totp_enrol', kwargs={'code': municipality.code})}?next="
                        f"{quote(_next(request, municipality))}")  # fmt: skip
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = actions.verify_totp(
            request.user,  # type: ignore[arg-type]
            form.cleaned_data["token"],
            by=Actor.from_request(request),
        )
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request, municipality))
        form.add_error(
            "token",
            _(
                "コードが合いません。アプリに今出ている数字を入れてください。続けて間違えると、次に試せるまで少しずつ長く待つことになります。"
            ),
        )
    context = {"municipality": municipality, "form": form, "next": _next(request, municipality)}
    return render(request, "cyber/totp_verify.html", context, status=400 if form.errors else 200)


@never_cache
@cyber_permission("cyber.respond")
def recovery_codes(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Recovery codes for when the authenticator app is lost: made at enrolment and shown once (here, right
    after); each works once; making new ones (POST) makes the old ones stop working."""
    by = Actor.from_request(request)
    if request.method == "POST":
        request.session[CODES_KEY] = actions.make_recovery_codes(request.user, by=by)  # type: ignore[arg-type]
        target = reverse("cyber:recovery_codes", kwargs={"code": municipality.code})
        return redirect(f"{target}?next={quote(_next(request, municipality))}")
    shown = request.session.pop(CODES_KEY, None)
    codes = [grouped_code(c) for c in shown] if isinstance(shown, list) else []
    context = {"municipality": municipality, "codes": codes, "next": _next(request, municipality),
               "left": actions.recovery_codes_left(request.user)}  # type: ignore[arg-type]  # fmt: skip
    return render(request, "cyber/recovery_codes.html", context)


def grouped_code(code: str) -> str:
    """A recovery code in groups of four, as it is shown (spaces are ignored when it is typed in)."""
    return " ".join(re.findall(".{1,4}", code))


class RecoveryForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("回復コード"), regex=r"^[\sA-Za-z0-9]{8,24}$",
        error_messages={"invalid": gettext_lazy("控えておいた回復コード(英数字)を書いてください")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip


@never_cache
@municipality_permission("cyber.respond")
def recover(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The second factor with a recovery code instead of the app's code (each code works once)."""
    form = RecoveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = actions.use_recovery_code(
            request.user,  # type: ignore[arg-type]
            form.cleaned_data["code"],
            by=Actor.from_request(request),
        )
        if device is not None:
            otp_login(request, device)
            left = actions.recovery_codes_left(request.user)  # type: ignore[arg-type]
            messages.warning(
                request,
                _(
                    "回復コードで入りました。残りの回復コードは %(left)d 個です。少なくなったら作り直してください。"
                )
                % {"left": left},
            )
            return redirect(_next(request, municipality))
        form.add_error("code", _("回復コードが合わないか、すでに使われています。"))
    context = {"municipality": municipality, "form": form, "next": _next(request, municipality)}
    return render(request, "cyber/totp_recover.html", context, status=400 if form.errors else 200)
