"""What the procedures app says to residents by e-mail, SMS and the signed-in resident's inbox: the rows to queue
(`actions.queue_messages`), in plain Japanese. Nothing here writes; nothing here carries an access key.

A notice message (確認書のお知らせ) gives the amount, the account on file (masked), the notice number and the
confirmation page with the number filled in; the key stays on the mailed 確認書, as survey messages leave it on
the letter. Links are absolute, on the site of `CHIIKI_PROCEDURES_CONFIRM_URL`.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from chiiki.procedures.models import Application, Entitlement, HelpBooking, ReceiptAccount, ResidentMessage

__all__ = [
    "application_message",
    "booking_message",
    "notice_messages",
    "site_url",
]

_DEFAULT_CONFIRM = "http://localhost:8000/benefits/confirm/"


def site_url(path: str, **query: str) -> str:
    """An absolute URL on the residents' site (scheme and host of CHIIKI_PROCEDURES_CONFIRM_URL)."""
    parts = urlsplit(str(getattr(settings, "CHIIKI_PROCEDURES_CONFIRM_URL", "") or _DEFAULT_CONFIRM))
    tail = f"?{urlencode(query)}" if query else ""
    return f"{parts.scheme}://{parts.netloc}{path}{tail}"


def _grouped(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def notice_messages(
    entitlement: Entitlement, account: ReceiptAccount | None, head_code: str, masked: str
) -> list[ResidentMessage]:
    """The notice through every channel the household can be reached on: e-mail and SMS to the contact
    registered with the receipt account, and the head's inbox (seen after card sign-in)."""
    town = entitlement.municipality
    number = entitlement.login_id or ""
    link = site_url(reverse("procedures:confirm"), notice=number)
    subject = f"【{town.name}】{entitlement.allowance.name} 確認書のお知らせ"
    body = (
        f"{entitlement.head_name} 様\n"
        f"{entitlement.allowance.name}の支給対象です。支給予定額: {entitlement.amount:,}円\n"
        f"振込先(登録済みの公金受取口座): {masked}\n"
        f"確認書番号: {_grouped(number)}\n"
        f"確認・口座の訂正・辞退はこちらから: {link}\n"
        "確認キーは郵送した確認書に書いてあります。このメッセージには書いていません。\n"
        "インターネットが難しい方は、確認書を持って市役所の窓口や相談会へお越しください。\n"
        f"お問い合わせ: {town.name}役所 給付金担当"
    )
    sms = (
        f"【{town.name}】{entitlement.allowance.name} {entitlement.amount:,}円の確認書を送りました。"
        f"確認書番号 {number}。確認キーは郵送の確認書に記載。"
    )
    targets = []
    if account is not None and account.email:
        targets.append(("email", account.email, body))
    if account is not None and account.phone:
        targets.append(("sms", account.phone, sms))
    if head_code:
        targets.append(("inbox", head_code, body))
    return [
        ResidentMessage(
            municipality=town,
            kind=ResidentMessage.Kind.NOTICE,
            channel=channel,
            recipient=to,
            subject=subject[:200],
            body=text,
            link=link,
            entitlement=entitlement,
        )
        for channel, to, text in targets
    ]


def booking_message(booking: HelpBooking, kind: str) -> ResidentMessage:
    """A booking's confirmation or its reminder, to the e-mail address or phone given when booking, with the
    cancel page (booking number filled in; the resident types the contact, as when cancelling by hand)."""
    point = booking.slot.help_point
    town = point.municipality
    starts = timezone.localtime(booking.slot.starts_at)
    when = f"{starts.year}年{starts.month}月{starts.day}日 {starts:%H:%M}"
    link = site_url(reverse("procedures:help_cancel", args=[town.code]), number=booking.number)
    if kind == ResidentMessage.Kind.BOOKING_REMINDER:
        subject = f"【{town.name}】明日の相談のご予約({point.name})"
        opening = "明日、相談のご予約があります。"
    else:
        subject = f"【{town.name}】相談のご予約を受け付けました({point.name})"
        opening = "相談のご予約を受け付けました。"
    body = (
        f"{booking.name} 様\n{opening}\n日時: {when}\n場所: {point.name}({point.address})\n"
        f"予約番号: {_grouped(booking.number)}\n"
        f"都合が悪くなったときは取り消してください: {link}\n"
        f"お問い合わせ: {town.name}役所"
    )
    channel = "email" if "@" in booking.contact else "sms"
    if channel == "sms":
        # The SMS backend adds the link (the cancel page) after the text.
        body = f"【{town.name}】{opening}{when} {point.name} 予約番号{booking.number} 取り消しは次のページで:"
    return ResidentMessage(
        municipality=town,
        kind=kind,
        channel=channel,
        recipient=booking.contact,
        subject=subject[:200],
        body=body,
        link=link,
        booking=booking,
    )


def application_message(application: Application, kind: str) -> ResidentMessage | None:
    """An e-mail that staff returned (差戻し) or decided the application, when the resident left an address.
    It names the procedure and the state, never the staff's message or the answers, and sends the resident
    to the status page (number and key)."""
    if not application.contact_email:
        return None
    procedure = application.procedure
    town = procedure.municipality
    link = site_url(reverse("procedures:my_sign_in"))
    number = application.receipt_number or ""
    if kind == ResidentMessage.Kind.RETURNED:
        subject = f"【{town.name}】{procedure.name} 申請内容の修正のお願い"
        # The staff's message itself stays on the status page, behind the number and key.
        news = "申請内容について修正をお願いしています。市からのメッセージを状況のページでご覧ください。\n"
    else:
        subject = f"【{town.name}】{procedure.name} 審査の結果"
        news = f"申請の審査が終わりました。結果: {application.get_status_display()}\n"
    body = (
        f"{procedure.name}(受付番号 {number})\n{news}"
        f"申請番号と申請キーで状況のページを開き、内容を確かめてください: {link}\n"
        f"お問い合わせ: {town.name}役所"
    )
    return ResidentMessage(
        municipality=town,
        kind=kind,
        channel="email",
        recipient=application.contact_email,
        subject=subject[:200],
        body=body,
        link=link,
        application=application,
    )
