"""The decision letter (決定通知書) of an application as one A4 PDF page, IPAexGothic embedded; no Django.

The font is found and registered the way the survey letters and the benefit notices do it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from chiiki.surveys.contact.letters import GOTHIC, font_path


@dataclass(frozen=True, slots=True)
class DecisionLetter:
    sender: str
    applicant: str
    procedure: str
    legal_basis: str
    receipt_number: str
    submitted: date
    decided: date
    approved: bool
    reason: str


def _day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        while len(paragraph) > width:
            lines.append(paragraph[:width])
            paragraph = paragraph[width:]
        lines.append(paragraph)
    return lines


def write_decision_pdf(letter: DecisionLetter, stream: BinaryIO) -> None:
    """Write the letter into `stream`."""
    if GOTHIC not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(GOTHIC, str(font_path())))
    canvas = Canvas(stream, pagesize=A4, pageCompression=1, initialFontName=GOTHIC)
    title = "決定通知書" if letter.approved else "不承認決定通知書"
    canvas.setTitle(f"{letter.procedure} {title}")
    width, height = A4
    y = height - 25 * mm
    canvas.setFont(GOTHIC, 10)
    canvas.drawRightString(width - 25 * mm, y, _day(letter.decided))
    y -= 6 * mm
    canvas.drawRightString(width - 25 * mm, y, letter.sender)
    y -= 10 * mm
    canvas.setFont(GOTHIC, 11)
    canvas.drawString(25 * mm, y, f"{letter.applicant} 様" if letter.applicant else "申請者 様")
    y -= 16 * mm
    canvas.setFont(GOTHIC, 16)
    canvas.drawCentredString(width / 2, y, title)
    y -= 14 * mm
    canvas.setFont(GOTHIC, 11)
    outcome = "承認しました" if letter.approved else "承認しないことに決定しました"
    lines = [
        f"{_day(letter.submitted)}に受け付けたあなたの申請について、次のとおり{outcome}。",
        "",
        f"手続: {letter.procedure}",
        f"受付番号: {letter.receipt_number}",
        f"根拠: {letter.legal_basis}" if letter.legal_basis else "",
        f"決定: {'承認' if letter.approved else '不承認'}",
    ]
    if letter.reason:
        lines += ["", "理由:", *_wrap(letter.reason, 40)]
    if not letter.approved:
        lines += [
            "",
            "この決定に不服があるときは、この通知を受け取った日の翌日から起算して3か月以内に、",
            "市長に対して審査請求をすることができます(行政不服審査法)。",
        ]
    for line in lines:
        canvas.drawString(25 * mm, y, line)
        y -= 7 * mm
    canvas.showPage()
    Canvas.save(canvas)  # reportlab writes the PDF out (not a model)
