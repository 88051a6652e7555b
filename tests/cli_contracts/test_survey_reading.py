"""In-process checks of the XLSForm reader's refusals (the subprocess suite checks the CLI around them)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.cli_contracts import hostile

from chiiki.surveys.xlsform import check_form


def _only_message(path: str | Path) -> str:
    result = check_form(path)
    assert result.form is None
    assert len(result.errors) == 1, result.errors
    return result.errors[0].message


def test_a_fifo_is_refused_without_being_opened(tmp_path: Path) -> None:
    # Opening a FIFO with no writer blocks forever: reaching the assertion at all is half the test.
    assert "not a regular file" in _only_message(hostile.fifo(tmp_path))


def test_a_device_is_refused() -> None:
    assert "not a regular file" in _only_message("/dev/zero")


def test_a_file_holding_only_a_bom_is_empty(tmp_path: Path) -> None:
    assert "the file is empty" in _only_message(hostile.only_bom(tmp_path))


def test_utf16_text_is_named(tmp_path: Path) -> None:
    assert "UTF-16" in _only_message(hostile.csv_utf16_bom(tmp_path))


def test_ods_and_plain_zip_files_get_their_own_reason(tmp_path: Path) -> None:
    assert "OpenDocument" in _only_message(hostile.ods_file(tmp_path))
    assert "zip file without an Excel workbook" in _only_message(hostile.zip_not_xlsx(tmp_path))


def test_lone_cr_line_endings_split_rows(tmp_path: Path) -> None:
    path = tmp_path / "cr.csv"
    path.write_bytes(b"survey,,,\r,type,name,label\r,text,q1,Q1\r,integer,q2,Q2\r")
    result = check_form(path, cross_check=False)
    assert result.ok, result.problems
    assert result.form is not None
    assert [f.name for f in result.form.fields()] == ["q1", "q2"]


def test_a_file_name_that_is_no_xml_name_does_not_make_pyxform_reject_the_form(tmp_path: Path) -> None:
    path = Path(hostile.form_good_japanese_path(tmp_path))
    assert " " in path.name
    result = check_form(path)
    assert result.ok, result.problems


def test_oversized_files_are_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as out:
        out.truncate(65 * 1024 * 1024)  # sparse: no disk space used
    assert "file larger than 64 MB" in _only_message(path)
    os.remove(path)
