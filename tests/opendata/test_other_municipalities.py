"""Issue 19 §4: files from municipalities outside Yamaguchi.

The files in `data/other_municipalities/` are written in the layouts municipalities publish (the 42-column
オープンデータ一覧 with the column names a public importer of such lists reads, a 投票所 list and a 同報無線 list
in the plain facility layout, and lists that follow no standard: 公園, 避難所, 救護所, 防災倉庫), Shift_JIS where
municipalities use it. The import tests use real Yamaguchi files from /work/shared/testdata.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality
from chiiki.opendata import actions
from chiiki.opendata.actions import CatalogError
from chiiki.opendata.engine import header_key, load_schemas, map_header, resolve_kind, validate_file
from chiiki.opendata.engine._normalize import normalize_katakana
from chiiki.opendata.models import Dataset

DATA = Path(__file__).parent / "data" / "other_municipalities"
YAMAGUCHI = Path("/work/shared/testdata/opendata/yamaguchi")


# -- detection ---------------------------------------------------------------------------------------------


def test_the_42_column_opendata_list_is_recognized_and_valid() -> None:
    result = validate_file(DATA / "342025_opendata_list.csv")
    report = result.report
    assert report.dataset_id == "opendata_list"
    assert len(report.columns) == 42
    assert all(c["target"] for c in report.columns)  # every データセット_*/ファイル_* column understood
    assert report.valid, report.to_text()
    assert result.frame is not None
    assert result.frame["データセット_タイトル"].to_list() == [
        "AED設置箇所一覧",
        "公衆トイレ一覧",
        "指定緊急避難場所一覧",
    ]


def test_the_earlier_opendata_list_column_names_still_map() -> None:
    schema = resolve_kind("opendata_list")
    matches = map_header(["データセットID", "データセットタイトル", "データURL"], schema)
    assert [m.target for m in matches] == [
        "データセット_ID",
        "データセット_タイトル",
        "ファイル_ダウンロードURL",
    ]


def test_a_polling_place_file_in_the_facility_layout_is_not_wireless_lan(tmp_path: Path) -> None:
    named = validate_file(DATA / "342025_投票所一覧.csv").report
    assert named.dataset_id == "polling_place"
    assert named.valid, named.to_text()
    # Under a name that says nothing, the plain facility columns read as 公共施設一覧, never 公衆無線LAN.
    anonymous = tmp_path / "data.csv"
    shutil.copy(DATA / "342025_投票所一覧.csv", anonymous)
    assert validate_file(anonymous).report.dataset_id == "public_facility"


def test_a_dosho_radio_file_is_not_fire_hydrants(tmp_path: Path) -> None:
    report = validate_file(DATA / "342025_同報無線屋外拡声子局一覧.csv").report
    assert report.dataset_id == "disaster_radio"
    anonymous = tmp_path / "data.csv"
    shutil.copy(DATA / "342025_同報無線屋外拡声子局一覧.csv", anonymous)
    assert validate_file(anonymous).report.dataset_id != "fire_hydrant"


@pytest.mark.parametrize("name", ["公園一覧.csv", "避難所一覧.csv", "救護所一覧.csv", "防災倉庫一覧.csv"])
def test_lists_that_are_no_standard_dataset_say_so(name: str) -> None:
    result = validate_file(DATA / name)
    report = result.report
    assert result.frame is None
    assert not report.dataset_id
    (problem,) = report.problems
    assert problem.code == "unrecognized"
    assert "標準データセットではないようです" in problem.message


def test_the_real_yamaguchi_park_list_is_no_standard_dataset() -> None:
    report = validate_file(YAMAGUCHI / "education" / "ときわ公園　園内設置物（南部）（CSV形式）.csv").report
    assert [p.code for p in report.problems if p.severity == "error"] == ["unrecognized"]


# -- look-alike characters -----------------------------------------------------------------------------------


@pytest.mark.parametrize("dash", ["\u2015", "\u2014", "\u2010", "\u2212", "\uff0d", "-", "\u30fc"])
def test_headers_with_look_alike_dashes_match(dash: str) -> None:
    header = [
        f"全国地方公共団体コ{dash}ド",
        "ID",
        "地方公共団体名",
        "名称",
        f"POIコ{dash}ド",
        "緯度",
        "経度",
    ]
    schema = resolve_kind("public_facility")
    assert [m.target for m in map_header(header, schema)][:5] == [
        "全国地方公共団体コード",
        "ID",
        "地方公共団体名",
        "名称",
        "POIコード",
    ]
    assert header_key("ID-2") == "id-2"  # a dash elsewhere is left alone


def test_stray_voiced_marks_are_dropped_not_reported_as_kanji(tmp_path: Path) -> None:
    assert normalize_katakana("ダ゛イイチコウエン") == ("ダイイチコウエン", None)
    assert normalize_katakana("ｷﾞﾞｮｳｾｲｾﾝﾀｰ") == ("ギョウセイセンター", None)
    assert normalize_katakana("カ゛ッコウ") == ("ガッコウ", None)
    path = tmp_path / "aed.csv"
    path.write_text(
        "全国地方公共団体コ―ド,ID,地方公共団体名,名称,名称_カナ,所在地_連結表記,緯度,経度,設置位置\n"
        "342025,1,広島県呉市,第一公園,ダ゛イイチコウエン,広島県呉市中央1-1,34.24,132.56,入口\n"
        "342025,2,広島県呉市,行政センター,ｷﾞﾞｮｳｾｲｾﾝﾀｰ,広島県呉市中央2-2,34.25,132.57,1階\n",
        encoding="utf-8",
    )
    result = validate_file(path, "aed")
    assert result.report.valid, result.report.to_text()
    assert result.frame is not None
    assert result.frame["名称_カナ"].to_list() == ["ダイイチコウエン", "ギョウセイセンター"]


# -- files that were not understood are not valid ---------------------------------------------------------------


def test_a_file_whose_columns_were_mostly_not_understood_is_never_valid() -> None:
    # The 42-column list named as 公共施設一覧: the rows fit, the file does not.
    report = validate_file(DATA / "342025_opendata_list.csv", "public_facility").report
    assert not report.valid
    problem = next(p for p in report.problems if p.code == "columns_not_understood")
    assert problem.severity == "error"
    assert "42 列のうち" in problem.message


def test_a_blank_required_column_is_one_problem(tmp_path: Path) -> None:
    rows = "".join(f"342025,{i},,施設{i},シセツ,呉市中央{i},34.2{i},132.5{i},1階\n" for i in range(1, 301))
    path = tmp_path / "aed.csv"
    path.write_text(
        "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,所在地_連結表記,緯度,経度,設置位置\n" + rows,
        encoding="utf-8",
    )
    report = validate_file(path, "aed").report
    blank = [p for p in report.problems if p.column == "地方公共団体名"]
    assert [(p.code, p.severity) for p in blank] == [("required_column_blank", "error")]


def test_rows_shifted_against_the_header_get_one_hint(tmp_path: Path) -> None:
    # Every data row starts with an extra cell (a row number the header does not name).
    rows = "".join(
        f"{i},342025,{i},広島県呉市,施設{i},シセツ,広島県呉市中央{i},34.2{i},132.5{i},1階\n"
        for i in range(1, 21)
    )
    path = tmp_path / "aed.csv"
    path.write_text(
        "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,所在地_連結表記,緯度,経度,設置位置,\n"
        + rows,
        encoding="utf-8",
    )
    report = validate_file(path, "aed").report
    hints = [p for p in report.problems if p.code == "shifted_rows"]
    assert len(hints) == 1
    assert "1列右にずれている" in hints[0].message
    assert hints[0].row == report.header_row


# -- schemas in their current layout ------------------------------------------------------------------------------


def test_schemas_know_the_current_columns() -> None:
    schemas = load_schemas()
    toilet = schemas["public_toilet"].field_names
    assert {"車椅子使用者用トイレ有無", "オストメイト設置トイレ有無", "バリアフリートイレ数"} <= set(toilet)
    assert "車椅子使用者用トイレ数" not in toilet  # not in 定義書A 第3.09版
    culture = schemas["cultural_property"].field_names
    assert {"高度の種別", "高度の値", "連絡先メールアドレス", "連絡先FormURL", "郵便番号"} <= set(culture)
    assert "連絡先備考（その他、SNSなど）" in culture
    care = schemas["care_service"].field_names
    assert {"事業所番号", "実施サービス"} <= set(care)
    # Files written with the earlier names still map onto them.
    earlier = map_header(["サービスの種類", "介護保険事業所番号"], schemas["care_service"])
    assert [m.target for m in earlier] == ["実施サービス", "事業所番号"]


def test_a_toilet_file_in_the_current_layout_keeps_its_yes_no_columns(tmp_path: Path) -> None:
    path = tmp_path / "toilet.csv"
    path.write_text(
        "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,所在地_連結表記,設置位置,緯度,経度,"
        "車椅子使用者用トイレ有無,オストメイト設置トイレ有無\n"
        "342025,1,広島県呉市,中央公園トイレ,チュウオウコウエントイレ,広島県呉市中央3,公園内,34.24,132.56,○,×\n",
        encoding="utf-8",
    )
    result = validate_file(path)
    assert result.report.dataset_id == "public_toilet"
    assert result.frame is not None
    assert result.frame.select("車椅子使用者用トイレ有無", "オストメイト設置トイレ有無").row(0) == (
        "有",
        "無",
    )


# -- importing --------------------------------------------------------------------------------------------------


SHIMONOSEKI_AED = YAMAGUCHI / "medical" / "【下関市】AED設置箇所一覧.csv"


def test_another_municipalitys_rows_are_refused_unless_confirmed(town_a: Municipality) -> None:
    with pytest.raises(CatalogError, match=r"343021（.*）でない行があります"):
        actions.import_file(town_a, SHIMONOSEKI_AED, "aed", by=Actor.system("test"), publish_now=True)
    assert not Dataset.objects.exists()

    outcome = actions.import_file(
        town_a, SHIMONOSEKI_AED, "aed", by=Actor.system("test"), other_codes_confirmed=True
    )
    event = AuditEvent.objects.filter(action="opendata.dataset_imported").latest("id")
    assert event.detail["other_codes"]
    assert outcome.dataset.organization.municipality == town_a


def test_the_import_command_refuses_another_municipalitys_rows(town_a: Municipality) -> None:
    err = io.StringIO()
    with pytest.raises(SystemExit) as stop:
        call_command(
            "opendata_import",
            str(SHIMONOSEKI_AED),
            "--dataset",
            "aed",
            "--municipality",
            "343021",
            stderr=err,
        )
    assert stop.value.code == 1
    assert "でない行があります" in err.getvalue()
    assert not Dataset.objects.exists()


def _aed(code: str, ids: range, town: str = "広島県府中町") -> str:
    head = "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,所在地_連結表記,緯度,経度,設置位置\n"
    return head + "".join(f"{code},{i},{town},施設{i},シセツ,府中町{i},34.39,132.50,1階\n" for i in ids)


def test_different_files_of_one_kind_are_different_datasets(
    town_a: Municipality, write_file: Callable[..., Path]
) -> None:
    by = Actor.system("test")
    schools = write_file("AED_学校.csv", _aed("343021", range(1, 11)))
    halls = write_file("AED_公民館.csv", _aed("343021", range(101, 111)))
    first = actions.import_file(town_a, schools, "aed", by=by)
    second = actions.import_file(town_a, halls, "aed", by=by)
    assert (first.dataset.name, second.dataset.name) == ("343021-aed", "343021-aed-2")
    assert second.created

    # The same file again, and next year's edition under another name with mostly the same IDs: new versions.
    again = actions.import_file(town_a, schools, "aed", by=by)
    assert (again.dataset.name, again.created) == ("343021-aed", False)
    edition = write_file("AED_学校_2026.csv", _aed("343021", range(1, 13)))
    later = actions.import_file(town_a, edition, "aed", by=by)
    assert (later.dataset.name, later.created) == ("343021-aed", False)

    # Naming the dataset says which one the file belongs to.
    named = actions.import_file(town_a, halls, "aed", by=by, name="343021-aed")
    assert (named.dataset.name, named.created) == ("343021-aed", False)
    assert Dataset.objects.count() == 2


def test_the_upload_page_warns_and_asks_before_importing_another_municipalitys_rows(
    town_a: Municipality, make_staff: Callable[..., object], login: Callable[..., object]
) -> None:
    """A file of 下関市 uploaded by 府中町's editor: the job stops, the page names the codes and asks; only a
    confirmed second run imports it, and the confirmation is audited with the codes."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from chiiki.core.models import Job, Role
    from chiiki.opendata.models import Upload
    from chiiki.opendata.tasks import convert_upload

    editor = login(make_staff("ed", town_a, Role.OPENDATA_EDITOR))
    assert isinstance(editor, Client)
    page = f"/staff/m/{town_a.code}/opendata/"
    posted = editor.post(
        page, {"file": SimpleUploadedFile("aed.csv", SHIMONOSEKI_AED.read_bytes()), "kind": "aed"}
    )
    assert posted.status_code == 302
    refused = Upload.objects.get()
    assert convert_upload.call(refused.pk) == Job.Status.FAILED
    refused.refresh_from_db()
    assert refused.other_codes == ["352012"]
    assert not Dataset.objects.exists()
    html = editor.get(page).content.decode()
    assert "別の団体の全国地方公共団体コード(352012)の行があります" in html
    confirm = f"/staff/m/{town_a.code}/opendata/uploads/{refused.pk}/confirm/"
    assert f'action="{confirm}"' in html

    # Without ticking the box nothing is queued; a GET is no confirmation either.
    assert editor.get(confirm).status_code == 405
    assert editor.post(confirm, {}).status_code == 302
    assert Upload.objects.count() == 1
    assert "チェックを入れてください" in editor.get(page).content.decode()

    assert editor.post(confirm, {"confirmed": "yes"}).status_code == 302
    again = Upload.objects.exclude(pk=refused.pk).get()
    assert again.other_codes_confirmed
    assert again.file.name == refused.file.name
    assert convert_upload.call(again.pk) == Job.Status.DONE
    dataset = Dataset.objects.get()
    assert dataset.organization.municipality == town_a
    assert dataset.private
    event = AuditEvent.objects.get(action="opendata.upload_other_codes_confirmed")
    assert event.detail["other_codes"] == ["352012"]
    assert AuditEvent.objects.filter(action="opendata.dataset_imported").latest("id").detail["other_codes"]
    html = editor.get(page).content.decode()
    assert f'action="{confirm}"' not in html  # asked once: the confirmed file is not offered again
    assert editor.post(confirm, {"confirmed": "yes"}).status_code == 302
    assert Upload.objects.count() == 2


def test_another_municipalitys_upload_cannot_be_confirmed_from_elsewhere(
    town_a: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., object],
    login: Callable[..., object],
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from chiiki.core.models import Role
    from chiiki.opendata.models import Upload
    from chiiki.opendata.tasks import convert_upload

    editor_a = login(make_staff("ed-a", town_a, Role.OPENDATA_EDITOR))
    editor_b = login(make_staff("ed-b", town_b, Role.OPENDATA_EDITOR))
    assert isinstance(editor_a, Client)
    assert isinstance(editor_b, Client)
    editor_a.post(
        f"/staff/m/{town_a.code}/opendata/",
        {"file": SimpleUploadedFile("aed.csv", SHIMONOSEKI_AED.read_bytes()), "kind": "aed"},
    )
    refused = Upload.objects.get()
    convert_upload.call(refused.pk)
    response = editor_b.post(
        f"/staff/m/{town_b.code}/opendata/uploads/{refused.pk}/confirm/", {"confirmed": "yes"}
    )
    assert response.status_code == 404
    assert Upload.objects.count() == 1


# -- real files of other municipalities (data/other_municipalities/real, see SOURCES.md there) ------------------

REAL = DATA / "real"


def test_every_real_file_is_read_without_a_crash_and_gets_a_plain_verdict() -> None:
    for path in sorted(REAL.glob("*.csv")):
        report = validate_file(path).report
        assert report.rows > 0, path.name
        for problem in report.problems:
            assert problem.message, (path.name, problem)
            assert "Traceback" not in problem.message, (path.name, problem)
        assert report.valid or report.error_count >= 1, path.name


def test_yaizus_toilets_in_the_current_layout_match_the_shipped_schema_exactly() -> None:
    """焼津市 publishes the 39 columns of 定義書A 第3.09版's sheet 13, which the shipped schema now follows."""
    toilets = REAL / "222127_public_toilet.csv"
    result = validate_file(toilets)
    report = result.report
    assert report.dataset_id == "public_toilet"
    assert report.valid, report.to_text()
    assert report.rows == 112
    assert report.problems == [], report.to_text()  # no fuzzy or dropped column, no value error
    assert {c["how"] for c in report.columns} == {"exact"}, report.columns
    assert result.frame is not None
    columns = [c for c in result.frame.columns if c != "__row"]
    assert columns == load_schemas()["public_toilet"].field_names


def test_a_toilet_file_in_the_layout_before_the_current_book_still_maps() -> None:
    """Columns of the earlier shipped layout: the barrier-free count is renamed, the ones the current book
    dropped (乳幼児用座椅子/簡易ベッド counts, 車椅子使用者用トイレ数) are said to have no successor, not guessed."""
    schema = load_schemas()["public_toilet"]
    header = [
        "バリアフリー（多目的）トイレ数",
        "車椅子使用者用トイレ数",
        "男性トイレ内の乳幼児用座椅子数",
        "多機能トイレ数",
    ]
    matches = map_header(header, schema)
    got = [(m.target, m.how) for m in matches]
    assert got[0] == ("バリアフリートイレ数", "legacy")
    assert "対応する項目がない" in matches[1].note
    assert got[1] == (None, "legacy-none")
    assert got[2] == (None, "legacy-none")
    assert got[3][0] is None  # バリアフリートイレ数 is taken by the first column


def test_yaizus_wireless_lan_in_the_old_layout_is_recognized() -> None:
    result = validate_file(REAL / "222127_public_wireless_lan.csv")
    assert result.report.dataset_id == "public_wireless_lan"
    assert result.report.valid, result.report.to_text()
    assert result.frame is not None
    assert set(result.frame["全国地方公共団体コード"].to_list()) == {"222127"}
    assert "DoSPOT-FREE" in result.frame["SSID"].to_list()


def test_yaizus_dosho_radio_list_in_the_old_layout_is_not_fire_hydrants(tmp_path: Path) -> None:
    named = validate_file(REAL / "222127_douhoumusenkokyoku.csv").report
    assert named.dataset_id == "disaster_radio"
    assert named.valid, named.to_text()
    anonymous = tmp_path / "data.csv"
    shutil.copy(REAL / "222127_douhoumusenkokyoku.csv", anonymous)
    # Without the name nothing says 同報無線, and nothing says 消防水利 either (no 種別, no 口径).
    unnamed = validate_file(anonymous).report
    assert unnamed.dataset_id != "fire_hydrant"


@pytest.mark.parametrize(
    "name",
    [
        "222127_shiteitsunamihinanbiru.csv",
        "222127_park_info.csv",
        "222127_baby_station.csv",
        "372013_public_toilet.csv",
    ],
)
def test_real_lists_in_a_citys_own_layout_are_reported_as_no_standard_dataset(name: str) -> None:
    result = validate_file(REAL / name)
    assert result.frame is None
    (problem,) = result.report.problems
    assert problem.code == "unrecognized"
    assert "標準データセットではないようです" in problem.message


def test_a_file_named_after_a_standard_without_its_columns_says_which_are_missing() -> None:
    baby = validate_file(REAL / "222127_baby_station.csv").report.problems[0].message
    assert "「赤ちゃんの駅一覧」を指していますが" in baby
    assert "赤ちゃんの駅_名称" in baby
    takamatsu = validate_file(REAL / "372013_public_toilet.csv").report.problems[0].message
    assert "「公衆トイレ一覧」を指していますが" in takamatsu
    assert "名称、所在地_連結表記、設置位置" in takamatsu  # the ◎ items of 定義書A 第3.09版's sheet 13


def test_a_real_file_is_imported_by_its_own_town_and_refused_by_another(town_a: Municipality) -> None:
    yaizu = Municipality.objects.create(
        code="222127", prefecture_code="22", prefecture="静岡県", name="焼津市", kind="city"
    )
    outcome = actions.import_file(yaizu, REAL / "222127_public_toilet.csv", None, by=Actor.system("test"))
    assert outcome.dataset.name == "222127-public-toilet"
    assert outcome.valid
    assert outcome.rows == 112
    with pytest.raises(CatalogError, match="222127（112 行）"):
        actions.import_file(town_a, REAL / "222127_public_toilet.csv", None, by=Actor.system("test"))
    refused = REAL / "222127_shiteitsunamihinanbiru.csv"
    with pytest.raises(CatalogError, match="標準データセットではないようです"):
        actions.import_file(yaizu, refused, None, by=Actor.system("test"))
    assert Dataset.objects.count() == 1
