"""Cross-municipality merge: one deduplicated file of a standard kind across a prefecture or region.

This module reads and computes (the scope, the sources, the merged frame); `actions.define_merge` and
`actions.rebuild_merge` store the result as a dataset.

Each source row keeps a `出典` column (the source dataset's organization and name). Duplicates are dropped in
two passes: the same (全国地方公共団体コード, ID) twice, and the same facility listed by two publishers (a
prefecture's list repeating a municipality's) recognized by equal 名称 at the same point (緯度/経度 rounded to
about 10 m) or, without coordinates, equal 名称 and 所在地_連結表記. The first source (lowest code) wins.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import polars as pl

from chiiki.opendata import queries
from chiiki.opendata.engine import load_schemas
from chiiki.opendata.models import Dataset, MergeTarget, Resource

SOURCE_COLUMN = "出典"

REGIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "hokkaido": ("北海道地方", ("01",)),
    "tohoku": ("東北地方", ("02", "03", "04", "05", "06", "07")),
    "kanto": ("関東地方", ("08", "09", "10", "11", "12", "13", "14")),
    "chubu": ("中部地方", ("15", "16", "17", "18", "19", "20", "21", "22", "23")),
    "kinki": ("近畿地方", ("24", "25", "26", "27", "28", "29", "30")),
    "chugoku": ("中国地方", ("31", "32", "33", "34", "35")),
    "shikoku": ("四国地方", ("36", "37", "38", "39")),
    "kyushu": ("九州・沖縄地方", ("40", "41", "42", "43", "44", "45", "46", "47")),
}


class MergeError(ValueError):
    """Bad scope or kind, with a plain-Japanese message."""


def scope_prefectures(scope: str) -> tuple[str, tuple[str, ...]]:
    """(Japanese title, prefecture codes) of a scope: a region id (chugoku) or a 2-digit prefecture code."""
    if scope in REGIONS:
        return REGIONS[scope]
    if len(scope) == 2 and scope.isdigit() and 1 <= int(scope) <= 47:
        from chiiki.jp import check_digit, find_municipality

        record = find_municipality(f"{scope}000{check_digit(scope + '000')}")
        return (record.prefecture if record else f"都道府県{scope}", (scope,))
    raise MergeError(
        f"範囲「{scope}」がわかりません。都道府県コード2桁（例 35）か地方名（{', '.join(REGIONS)}）を指定してください"
    )


def sources(kind: str, prefectures: tuple[str, ...]) -> list[tuple[Dataset, Resource]]:
    """Published source datasets of `kind` in the prefectures, with their standard-CSV resource."""
    out: list[tuple[Dataset, Resource]] = []
    candidates = (
        queries.published()
        .filter(kind=kind, organization__municipality__prefecture_code__in=prefectures)
        .exclude(merge_target__isnull=False)
        .select_related("organization")
        .order_by("organization__municipality__code", "name")
    )
    for dataset in candidates:
        resource = dataset.resources.filter(role=Resource.Role.DATA, format="CSV").exclude(file="").first()
        if resource is not None:
            out.append((dataset, resource))
    return out


@dataclass(frozen=True)
class MergeSummary:
    dataset: Dataset
    sources: int
    rows_in: int
    rows_out: int


def merged_frame(kind: str, items: list[tuple[Dataset, Resource]]) -> tuple[pl.DataFrame, int]:
    """Concatenate the sources' standard CSVs with a source column, deduplicated; also the input row count."""
    columns = load_schemas()[kind].field_names
    frames: list[pl.DataFrame] = []
    for dataset, resource in items:
        with resource.file.open("rb") as handle:
            frame = pl.read_csv(io.BytesIO(handle.read()), infer_schema=False)
        frame = frame.select(
            [pl.col(c) if c in frame.columns else pl.lit(None, pl.String).alias(c) for c in columns]
        ).with_columns(pl.lit(f"{dataset.organization.title}／{dataset.name}").alias(SOURCE_COLUMN))
        frames.append(frame)
    if not frames:
        return pl.DataFrame(
            {c: [] for c in [*columns, SOURCE_COLUMN]},
            schema=dict.fromkeys([*columns, SOURCE_COLUMN], pl.String),
        ), 0
    whole = pl.concat(frames, how="vertical")
    rows_in = whole.height
    return deduplicate(whole), rows_in


def deduplicate(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop repeated rows (see the module docstring); keeps the first occurrence and the row order."""
    cols = set(frame.columns)
    out = frame.with_row_index("__row")
    code = next((c for c in frame.columns if c.endswith("全国地方公共団体コード")), None)
    ident = "ID" if "ID" in cols else next((c for c in frame.columns if c.endswith("_ID")), None)
    if code and ident:
        keyed = out.filter(pl.col(ident).is_not_null())
        first = keyed.unique(subset=[code, ident], keep="first", maintain_order=True)
        out = pl.concat([first, out.filter(pl.col(ident).is_null())]).sort("__row")
    name = "名称" if "名称" in cols else next((c for c in frame.columns if c.endswith("_名称")), None)
    if name:
        lat = next((c for c in frame.columns if c.endswith("緯度")), None)
        lon = next((c for c in frame.columns if c.endswith("経度")), None)
        addr = next((c for c in frame.columns if c.endswith("所在地_連結表記")), None)
        place: list[pl.Expr] = []
        if lat and lon:
            place = [
                pl.col(lat).cast(pl.Float64, strict=False).round(4).alias("__lat"),
                pl.col(lon).cast(pl.Float64, strict=False).round(4).alias("__lon"),
            ]
        out = out.with_columns(
            *place,
            pl.col(name).str.replace_all(r"\s", "").alias("__name"),
            (pl.col(addr).str.replace_all(r"\s", "") if addr else pl.lit(None, pl.String)).alias("__addr"),
        )
        has_point = pl.col("__lat").is_not_null() & pl.col("__lon").is_not_null() if place else pl.lit(False)
        named = pl.col("__name").is_not_null()
        by_point = out.filter(named & has_point).unique(
            subset=["__name", "__lat", "__lon"], keep="first", maintain_order=True
        )
        by_addr_base = out.filter(named & ~has_point & pl.col("__addr").is_not_null())
        by_addr = by_addr_base.unique(subset=["__name", "__addr"], keep="first", maintain_order=True)
        rest = out.filter(~named | (~has_point & pl.col("__addr").is_null()))
        out = pl.concat([by_point, by_addr, rest], how="vertical").sort("__row")
    return out.select(frame.columns)


def targets_fed_by(dataset: Dataset) -> list[MergeTarget]:
    """The merged datasets whose scope includes this dataset's prefecture."""
    municipality = dataset.organization.municipality
    if municipality is None or not dataset.kind:
        return []
    out = []
    for target in MergeTarget.objects.filter(kind=dataset.kind).select_related("dataset"):
        try:
            _, prefectures = scope_prefectures(target.scope)
        except MergeError:
            continue
        if municipality.prefecture_code in prefectures:
            out.append(target)
    return out
