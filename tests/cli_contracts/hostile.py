"""Hostile and odd input files for the outside-checked CLI contracts.

Each builder takes a scratch directory and returns the path (or argument) to hand to the command. Builders
only write files; the tests decide what to run over them. Nothing here needs a database.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

Builder = Callable[[Path], str]

AED_HEADER = "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,所在地_連結表記,緯度,経度,設置位置"
AED_ROW = "012345,1,テスト町,役場,ヤクバ,テスト町1-1,43.0,141.0,1階"
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + bytes(40)
)
PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _write(directory: Path, name: str, data: bytes) -> str:
    path = directory / name
    path.write_bytes(data)
    return str(path)


def _xlsx(directory: Path, name: str, sheets: dict[str, list[list[object]]]) -> str:
    """Write a workbook with the given sheets (rows of cell values) and return its path."""
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = directory / name
    book.save(path)
    return str(path)


def _xlsx_with(directory: Path, name: str, edit: Callable[[openpyxl.Workbook], None]) -> str:
    book = openpyxl.Workbook()
    edit(book)
    path = directory / name
    book.save(path)
    return str(path)


def nested_parentheses(depth: int) -> str:
    """An expression ``((((…1…))))`` nested ``depth`` levels deep."""
    return "(" * depth + "1" + ")" * depth


# ------------------------------------------------------------------------------------ any file at all


def nonexistent(d: Path) -> str:
    return str(d / "no-such-file.xlsx")


def directory(d: Path) -> str:
    sub = d / "a-directory.xlsx"
    sub.mkdir(exist_ok=True)
    return str(sub)


def empty(d: Path) -> str:
    return _write(d, "empty.csv", b"")


def empty_xlsx(d: Path) -> str:
    return _write(d, "empty.xlsx", b"")


def only_bom(d: Path) -> str:
    return _write(d, "bom.csv", b"\xef\xbb\xbf")


def binary_garbage(d: Path) -> str:
    return _write(d, "garbage.bin", bytes(range(256)) * 64)


def png_as_xlsx(d: Path) -> str:
    return _write(d, "picture.xlsx", PNG_BYTES)


def png_as_csv(d: Path) -> str:
    return _write(d, "picture.csv", PNG_BYTES)


def pdf_as_xlsx(d: Path) -> str:
    return _write(d, "document.xlsx", PDF_BYTES)


def pdf_as_csv(d: Path) -> str:
    return _write(d, "document.csv", PDF_BYTES)


def zip_not_xlsx(d: Path) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return _write(d, "archive.xlsx", buffer.getvalue())


def truncated_zip(d: Path) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>" * 100)
    return _write(d, "truncated.xlsx", buffer.getvalue()[:60])


def ods_file(d: Path) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return _write(d, "form.ods", buffer.getvalue())


def ole_garbage(d: Path) -> str:
    """An .xls (BIFF/OLE2) header followed by junk: what a damaged legacy workbook looks like."""
    return _write(d, "legacy.xls", OLE_MAGIC + bytes(range(256)) * 8)


def xlsx_workbook_xml_only(d: Path) -> str:
    """A zip that claims to be a workbook but holds nothing openpyxl can use."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not-xml")
    return _write(d, "fake-workbook.xlsx", buffer.getvalue())


def nul_bytes_text(d: Path) -> str:
    return _write(d, "nul.csv", b"type,name,label\n\x00\x00,\x00,\x00\n")


def symlink_loop(d: Path) -> str:
    a, b = d / "loop-a.csv", d / "loop-b.csv"
    if not a.is_symlink():
        a.symlink_to(b)
        b.symlink_to(a)
    return str(a)


def fifo(d: Path) -> str:
    path = d / "pipe.csv"
    if not path.exists():
        os.mkfifo(path)
    return str(path)


def dev_zero(d: Path) -> str:
    """An endless character device: must be refused, never read."""
    return "/dev/zero"


def unreadable(d: Path) -> str:
    path = d / "secret.csv"
    path.write_text(AED_HEADER + "\n" + AED_ROW + "\n", encoding="utf-8")
    path.chmod(0)
    return str(path)


COMMON: dict[str, Builder] = {
    "nonexistent": nonexistent,
    "directory": directory,
    "empty": empty,
    "empty_xlsx": empty_xlsx,
    "only_bom": only_bom,
    "binary_garbage": binary_garbage,
    "png_as_xlsx": png_as_xlsx,
    "png_as_csv": png_as_csv,
    "pdf_as_xlsx": pdf_as_xlsx,
    "pdf_as_csv": pdf_as_csv,
    "zip_not_xlsx": zip_not_xlsx,
    "truncated_zip": truncated_zip,
    "ods_file": ods_file,
    "ole_garbage": ole_garbage,
    "xlsx_workbook_xml_only": xlsx_workbook_xml_only,
    "nul_bytes_text": nul_bytes_text,
    "symlink_loop": symlink_loop,
    "fifo": fifo,
    "dev_zero": dev_zero,
}

# --------------------------------------------------------------------------------------------- forms

SURVEY_HEADER = ["type", "name", "label"]
SETTINGS = {"settings": [["form_title", "form_id"], ["テスト", "test"]]}


def form_no_survey_sheet(d: Path) -> str:
    return _xlsx(
        d,
        "no-survey.xlsx",
        {"choices": [["list_name", "name", "label"], ["yn", "1", "はい"]], "other": [["x"]]},
    )


def form_empty_survey(d: Path) -> str:
    return _xlsx(d, "empty-survey.xlsx", {"survey": [], "choices": [["list_name", "name", "label"]]})


def form_header_only(d: Path) -> str:
    return _xlsx(d, "header-only.xlsx", {"survey": [SURVEY_HEADER]})


def form_merged_cells(d: Path) -> str:
    def edit(book: openpyxl.Workbook) -> None:
        sheet = book.active
        sheet.title = "survey"
        sheet.append(SURVEY_HEADER)
        sheet.append(["text", "q1", "質問1"])
        sheet.append(["integer", "q2", "質問2"])
        sheet.merge_cells("B2:C3")

    return _xlsx_with(d, "merged.xlsx", edit)


def form_formulas(d: Path) -> str:
    rows: list[list[object]] = [
        SURVEY_HEADER,
        ["text", '=CONCAT("q","1")', "=1/0"],
        ["integer", "=A1", "=SUM(1,2)"],
    ]
    return _xlsx(d, "formulas.xlsx", {"survey": rows})


def form_dates_numbers_in_name(d: Path) -> str:
    import datetime

    rows: list[list[object]] = [
        SURVEY_HEADER,
        ["text", datetime.datetime(2024, 1, 2, 3, 4), "日付"],  # noqa: DTZ001 - cells are naive
        ["text", 12345, "数"],
        ["text", 1.5, "小数"],
        ["text", True, "真偽"],
        ["text", datetime.time(12, 30), "時刻"],
    ]
    return _xlsx(d, "dates.xlsx", {"survey": rows})


def form_missing_type(d: Path) -> str:
    return _xlsx(d, "no-type.xlsx", {"survey": [["name", "label"], ["q1", "質問"]]})


def form_duplicate_headers(d: Path) -> str:
    return _xlsx(
        d,
        "dup-headers.xlsx",
        {"survey": [["type", "name", "label", "name", "type"], ["text", "q1", "a", "q2", "integer"]]},
    )


def form_nul_cells(d: Path) -> str:
    # openpyxl refuses control characters in cells, so write the XML by hand (NUL is not even legal XML).
    return form_long_cell_text(d, "nul-cells.xlsx", "q\u0000one", "ラベル\u0000")


def form_long_cell_text(d: Path, name: str, cell_name: str, cell_label: str) -> str:
    """A one-question form whose name/label cells are written verbatim (no openpyxl character checks)."""
    from xml.sax.saxutils import escape

    def inline(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'

    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f'<row r="1">{inline("A1", "type")}{inline("B1", "name")}{inline("C1", "label")}</row>'
        f'<row r="2">{inline("A2", "text")}{inline("B2", cell_name)}{inline("C2", cell_label)}</row>'
        "</sheetData></worksheet>"
    )
    return _raw_xlsx(d, name, sheet)


def _raw_xlsx(d: Path, name: str, sheet_xml: str) -> str:
    ns = "http://schemas.openxmlformats.org"
    files = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
            f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets>'
            '<sheet name="survey" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, text in files.items():
            archive.writestr(member, text.encode("utf-8"))
    return _write(d, name, buffer.getvalue())


def form_megabyte_cell(d: Path) -> str:
    return form_long_cell_text(d, "megabyte.xlsx", "q1", "長" * (1024 * 1024))


def form_megabyte_name(d: Path) -> str:
    return form_long_cell_text(d, "megabyte-name.xlsx", "n" * (1024 * 1024), "label")


def form_deep_parentheses(d: Path) -> str:
    rows: list[list[object]] = [
        [*SURVEY_HEADER, "calculation", "relevant"],
        ["integer", "a", "A", "", ""],
        ["calculate", "c", "", nested_parentheses(10_000), ""],
        ["text", "t", "T", "", "(" * 10_000 + "${a} > 1" + ")" * 10_000],
    ]
    return _xlsx(d, "deep.xlsx", {"survey": rows})


def form_deep_unbalanced(d: Path) -> str:
    rows: list[list[object]] = [[*SURVEY_HEADER, "calculation"], ["calculate", "c", "", "(" * 10_000 + "1"]]
    return _xlsx(d, "deep-unbalanced.xlsx", {"survey": rows})


def form_deep_function_calls(d: Path) -> str:
    expression = "concat(" * 5_000 + "'x'" + ")" * 5_000
    rows: list[list[object]] = [[*SURVEY_HEADER, "calculation"], ["calculate", "c", "", expression]]
    return _xlsx(d, "deep-calls.xlsx", {"survey": rows})


def form_deep_unary(d: Path) -> str:
    rows: list[list[object]] = [[*SURVEY_HEADER, "calculation"], ["calculate", "c", "", "-" * 20_000 + "1"]]
    return _xlsx(d, "deep-unary.xlsx", {"survey": rows})


def form_deep_groups(d: Path) -> str:
    depth = 2_000
    rows: list[list[object]] = [SURVEY_HEADER]
    rows += [["begin_group", f"g{i}", f"G{i}"] for i in range(depth)]
    rows.append(["text", "q", "Q"])
    rows += [["end_group", "", ""] for _ in range(depth)]
    return _xlsx(d, "deep-groups.xlsx", {"survey": rows})


def form_cycle_through_groups(d: Path) -> str:
    rows: list[list[object]] = [
        [*SURVEY_HEADER, "calculation"],
        ["begin_group", "g", "G", ""],
        ["calculate", "a", "", "${b} + 1"],
        ["end_group", "", "", ""],
        ["begin_repeat", "r", "R", ""],
        ["calculate", "b", "", "${c} + 1"],
        ["begin_group", "inner", "I", ""],
        ["calculate", "c", "", "${a} + 1"],
        ["end_group", "", "", ""],
        ["end_repeat", "", "", ""],
    ]
    return _xlsx(d, "cycle.xlsx", {"survey": rows})


def form_self_cycle(d: Path) -> str:
    rows: list[list[object]] = [[*SURVEY_HEADER, "calculation"], ["calculate", "a", "", "${a} + 1"]]
    return _xlsx(d, "self-cycle.xlsx", {"survey": rows})


def form_unicode(d: Path) -> str:
    rows: list[list[object]] = [
        [*SURVEY_HEADER, "label::عربي", "hint"],
        ["text", "ｑ１", "全角の名前", "سؤال", "‮RTL override"],
        ["text", "q😀", "絵文字 😀👨‍👩‍👧", "", ""],
        ["text", "cafe\u0301", "e\u0301\u0301\u0301 combining", "", ""],
        ["text", "ok_name", "\u202eright-to-left\u202c", "مرحبا", "\ufeffbom in cell"],
    ]
    return _xlsx(d, "unicode.xlsx", {"survey": rows, **SETTINGS})


def form_huge(rows_count: int) -> Builder:
    def build(d: Path) -> str:
        path = d / f"huge-{rows_count}.xlsx"
        if path.exists():
            return str(path)
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("survey")
        sheet.append(SURVEY_HEADER)
        for i in range(rows_count):
            sheet.append(["text", f"q{i}", f"質問{i}"])
        book.save(path)
        return str(path)

    return build


def form_wide(d: Path) -> str:
    header: list[object] = [*SURVEY_HEADER, *(f"x{i}" for i in range(2_000))]  # past the 500-column cap
    return _xlsx(d, "wide.xlsx", {"survey": [header, ["text", "q1", "Q"]]})


def form_good(d: Path) -> str:
    rows: list[list[object]] = [
        [*SURVEY_HEADER, "calculation"],
        ["integer", "age", "年齢", ""],
        ["calculate", "double", "", "${age} * 2"],
    ]
    return _xlsx(d, "good.xlsx", {"survey": rows, **SETTINGS})


def form_good_japanese_path(d: Path) -> str:
    sub = d / "調査 票 フォルダ"
    sub.mkdir(exist_ok=True)
    rows: list[list[object]] = [SURVEY_HEADER, ["text", "q1", "質問"]]
    return _xlsx(sub, "令和6年 調査票 (案).xlsx", {"survey": rows})


def md_empty_table(d: Path) -> str:
    return _write(d, "empty-table.md", b"| survey |\n| --- |\n|  |\n")


def md_ragged(d: Path) -> str:
    text = (
        "| survey |      |      |        |\n"
        "|        | type | name | label  |\n"
        "|        | text | q1   |\n"
        "|        | integer | q2 | 数 | extra | more |\n"
        "|        | text\n"
    )
    return _write(d, "ragged.md", text.encode())


def md_not_a_table(d: Path) -> str:
    return _write(d, "readme.md", "# 見出し\n\n本文です。 | が一つ。\n\n- list\n".encode())


def md_only_pipes(d: Path) -> str:
    return _write(d, "pipes.md", (("|" * 5000 + "\n") * 3).encode())


def md_deep(d: Path) -> str:
    expression = nested_parentheses(10_000)
    text = f"| survey |\n| | type | name | label | calculation |\n| | calculate | c | | {expression} |\n"
    return _write(d, "deep.md", text.encode())


def csv_form_quotes(d: Path) -> str:
    return _write(d, "form-quotes.csv", b'survey,,,\n,type,name,label\n,text,"q1,label\n,"text\n')


FORMS: dict[str, Builder] = {
    "form_no_survey_sheet": form_no_survey_sheet,
    "form_empty_survey": form_empty_survey,
    "form_header_only": form_header_only,
    "form_merged_cells": form_merged_cells,
    "form_formulas": form_formulas,
    "form_dates_numbers_in_name": form_dates_numbers_in_name,
    "form_missing_type": form_missing_type,
    "form_duplicate_headers": form_duplicate_headers,
    "form_nul_cells": form_nul_cells,
    "form_megabyte_cell": form_megabyte_cell,
    "form_megabyte_name": form_megabyte_name,
    "form_deep_parentheses": form_deep_parentheses,
    "form_deep_unbalanced": form_deep_unbalanced,
    "form_deep_function_calls": form_deep_function_calls,
    "form_deep_unary": form_deep_unary,
    "form_deep_groups": form_deep_groups,
    "form_cycle_through_groups": form_cycle_through_groups,
    "form_self_cycle": form_self_cycle,
    "form_unicode": form_unicode,
    "form_wide": form_wide,
    "md_empty_table": md_empty_table,
    "md_ragged": md_ragged,
    "md_not_a_table": md_not_a_table,
    "md_only_pipes": md_only_pipes,
    "md_deep": md_deep,
    "csv_form_quotes": csv_form_quotes,
}

# ----------------------------------------------------------------------------------------- open data


def _text(d: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    return _write(d, name, text.encode(encoding))


def csv_utf16_bom(d: Path) -> str:
    return _write(d, "utf16.csv", (AED_HEADER + "\n" + AED_ROW + "\n").encode("utf-16"))


def csv_utf16le_no_bom(d: Path) -> str:
    return _write(d, "utf16le.csv", (AED_HEADER + "\n" + AED_ROW + "\n").encode("utf-16-le"))


def csv_euc_jp(d: Path) -> str:
    return _text(d, "euc.csv", AED_HEADER + "\n" + AED_ROW + "\n", "euc_jp")


def csv_cp932_broken(d: Path) -> str:
    data = (AED_HEADER + "\n" + AED_ROW + "\n").encode("cp932") + b"\x82\n"
    return _write(d, "cp932-broken.csv", data)


def csv_mixed_newlines(d: Path) -> str:
    return _write(d, "mixed.csv", (AED_HEADER + "\r\n" + AED_ROW + "\n" + AED_ROW + "\r\n").encode())


def csv_lone_cr(d: Path) -> str:
    return _write(d, "cr.csv", (AED_HEADER + "\r" + AED_ROW + "\r" + AED_ROW + "\r").encode())


def csv_unbalanced_quotes(d: Path) -> str:
    return _write(d, "quotes.csv", (AED_HEADER + '\n"012345,1,"テ"スト町,役場\n"\n').encode())


def csv_header_only(d: Path) -> str:
    return _text(d, "header-only.csv", AED_HEADER + "\n")


def csv_one_column(d: Path) -> str:
    return _text(d, "one-column.csv", "名称\n役場\n公民館\n")


def csv_unknown_header(d: Path) -> str:
    return _text(d, "unknown.csv", "foo,bar,baz\n1,2,3\n")


def csv_nul_cells(d: Path) -> str:
    return _write(
        d, "nul-cells.csv", (AED_HEADER + "\n").encode() + b"0123\x0045,1,\x00,\x00\n" + b"x" * 5000
    )


def csv_megabyte_cell(d: Path) -> str:
    return _text(d, "megabyte.csv", AED_HEADER + "\n" + AED_ROW.replace("役場", "長" * (1024 * 1024)) + "\n")


def csv_unicode(d: Path) -> str:
    row = "０１２３４５,１,テスト町,😀👨‍👩‍👧,cafe\u0301,\u202eمرحبا,４３．０,１４１．０,\ufeff1階"
    return _text(d, "unicode.csv", AED_HEADER + "\n" + row + "\n")


def csv_wide(columns: int) -> Builder:
    def build(d: Path) -> str:
        path = d / f"wide-{columns}.csv"
        if not path.exists():
            header = AED_HEADER + "," + ",".join(f"x{i}" for i in range(columns))
            path.write_text(header + "\n" + AED_ROW + "," * columns + "\n", encoding="utf-8")
        return str(path)

    return build


def csv_long(rows: int) -> Builder:
    def build(d: Path) -> str:
        path = d / f"long-{rows}.csv"
        if not path.exists():
            with path.open("w", encoding="utf-8") as out:
                out.write(AED_HEADER + "\n")
                for i in range(rows):
                    out.write(f"012345,{i},テスト町,施設{i},シセツ,テスト町1-{i},43.0,141.0,1階\n")
        return str(path)

    return build


def csv_japanese_path(d: Path) -> str:
    sub = d / "オープン データ"
    sub.mkdir(exist_ok=True)
    return _text(sub, "AED 一覧 (令和6年).csv", AED_HEADER + "\n" + AED_ROW + "\n")


def xlsx_opendata_odd(d: Path) -> str:
    import datetime

    def edit(book: openpyxl.Workbook) -> None:
        sheet = book.active
        sheet.append(AED_HEADER.split(","))
        sheet.append([12345, 1, "テスト町", "=1/0", datetime.datetime(2024, 1, 1), 1.5, 43.0, 141.0, True])  # noqa: DTZ001
        sheet.merge_cells("A3:C4")

    return _xlsx_with(d, "odd.xlsx", edit)


def xlsx_opendata_empty(d: Path) -> str:
    return _xlsx(d, "empty-book.xlsx", {"Sheet": []})


def xlsx_opendata_sparse(d: Path) -> str:
    """Two cells far apart: the sheet claims 60,000 x 16,000 cells, which must not all be read."""

    def edit(book: openpyxl.Workbook) -> None:
        sheet = book.active
        sheet.cell(row=1, column=16_000, value="x")
        sheet.cell(row=60_000, column=1, value="y")

    return _xlsx_with(d, "sparse.xlsx", edit)


OPENDATA: dict[str, Builder] = {
    "csv_utf16_bom": csv_utf16_bom,
    "csv_utf16le_no_bom": csv_utf16le_no_bom,
    "csv_euc_jp": csv_euc_jp,
    "csv_cp932_broken": csv_cp932_broken,
    "csv_mixed_newlines": csv_mixed_newlines,
    "csv_lone_cr": csv_lone_cr,
    "csv_unbalanced_quotes": csv_unbalanced_quotes,
    "csv_header_only": csv_header_only,
    "csv_one_column": csv_one_column,
    "csv_unknown_header": csv_unknown_header,
    "csv_nul_cells": csv_nul_cells,
    "csv_megabyte_cell": csv_megabyte_cell,
    "csv_unicode": csv_unicode,
    "csv_japanese_path": csv_japanese_path,
    "xlsx_opendata_odd": xlsx_opendata_odd,
    "xlsx_opendata_empty": xlsx_opendata_empty,
    "xlsx_opendata_sparse": xlsx_opendata_sparse,
}
