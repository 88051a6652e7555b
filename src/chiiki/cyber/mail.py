"""The words of the cyber app's e-mails, for a non-specialist reader: what is affected, what to do, by when.

Japanese first, as the app's pages. An alert whose advisory is TLP:RED or TLP:AMBER+STRICT is never described in
an e-mail (mail leaves the named recipients' hands easily): the message says only that something waits on the
app's page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse

from chiiki.cyber import engine

if TYPE_CHECKING:
    from chiiki.cyber.models import Alert

PRIORITY_WORDS = {1: "緊急", 2: "高", 3: "中", 4: "低"}
TLP_WORDS = {
    "CLEAR": "公開情報です。誰に伝えてもかまいません。",
    "GREEN": "県内の参加団体の間で共有できます。一般には公開しないでください。",
    "AMBER": "この団体の中で、対応に必要な人にだけ伝えてください(委託先への必要な共有を含む)。",
}
DEFAULT_ADVICE = (
    "製品の提供元(ベンダーや保守業者)に連絡し、修正版への更新(アップデート)を依頼してください。"
    "すぐに更新できないときは、インターネットからの接続を止めるなどの回避策を相談してください。"
)
SIGN_IN = "Chiiki にサインインし、サイバー情報の画面で内容を確認してください。対応したら「確認しました」を押し、何をしたかを記録してください。"


def alert_link(alert: Alert) -> str:
    """The address of the alert's page: the site's address (`CHIIKI_SITE_URL`) and the page's path, or the path
    alone when the address is not set. The page itself checks who may read it (sign-in, TLP)."""
    path = reverse("cyber:alert", kwargs={"code": alert.municipality_id, "alert_id": alert.pk})
    return f"{settings.CHIIKI_SITE_URL}{path}"


def _open_it(alert: Alert) -> str:
    return f"■ 通知の画面\n{alert_link(alert)}\n(サインインと二段階認証のあとに開きます)\n"


def _asset(alert: Alert) -> str:
    asset = alert.asset
    name = " ".join(p for p in (asset.vendor, asset.name) if p)
    return f"{name} バージョン {asset.version}" if asset.version else name


def alert_message(alert: Alert) -> tuple[str, str]:
    """Subject and text of the e-mail telling a body's contact about a new alert."""
    advisory = alert.advisory
    due = alert.due_on.isoformat() if alert.due_on else "できるだけ早く"
    if advisory.tlp in engine.NEVER_EXPORTED:
        subject = f"【要確認】{alert.body.name} あての共有範囲が限られたセキュリティ情報があります"
        text = (
            f"{alert.body.name} ご担当者様\n\n"
            f"共有範囲が限られた情報(TLP:{advisory.tlp})のため、内容はメールには書けません。\n"
            f"対応の期限: {due}\n\n{SIGN_IN}\n\n{_open_it(alert)}"
        )
        return subject, text
    where = f"(設置場所: {alert.asset.location})" if alert.asset.location else ""
    exploited = (
        "\nこの弱点はすでに実際の攻撃に使われています。ほかの作業より先に対応してください。\n"
        if alert.exploited
        else ""
    )
    unsure = (
        ""
        if alert.certain
        else "\nバージョンが一致するかどうか自動では判定できませんでした。お使いのバージョンを確かめてください。\n"
    )
    subject = f"【要対応・期限 {due}】{_asset(alert)} にセキュリティ上の弱点"
    text = (
        f"{alert.body.name} ご担当者様\n\n"
        f"あなたの団体で使っている「{_asset(alert)}」{where}に、攻撃に使われるおそれのある弱点(脆弱性)が"
        f"見つかりました。\n{exploited}{unsure}\n"
        f"■ 何が影響を受けるか\n{_asset(alert)}{where}\n"
        f"情報: {advisory.title}({advisory.identifier})\n\n"
        f"■ 何をすればよいか\n{advisory.remediation.strip()[:1500] or DEFAULT_ADVICE}\n\n"
        f"■ いつまでに\n{due} まで(優先度: {PRIORITY_WORDS.get(alert.priority, '')})\n\n"
        f"■ この情報の扱い(TLP:{advisory.tlp})\n{TLP_WORDS.get(advisory.tlp, '')}\n\n{SIGN_IN}\n\n{_open_it(alert)}"
    )
    return subject, text


def escalation_message(alert: Alert, *, named: bool) -> tuple[str, str]:
    """Subject and text telling a body's manager and the prefecture that an alert is past its deadline;
    `named` False (a RED advisory the reader is not named for): no advisory is named."""
    state = "確認もされていません" if alert.status == "open" else "確認されましたが、対応の記録がありません"
    about = (
        f"情報: {alert.advisory.title}({alert.advisory.identifier})\n"
        if named and alert.advisory.tlp not in engine.NEVER_EXPORTED
        else "情報: 共有範囲が限られた情報のため、内容はメールには書けません。\n"
    )
    subject = f"【期限切れ】{alert.body.name} のセキュリティ対応が期限({alert.due_on})を過ぎています"
    text = (
        f"{alert.body.name} の管理者様、県の担当者様\n\n"
        f"次のセキュリティ情報への対応が、期限 {alert.due_on} を過ぎても完了していません({state})。\n\n"
        f"■ 対象\n{_asset(alert)}\n{about}優先度: {PRIORITY_WORDS.get(alert.priority, '')}\n\n"
        f"担当者に状況を確かめ、対応を進めてください。対応したら Chiiki のサイバー情報の画面に記録してください。\n\n"
        f"{_open_it(alert)}"
    )
    return subject, text
