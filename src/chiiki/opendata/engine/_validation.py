"""Vectorized normalization and validation of a frame already laid out in a standard schema's columns.

Every check is a Polars expression over whole columns. Python runs only on the *distinct* values that fail a
column's fast check (so a million clean rows cost no Python per row), to repair them or explain why not.
"""

from __future__ import annotations

import polars as pl

from chiiki.opendata.engine._normalize import NORMALIZERS, PLACEHOLDERS
from chiiki.opendata.engine._report import Fix, Problem
from chiiki.opendata.engine._schemas import FieldSpec, StandardSchema

ROW = "__row"
_SPACES = " \t\r\n\u3000"
_NEEDS_STRIP = r"^[ \t\r\n\x{3000}]|[ \t\r\n\x{3000}]$"
_KATAKANA = r"^[^\x{3040}-\x{309F}\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}\x{F900}-\x{FAFF}\x{FF66}-\x{FF9F}]*$"
_FAST_REGEX = {
    "katakana": _KATAKANA,
    "time": r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$",
    "yes_no": r"^(有|無)$",
    "flag_one": r"^1$",
    "postal_code": r"^[0-9]{3}-?[0-9]{4}$",
    "phone": r"^[0-9()+\-]{6,20}$",
    "corporate_number": r"^[0-9]{13}$",
    "url": r"^https?://\S+$",
    "email": r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    "integer": r"^[0-9]+$",
    "weekdays": r"^[月火水木金土日祝]+$",
    "choaza_id": r"^[0-9]{7}$",
}
_FIX_KIND = {
    "local_gov_code": "全国地方公共団体コードを6桁（検査数字付き）に直しました",
    "katakana": "半角カナ・ひらがなを全角カタカナに直しました",
    "latitude": "全角数字や度分秒を10進数に直しました",
    "longitude": "全角数字や度分秒を10進数に直しました",
    "time": "時刻を hh:mm に直しました",
    "date": "日付（和暦・スラッシュ・Excel の通し番号）を YYYY-MM-DD に直しました",
    "yes_no": "○×・0/1 などを「有/無」に直しました",
    "flag_one": "○×・有無などを「1/空欄」に直しました",
    "postal_code": "郵便番号の全角数字・記号を直しました",
    "phone": "電話番号の全角数字・記号を直しました",
    "corporate_number": "法人番号の全角数字・空白を直しました",
    "email": "メールアドレスの全角文字を直しました",
    "integer": "数の全角数字・桁区切り・単位を直しました",
    "number": "数の全角数字・桁区切りを直しました",
    "weekdays": "曜日の書き方を「月火水…」に直しました",
    "choaza_id": "町字IDの先頭の0を補いました",
}
_LAT = (20.0, 46.0)
_LON = (122.0, 154.0)


def strip_cells(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Trim spaces (including full-width) and turn empty cells into nulls."""
    strings = [c for c in columns if frame.schema[c] == pl.String]
    if not strings or frame.height == 0:
        return frame
    # Most columns of a real file need no trimming (and many are entirely empty): find those that do with one
    # cheap scan, and rebuild only them instead of copying every string of every column.
    needs = frame.select(
        [
            (pl.col(c).str.contains(_NEEDS_STRIP) | (pl.col(c).str.len_bytes() == 0)).any().alias(c)
            for c in strings
        ]
    ).row(0)
    exprs = []
    for c, need in zip(strings, needs, strict=True):
        if not need:
            continue
        stripped = pl.col(c).str.strip_chars(_SPACES)
        exprs.append(pl.when(stripped.str.len_bytes() == 0).then(None).otherwise(stripped).alias(c))
    return frame.with_columns(exprs) if exprs else frame


def _local_gov_code_ok(col: pl.Expr) -> pl.Expr:
    digits = [col.str.slice(i, 1).cast(pl.Int32, strict=False) for i in range(6)]
    total = digits[0] * 6 + digits[1] * 5 + digits[2] * 4 + digits[3] * 3 + digits[4] * 2
    expected = (11 - total % 11) % 10
    return col.str.contains(r"^[0-9]{6}$") & (expected == digits[5])


def fast_check(check: str, col: pl.Expr) -> pl.Expr | None:
    """The vectorized test a value of this check kind passes as it is (None: the kind has none)."""
    return _fast_ok(check, col)


def _fast_ok(check: str, col: pl.Expr) -> pl.Expr | None:
    if check == "local_gov_code":
        return _local_gov_code_ok(col)
    if check in ("latitude", "longitude", "number"):
        return col.cast(pl.Float64, strict=False).is_not_null() & col.str.contains(r"^-?[0-9.]+$")
    if check == "date":
        return (
            col.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
            & col.str.to_date("%Y-%m-%d", strict=False).is_not_null()
        )
    regex = _FAST_REGEX.get(check)
    return col.str.contains(regex) if regex else None


def normalize_and_check(
    frame: pl.DataFrame, schema: StandardSchema, present: set[str]
) -> tuple[pl.DataFrame, list[Problem], list[Fix]]:
    """Normalize every present column by its check kind and collect problems and fixes."""
    problems: list[Problem] = []
    fixes: list[Fix] = []
    for spec in schema.fields:
        if spec.name not in present:
            continue
        if spec.check and spec.check in NORMALIZERS:
            frame = _normalize_column(frame, spec, problems, fixes)
        if spec.synonyms:
            frame = _apply_synonyms(frame, spec, fixes)
        if spec.enum and spec.check not in ("yes_no", "flag_one"):
            _check_enum(frame, spec, problems)
        # null_count is kept with the column: a column with no empty cell costs nothing here.
        nulls = frame.get_column(spec.name).null_count()
        if spec.level == "required" and nulls == frame.height > 1:
            # One problem for the column, not one per row.
            problems.append(
                Problem("error", "required_column_blank", "必須の列がどの行も空です", None, spec.name, "")
            )
        elif spec.level == "required" and nulls:
            missing = frame.select(ROW, spec.name).filter(pl.col(spec.name).is_null()).select(ROW)
            problems += [
                Problem("error", "required", "必須の項目が空です", row, spec.name, "")
                for row in missing[ROW].to_list()
            ]
    frame = _check_coordinates(frame, schema, present, problems)
    _check_unique_ids(frame, schema, present, problems)
    return frame, problems, fixes


def _normalize_column(
    frame: pl.DataFrame, spec: FieldSpec, problems: list[Problem], fixes: list[Fix]
) -> pl.DataFrame:
    if spec.check is None:
        return frame
    col = pl.col(spec.name)
    fast = _fast_ok(spec.check, col)
    # Narrow to the two columns before filtering: filtering the whole frame would copy every column.
    candidates = frame.select(ROW, spec.name).filter(
        col.is_not_null() & (~fast if fast is not None else pl.lit(value=True))
    )
    if candidates.height == 0:
        return frame
    distinct = candidates[spec.name].unique().to_list()
    normalizer = NORMALIZERS[spec.check]
    repaired: dict[str, str | None] = {}
    errors: dict[str, str] = {}
    for value in distinct:
        if value in PLACEHOLDERS:
            repaired[value] = None
            continue
        new, error = normalizer(value)
        if error is not None:
            errors[value] = error
        elif new != value:
            repaired[value] = new
    if errors:
        bad = candidates.filter(col.is_in(list(errors))).select(ROW, spec.name)
        problems += [
            Problem("error", f"invalid_{spec.check}", errors[value], row, spec.name, value)
            for row, value in bad.iter_rows()
        ]
    if repaired:
        changed = candidates.filter(col.is_in(list(repaired)))
        before = changed[spec.name][0]
        fixes.append(
            Fix(
                spec.name,
                _FIX_KIND.get(spec.check, "値を直しました"),
                changed.height,
                before,
                repaired[before] or "",
            )
        )
        frame = frame.with_columns(col.replace(list(repaired), list(repaired.values())).alias(spec.name))
    return frame


def _apply_synonyms(frame: pl.DataFrame, spec: FieldSpec, fixes: list[Fix]) -> pl.DataFrame:
    old = [a for a, _ in spec.synonyms]
    new = [b for _, b in spec.synonyms]
    hits = frame.select(spec.name).filter(pl.col(spec.name).is_in(old))
    if hits.height == 0:
        return frame
    before = hits[spec.name][0]
    fixes.append(
        Fix(
            spec.name,
            "同じ意味の言い方を標準の語に直しました",
            hits.height,
            before,
            dict(spec.synonyms)[before],
        )
    )
    return frame.with_columns(pl.col(spec.name).replace(old, new).alias(spec.name))


def _check_enum(frame: pl.DataFrame, spec: FieldSpec, problems: list[Problem]) -> None:
    if spec.enum is None:
        return
    col = pl.col(spec.name)
    bad = frame.select(ROW, spec.name).filter(col.is_not_null() & ~col.is_in(list(spec.enum)))
    choices = "・".join(spec.enum)
    problems += [
        Problem("error", "enum", f"「{choices}」のどれかで書きます", row, spec.name, value)
        for row, value in bad.iter_rows()
    ]


def _check_coordinates(
    frame: pl.DataFrame, schema: StandardSchema, present: set[str], problems: list[Problem]
) -> pl.DataFrame:
    lats = [f.name for f in schema.fields if f.check == "latitude" and f.name in present]
    lons = [f.name for f in schema.fields if f.check == "longitude" and f.name in present]
    for lat_name, lon_name in zip(lats, lons, strict=False):
        lat = pl.col(lat_name).cast(pl.Float64, strict=False)
        lon = pl.col(lon_name).cast(pl.Float64, strict=False)
        swapped = lat.is_between(*_LON) & lon.is_between(*_LAT)
        flipped = frame.select(ROW, lat_name, lon_name).filter(swapped)
        problems += [
            Problem(
                "warning",
                "swapped_lat_lon",
                f"緯度と経度が逆になっていたので入れ替えました（経度 {b}）",
                row,
                lat_name,
                a,
            )
            for row, a, b in flipped.iter_rows()
        ]
        if flipped.height:
            frame = frame.with_columns(
                pl.when(swapped).then(pl.col(lon_name)).otherwise(pl.col(lat_name)).alias(lat_name),
                pl.when(swapped).then(pl.col(lat_name)).otherwise(pl.col(lon_name)).alias(lon_name),
            )
    for name, (low, high), label in [(n, _LAT, "緯度") for n in lats] + [(n, _LON, "経度") for n in lons]:
        value = pl.col(name).cast(pl.Float64, strict=False)
        out = frame.select(ROW, name).filter(value.is_not_null() & ~value.is_between(low, high))
        where = "北緯20〜46度" if label == "緯度" else "東経122〜154度"
        problems += [
            Problem("error", "out_of_japan", f"{label}が日本の範囲（{where}）の外です", row, name, v)
            for row, v in out.iter_rows()
        ]
    return frame


def _check_unique_ids(
    frame: pl.DataFrame, schema: StandardSchema, present: set[str], problems: list[Problem]
) -> None:
    id_fields = [
        f.name for f in schema.fields if f.name == "ID" or (f.name.endswith("_ID") and f.level == "required")
    ]
    code_fields = [f.name for f in schema.fields if f.check == "local_gov_code"][:1]
    if not id_fields or id_fields[0] not in present:
        return
    keys = [k for k in code_fields + id_fields[:1] if k in present]
    ident = pl.col(id_fields[0])
    narrow = frame.select(ROW, *dict.fromkeys([*keys, id_fields[0]]))
    dup = narrow.filter(ident.is_not_null() & pl.struct(keys).is_duplicated()).select(ROW, id_fields[0])
    problems += [
        Problem(
            "error",
            "duplicate_id",
            "同じ ID が別の行にもあります（ID は団体の中で重複させません）",
            row,
            id_fields[0],
            v,
        )
        for row, v in dup.iter_rows()
    ]
