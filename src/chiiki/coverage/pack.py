"""The evidence pack of a challenge: one ZIP with the cells as GeoJSON and CSV and a PDF summary with a map
drawn from the cells' squares. Django-free; only aggregates per 500 m cell go in (households and reports
counted, counts below 3 withheld), so no report can be traced to a household.

Font: IPAexGothic (IPA Font License v1.0) from the installed ``matplotlib-fontja`` package, found the way the
survey letters find it (this app may not import the surveys app).
"""

from __future__ import annotations

import csv
import importlib.metadata
import io
import json
import math
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from chiiki.coverage.grid import parse_meshcode

GOTHIC = "IPAexGothic"
_FONT_PACKAGE = "matplotlib-fontja"
_FONT_FILE = "matplotlib_fontja/fonts/ipaexg.ttf"
SUPPRESS_BELOW = 3
COLUMNS = (
    "no",
    "mesh",
    "south",
    "west",
    "north",
    "east",
    "evidence",
    "samples",
    "households",
    "population",
    "claimed_covered",
    "outcome",
)


@dataclass(frozen=True, slots=True)
class PackCell:
    mesh: str  # 500 m cell
    evidence: str
    samples: int
    reporters: int
    population: int
    outcome: str  # a label, as shown
    claimed: bool | None = None  # inside the carrier's published area (None: no layer loaded)


@dataclass(frozen=True, slots=True)
class PackInput:
    municipality: str
    municipality_code: str
    carrier: str  # a label
    technology: str
    challenge_id: int
    opened: date
    answer_due: date
    note: str
    answer: str
    answered_on: date | None
    cells: list[PackCell]
    layer_source: str = ""  # the carrier's or the Ministry's layer compared with, if any


def _withheld(value: int) -> int | None:
    """A count shown only from SUPPRESS_BELOW up (0 is shown: nobody to single out)."""
    return value if value == 0 or value >= SUPPRESS_BELOW else None


def _rows(pack: PackInput) -> list[dict[str, object]]:
    rows = []
    for number, cell in enumerate(pack.cells, start=1):
        box = parse_meshcode(cell.mesh)
        rows.append(
            {
                "no": number,
                "mesh": cell.mesh,
                "south": round(box.south, 6),
                "west": round(box.west, 6),
                "north": round(box.north, 6),
                "east": round(box.east, 6),
                "evidence": cell.evidence,
                "samples": cell.samples,
                "households": _withheld(cell.reporters),
                "population": _withheld(cell.population),
                "claimed_covered": None if cell.claimed is None else ("yes" if cell.claimed else "no"),
                "outcome": cell.outcome,
            }
        )
    return rows


def pack_geojson(pack: PackInput) -> dict[str, object]:
    """One square per cell ([longitude, latitude], JGD2011 ≈ WGS 84), with the challenge's facts."""
    features = []
    for row in _rows(pack):
        w, s, e, n = row["west"], row["south"], row["east"], row["north"]
        ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
        properties = {k: row[k] for k in COLUMNS if k not in ("south", "west", "north", "east")}
        properties |= {"carrier": pack.carrier, "technology": pack.technology}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": properties,
            }
        )
    return {
        "type": "FeatureCollection",
        "name": f"challenge-{pack.municipality_code}-{pack.challenge_id}",
        "features": features,
    }


def pack_csv(pack: PackInput) -> str:
    """The cells as CSV (UTF-8 with BOM for Excel); withheld counts are empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*COLUMNS, "carrier", "technology"])
    for row in _rows(pack):
        writer.writerow([*("" if row[k] is None else row[k] for k in COLUMNS), pack.carrier, pack.technology])
    return "\ufeff" + out.getvalue()


def font_path() -> Path:
    """The IPAexGothic TrueType file inside the installed ``matplotlib-fontja`` distribution."""
    try:
        path = Path(str(importlib.metadata.distribution(_FONT_PACKAGE).locate_file(_FONT_FILE)))
    except importlib.metadata.PackageNotFoundError as error:
        raise FileNotFoundError(f"IPAexゴシックがありません: pip install {_FONT_PACKAGE}") from error
    if not path.is_file():
        raise FileNotFoundError(f"IPAexゴシックがありません: pip install {_FONT_PACKAGE}")
    return path


def _day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines():
        while len(paragraph) > width:
            lines.append(paragraph[:width])
            paragraph = paragraph[width:]
        lines.append(paragraph)
    return lines


def _draw_map(
    canvas: Canvas, rows: list[dict[str, object]], left: float, bottom: float, width: float, height: float
) -> None:
    """The cells as hatched, numbered squares, to scale (longitude shortened by cos latitude), north up."""
    south = min(float(r["south"]) for r in rows)  # type: ignore[arg-type]
    north = max(float(r["north"]) for r in rows)  # type: ignore[arg-type]
    west = min(float(r["west"]) for r in rows)  # type: ignore[arg-type]
    east = max(float(r["east"]) for r in rows)  # type: ignore[arg-type]
    pad_lat, pad_lon = (north - south) * 0.1 + 0.002, (east - west) * 0.1 + 0.003
    south, north, west, east = south - pad_lat, north + pad_lat, west - pad_lon, east + pad_lon
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = min(width / ((east - west) * squeeze), height / (north - south))

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return left + (lon - west) * squeeze * scale, bottom + (lat - south) * scale

    canvas.setLineWidth(0.5)
    canvas.rect(left, bottom, width, height)
    for row in rows:
        x0, y0 = xy(float(row["south"]), float(row["west"]))  # type: ignore[arg-type]
        x1, y1 = xy(float(row["north"]), float(row["east"]))  # type: ignore[arg-type]
        canvas.setFillGray(0.85)
        canvas.rect(x0, y0, x1 - x0, y1 - y0, stroke=1, fill=1)
        path = canvas.beginPath()  # hatching: dead cells are not told by colour alone
        step = max((x1 - x0) / 6, 1.5)
        offset = 0.0
        while offset < (x1 - x0) + (y1 - y0):
            ax, ay = x0 + max(0.0, offset - (y1 - y0)), y0 + min(offset, y1 - y0)
            bx, by = x0 + min(offset, x1 - x0), y0 + max(0.0, offset - (x1 - x0))
            path.moveTo(ax, ay)
            path.lineTo(bx, by)
            offset += step
        canvas.drawPath(path, stroke=1, fill=0)
        canvas.setFillGray(0)
        canvas.setFont(GOTHIC, 8)
        canvas.drawCentredString((x0 + x1) / 2, (y0 + y1) / 2 - 3, str(row["no"]))
    canvas.setFont(GOTHIC, 8)
    canvas.drawString(left + 2 * mm, bottom + height - 5 * mm, "北 ↑")
    km = scale * squeeze * (1 / (111.32 * squeeze))  # points per km east-west
    bar = km if km < width / 2 else km / 2
    canvas.line(left + 2 * mm, bottom + 3 * mm, left + 2 * mm + bar, bottom + 3 * mm)
    canvas.drawString(left + 2 * mm, bottom + 4.5 * mm, "1 km" if bar == km else "500 m")


def write_pack_pdf(pack: PackInput, stream: io.BytesIO) -> None:
    """The summary: who asks whom about what, the deadline, the answer, a map and the table of cells."""
    if GOTHIC not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(GOTHIC, str(font_path())))
    canvas = Canvas(stream, pagesize=A4, pageCompression=1, initialFontName=GOTHIC)
    canvas.setTitle(
        f"携帯電話の不感区画に関する申し入れ {pack.municipality} {pack.carrier} {pack.technology}"
    )
    page_width, page_height = A4
    left = 20 * mm
    y = page_height - 22 * mm
    canvas.setFont(GOTHIC, 15)
    canvas.drawString(left, y, "携帯電話の不感区画に関する申し入れ(証拠の概要)")
    y -= 10 * mm
    canvas.setFont(GOTHIC, 10)
    lines = [
        f"市区町村: {pack.municipality}({pack.municipality_code})  申し入れ番号: {pack.challenge_id}",
        f"事業者: {pack.carrier}  通信方式: {pack.technology}",
        f"申し入れ日: {_day(pack.opened)}  回答期限: {_day(pack.answer_due)}",
        f"区画: JIS X 0410 2分の1地域メッシュ(500m) {len(pack.cells)} 区画",
        "世帯数・人口は 3 未満を伏せています(世帯が特定されないように)。",
    ]
    if pack.layer_source:
        claimed = sum(1 for cell in pack.cells if cell.claimed)
        lines += _wrap(
            f"事業者のエリア({pack.layer_source})では、このうち {claimed} 区画がエリア内とされています"
            "(表の「エリア」が「内」の区画: エリア内とされるが不感)。",
            45,
        )
    if pack.note:
        lines += ["申し入れの内容:", *_wrap(pack.note, 45)]
    if pack.answered_on:
        lines += [f"事業者の回答({_day(pack.answered_on)}):", *_wrap(pack.answer, 45)]
    for line in lines:
        canvas.drawString(left, y, line)
        y -= 5.5 * mm
    rows = _rows(pack)
    map_height = 90 * mm
    y -= map_height + 2 * mm
    _draw_map(canvas, rows, left, y, page_width - 2 * left, map_height)
    y -= 8 * mm
    headers = ["番号", "メッシュ", "根拠", "測定数", "世帯", "人口", "エリア", "結果"]
    xs = [
        left,
        left + 12 * mm,
        left + 40 * mm,
        left + 72 * mm,
        left + 86 * mm,
        left + 98 * mm,
        left + 112 * mm,
        left + 126 * mm,
    ]
    canvas.setFont(GOTHIC, 9)
    for x, text in zip(xs, headers, strict=True):
        canvas.drawString(x, y, text)
    for row in rows:
        y -= 5 * mm
        if y < 20 * mm:
            canvas.showPage()
            canvas.setFont(GOTHIC, 9)
            y = page_height - 22 * mm
        values = [
            row["no"],
            row["mesh"],
            row["evidence"],
            row["samples"],
            row["households"],
            row["population"],
            {"yes": "内", "no": "外"}.get(str(row["claimed_covered"])),
            row["outcome"],
        ]
        for x, value in zip(xs, values, strict=True):
            canvas.drawString(x, y, "—" if value is None else str(value))
    canvas.showPage()
    Canvas.save(canvas)  # reportlab writes the PDF out (not a model)


def evidence_pack(pack: PackInput) -> bytes:
    """The ZIP: cells.geojson, cells.csv, summary.pdf."""
    pdf = io.BytesIO()
    write_pack_pdf(pack, pdf)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cells.geojson", json.dumps(pack_geojson(pack), ensure_ascii=False, indent=1))
        archive.writestr("cells.csv", pack_csv(pack))
        archive.writestr("summary.pdf", pdf.getvalue())
    return out.getvalue()
