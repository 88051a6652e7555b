"""The outside-checked CLI contracts hold for hostile and odd inputs.

`chiiki survey check-form FILE` and `chiiki opendata validate FILE [--dataset KIND]` exit 0 or 1 (2 only
for usage errors), never print a traceback, never hang, and name the reason. Each case runs the real
console script in a subprocess over a file made by :mod:`tests.cli_contracts.hostile`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tests.cli_contracts import hostile
from tests.cli_contracts.conftest import Outcome, Pool, assert_contract, run_chiiki

# ------------------------------------------------------------------------------------------- check-form

# case -> (exit code, regular expression the output must contain: the reason, in English or Japanese)
FORM_CASES: dict[str, tuple[int, str]] = {
    "nonexistent": (1, r"file not found"),
    "directory": (1, r"this is a directory"),
    "empty": (1, r"the file is empty"),
    "empty_xlsx": (1, r"the file is empty"),
    "only_bom": (1, r"the file is empty"),
    "binary_garbage": (1, r"not an XLSForm file"),
    "png_as_xlsx": (1, r"not an XLSForm file"),
    "png_as_csv": (1, r"not an XLSForm file"),
    "pdf_as_xlsx": (1, r"not UTF-8 text and not a spreadsheet"),
    "pdf_as_csv": (1, r"not UTF-8 text and not a spreadsheet"),
    "zip_not_xlsx": (1, r"zip file without an Excel workbook"),
    "truncated_zip": (1, r"corrupt or truncated"),
    "ods_file": (1, r"OpenDocument spreadsheet"),
    "ole_garbage": (1, r"cannot open as \.xls"),
    "xlsx_workbook_xml_only": (1, r"cannot open as \.xlsx"),
    "nul_bytes_text": (1, r"not an XLSForm file"),
    "symlink_loop": (1, r"cannot read file: Too many levels of symbolic links"),
    "fifo": (1, r"not a regular file"),
    "dev_zero": (1, r"not a regular file"),
    "form_no_survey_sheet": (1, r"no 'survey' sheet"),
    "form_empty_survey": (1, r"missing 'type' column"),
    "form_header_only": (1, r"the survey sheet has no rows"),
    "form_merged_cells": (1, r"row=3 列 column=B 'integer': name が空です \(missing name\)"),
    "form_formulas": (1, r"missing name"),
    "form_dates_numbers_in_name": (1, r"row=2 列 column=B '2024-01-02 03:04:00'.*\(invalid\)"),
    "form_missing_type": (1, r"missing 'type' column"),
    "form_duplicate_headers": (1, r"duplicate column 'type'"),
    "form_nul_cells": (1, r"cannot open as \.xlsx"),
    "form_megabyte_cell": (0, r"質問 questions: 1"),
    "form_megabyte_name": (0, r"質問 questions: 1"),
    "form_deep_parentheses": (1, r"row=3 列 column=D .*nested more than 64 levels"),
    "form_deep_unbalanced": (1, r"row=2 列 column=D .*nested more than 64 levels"),
    "form_deep_function_calls": (1, r"nested more than 64 levels"),
    "form_deep_unary": (1, r"nested more than 64 levels"),
    "form_deep_groups": (1, r"row=34 列 column=A 'g32'.*more than 32 nested groups/repeats"),
    "form_cycle_through_groups": (1, r"circular reference: \$\{a\} → \$\{b\} → \$\{c\} → \$\{a\}"),
    "form_self_cycle": (1, r"circular reference: \$\{a\} → \$\{a\}"),
    "form_unicode": (1, r"row=3 列 column=B 'q😀'.*\(invalid\)"),
    "form_wide": (0, r"質問 questions: 1"),
    "form_good": (0, r"計算 calculations: 1"),
    "form_good_japanese_path": (0, r"フォームを読み込みました \(form imported\)"),
    "md_empty_table": (1, r"missing 'type' column"),
    "md_ragged": (1, r"row=2 列 column=C 'q1'.*question without a label"),
    "md_not_a_table": (1, r"no markdown table found"),
    "md_only_pipes": (1, r"no markdown table found"),
    "md_deep": (1, r"row=2 列 column=D .*nested more than 64 levels"),
    "csv_form_quotes": (1, r"row=2 列 column=B"),
    "csv_utf16_bom": (1, r"UTF-16 text: save it as UTF-8"),
    "csv_euc_jp": (1, r"not UTF-8 text"),
    "csv_lone_cr": (1, r"no 'survey' sheet"),
    "form_huge_50k": (1, r"more than 20000 rows"),
}
FORM_BUILDERS = {
    **hostile.COMMON,
    **hostile.FORMS,
    "form_good": hostile.form_good,
    "form_good_japanese_path": hostile.form_good_japanese_path,
    "csv_utf16_bom": hostile.csv_utf16_bom,
    "csv_euc_jp": hostile.csv_euc_jp,
    "csv_lone_cr": hostile.csv_lone_cr,
    "form_huge_50k": hostile.form_huge(50_000),
}


@pytest.mark.parametrize("case", sorted(FORM_CASES))
def test_check_form_keeps_its_contract(runs: Pool, case: str) -> None:
    code, reason = FORM_CASES[case]
    outcome = runs.result(f"form:{case}")
    assert_contract(outcome, reason)
    assert outcome.returncode == code, outcome.describe()


def test_every_builder_has_an_expectation() -> None:
    # A builder added without an expected outcome would silently never run.
    assert (set(hostile.COMMON) | set(hostile.FORMS)) - set(FORM_CASES) == set()
    assert (set(hostile.COMMON) | set(hostile.OPENDATA)) - set(VALIDATE_CASES) == set()


# --------------------------------------------------------------------------------------------- validate

VALIDATE_CASES: dict[str, tuple[int, str]] = {
    "nonexistent": (1, r"ファイルを開けません.*No such file or directory"),
    "directory": (1, r"this is a directory"),
    "empty": (1, r"the file is empty"),
    "empty_xlsx": (1, r"the file is empty"),
    "only_bom": (1, r"the file is empty"),
    "binary_garbage": (1, r"not a CSV or XLSX file"),
    "png_as_xlsx": (1, r"not a CSV or XLSX file \(PNG\)"),
    "png_as_csv": (1, r"not a CSV or XLSX file \(PNG\)"),
    "pdf_as_xlsx": (1, r"not a CSV or XLSX file \(PDF\)"),
    "pdf_as_csv": (1, r"not a CSV or XLSX file \(PDF\)"),
    "zip_not_xlsx": (1, r"not a readable \.xlsx file"),
    "truncated_zip": (1, r"not a readable \.xlsx file"),
    "ods_file": (1, r"OpenDocument \.ods"),
    "ole_garbage": (1, r"古い Excel 形式（\.xls）は読めません"),
    "xlsx_workbook_xml_only": (1, r"not a readable \.xlsx file"),
    "nul_bytes_text": (1, r"not a CSV or XLSX file"),
    "symlink_loop": (1, r"Too many levels of symbolic links"),
    "fifo": (1, r"not a regular file"),
    "dev_zero": (1, r"not a regular file"),
    "csv_utf16_bom": (
        1,
        r"UTF-16 \(BOM付き\)、CSV.*データ 1 行[\s\S]*AED設置箇所一覧（aed）として見出しから判定しました",
    ),
    "csv_utf16le_no_bom": (1, r"not a CSV or XLSX file"),
    "csv_euc_jp": (1, r"EUC-JP、CSV[\s\S]*（aed）として見出しから判定しました"),
    "csv_cp932_broken": (1, r"読めない部分が 1 か所あり"),
    "csv_mixed_newlines": (1, r"データ 2 行"),
    "csv_lone_cr": (1, r"改行 CR、見出しは 1 行目、データ 2 行"),
    "csv_unbalanced_quotes": (1, r"2 行目「全国地方公共団体コード」"),
    "csv_header_only": (0, r"データ 0 行[\s\S]*標準に合っています / valid"),
    "csv_one_column": (1, r"どの標準データセットの列ともほとんど一致しません"),
    "csv_unknown_header": (1, r"どの標準データセットの列ともほとんど一致しません"),
    "csv_nul_cells": (1, r"not a CSV or XLSX file"),
    "csv_megabyte_cell": (1, r"（aed）として見出しから判定しました"),
    "csv_unicode": (1, r"（aed）として見出しから判定しました"),
    "csv_japanese_path": (1, r"（aed）として見出しから判定しました"),
    "xlsx_opendata_odd": (1, r"XLSX[\s\S]*（aed）として見出しから判定しました"),
    "xlsx_opendata_empty": (1, r"the workbook has no data"),
    # A cell in column 16,000: the sheet is refused by its size before it is parsed (issue 13, finding 6).
    "xlsx_opendata_sparse": (1, r"more than 1,000 columns in sheet1.xml"),
    # 100,000 unknown columns drown the 9 known ones: recognition gives up and says why.
    "csv_wide_100k": (1, r"データ 1 行[\s\S]*どの標準データセットの列ともほとんど一致しません"),
    "csv_long_200k": (1, r"データ 200000 行"),
}
VALIDATE_BUILDERS = {
    **hostile.COMMON,
    **hostile.OPENDATA,
    "csv_wide_100k": hostile.csv_wide(100_000),
    "csv_long_200k": hostile.csv_long(200_000),
}


# ----------------------------------------------------------------------------------------------- import

# `opendata import` needs a database: a migrated SQLite file of its own, with one municipality.
MUNICIPALITY = "012343"
IMPORT_CASES: dict[str, tuple[int, str]] = {
    "fifo": (1, r"not a regular file"),
    "nonexistent": (1, r"file not found"),
    "binary_garbage": (1, r"変換できませんでした[\s\S]*not a CSV or XLSX file"),
    "pdf_as_csv": (1, r"not a CSV or XLSX file \(PDF\)"),
    # A cell in column 16,000: the sheet is refused by its size before it is parsed (issue 13, finding 6).
    "xlsx_opendata_sparse": (1, r"more than 1,000 columns in sheet1.xml"),
    "csv_lone_cr": (0, r"作成: 012343-aed（版 \d+、2 行）を非公開のまま保存しました"),
}
SETUP_MUNICIPALITY = (
    "from chiiki.core.models import Municipality; Municipality.objects.create("
    f"code='{MUNICIPALITY}', prefecture_code='01', prefecture='北海道', name='テスト町',"
    " name_kana='テストチョウ', kind='town')"
)


def _start_imports(pool: Pool, directory: Path, names: list[str]) -> None:
    if not names:
        return  # no import case selected: skip the migration
    env = {"CHIIKI_DATABASE_URL": f"sqlite:///{directory / 'import.sqlite3'}"}

    def prepare() -> Outcome:
        # Setting up the database is not what is tested: it may take long on a loaded machine, and a migration
        # that timed out (no exit code) must not count as done.
        migrated = run_chiiki(["migrate", "-v0"], env, timeout=900)
        if migrated.returncode != 0:
            return migrated
        return run_chiiki(["shell", "-c", SETUP_MUNICIPALITY], env, timeout=300)

    database = pool.executor.submit(prepare)
    for name in names:
        args = ["opendata", "import", VALIDATE_BUILDERS[name](directory), "--municipality", MUNICIPALITY]
        if name == "csv_lone_cr":
            # The hostile rows carry the code 012345, not the importing town's: confirmed, as an operator would
            # confirm another body's file (the refusal without it is tested in tests/opendata).
            args += ["--dataset", "aed", "--other-municipality-confirmed"]

        def after_setup(a: list[str] = args) -> Outcome:
            ready = database.result()
            assert ready.returncode == 0, ready.describe()
            return run_chiiki(a, env)

        pool.futures[f"import:{name}"] = pool.executor.submit(after_setup)


def _selected(request: pytest.FixtureRequest, test_name: str) -> list[str]:
    """The cases of `test_name` that this session will run (all of them, unless -k or ids narrow it)."""
    items = request.session.items
    return [i.callspec.params["case"] for i in items if getattr(i, "originalname", "") == test_name]  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def runs(request: pytest.FixtureRequest, pool: Pool, hostile_dir: Path) -> Pool:
    """Start every selected case at once, slowest first, so both cores stay busy; tests wait for theirs."""
    _start_imports(pool, hostile_dir, _selected(request, "test_opendata_import_never_tracebacks"))
    validate = _selected(request, "test_opendata_validate_keeps_its_contract")
    for name in sorted(validate, key=lambda n: "_200k" not in n and "_100k" not in n):
        builder = VALIDATE_BUILDERS[name]
        pool.start(f"validate:{name}", lambda b=builder: ["opendata", "validate", b(hostile_dir)])
    for name in _selected(request, "test_check_form_keeps_its_contract"):
        builder = FORM_BUILDERS[name]
        pool.start(f"form:{name}", lambda b=builder: ["survey", "check-form", b(hostile_dir)])
    return pool


@pytest.mark.parametrize("case", sorted(IMPORT_CASES))
def test_opendata_import_never_tracebacks(runs: Pool, case: str) -> None:
    code, reason = IMPORT_CASES[case]
    outcome = runs.result(f"import:{case}")
    assert_contract(outcome, reason)
    assert outcome.returncode == code, outcome.describe()


@pytest.mark.parametrize("case", sorted(VALIDATE_CASES))
def test_opendata_validate_keeps_its_contract(runs: Pool, case: str) -> None:
    code, reason = VALIDATE_CASES[case]
    outcome = runs.result(f"validate:{case}")
    assert_contract(outcome, reason)
    assert outcome.returncode == code, outcome.describe()


# ------------------------------------------------------------------------------ files that need care to make


def test_unreadable_file_is_reported_not_crashed(hostile_dir: Path, pool: Pool) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: a file without read permission is still readable")
    path = hostile.unreadable(hostile_dir)
    for args in (["survey", "check-form", path], ["opendata", "validate", path]):
        pool.start(f"unreadable:{args[0]}", lambda a=args: a)
        assert_contract(pool.result(f"unreadable:{args[0]}"), r"Permission denied", (1,))


LEGACY_XLS = Path("/work/shared/testdata/xlsform/examples/calculate.xls")


@pytest.mark.skipif(not LEGACY_XLS.is_file(), reason=f"{LEGACY_XLS} is not available on this machine")
def test_a_real_legacy_xls_is_read_as_a_form_and_refused_as_open_data(hostile_dir: Path, pool: Pool) -> None:
    path = hostile_dir / "旧形式 フォーム.xls"
    shutil.copyfile(LEGACY_XLS, path)
    pool.start("xls:form", lambda: ["survey", "check-form", str(path)])
    pool.start("xls:validate", lambda: ["opendata", "validate", str(path)])
    assert_contract(pool.result("xls:form"), r"フォームを読み込みました", (0,))
    assert_contract(pool.result("xls:validate"), r"\.xlsx か CSV で保存し直してください", (1,))


@pytest.mark.parametrize(
    "args",
    [
        ["survey", "check-form"],
        ["opendata", "validate"],
        ["opendata", "validate", "x.csv", "--no-such-option"],
    ],
    ids=["check-form-no-file", "validate-no-file", "validate-unknown-option"],
)
def test_usage_errors_exit_2_with_usage(pool: Pool, args: list[str]) -> None:
    key = "usage:" + " ".join(args)
    pool.start(key, lambda: args)
    assert_contract(pool.result(key), r"usage:", (2,))


@pytest.mark.parametrize(
    "command", [["survey", "check-form"], ["opendata", "validate"]], ids=["form", "validate"]
)
def test_stdin_dash_is_not_supported_and_says_so(pool: Pool, command: list[str]) -> None:
    # `-` is taken as a file name (stdin is not read): it must not wait on stdin, and must say why.
    key = "dash:" + command[0]
    pool.start(key, lambda: [*command, "-"])
    assert_contract(pool.result(key), r"file not found|No such file", (1,))


def test_unknown_dataset_kind_is_named(pool: Pool, hostile_dir: Path) -> None:
    path = hostile.csv_japanese_path(hostile_dir)
    pool.start("kind", lambda: ["opendata", "validate", path, "--dataset", "存在しない種類"])
    assert_contract(pool.result("kind"), r"存在しない種類", (1,))
