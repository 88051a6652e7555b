"""Survey request letters as one printable PDF per batch, and the print contractor's CSV, without Django.

Each A4 page is one household's letter, laid out to be folded in three into a 長3 window envelope: the address
block sits in the window area of the top third, the credentials sit in a box in the middle third. The page
carries the login ID, the access key (grouped "ACEF-HK34"), the answering URL, a QR code of the URL with the
login ID (never the key: a photographed QR code must not be enough to answer), the help desk and the deadline.
``large_print=True`` sets everything in larger type for residents who need it.

Font: IPAexGothic (IPAexゴシック, IPA Font License v1.0), the TrueType file shipped in the `matplotlib-fontja`
wheel, embedded as a subset (reportlab's default for TrueType: only the glyphs used). Every character, Latin
included, is set in it, so the PDF names no font that a printer or viewer has to supply: what is printed is
what was drawn. The file is found through the package metadata, without importing the package (its
``__init__`` imports matplotlib).
"""

from __future__ import annotations

import csv
import errno
import importlib.metadata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO, TextIO
from urllib.parse import urlencode, urlsplit, urlunsplit

import qrcode
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from chiiki.tables import excel_safe_row

__all__ = [
    "GOTHIC",
    "LETTER_COLUMNS",
    "FontMissing",
    "IssuedKey",
    "Letter",
    "LetterContent",
    "answer_url",
    "font_path",
    "format_login_id",
    "write_letters_csv",
    "write_letters_pdf",
]

GOTHIC = "IPAexGothic"
FONT_PACKAGE = "matplotlib-fontja"
FONT_FILE = "matplotlib_fontja/fonts/ipaexg.ttf"
_WEEKDAYS = "月火水木金土日"
LETTER_COLUMNS = ("login_id", "access_key", "postal_code", "address", "url")


class FontMissing(FileNotFoundError):
    """The embedded letter font is not installed (an OSError, so a caller that cleans up after failed file
    writes cleans up after this too; nothing is drawn before the font is found)."""


def font_path() -> Path:
    """The IPAexGothic TrueType file inside the installed ``matplotlib-fontja`` distribution."""
    try:
        distribution = importlib.metadata.distribution(FONT_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        path = None
    else:
        path = Path(str(distribution.locate_file(FONT_FILE)))
    if path is None or not path.is_file():
        raise FontMissing(
            errno.ENOENT,
            f"依頼状の日本語フォント (IPAexゴシック) がありません: pip install {FONT_PACKAGE} "
            f"(the letters font {FONT_FILE} from the {FONT_PACKAGE} package is not installed)",
            str(path or FONT_PACKAGE),
        )
    return path


def _register_fonts() -> None:
    """Find the font for every batch (so a missing package fails before any page is drawn), but read and
    register it once per process (parsing the 6 MB file takes a moment; later batches reuse it)."""
    path = font_path()
    if GOTHIC not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(GOTHIC, str(path)))


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A plaintext access key for one letter. It exists only in memory and on the letter."""

    case_id: int
    login_id: str
    access_key: str
    postal_code: str
    address: str


@dataclass(frozen=True, slots=True)
class Letter:
    """One household's letter. ``access_key`` is the plaintext key: it exists only in memory and on paper."""

    login_id: str
    access_key: str
    postal_code: str
    address: str
    addressee: str = ""


@dataclass(frozen=True, slots=True)
class LetterContent:
    """What every letter of a batch says."""

    sender: str
    survey_title: str
    url: str
    deadline: date
    helpdesk: str
    issued_on: date | None = None


def format_login_id(login_id: str) -> str:
    """The 12-digit login ID in groups of four, as printed: "1234 5678 9012"."""
    return " ".join(login_id[i : i + 4] for i in range(0, len(login_id), 4))


def _format_key(key: str) -> str:
    return f"{key[:4]}-{key[4:]}"


def _format_postal(code: str) -> str:
    return f"〒{code[:3]}-{code[3:]}" if len(code) == 7 else (f"〒{code}" if code else "")


def _format_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日({_WEEKDAYS[day.weekday()]})"


def answer_url(url: str, login_id: str) -> str:
    """The answering URL with the login ID filled in (what the QR code holds); never the access key."""
    parts = urlsplit(url)
    query = f"{parts.query}&" if parts.query else ""
    return urlunsplit(parts._replace(query=query + urlencode({"id": login_id})))


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break Japanese text into lines no wider than ``width`` (character by character; keeps explicit breaks)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for char in paragraph:
            advance = pdfmetrics.stringWidth(char, font, size)
            if line and used + advance > width:
                # Do not start a line with closing punctuation (kinsoku, simplified).
                if char in "、。)」』,.":
                    line += char
                    used += advance
                    continue
                lines.append(line)
                line, used = "", 0.0
            line += char
            used += advance
        lines.append(line)
    return lines


class _QrMasks:
    """The QR mask pattern of a batch. Choosing the mask by its penalty score is most of the cost of a letter
    (eight trial encodings); the letters of a batch differ only in the digits of the login ID, so the mask is
    chosen properly for the first one and reused for the rest (any mask is valid for every reader)."""

    def __init__(self) -> None:
        self.mask: int | None = None

    def matrix(self, data: str) -> list[list[bool]]:
        code = qrcode.QRCode(
            error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, mask_pattern=self.mask
        )
        code.add_data(data)
        if self.mask is None:
            code.best_fit()
            self.mask = code.best_mask_pattern()
            code.mask_pattern = self.mask
        code.make(fit=True)
        matrix: list[list[bool]] = code.get_matrix()
        return matrix


def _draw_qr(canvas: Canvas, matrix: list[list[bool]], x: float, y: float, size: float) -> None:
    """Draw a QR matrix with its lower-left corner at x, y: vector rectangles, one per run of dark modules in
    a row, in a single path (no image library, sharp at any printer resolution)."""
    cell = size / len(matrix)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        bottom = y + size - (row_index + 1) * cell
        start: int | None = None
        for col_index, dark in enumerate([*row, False]):
            if dark and start is None:
                start = col_index
            elif not dark and start is not None:
                path.rect(x + start * cell, bottom, (col_index - start) * cell, cell)
                start = None
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)


class _Page:
    """A y cursor from the top of the page, in points, with text helpers."""

    def __init__(self, canvas: Canvas, scale: float) -> None:
        self.canvas = canvas
        self.scale = scale
        self.width, self.height = A4
        self.left = 20 * mm
        self.right = self.width - 20 * mm

    def text(
        self, x: float, top: float, text: str, size: float, *, bold: bool = False, width: float | None = None
    ) -> float:
        """Write (wrapped) text whose first line's top is ``top`` mm from the page top; return the next top.

        ``bold`` fills and outlines the glyphs (the font has a single weight): the credentials stand out.
        """
        size *= self.scale
        lines = _wrap(text, GOTHIC, size, width or (self.right - x))
        y = self.height - top * mm - size
        self.canvas.setFont(GOTHIC, size)
        self.canvas.setLineWidth(size * 0.03)
        for line in lines:
            self.canvas.drawString(x, y, line, mode=2 if bold else 0)
            y -= size * 1.45
        return float((self.height - y - size) / mm)


def _draw_letter(
    canvas: Canvas, letter: Letter, content: LetterContent, masks: _QrMasks, *, large_print: bool
) -> None:
    page = _Page(canvas, 1.35 if large_print else 1.0)
    canvas.setFillColorRGB(0, 0, 0)
    _draw_address(page, letter, content)
    # Middle and bottom thirds: the request itself.
    top = page.text(page.left, 104, f"{content.survey_title}への回答のお願い", 15)
    body = (
        "この調査はインターネットで回答できます。下の回答用ページを開き、調査対象者IDとアクセスキーを"
        "入力してください。回答の内容は統計を作るためだけに使い、秘密は守られます。"
    )
    top = page.text(page.left, top + 3, body, 10.5)
    box_bottom = _draw_credentials(page, letter, content, masks, top=top + 4, large_print=large_print)
    top = page.text(page.left, box_bottom + 6, f"回答期限  {_format_date(content.deadline)}", 13)
    notes = (
        "・アクセスキーは、初めて回答するときに一度だけ使います。そのあと、ご自分でパスワードを決めていただきます。\n"
        "・QRコードにはアクセスキーは入っていません。キーは画面で入力してください。\n"
        "・この用紙は、回答が終わるまで大切に保管してください。"
    )
    top = page.text(page.left, top + 3, notes, 9.5)
    top = page.text(page.left, top + 4, "お問い合わせ・回答のお手伝い", 11)
    page.text(page.left, top + 1, content.helpdesk, 10.5)
    canvas.showPage()


def _draw_address(page: _Page, letter: Letter, content: LetterContent) -> None:
    """Top third: the address block in the window of a 長3 envelope (window about 90 x 45 mm, 23 mm from the
    left and 13 mm from the top of the envelope; the folded sheet sits a few mm lower), the sender at its right."""
    window_x = 25 * mm
    top = page.text(window_x, 22, _format_postal(letter.postal_code), 11, width=85 * mm)
    top = page.text(window_x, top, letter.address, 11, width=85 * mm)
    addressee = f"{letter.addressee} 様" if letter.addressee else "世帯主 様"
    page.text(window_x, top + 2, addressee, 13, width=85 * mm)
    sender_x = 125 * mm
    top = page.text(sender_x, 22, content.sender, 9, width=page.right - sender_x)
    if content.issued_on is not None:
        page.text(sender_x, top + 1, _format_date(content.issued_on), 9, width=page.right - sender_x)


def _draw_credentials(
    page: _Page, letter: Letter, content: LetterContent, masks: _QrMasks, *, top: float, large_print: bool
) -> float:
    """The credentials box (login ID, access key, URL) from `top` mm, the QR code at its right; its bottom."""
    canvas, scale = page.canvas, page.scale
    qr_size = 34 * mm * (1.15 if large_print else 1.0)
    cursor = top + 5
    for label, value in (
        ("調査対象者ID", format_login_id(letter.login_id)),
        ("アクセスキー", _format_key(letter.access_key)),
    ):
        page.text(page.left + 6 * mm, cursor, label, 10)
        page.text(page.left + 6 * mm, cursor + 6 * scale, value, 20, bold=True)
        cursor += 18 * scale
    cursor = page.text(page.left + 6 * mm, cursor, "回答用ページ", 10)
    cursor = page.text(page.left + 6 * mm, cursor, content.url, 11, width=110 * mm)
    bottom = max(cursor + 3, top + qr_size / mm + 10)
    canvas.setLineWidth(1.2)
    canvas.rect(page.left, page.height - bottom * mm, page.right - page.left, (bottom - top) * mm, fill=0)
    qr_x = page.right - qr_size - 6 * mm
    qr_top = top + 4
    matrix = masks.matrix(answer_url(content.url, letter.login_id))
    _draw_qr(canvas, matrix, qr_x, page.height - qr_top * mm - qr_size, qr_size)
    page.text(qr_x, qr_top + qr_size / mm + 1, "読み取るとIDが入ります", 7)
    return float(bottom)


def write_letters_pdf(
    letters: Iterable[Letter], stream: BinaryIO, content: LetterContent, *, large_print: bool = False
) -> int:
    """Write one A4 page per letter into ``stream`` as a single PDF; return the number of pages.

    reportlab keeps the compressed pages (about 5 KB each) in memory until the file is closed, so print
    runs are split into batches of a few thousand letters (``chiiki survey letters --batch-size``).
    """
    _register_fonts()
    # The initial font too, or every page would name Helvetica (standard, never embedded).
    canvas = Canvas(stream, pagesize=A4, pageCompression=1, initialFontName=GOTHIC)
    canvas.setTitle(f"{content.survey_title} 依頼状")
    canvas.setAuthor(content.sender)
    count = 0
    masks = _QrMasks()
    for letter in letters:
        _draw_letter(canvas, letter, content, masks, large_print=large_print)
        count += 1
    if count:
        Canvas.save(canvas)  # writes the PDF out (reportlab, not a model: spelled so the write lint can tell)
    return count


def write_letters_csv(issued: Iterable[IssuedKey], stream: TextIO, *, url: str) -> int:
    """Write the print contractor's CSV (UTF-8 with BOM so Excel reads it); return the number of letters.

    Open `stream` with encoding="utf-8" and newline="". The access key is printed as on the letter ("ACEF-HK34").
    """
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(LETTER_COLUMNS)
    count = 0
    for key in issued:
        row = [key.login_id, _format_key(key.access_key), key.postal_code, key.address, url]
        writer.writerow(excel_safe_row(row))  # opened in Excel: no address may run as a formula
        count += 1
    return count
