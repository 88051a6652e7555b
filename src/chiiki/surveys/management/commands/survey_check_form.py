"""``chiiki survey check-form FILE [--files F …]``: check an XLSForm questionnaire without touching the database.

``--files`` attaches the files the form reads (choice files of ``select_one_from_file``, ``instance()``,
``pulldata()``); a form accepted without them says which files it still needs.

Exit 0 and print a summary when the form imports; exit 1 and list every problem (sheet, row, column,
offending name or expression, what is wrong) otherwise. Never a traceback, whatever the file holds.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chiiki.surveys.xlsform import MAX_FILE_BYTES, CheckResult, Problem, check_form

MAX_SUBJECT_CHARS = 120
"""A 1 MB cell is shown by its start and length: the reader needs to find it, not to read it all."""


def _shorten(text: str) -> str:
    if len(text) <= MAX_SUBJECT_CHARS:
        return text
    return f"{text[:MAX_SUBJECT_CHARS]}…({len(text)} 文字 characters)"


def _problem_line(problem: Problem) -> str:
    sheet = problem.sheet or "(ファイル file)"
    row = str(problem.row) if problem.row is not None else "-"
    column = problem.column or "-"
    subject = f" {_shorten(problem.subject)!r}" if problem.subject else ""
    return f"  シート sheet={sheet} 行 row={row} 列 column={column}{subject}: {problem.message}"


def _summary_lines(result: CheckResult) -> list[str]:
    assert result.form is not None  # noqa: S101 - only called for imported forms
    summary = result.form.summary()
    languages = ", ".join(summary["languages"]) or "-"
    return [
        "フォームを読み込みました (form imported)",
        f"  タイトル title: {summary['title']}",
        f"  フォームID form_id: {summary['form_id']}",
        f"  版 version: {summary['version'] or '(なし none)'}",
        f"  言語 languages: {languages} (既定 default: {summary['default_language'] or '-'})",
        f"  質問 questions: {summary['questions']}",
        f"  注記 notes: {summary['notes']}",
        f"  計算 calculations: {summary['calculations']}",
        f"  グループ groups: {summary['groups']}",
        f"  繰り返し repeats: {summary['repeats']}",
        f"  選択肢リスト choice lists: {summary['choice_lists']}",
        f"  ページ pages: {summary['pages']}",
    ]


def read_attached_files(paths: list[str], stderr: Any) -> dict[str, bytes]:
    """The files named on the command line, by file name; a file that cannot be read ends the command."""
    files: dict[str, bytes] = {}
    for name in paths:
        file_path = Path(name)
        if file_path.name in files:
            stderr.write(f"エラー: 同じ名前のファイルが2つあります (two files named {file_path.name})")
            sys.exit(1)
        try:
            if file_path.stat().st_size > MAX_FILE_BYTES:
                stderr.write(f"エラー: ファイルが大きすぎます (file too large: {file_path.name})")
                sys.exit(1)
            files[file_path.name] = file_path.read_bytes()
        except OSError as error:
            stderr.write(f"エラー: ファイルを開けません (cannot read {name}: {error.strerror})")
            sys.exit(1)
    return files


class Command(BaseCommand):
    help = "XLSForm の調査票を検査します (check an XLSForm questionnaire: .xlsx, .xls, .md, .csv)"
    requires_system_checks: list[str] = []  # noqa: RUF012 - Django's own attribute type
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="XLSForm file (.xlsx, .xls, markdown or CSV)")
        parser.add_argument(
            "--files",
            nargs="+",
            default=[],
            metavar="FILE",
            help="フォームと一緒に使うファイル (files attached to the form: choice files .csv .xml .geojson)",
        )
        parser.add_argument(
            "--no-pyxform",
            action="store_true",
            help="pyxform による追加の検査を行わない (skip the pyxform cross-check)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = str(options["file"])
        files = read_attached_files(options["files"], self.stderr)
        try:
            result = check_form(path, cross_check=not options["no_pyxform"], files=files)
        except Exception as error:  # the engine reports problems itself; this is the last safety net
            self.stderr.write(
                f"エラー: フォームを検査できませんでした (could not check the form: {type(error).__name__})"
            )
            sys.exit(1)
        warnings = result.warnings
        if result.ok:
            self.stdout.write("\n".join(_summary_lines(result)))
            if result.missing_files:
                self.stdout.write(
                    "  回答には次のファイルが必要です。--files で一緒に渡すか、調査の作成後に "
                    "chiiki survey attach で添付してください "
                    f"(answerable once these files are attached): {', '.join(result.missing_files)}"
                )
            if warnings:
                self.stdout.write(f"注意 warnings ({len(warnings)}):")
                for problem in warnings:
                    self.stdout.write(_problem_line(problem))
            return
        errors = result.errors
        self.stderr.write(
            f"エラー: フォームに {len(errors)} 件の問題があります (the form has {len(errors)} problem(s))"
        )
        for problem in errors:
            self.stderr.write(_problem_line(problem))
        if warnings:
            self.stderr.write(f"注意 warnings ({len(warnings)}):")
            for problem in warnings:
                self.stderr.write(_problem_line(problem))
        sys.exit(1)
