"""The 確認書 (confirmation notice) of a push-type benefit as one PDF page per household, font embedded; no Django."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from chiiki.surveys.contact.credentials import format_access_key
from chiiki.surveys.contact.letters import GOTHIC, font_path, format_login_id


@dataclass(frozen=True, slots=True)
class Notice:
    """One household's notice. `access_key` is plaintext: it exists only in memory and on paper."""

    login_id: str
    access_key: str
    addressee: str
    postal_code: str
    address: str
    amount: int
    account: str  # masked, e.g. "ゆうちょ銀行 〇一八支店 普通 ****567 ﾔﾏﾀﾞ ﾀﾛｳ", or "" when none is on file


@dataclass(frozen=True, slots=True)
class NoticeContent:
    """What every notice of an allowance says."""

    sender: str
    allowance: str
    url: str
    deadline: date
    helpdesk: str


def write_notices_pdf(notices: Iterable[Notice], stream: BinaryIO, content: NoticeContent) -> int:
    """Write one A4 page per notice into `stream`; return the number of pages."""
    if GOTHIC not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(GOTHIC, str(font_path())))
    canvas = Canvas(stream, pagesize=A4, pageCompression=1, initialFontName=GOTHIC)
    canvas.setTitle(f"{content.allowance} 確認書")
    count = 0
    for notice in notices:
        _page(canvas, notice, content)
        count += 1
    if count:
        Canvas.save(canvas)  # reportlab writes the PDF out (not a model)
    return count


def _page(canvas: Canvas, notice: Notice, content: NoticeContent) -> None:
    _width, height = A4
    y = height - 25 * mm
    canvas.setFont(GOTHIC, 10)
    for line in (
        f"〒{notice.postal_code[:3]}-{notice.postal_code[3:]}" if notice.postal_code else "",
        notice.address,
        f"{notice.addressee} 様",
    ):
        canvas.drawString(25 * mm, y, line)
        y -= 6 * mm
    y -= 8 * mm
    canvas.setFont(GOTHIC, 16)
    canvas.drawString(25 * mm, y, f"{content.allowance} 支給要件確認書")
    y -= 12 * mm
    canvas.setFont(GOTHIC, 11)
    lines = [
        f"あなたの世帯は、この給付の対象です。支給額: {notice.amount:,} 円",
        "申請は不要です。内容を確認し、受け取る・口座を直す・辞退する のどれかを選んでください。",
        f"振込先(公金受取口座): {notice.account or '登録がありません。窓口か下のページで口座を届け出てください。'}",
        f"回答期限: {content.deadline.year}年{content.deadline.month}月{content.deadline.day}日",
        "",
        f"インターネットで回答: {content.url}",
        f"確認書番号: {format_login_id(notice.login_id)}",
        f"確認キー: {format_access_key(notice.access_key)}",
        "",
        f"スマートフォンがない方・操作に不安のある方は窓口でお手伝いします: {content.helpdesk}",
        f"{content.sender}",
    ]
    for line in lines:
        canvas.drawString(25 * mm, y, line)
        y -= 8 * mm
    canvas.showPage()
