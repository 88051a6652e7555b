"""Issue 19 §1: a データ項目定義書 workbook in its published layout, loaded as a new version of the schemas.

The fixture workbook is built here with openpyxl from the 39 items of 定義書A's sheet 13.公衆トイレ一覧 (see
tests/opendata/data/definition-book/SOURCES.md), laid out as the published book is: a cover sheet, title rows
above the header, 区分 with both ○ (U+25CB) and 〇 (U+3007), notes under the table. The shipped 13 schema
follows that book, so loading it changes nothing; the differences and versions are tested with a made-up later
edition built from the same list (two items dropped, one added, one 区分 changed: `revised_items`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Job, Municipality, Role, User
from chiiki.opendata import actions, queries
from chiiki.opendata.engine import BookError, convert_file, read_book, validate_file
from chiiki.opendata.models import Dataset, StandardVersion, Upload
from chiiki.opendata.tasks import convert_upload

ITEMS = Path(__file__).parent / "data" / "definition-book" / "13-public-toilet.csv"
BOOK_NAME = "20260801_resources_open_data_municipal-standard-open-dataset_table_a.xlsx"
REVISED_NAME = "20280401_resources_open_data_municipal-standard-open-dataset_table_a.xlsx"
OLD_TOILETS = (
    "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,所在地_連結表記,設置位置,緯度,経度,"
    "乳幼児用設備設置トイレ有無\n"
    "343021,1,広島県府中町,府中町役場 公衆トイレ,フチュウチョウヤクバ,広島県府中町大通3-5-1,1階,34.3931,132.5047,有\n"
)
NEW_ITEM = "清掃頻度"  # not in any edition: the made-up later edition's new item


def book_items() -> list[dict[str, str]]:
    """The 39 items of sheet 13 of 定義書A 第3.09版, as in the fixture CSV."""
    with ITEMS.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def revised_items() -> list[dict[str, str]]:
    """A made-up later edition of sheet 13: without 乳幼児用設備設置トイレ有無 and 利用可能時間特記事項, with
    清掃頻度 (○) before 備考, and 設置位置 recommended (○) instead of required (◎): 38 items."""
    gone = {"乳幼児用設備設置トイレ有無", "利用可能時間特記事項"}
    items = [dict(row) for row in book_items() if row["項目名"] not in gone]
    for row in items:
        if row["項目名"] == "設置位置":
            row["区分"] = "○"
    new = {"項目No.": "", "項目名": NEW_ITEM, "区分": "○", "説明": "清掃の頻度を記載。", "形式": "文字列"}
    items.insert(len(items) - 1, new)
    for number, row in enumerate(items, start=1):
        row["項目No."] = str(number)
    return items


def write_book(path: Path, items: list[dict[str, str]] | None = None) -> Path:
    book = openpyxl.Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "表紙"
    cover.append(["自治体標準オープンデータセット データ項目定義書A 第3.09版"])
    sheet = book.create_sheet("13.公衆トイレ一覧")
    sheet.append(["データ項目（公衆トイレ一覧）"])
    sheet.append([])
    sheet.append(["項目No.", "項目名", "区分", "説明", "形式", "記入例"])
    for row in book_items() if items is None else items:
        sheet.append([int(row["項目No."]), row["項目名"], row["区分"], row["説明"], row["形式"], ""])
    sheet.append(["（注1）", "名称は通称で構いません。"])
    book.save(path)
    return path


@pytest.fixture
def current_book(tmp_path: Path) -> Path:
    """定義書A 第3.09版's sheet 13 as published."""
    return write_book(tmp_path / BOOK_NAME)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A made-up later edition (`revised_items`), so that loading it changes the shipped schema."""
    return write_book(tmp_path / REVISED_NAME, revised_items())


def test_the_book_is_read_in_its_published_layout(current_book: Path) -> None:
    (sheet,) = read_book(current_book)
    assert (sheet.number, sheet.title) == ("13", "公衆トイレ一覧")
    assert len(sheet.items) == 39
    levels = {item.name: item.level for item in sheet.items}
    assert levels["名称"] == "required"  # ◎
    marks = {row["項目名"]: row["区分"] for row in csv.DictReader(ITEMS.open(encoding="utf-8"))}
    both = {marks[name] for name, level in levels.items() if level == "recommended"}
    assert both == {"○", "〇"}  # both characters occur and both mean recommended
    assert levels["備考"] == "optional"


def test_the_shipped_schema_is_the_current_book(current_book: Path, db: None) -> None:
    """The shipped 13 schema has 定義書A 第3.09版's items, order and 区分: loading that book changes nothing."""
    out = io.StringIO()
    call_command("opendata_standard", "load", str(current_book), stdout=out)
    assert out.getvalue().splitlines() == [
        "public_toilet: 変更なし",
        "変更がないため、新しい版は作りませんでした",
    ]
    assert not StandardVersion.objects.exists()
    shipped = queries.standard_schema("public_toilet", 0)
    assert shipped is not None
    assert shipped.field_names == [row["項目名"] for row in book_items()]


def test_load_shows_the_differences_and_installs_a_version_once(book: Path, db: None) -> None:
    out = io.StringIO()
    call_command("opendata_standard", "load", str(book), "--dry-run", stdout=out)
    text = out.getvalue()
    assert f"+ {NEW_ITEM}" in text
    assert "- 乳幼児用設備設置トイレ有無" in text
    assert "- 利用可能時間特記事項" in text
    assert "+ 車椅子使用者用トイレ有無" not in text  # in both
    assert "~ 設置位置: required → recommended" in text
    assert not StandardVersion.objects.exists()

    call_command("opendata_standard", "load", str(book), stdout=io.StringIO())
    row = StandardVersion.objects.get()
    assert (row.kind, row.version, row.book_file, row.book_date) == (
        "public_toilet",
        1,
        REVISED_NAME,
        "2028-04-01",
    )
    schema, version = queries.standard_in_use("public_toilet")
    assert version == 1
    assert schema.field_names[:4] == ["全国地方公共団体コード", "ID", "地方公共団体名", "名称"]
    assert len(schema.fields) == 38
    levels = {f.name: (f.level, f.check) for f in schema.fields}
    assert levels["名称"][0] == "required"
    assert levels["設置位置"][0] == "recommended"
    assert levels[NEW_ITEM] == ("recommended", None)
    assert levels["緯度"][1] == "latitude"  # the check is kept from the shipped schema
    assert AuditEvent.objects.filter(action="opendata.standard_installed").count() == 1

    again = io.StringIO()
    call_command("opendata_standard", "load", str(book), stdout=again)
    assert "変更なし" in again.getvalue()
    assert StandardVersion.objects.count() == 1


def test_older_files_keep_validating_against_their_version(
    book: Path, tmp_path: Path, town_a: Municipality
) -> None:
    old = tmp_path / "toilets.csv"
    old.write_text(OLD_TOILETS, encoding="utf-8")
    before = actions.import_file(town_a, old, "public_toilet", by=Actor.system("test"))
    assert before.valid
    event = AuditEvent.objects.filter(action="opendata.dataset_imported").latest("pk")
    assert event.detail["standard_version"] == 0

    actions.install_book(book, by=Actor.system("test"))
    shipped = queries.standard_schema("public_toilet", 0)
    assert shipped is not None
    assert validate_file(old, shipped).report.valid  # the version it was made for still accepts it
    newest = queries.standard_schema("public_toilet", 1)
    assert newest is not None
    for schema, columns in ((shipped, 39), (newest, 38)):  # each version writes its own layout
        out = tmp_path / f"standard-{columns}.csv"
        convert_file(old, out, dataset=schema)
        assert len(out.read_text(encoding="utf-8-sig").splitlines()[0].split(",")) == columns

    actions.import_file(town_a, old, "public_toilet", by=Actor.system("test"))
    event = AuditEvent.objects.filter(action="opendata.dataset_imported").latest("pk")
    assert event.detail["standard_version"] == 1


def test_a_workbook_that_is_not_a_definition_book_is_refused(tmp_path: Path, db: None) -> None:
    path = tmp_path / "other.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["名称", "住所"])  # type: ignore[union-attr]
    book.save(path)
    with pytest.raises(BookError, match="項目No"):
        read_book(path)
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(BookError, match="開けません"):
        read_book(tmp_path / "broken.xlsx")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("opendata_standard", "load", str(path), stdout=io.StringIO(), stderr=err)
    assert exit_.value.code == 1
    assert "定義書を読めません" in err.getvalue()


# -- choosing the version: `chiiki opendata validate --standard-version`, the upload page (issue 19 §1) ----------


def _validate(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as stop:
        call_command("opendata_validate", *args, stdout=out, stderr=err)
    return int(stop.value.code or 0), out.getvalue(), err.getvalue()


def test_validate_checks_a_file_against_the_version_asked_for(book: Path, tmp_path: Path, db: None) -> None:
    old = tmp_path / "toilets.csv"
    old.write_text(OLD_TOILETS, encoding="utf-8")
    actions.install_book(book, by=Actor.system("test"))
    code, shipped, _ = _validate(str(old), "--dataset", "public_toilet", "--standard-version", "0", "--json")
    assert code == 0
    assert "乳幼児用設備設置トイレ有無" in {c["target"] for c in json.loads(shipped)["columns"]}
    code, newest, _ = _validate(str(old), "--dataset", "公衆トイレ一覧", "--standard-version", "1", "--json")
    assert "乳幼児用設備設置トイレ有無" not in {c["target"] for c in json.loads(newest)["columns"]}

    code, _, err = _validate(str(old), "--dataset", "public_toilet", "--standard-version", "7")
    assert code == 1
    assert "版 7 はありません（ある版: 0, 1）" in err
    code, _, err = _validate(str(old), "--standard-version", "1")
    assert code == 1
    assert "--dataset" in err


def test_the_upload_page_takes_a_version(
    book: Path,
    tmp_path: Path,
    town_a: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    actions.install_book(book, by=Actor.system("test"))
    editor = login(make_staff("ed", town_a, Role.OPENDATA_EDITOR))
    page = f"/staff/m/{town_a.code}/opendata/"
    assert REVISED_NAME in editor.get(page).content.decode()  # the versions there are, listed

    def post(**fields: str) -> HttpResponse:
        upload = SimpleUploadedFile("toilets.csv", OLD_TOILETS.encode())
        response: HttpResponse = editor.post(page, {"file": upload, **fields})
        return response

    refused = post(kind="public_toilet", standard_version="5")
    assert refused.status_code == 200
    assert "版 5 はありません" in refused.content.decode()
    assert "種類も選んでください" in post(standard_version="0").content.decode()
    assert not Upload.objects.exists()

    assert post(kind="public_toilet", standard_version="0").status_code == 302
    upload = Upload.objects.get()
    assert upload.standard_version == 0
    assert convert_upload.call(upload.pk) == Job.Status.DONE
    event = AuditEvent.objects.filter(action="opendata.dataset_imported").latest("pk")
    assert event.detail["standard_version"] == 0  # the shipped schema, though version 1 is in use
    standard = Dataset.objects.get().resources.get(role="data").file.open("rb").read().decode("utf-8-sig")
    assert len(standard.splitlines()[0].split(",")) == 39
