"""Reading the registry, record and link CSV files, with plain errors for anything a user can get wrong."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import polars as pl

REGISTRY_COLUMNS: tuple[str, ...] = (
    "person_id",
    "name_kanji",
    "name_kana",
    "birth_date",
    "sex",
    "address",
    "postal_code",
)
RECORD_COLUMNS: tuple[str, ...] = ("record_id", *REGISTRY_COLUMNS[1:])
LINK_COLUMNS: tuple[str, ...] = ("record_id", "person_id")


class InputError(ValueError):
    """A user's input file cannot be used; the message says why in Japanese, then English."""


def read_table(
    path: str | Path, columns: Sequence[str], *, label: str, id_column: str | None
) -> pl.DataFrame:
    """Read a UTF-8 CSV with a header into a frame of strings holding ``columns`` (others are ignored).

    Blank cells become null. ``id_column``, when given, must be present on every row and unique.
    Raises :class:`InputError` for a missing file, a wrong encoding, missing columns or duplicate ids.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{label}のファイルが見つかりません: {path} / {label} file not found")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{label}のファイル {path} はUTF-8ではありません({error.start}バイト目)。"
            "Shift_JISなどで保存されている場合はUTF-8で保存し直してください / "
            f"{label} file is not UTF-8"
        ) from error
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputError(f"{label}のファイル {path} が空です(見出し行が必要です) / {label} file is empty")
    header = [name.strip() for name in next(csv.reader([lines[0]]))]
    missing = [name for name in columns if name not in header]
    if missing:
        raise InputError(
            f"{label}のファイル {path} に必要な列がありません: {', '.join(missing)}"
            f"(必要な列: {','.join(columns)}) / missing columns: {', '.join(missing)}"
        )
    try:
        frame = pl.read_csv(text.encode("utf-8"), infer_schema=False, has_header=False, skip_rows=1)
        frame = frame.select(pl.nth(header.index(name)).alias(name) for name in columns)
    except (pl.exceptions.PolarsError, IndexError) as error:
        raise InputError(
            f"{label}のファイル {path} をCSVとして読めません: {error} / cannot parse CSV"
        ) from error
    frame = frame.with_columns(
        pl.col(name).str.strip_chars().replace("", None).alias(name) for name in columns
    )
    if id_column is not None:
        _check_ids(frame, id_column, label=label, path=path)
    return frame


def _check_ids(frame: pl.DataFrame, id_column: str, *, label: str, path: Path) -> None:
    blank = frame.with_row_index("line", offset=2).filter(pl.col(id_column).is_null())
    if blank.height:
        lines = ", ".join(str(n) for n in blank["line"].head(5).to_list())
        raise InputError(
            f"{label}のファイル {path} の {id_column} が空の行があります(行 {lines}) / blank {id_column}"
        )
    duplicated = frame.filter(pl.col(id_column).is_duplicated())[id_column].unique().sort()
    if duplicated.len():
        shown = ", ".join(duplicated.head(5).to_list())
        more = f" ほか{duplicated.len() - 5}件" if duplicated.len() > 5 else ""
        raise InputError(
            f"{label}のファイル {path} で {id_column} が重複しています: {shown}{more} / duplicate {id_column}"
        )


def read_registry(path: str | Path) -> pl.DataFrame:
    """Read the registry CSV (person_id, name_kanji, name_kana, birth_date, sex, address, postal_code)."""
    return read_table(path, REGISTRY_COLUMNS, label="住民登録", id_column="person_id")


def read_records(path: str | Path) -> pl.DataFrame:
    """Read the records CSV (record_id, name_kanji, name_kana, birth_date, sex, address, postal_code)."""
    return read_table(path, RECORD_COLUMNS, label="照合対象レコード", id_column="record_id")


def read_links(path: str | Path) -> pl.DataFrame:
    """Read existing links (record_id, person_id); a record may appear once, a person several times."""
    frame = read_table(path, LINK_COLUMNS, label="既存の紐付け", id_column="record_id")
    return frame.filter(pl.col("person_id").is_not_null())
