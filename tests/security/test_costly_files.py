"""Issue 13, finding 6: small files that cost a lot are refused before a parser opens them.

A 125 KB workbook holding 3 million shared strings kept the only worker busy for 71 s; here it is refused on
its zip, with a message naming the limit, by the open-data conversion (engine and the upload job) and by the
XLSForm reader. Conversions and linkage runs go to the `long` queue so exports and letters never wait behind
them. No assertion on time: the tests assert the refusal and what it says.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks_db.models import DBTaskResult

from chiiki.core.models import Job, Municipality, Role, User
from chiiki.linkage.models import LinkageRun
from chiiki.opendata.engine import ReadError, header_score, load_schemas, read_table
from chiiki.opendata.models import Upload
from chiiki.opendata.tasks import convert_upload
from chiiki.surveys.xlsform import check_form
from chiiki.tables import TableReadError, XlsxLimits, check_xlsx_bounds

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)  # fmt: skip
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)  # fmt: skip
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="survey" sheetId="1" r:id="rId1"/></sheets></workbook>'
)  # fmt: skip
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)  # fmt: skip
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_ONE_ROW = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'


def workbook(path: Path, *, strings: int = 1, rows: str = _ONE_ROW, filler_mb: int = 0) -> Path:
    """A hand-built XLSX: `strings` shared strings, the sheet's `rows`, `filler_mb` MB of padding XML."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        book.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} count="{strings}" uniqueCount="{strings}">'.encode()
            + b"<si><t>a</t></si>" * strings
            + b"</sst>",
        )
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><sheetData>{rows}'.encode())
            for _ in range(filler_mb):
                sheet.write(b" " * (1 << 20))
            sheet.write(b"</sheetData></worksheet>")
    return path


@pytest.fixture(scope="module")
def three_million_strings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = workbook(tmp_path_factory.mktemp("xlsx") / "strings.xlsx", strings=3_000_000)
    assert path.stat().st_size < 1024 * 1024  # a small file: the cost is all inside
    return path


def _form_refusal(path: Path) -> str:
    """What the XLSForm reader says about the file (it must refuse it)."""
    result = check_form(path)
    assert result.form is None
    return " ".join(problem.describe() for problem in result.problems)


def _score(row: list[str]) -> int:
    return header_score(row, load_schemas()["aed"])


def test_three_million_shared_strings_are_refused_by_the_conversion(three_million_strings: Path) -> None:
    with pytest.raises(ReadError, match=r"共有文字列.*1,000,000") as refusal:
        read_table(three_million_strings, _score)
    assert "shared strings" in str(refusal.value)


def test_the_upload_job_ends_failed_naming_the_limit(
    three_million_strings: Path,
    town_a: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    editor = login(make_staff("ed", town_a, Role.OPENDATA_EDITOR))
    response = editor.post(
        f"/staff/m/{town_a.code}/opendata/",
        {"file": SimpleUploadedFile("aed.xlsx", three_million_strings.read_bytes()), "kind": "aed"},
    )
    assert response.status_code == 302
    upload = Upload.objects.get()
    assert convert_upload.call(upload.pk) == Job.Status.FAILED
    upload.refresh_from_db()
    assert "共有文字列" in upload.message
    assert "1,000,000" in upload.message


def test_the_xlsform_reader_refuses_the_same_file(three_million_strings: Path) -> None:
    assert "共有文字列" in _form_refusal(three_million_strings)


def test_too_many_rows_are_refused_before_parsing(tmp_path: Path) -> None:
    path = workbook(tmp_path / "rows.xlsx", rows="<row/>" * 300_001)
    with pytest.raises(ReadError, match="300,000 行"):
        read_table(path, _score)
    assert "100,000 行" in _form_refusal(path)


def test_a_cell_beyond_the_column_limit_is_refused(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "wide.xlsx", rows='<row r="1"><c r="ALM1" t="s"><v>0</v></c></row>'
    )  # column 1001
    with pytest.raises(ReadError, match="1,000 列"):
        read_table(path, _score)


def test_a_zip_bomb_is_refused_on_its_declared_size(tmp_path: Path) -> None:
    path = workbook(tmp_path / "bomb.xlsx", filler_mb=201)
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(ReadError, match="200 MB"):
        read_table(path, _score)
    assert "200 MB" in _form_refusal(path)


def test_the_bounds_are_set_per_reader(tmp_path: Path) -> None:
    """Each reader passes its own XlsxLimits: a smaller bound refuses a smaller file."""
    path = workbook(tmp_path / "padded.xlsx", filler_mb=3)
    limits = XlsxLimits(max_uncompressed_bytes=2 * 1024 * 1024)
    with pytest.raises(TableReadError, match="2 MB"):
        check_xlsx_bounds(path.read_bytes(), limits)
    check_xlsx_bounds(path.read_bytes(), XlsxLimits())  # within the default bounds


def test_an_ordinary_workbook_is_within_every_bound(tmp_path: Path) -> None:
    check_xlsx_bounds(workbook(tmp_path / "ok.xlsx", strings=10).read_bytes())


def test_conversions_and_linkage_runs_go_to_the_long_queue(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    assert Upload.job_queue == "long"
    assert LinkageRun.job_queue == "long"
    editor = login(make_staff("ed", town_a, Role.OPENDATA_EDITOR))
    csv = "全国地方公共団体コード,ID,名称\n343021,1,府中町役場\n".encode()
    editor.post(
        f"/staff/m/{town_a.code}/opendata/", {"file": SimpleUploadedFile("aed.csv", csv), "kind": "aed"}
    )
    assert DBTaskResult.objects.get().queue_name == "long"
