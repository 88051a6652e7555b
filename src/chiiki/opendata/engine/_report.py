"""The validation report: every problem with row, column, value and a plain-Japanese explanation."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One finding. `row` counts rows the way a spreadsheet shows the file (header row included)."""

    severity: str  # "error" makes the file invalid; "warning" does not
    code: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class Fix:
    """A normalization applied to many cells of one column (full-width digits, 和暦 dates, ...)."""

    column: str
    kind: str
    count: int
    example_before: str
    example_after: str


@dataclass
class Report:
    """Everything the validator found out about one file."""

    file: str
    valid: bool = False
    encoding: str = ""
    file_format: str = ""
    newline: str = ""
    header_row: int | None = None
    title_rows: int = 0
    rows: int = 0
    dataset_id: str | None = None
    dataset_title: str | None = None
    dataset_how: str = ""  # "指定" (given) or "判定" (recognized)
    layout: str = ""
    layout_title: str = ""
    recognition_score: float = 0.0
    recognition_reason: str = ""
    columns: list[dict[str, Any]] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        """Number of problems that make the file invalid."""
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warning_count(self) -> int:
        """Number of warnings."""
        return sum(1 for p in self.problems if p.severity == "warning")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        data = asdict(self)
        data["error_count"] = self.error_count
        data["warning_count"] = self.warning_count
        return data

    def to_json(self) -> str:
        """The report as pretty JSON (UTF-8 text, Japanese kept readable)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_text(self, limit: int = 200) -> str:
        """The report in plain Japanese for a terminal."""
        lines = [f"ファイル: {self.file}"]
        if self.encoding:
            lines.append(
                f"読み込み: {self.encoding}、{self.file_format.upper()}"
                + (f"、改行 {self.newline}" if self.newline else "")
                + f"、見出しは {self.header_row} 行目"
                + (f"（上にタイトル行が {self.title_rows} 行）" if self.title_rows else "")
                + f"、データ {self.rows} 行"
            )
        if self.dataset_id:
            how = "見出しから判定しました" if self.dataset_how == "判定" else "指定どおり検査しました"
            layout = f"、{self.layout_title}の形式" if self.layout_title else ""
            lines.append(f"データセット: {self.dataset_title}（{self.dataset_id}）として{how}{layout}")
        elif self.recognition_reason:
            lines.append(f"データセット: 判定できません。{self.recognition_reason}")
        mapped = [c for c in self.columns if c["target"] and c["how"] != "exact"]
        if mapped:
            lines.append("列名の読み替え:")
            lines += [
                f"  「{c['source']}」→「{c['target']}」（{_HOW.get(c['how'], c['how'])}、確からしさ {c['confidence']}）"
                for c in mapped
            ]
        if self.fixes:
            lines.append("直した値:")
            lines += [
                f"  「{f.column}」{f.count} 件: {f.kind}（例「{f.example_before}」→「{f.example_after}」）"
                for f in self.fixes
            ]
        lines.append(f"問題: エラー {self.error_count} 件、注意 {self.warning_count} 件")
        ordered = sorted(self.problems, key=lambda p: (p.severity != "error", p.row or 0))
        for p in ordered[:limit]:
            where = f"{p.row} 行目" if p.row is not None else "ファイル全体"
            col = f"「{p.column}」" if p.column else ""
            value = f" 値「{p.value}」" if p.value not in (None, "") else ""
            mark = "エラー" if p.severity == "error" else "注意"
            lines.append(f"  [{mark}] {where}{col}{value}: {p.message}")
        if len(ordered) > limit:
            lines.append(f"  …ほか {len(ordered) - limit} 件（--json ですべて出せます）")
        verdict = "標準に合っています / valid" if self.valid else "標準に合っていません / NOT valid"
        lines.append(f"結果: {verdict}")
        return "\n".join(lines)


_HOW = {
    "legacy": "旧形式・別名の列名",
    "prefix": "データモデル型の列名",
    "fuzzy": "似た列名（確認してください）",
    "derived": "ほかの列から作成",
}
