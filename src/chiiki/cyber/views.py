"""Staff pages of the cyber app: the analysts' overview and feeds, each body's inventory and alerts.

Every page that shows an inventory or an alert writes an audit record (inventories tell an attacker what to
attack). A contact sees only their own body, and only the alerts TLP lets them see (`queries.visible_alerts`).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, User
from chiiki.core.uploads import within_upload_limit
from chiiki.cyber import actions, engine, queries
from chiiki.cyber.models import Alert, Asset, Body, FeedImport, Tlp
from chiiki.cyber.two_factor import cyber_permission


@cyber_permission("cyber.respond")
def home(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Analysts: every body with its numbers. Contacts: their own bodies and alerts."""
    analyst = queries.is_analyst(request.user, municipality)
    alerts = list(
        queries.visible_alerts(request.user, municipality).exclude(status=Alert.Status.CLOSED)[:200]
    )
    overdue = list(queries.overdue(municipality)[:100]) if analyst else []
    audit.record(
        "cyber.alerts_viewed", by=Actor.from_request(request), municipality=municipality,
        object_type="cyber_alert", detail={"ids": sorted({a.pk for a in alerts} | {a.pk for a in overdue})},
    )  # fmt: skip
    context = {
        "municipality": municipality,
        "analyst": analyst,
        "alerts": alerts,
        "rows": queries.overview(municipality) if analyst else None,
        "timing": queries.timing(municipality) if analyst else None,
        "overdue": overdue,
        "bodies": queries.contact_bodies(request.user, municipality),
    }
    return render(request, "cyber/home.html", context)


class BodyForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("種別"), choices=Body.Kind.choices)
    name = forms.CharField(label=gettext_lazy("名称"), max_length=120)
    local_gov_code = forms.RegexField(
        label=gettext_lazy("全国地方公共団体コード(市区町村のとき)"), regex=r"^\d{6}$", required=False,
        error_messages={"invalid": gettext_lazy("6桁の数字で書いてください")},
    )  # fmt: skip
    medical_code = forms.RegexField(
        label=gettext_lazy("医療機関コード(病院・診療所のとき)"), regex=r"^\d{7,10}$", required=False,
        error_messages={"invalid": gettext_lazy("7〜10桁の数字で書いてください")},
    )  # fmt: skip


@cyber_permission("cyber.analyse")
def body_new(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Register a member body."""
    form = BodyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            body = actions.register_body(municipality, **form.cleaned_data, by=Actor.from_request(request))
        except actions.CyberError as error:
            form.add_error("name", str(error))
        else:
            return redirect("cyber:body", code=municipality.code, body_id=body.pk)
    return render(request, "cyber/body_new.html", {"municipality": municipality, "form": form})


def _body(request: HttpRequest, municipality: Municipality, body_id: int) -> Body:
    body = queries.body_for(request.user, municipality, body_id)
    if body is None:
        raise Http404
    return body


@cyber_permission("cyber.respond")
def body_detail(request: HttpRequest, municipality: Municipality, body_id: int) -> HttpResponse:
    """One body: its alerts (as TLP allows) and its inventory. The read is audited."""
    body = _body(request, municipality, body_id)
    assets = list(queries.current_assets(body))
    alerts = list(queries.visible_alerts(request.user, municipality, body=body))
    audit.record(
        "cyber.inventory_viewed", by=Actor.from_request(request), municipality=municipality,
        object_type="cyber_body", object_id=body.pk, detail={"assets": len(assets), "alerts": [a.pk for a in alerts]},
    )  # fmt: skip
    context = {
        "municipality": municipality, "body": body, "assets": assets, "alerts": alerts,
        "analyst": queries.is_analyst(request.user, municipality), "contacts": body.contact_links.select_related("user"),
        "inventory_form": InventoryForm(), "contact_form": ContactForm(),
    }  # fmt: skip
    return render(request, "cyber/body_detail.html", context)


class InventoryForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("一覧ファイル"),
        help_text=gettext_lazy(
            "CycloneDX の SBOM(JSON または XML)か、テンプレートの CSV(ベンダー, 製品, バージョン, 設置場所, "
            "インターネット公開, PURL, CPE)。読み込むと、この一覧が今使っているものになります。"
        ),
    )

    def clean_file(self) -> object:
        upload = within_upload_limit(self.cleaned_data["file"])
        return upload


def _read_inventory(name: str, data: bytes) -> tuple[str, list[engine.Component]]:
    if engine.is_spdx_json(data):
        return Asset.Source.SPDX, engine.read_spdx(data, document=name)
    head = data.lstrip()[:200]
    if head.startswith(b"<") or (head.startswith(b"{") and b"CycloneDX" in data[:2000]):
        return Asset.Source.CYCLONEDX, engine.read_cyclonedx(data, document=name)
    return Asset.Source.CSV, engine.read_inventory_csv(data, document=name)


@cyber_permission("cyber.respond")
def inventory_upload(request: HttpRequest, municipality: Municipality, body_id: int) -> HttpResponse:
    """Replace the body's inventory from an SBOM or the CSV template; matching runs at once."""
    body = _body(request, municipality, body_id)
    form = InventoryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = upload.name or "inventory"
        try:
            source, components = _read_inventory(name, upload.read())
        except engine.InventoryError as error:
            form.add_error(
                "file", _("読み込めませんでした(何も変えていません)。") + " / ".join(error.problems[:20])
            )
        else:
            summary = actions.import_inventory(
                body, components, source=source, document=name, by=Actor.from_request(request)
            )
            messages.success(
                request,
                _(
                    "%(added)d 件を追加、%(kept)d 件はそのまま、%(retired)d 件を一覧から外しました。新しい通知は %(alerts)d 件です。"
                )
                % {
                    "added": summary.added,
                    "kept": summary.kept,
                    "retired": summary.retired,
                    "alerts": summary.alerts,
                },
            )
            return redirect("cyber:body", code=municipality.code, body_id=body.pk)
    return render(
        request, "cyber/inventory_upload.html", {"municipality": municipality, "body": body, "form": form}
    )


class ContactForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("職員のユーザー名"), max_length=150)
    is_manager = forms.BooleanField(
        label=gettext_lazy("管理者として登録する(期限切れの通知先)"), required=False
    )


@cyber_permission("cyber.analyse")
def contact_add(request: HttpRequest, municipality: Municipality, body_id: int) -> HttpResponse:
    """Name an existing staff account as the body's security contact."""
    body = _body(request, municipality, body_id)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(username=form.cleaned_data["username"]).first()
        try:
            if user is None:
                raise actions.CyberError(_("そのユーザー名の職員はいません"))
            actions.add_contact(
                body, user, is_manager=form.cleaned_data["is_manager"], by=Actor.from_request(request)
            )
        except actions.CyberError as error:
            form.add_error("username", str(error))
        else:
            return redirect("cyber:body", code=municipality.code, body_id=body.pk)
    return render(
        request, "cyber/contact_add.html", {"municipality": municipality, "body": body, "form": form}
    )


def _alert(request: HttpRequest, municipality: Municipality, alert_id: int) -> Alert:
    alert = queries.alert_for(request.user, municipality, alert_id)
    if alert is None:
        raise Http404
    return alert


class CloseForm(forms.Form):
    resolution = forms.ChoiceField(
        label=gettext_lazy("何をしましたか"), choices=Alert.Resolution.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("対応の記録"),
        help_text=gettext_lazy(
            "いつ、誰が、何をしたか。例: 12月5日に業者が 2.17.1 へ更新し、動作を確認した。"
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


@cyber_permission("cyber.respond")
def alert_detail(request: HttpRequest, municipality: Municipality, alert_id: int) -> HttpResponse:
    """One alert in plain words: what is affected, what to do, who acted when. Acknowledge and close here."""
    alert = _alert(request, municipality, alert_id)
    audit.record(
        "cyber.alert_viewed", by=Actor.from_request(request), municipality=municipality,
        object_type="cyber_alert", object_id=alert.pk,
    )  # fmt: skip
    return render(
        request, "cyber/alert_detail.html", _alert_context(request, municipality, alert, CloseForm())
    )


def _alert_context(
    request: HttpRequest, municipality: Municipality, alert: Alert, form: CloseForm
) -> dict[str, object]:
    return {"municipality": municipality, "alert": alert, "advisory": alert.advisory, "form": form,
            "tlp_help": TLP_HELP.get(alert.advisory.tlp, ""), "kev": queries.kev_entries(alert.advisory),
            "analyst": queries.is_analyst(request.user, municipality)}  # fmt: skip


TLP_HELP: dict[str, Promise] = {
    Tlp.CLEAR.value: gettext_lazy("公開情報です。誰に伝えてもかまいません。"),
    Tlp.GREEN.value: gettext_lazy("県内の参加団体の間で共有できます。一般には公開しないでください。"),
    Tlp.AMBER.value: gettext_lazy(
        "この団体の中で、対応に必要な人にだけ伝えてください(委託先への必要な共有を含む)。"
    ),
    Tlp.AMBER_STRICT.value: gettext_lazy(
        "この団体の中だけで扱ってください。委託先を含め、外には伝えないでください。"
    ),
    Tlp.RED.value: gettext_lazy("名前を挙げられた人だけが扱えます。ほかの人には伝えないでください。"),
}


def _may_act(request: HttpRequest, municipality: Municipality, alert: Alert) -> None:
    """Contacts of the body act on its alerts; analysts may only read them."""
    if not alert.body.contact_links.filter(user_id=request.user.pk or -1).exists():
        raise PermissionDenied


@cyber_permission("cyber.respond")
@require_POST
def alert_acknowledge(request: HttpRequest, municipality: Municipality, alert_id: int) -> HttpResponse:
    """The contact confirms they saw the alert."""
    alert = _alert(request, municipality, alert_id)
    _may_act(request, municipality, alert)
    try:
        actions.acknowledge_alert(alert, by=Actor.from_request(request))
    except actions.CyberError as error:
        messages.error(request, str(error))
    return redirect("cyber:alert", code=municipality.code, alert_id=alert.pk)


@cyber_permission("cyber.respond")
@require_POST
def alert_close(request: HttpRequest, municipality: Municipality, alert_id: int) -> HttpResponse:
    """The contact records what was done and closes the alert."""
    alert = _alert(request, municipality, alert_id)
    _may_act(request, municipality, alert)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            actions.close_alert(alert, **form.cleaned_data, by=Actor.from_request(request))
        except actions.CyberError as error:
            form.add_error("note", str(error))
        else:
            return redirect("cyber:alert", code=municipality.code, alert_id=alert.pk)
    return render(
        request, "cyber/alert_detail.html", _alert_context(request, municipality, alert, form), status=400
    )


class FeedForm(forms.Form):
    source_format = forms.ChoiceField(label=gettext_lazy("形式"), choices=FeedImport.Format.choices)
    tlp = forms.ChoiceField(
        label=gettext_lazy("TLP(文書に書かれていないとき)"), choices=Tlp.choices, initial=Tlp.CLEAR
    )
    file = forms.FileField(label=gettext_lazy("アドバイザリのファイル(JSON)"), required=False)
    url = forms.ChoiceField(label=gettext_lazy("または、設定済みの取得元"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["url"].choices = [("", "—"), *((u, u) for u in settings.CHIIKI_CYBER_FEED_URLS)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if bool(data.get("file")) == bool(data.get("url")):
            raise forms.ValidationError(_("ファイルか取得元のどちらか一つを選んでください"))
        return data


@cyber_permission("cyber.analyse")
def feeds(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Load a file of advisories (OSV or CSAF) or fetch a configured feed; the worker loads and matches it."""
    form = FeedForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        actions.request_feed_import(
            municipality, source_format=form.cleaned_data["source_format"], tlp=form.cleaned_data["tlp"],
            file=form.cleaned_data["file"] or None, url=form.cleaned_data["url"] or "", by=Actor.from_request(request),
        )  # fmt: skip
        return redirect("cyber:feeds", code=municipality.code)
    return render(
        request, "cyber/feeds.html",
        {"municipality": municipality, "form": form, "feeds": queries.recent_feeds(municipality)},
    )  # fmt: skip


class RecipientsForm(forms.Form):
    bodies = forms.ModelMultipleChoiceField(
        label=gettext_lazy("受け取る団体(TLP:AMBER+STRICT のとき)"), queryset=Body.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    usernames = forms.CharField(
        label=gettext_lazy("受け取る人のユーザー名(TLP:RED のとき。1行に1人)"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip

    def __init__(self, municipality: Municipality, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["bodies"].queryset = Body.objects.filter(municipality=municipality)  # type: ignore[attr-defined]

    def clean_usernames(self) -> list[User]:
        names = [n.strip() for n in self.cleaned_data["usernames"].splitlines() if n.strip()]
        users = list(User.objects.filter(username__in=names))
        missing = sorted(set(names) - {u.username for u in users})
        if missing:
            raise forms.ValidationError(
                _("その名前の職員はいません: %(names)s") % {"names": ", ".join(missing)}
            )
        return users


@cyber_permission("cyber.analyse")
def recipients(request: HttpRequest, municipality: Municipality, advisory_id: int) -> HttpResponse:
    """Name who an AMBER+STRICT or RED advisory may reach (analysts who may see it under its label)."""
    advisory = queries.advisory_for(request.user, municipality, advisory_id)
    if advisory is None:
        raise Http404
    initial = {"bodies": list(advisory.recipient_bodies.all()),
               "usernames": "\n".join(u.get_username() for u in advisory.recipient_users.all())}  # fmt: skip
    form = RecipientsForm(municipality, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_recipients(
                advisory, bodies=list(form.cleaned_data["bodies"]), users=form.cleaned_data["usernames"],
                by=Actor.from_request(request),
            )  # fmt: skip
        except actions.CyberError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("受信者を保存しました。"))
            return redirect("cyber:recipients", code=municipality.code, advisory_id=advisory.pk)
    return render(
        request, "cyber/recipients.html", {"municipality": municipality, "advisory": advisory, "form": form}
    )
