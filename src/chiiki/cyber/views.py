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
from django.utils import timezone
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


class DashboardForm(forms.Form):
    """The analysts' dashboard filter, sent as GET parameters (a plain form, no script)."""

    severity = forms.ChoiceField(
        label=gettext_lazy("深刻度(CVSS)"), required=False,
        choices=[("", gettext_lazy("すべて")), ("critical", gettext_lazy("緊急(9.0以上)")),
                 ("high", gettext_lazy("重要(7.0〜8.9)")), ("medium", gettext_lazy("警告(4.0〜6.9)")),
                 ("low", gettext_lazy("注意(4.0未満)")), (queries.NO_SCORE, gettext_lazy("記載なし"))],
    )  # fmt: skip
    kev = forms.ChoiceField(
        label=gettext_lazy("悪用の確認(KEV)"), required=False,
        choices=[("", gettext_lazy("すべて")), ("yes", gettext_lazy("悪用が確認されている")),
                 ("no", gettext_lazy("確認されていない"))],
    )  # fmt: skip

    def chosen(self) -> queries.DashboardFilter:
        if not self.is_valid():
            return queries.DashboardFilter()
        return queries.DashboardFilter(self.cleaned_data["severity"], self.cleaned_data["kev"])


@cyber_permission("cyber.respond")
def home(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Analysts: every body with its numbers, filtered by severity and KEV. Contacts: their bodies and alerts."""
    analyst = queries.is_analyst(request.user, municipality)
    form = DashboardForm(request.GET)
    chosen = form.chosen()
    alerts = list(
        queries.visible_alerts(request.user, municipality)
        .exclude(status=Alert.Status.CLOSED)
        .filter(chosen.q())[:200]
    )
    overdue = list(queries.overdue(municipality).filter(chosen.q())[:100]) if analyst else []
    audit.record(
        "cyber.alerts_viewed", by=Actor.from_request(request), municipality=municipality,
        object_type="cyber_alert", detail={"ids": sorted({a.pk for a in alerts} | {a.pk for a in overdue})},
    )  # fmt: skip
    context = {
        "municipality": municipality,
        "analyst": analyst,
        "alerts": alerts,
        "form": form,
        "filtered": chosen != queries.DashboardFilter(),
        "rows": queries.overview(municipality, chosen) if analyst else None,
        "exposure": queries.exposure(request.user, municipality, chosen) if analyst else None,
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
    actions.mark_seen(alert, request.user)  # type: ignore[arg-type]
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
    else:
        actions.mark_seen(alert, request.user)  # type: ignore[arg-type]
        if _back_to_inbox(request):
            messages.success(
                request, _("「%(title)s」を確認済みにしました。") % {"title": alert.advisory.title}
            )
    return _after_acting(request, municipality, alert)


def _back_to_inbox(request: HttpRequest) -> bool:
    return request.POST.get("from") == "inbox"


def _after_acting(request: HttpRequest, municipality: Municipality, alert: Alert) -> HttpResponse:
    """Back to the inbox when the button was pressed there, else to the alert's page."""
    if _back_to_inbox(request):
        return redirect("cyber:inbox", code=municipality.code)
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
            actions.mark_seen(alert, request.user)  # type: ignore[arg-type]
            if _back_to_inbox(request):
                messages.success(
                    request, _("「%(title)s」を完了にしました。") % {"title": alert.advisory.title}
                )
            return _after_acting(request, municipality, alert)
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


@cyber_permission("cyber.respond")
def inbox(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """A contact's inbox: the alerts of the bodies they answer for (as TLP lets them see), unread first marked,
    with the TLP label and what it allows, and the acknowledge and close buttons. The read is audited."""
    show = request.GET.get("show", "")
    entries = queries.inbox(request.user, municipality, unread_only=show == "unread", closed=show == "closed")
    audit.record(
        "cyber.alerts_viewed", by=Actor.from_request(request), municipality=municipality,
        object_type="cyber_alert", detail={"ids": [e.alert.pk for e in entries], "inbox": True},
    )  # fmt: skip
    context = {
        "municipality": municipality, "show": show, "close_form": CloseForm(),
        "entries": [{"alert": e.alert, "seen": e.seen, "tlp_help": TLP_HELP.get(e.alert.advisory.tlp, "")}
                    for e in entries],
        "unread": queries.unread_count(request.user, municipality),
    }  # fmt: skip
    return render(request, "cyber/inbox.html", context)


class LocalAdvisoryForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("件名"), max_length=300)
    description = forms.CharField(
        label=gettext_lazy("内容(何が起きているか)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=8000,
    )
    products = forms.CharField(
        label=gettext_lazy("影響を受ける製品(1行に1つ)"),
        help_text=gettext_lazy(
            "PURL か CPE 2.3 と、空白に続けてバージョンの範囲(vers)。例: "
            "pkg:maven/org.apache.logging.log4j/log4j-core vers:maven/>=2.0.0|<2.17.1 / "
            "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:* >=7.0.0|<7.0.15。範囲を書かないと、名前のバージョン"
            "(無ければすべてのバージョン)が対象です。"
        ),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        max_length=20000,
    )
    cve = forms.RegexField(
        label=gettext_lazy("CVE 番号(あれば)"), regex=r"^CVE-\d{4}-\d{4,}$", required=False,
        error_messages={"invalid": gettext_lazy("CVE-2021-44228 のように書いてください")},
    )  # fmt: skip
    cvss_vector = forms.CharField(
        label=gettext_lazy("CVSS 3.1 ベクトル(あれば)"), required=False, max_length=200,
        help_text=gettext_lazy("例: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"),
    )  # fmt: skip
    tlp = forms.ChoiceField(
        label=gettext_lazy("TLP(共有してよい範囲)"), choices=Tlp.choices, initial=Tlp.AMBER
    )
    remedy_category = forms.ChoiceField(
        label=gettext_lazy("対策の種類"), widget=forms.RadioSelect, initial="mitigation",
        choices=[("vendor_fix", gettext_lazy("修正版への更新")), ("mitigation", gettext_lazy("緩和策")),
                 ("workaround", gettext_lazy("回避策"))],
    )  # fmt: skip
    remediation = forms.CharField(
        label=gettext_lazy("何をすればよいか"), widget=forms.Textarea(attrs={"rows": 4}), max_length=8000
    )
    bodies = forms.ModelMultipleChoiceField(
        label=gettext_lazy("送り先の団体"), queryset=Body.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("選んだ団体の一覧とだけ照合し、該当した団体の連絡担当者に届きます。"),
        error_messages={"required": gettext_lazy("送り先の団体を 1 つ以上選んでください")},
    )  # fmt: skip
    usernames = forms.CharField(
        label=gettext_lazy("受け取る人のユーザー名(TLP:RED のとき。1行に1人)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, municipality: Municipality, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["bodies"].queryset = Body.objects.filter(municipality=municipality)  # type: ignore[attr-defined]

    clean_usernames = RecipientsForm.clean_usernames

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("tlp") == Tlp.RED and not data.get("usernames") and "usernames" not in self.errors:
            self.add_error("usernames", _("TLP:RED の情報は、受け取る人の名前を挙げてください"))
        return data


@cyber_permission("cyber.analyse")
def advisory_new(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The analysts write a local advisory; it is stored as a CSAF 2.0 document, matched against the chosen
    bodies only, and the new alerts are e-mailed at once as TLP allows."""
    form = LocalAdvisoryForm(municipality, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = actions.LocalAdvisoryDraft(
            title=data["title"], description=data["description"], products=data["products"], tlp=data["tlp"],
            cvss_vector=data["cvss_vector"].strip(), cve=data["cve"], remediation=data["remediation"],
            remedy_category=data["remedy_category"],
        )  # fmt: skip
        by = Actor.from_request(request)
        try:
            published = actions.publish_local_advisory(
                municipality, draft, bodies=list(data["bodies"]), users=data["usernames"], by=by
            )
        except actions.CyberError as error:
            form.add_error("products" if "行目" in str(error) else None, str(error))
        else:
            mailed = actions.mail_new_alerts(municipality, by=by)
            messages.success(
                request,
                _(
                    "%(id)s を作りました。照合して %(alerts)d 件の通知を作り、%(mailed)d 件をメールで送りました。"
                )
                % {"id": published.advisory.identifier, "alerts": published.alerts, "mailed": mailed},
            )
            return redirect("cyber:home", code=municipality.code)
    return render(
        request, "cyber/advisory_new.html", {"municipality": municipality, "form": form},
        status=400 if form.errors else 200,
    )  # fmt: skip


class ExportForm(forms.Form):
    fmt = forms.ChoiceField(
        label=gettext_lazy("形式"), widget=forms.RadioSelect, initial="stix",
        choices=[("stix", gettext_lazy("STIX 2.1 バンドル(JSON)")), ("misp", gettext_lazy("MISP イベント(JSON)"))],
    )  # fmt: skip
    ceiling = forms.ChoiceField(
        label=gettext_lazy("含める TLP(ここまで)"), initial=engine.AMBER,
        choices=[(engine.CLEAR, "TLP:CLEAR"), (engine.GREEN, "TLP:GREEN"), (engine.AMBER, "TLP:AMBER")],
        help_text=gettext_lazy("TLP:AMBER+STRICT と TLP:RED は書き出しません。団体の機器一覧も書き出しません。"),
    )  # fmt: skip


@cyber_permission("cyber.analyse")
def export(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Share the operator's advisories and aggregated exposure as STIX 2.1 or a MISP event (TLP-filtered, the
    same code as `chiiki cyber export`); the download is audited."""
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fmt, ceiling = form.cleaned_data["fmt"], form.cleaned_data["ceiling"]
        name = f"chiiki-{municipality.code}-{timezone.localdate():%Y%m%d}-{fmt}.json"
        result = actions.export_shared(
            municipality, fmt=fmt, ceiling=ceiling, by=Actor.from_request(request), out=name
        )
        response = HttpResponse(result.text, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    counts = queries.export_counts(municipality)
    return render(
        request, "cyber/export.html", {"municipality": municipality, "form": form, "counts": counts},
        status=400 if form.errors else 200,
    )  # fmt: skip
