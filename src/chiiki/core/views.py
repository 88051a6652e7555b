"""Public home, staff login, staff home and the audit log."""

from __future__ import annotations

import csv
import json
import math
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from chiiki.core import audit, throttle
from chiiki.core.acting import Actor, client_address
from chiiki.core.actions import clear_login_failures, note_login_failure
from chiiki.core.apps_menu import APP_ENTRIES
from chiiki.core.audit_events import event_codes_matching
from chiiki.core.known_devices import known_device, remember_device
from chiiki.core.models import AuditEvent, Municipality
from chiiki.core.permissions import municipalities_with, permissions_of
from chiiki.tables import excel_safe_row


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for the load balancer."""
    return HttpResponse("ok", content_type="text/plain")


def home(request: HttpRequest) -> HttpResponse:
    """The public front page."""
    demo = Municipality.objects.filter(is_demo=True).first()
    return render(
        request, "core/home.html", {"demo": demo, "municipality_count": Municipality.objects.count()}
    )


class LoginForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("ユーザー名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=gettext_lazy("パスワード"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def staff_login(request: HttpRequest) -> HttpResponse:
    """Staff login with back-off per account and address (chiiki.core.throttle); the message never says which
    part was wrong."""
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user, error = _check_password(request, username, form.cleaned_data["password"])
        if user is not None:
            login(request, user)
            audit.record("core.login", by=Actor.from_request(request))
            next_url = request.POST.get("next", "")
            # Django's check, not a prefix test: "/\\evil.example" and "/\t/evil" are off-site in browsers.
            if next_url.startswith("/") and url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                return redirect(next_url)
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(
        request,
        "core/login.html",
        {"form": form, "error": error, "next": request.GET.get("next", request.POST.get("next", ""))},
    )


def _check_password(request: HttpRequest, username: str, password: str) -> tuple[Any, str]:
    """The user when the password is right (and the attempt need not wait), else None and the message."""
    address = client_address(request)
    device = known_device(request, username)
    attempt = Actor.from_request(request, label=username[:150])
    wait = throttle.wait_seconds(username, address, device=device)
    if wait > 0:
        audit.record("core.login_locked", by=attempt, detail={"wait_seconds": round(wait)})
        minutes = max(1, math.ceil(wait / 60))
        return None, ngettext(
            "ログインの失敗が続いたため、しばらくの間ログインできません。あと%(minutes)d分ほど待ってからお試しください。",
            "ログインの失敗が続いたため、しばらくの間ログインできません。あと%(minutes)d分ほど待ってからお試しください。",
            minutes,
        ) % {"minutes": minutes}
    user = authenticate(request, username=username, password=password)
    if user is None:
        note_login_failure(username, address, device=device)
        audit.record("core.login_failed", by=attempt)
        return None, _("ユーザー名またはパスワードが違います。")
    clear_login_failures(username, address, device=device)
    remember_device(request, username)
    return user, ""


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """The apps each of the user's municipalities opens for their roles."""
    blocks: list[dict[str, Any]] = []
    for entry in request.user.memberships.select_related("municipality").order_by("municipality_id"):  # type: ignore[union-attr]
        municipality = entry.municipality
        if any(block["municipality"] == municipality for block in blocks):
            continue
        granted = permissions_of(request.user, municipality)
        apps = [(app, app.url_for(municipality.code)) for app in APP_ENTRIES if app.permission in granted]
        roles = [m.get_role_display() for m in request.user.memberships.filter(municipality=municipality)]  # type: ignore[union-attr]
        blocks.append({"municipality": municipality, "apps": apps, "roles": roles})
    platform_auditor = bool(getattr(request.user, "is_platform_auditor", False))
    return render(request, "core/staff_home.html", {"blocks": blocks, "platform_auditor": platform_auditor})


PLATFORM = "platform"


class AuditSearchForm(forms.Form):
    # A municipality the user audits, or "platform": the records that concern no municipality (sign-ins, the
    # talent bank, API tokens), which platform auditors search.
    municipality = forms.ChoiceField(label=gettext_lazy("地方公共団体"))
    action = forms.CharField(label=gettext_lazy("操作"), required=False)
    actor = forms.CharField(label=gettext_lazy("実行者"), required=False)
    since = forms.DateField(
        label=gettext_lazy("開始日"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("終了日"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, scopes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows the type for mypy
        field.choices = scopes
        if len(scopes) == 1:
            field.initial = scopes[0][0]


def audit_scopes(user: Any) -> list[tuple[str, str]]:
    """What `user` may search: each municipality where they are an auditor, and the platform's records when
    they are a platform auditor. Every audit record falls in one of these scopes for somebody."""
    scopes = [(m.code, m.display_name) for m in municipalities_with(user, "core.view_audit")]
    if getattr(user, "is_platform_auditor", False) and user.is_active:
        scopes.append((PLATFORM, _("プラットフォーム全体(地方公共団体に属さない記録)")))
    return scopes


def _local(day: date, end: bool) -> datetime:
    return datetime.combine(day, time.max if end else time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _audit_events(request: HttpRequest) -> tuple[AuditSearchForm, QuerySet[AuditEvent] | None]:
    scopes = audit_scopes(request.user)
    if not scopes:
        raise PermissionDenied
    form = AuditSearchForm(request.GET or None, scopes=scopes)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    scope = data["municipality"]
    events = AuditEvent.objects.filter(municipality=None if scope == PLATFORM else scope)
    if data["action"]:
        # The words auditors read on the page (in their language) or the code the CSV holds.
        words = Q(action__in=event_codes_matching(data["action"]))
        events = events.filter(words | Q(action__icontains=data["action"]))
    if data["actor"]:
        events = events.filter(actor_label__icontains=data["actor"])
    if data["since"]:
        events = events.filter(at__gte=_local(data["since"], end=False))
    if data["until"]:
        events = events.filter(at__lte=_local(data["until"], end=True))
    return form, events


def _searched(form: AuditSearchForm) -> tuple[str | None, dict[str, str]]:
    """The municipality searched (None: the platform) and the search, for the audit record of the search."""
    data = form.cleaned_data
    scope = data["municipality"]
    return (None if scope == PLATFORM else scope), {k: str(v) for k, v in data.items() if v}


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Search the audit log of a municipality where the user is an auditor (or the platform's records)."""
    form, events = _audit_events(request)
    page = None
    if events is not None:
        page = Paginator(events, 50).get_page(request.GET.get("page"))
        municipality, searched = _searched(form)
        audit.record(
            "core.audit_viewed", by=Actor.from_request(request), municipality=municipality, detail=searched
        )
    return render(
        request, "core/audit_log.html", {"form": form, "page": page, "query": request.GET.urlencode()}
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Stream the searched audit records as CSV with a UTF-8 BOM (opens in Excel)."""
    form, events = _audit_events(request)
    if events is None:
        return redirect("core:audit_log")
    municipality, searched = _searched(form)
    audit.record(
        "core.audit_exported", by=Actor.from_request(request), municipality=municipality, detail=searched
    )
    writer = csv.writer(_Echo())
    header = [
        "日時",
        "実行者",
        "地方公共団体コード",
        "操作",
        "操作の内容",
        "対象の種類",
        "対象ID",
        "接続元",
        "詳細",
    ]
    tz = ZoneInfo(settings.TIME_ZONE)

    def rows() -> Any:
        yield "\ufeff" + writer.writerow(header)
        for event in events.iterator(chunk_size=2000):
            # Login names typed on the sign-in page and other free text end up here: no cell may run as a formula.
            yield writer.writerow(
                excel_safe_row(
                    [
                        event.at.astimezone(tz).isoformat(),
                        event.actor_label,
                        event.municipality_id,
                        event.action,
                        str(event.action_label),
                        event.object_type,
                        event.object_id,
                        event.ip_address or "",
                        # JSON, which an auditor's tools read; not Python's dict text.
                        json.dumps(event.detail, ensure_ascii=False, sort_keys=True),
                    ]
                )
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response
