"""Map the header of a real file onto a standard schema, and recognize which standard dataset it is."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from chiiki.opendata.engine._schemas import (
    LegacyLayout,
    StandardSchema,
    legacy_common_map,
    load_legacy_layouts,
    load_schemas,
)

FUZZY_APPLY = 0.8  # fuzzy matches at or above this are applied (and listed for the user to confirm)
FUZZY_SUGGEST = 0.6  # below FUZZY_APPLY and at or above this they are only suggested
# Plain facility-layout columns and what a データモデル型 dataset (`投票所_住所`) calls them.
_FACILITY_TO_MODEL = {"所在地_連結表記": ("住所",), "住所": ("住所",)}
GENERIC_IN = 3  # a column name used by this many datasets or more says nothing about which one a file is
_KANA_DASH = re.compile(r"(?<=[\u30a1-\u30fa\u30fc])[\u2010-\u2015\u2212\u2500\u2501\uff0d-](?![0-9])")


@lru_cache(maxsize=65536)
def header_key(name: str) -> str:
    """Comparison key of a column name: NFKC, no spaces, (カナ)/（英字） as _カナ/_英字, ごみ as ゴミ."""
    t = unicodedata.normalize("NFKC", name or "")
    t = re.sub(r"\[[a-z]+\]", "-", t)  # placeholder tokens left by sanitizing tools ("0[sanitize]4歳")
    t = re.sub(r"\s+", "", t)
    # Look-alike dashes after katakana are the long-vowel mark (コ―ド with U+2015, コ－ド, コ‐ド).
    t = _KANA_DASH.sub("ー", t)
    t = re.sub(r"_?\((カナ|英字|英語)\)", r"_\1", t)
    # Publishers write the データモデル型 prefixes both ways (ごみの分別方法_ / ゴミの分別方法_).
    t = t.replace("ごみ", "ゴミ")
    return t.lower()


@dataclass(frozen=True)
class ColumnMatch:
    """How one source column maps onto the standard."""

    index: int
    source: str
    target: str | None
    how: str  # exact, legacy, prefix, fuzzy, suggestion, none, duplicate, empty
    confidence: float
    note: str = ""


@dataclass(frozen=True)
class Recognition:
    """Which standard dataset a header is, and how sure we are."""

    schema: StandardSchema | None
    layout: str  # "current" or the legacy layout id
    layout_title: str
    score: float
    matched: int
    total: int
    reason: str


@cache
def _legacy_for(dataset_id: str) -> tuple[LegacyLayout, ...]:
    return tuple(lay for lay in load_legacy_layouts() if lay.current == dataset_id)


def _target_for(source: str, schema: StandardSchema, keys: dict[str, str]) -> tuple[str | None, str]:
    """Exact, legacy or prefixed target for `source` in `schema` (no fuzzy matching)."""
    key = header_key(source)
    if key in keys:
        return keys[key], "exact"
    candidates = _legacy_targets(key, schema)
    if candidates is None:
        return None, "legacy-none"
    for candidate in [*candidates, source, *_FACILITY_TO_MODEL.get(key, ())]:
        found = _standard_name(candidate, source, schema, keys)
        if found is not None:
            return found
    return None, "none"


def _legacy_targets(key: str, schema: StandardSchema) -> list[str] | None:
    """What older layouts call the column `key` today; None when one says it has no successor."""
    pairs = [(name, target) for layout in _legacy_for(schema.id) for name, target in layout.mapping.items()]
    pairs += list(legacy_common_map().items())
    candidates: list[str] = []
    for legacy_name, target in pairs:
        if header_key(legacy_name) == key:
            if target is None:
                return None
            candidates.append(target)
    return candidates


def _standard_name(
    candidate: str, source: str, schema: StandardSchema, keys: dict[str, str]
) -> tuple[str, str] | None:
    """The field `candidate` names, as a legacy name or with one of the schema's prefixes, and how."""
    ckey = header_key(candidate)
    if ckey in keys and candidate != source:
        return keys[ckey], "legacy"
    for prefix in schema.prefixes:
        pkey = header_key(f"{prefix}_{candidate}")
        if pkey in keys:
            return keys[pkey], "prefix"
    return None


def map_header(header: list[str], schema: StandardSchema, *, fuzzy: bool = True) -> list[ColumnMatch]:
    """Map every header cell onto a field of `schema` (or nothing), first come first served."""
    keys = {header_key(name): name for name in schema.field_names}
    taken: set[str] = set()
    out = [_exact_match(index, source, schema, keys, taken) for index, source in enumerate(header)]
    if fuzzy:
        for match in out:
            if match.how == "none":
                out[match.index] = _fuzzy_match(match, schema, taken)
    return out


def _exact_match(
    index: int, source: str, schema: StandardSchema, keys: dict[str, str], taken: set[str]
) -> ColumnMatch:
    """One header cell matched without guessing (exact, legacy or prefixed name); `taken` collects targets."""
    if not source.strip():
        return ColumnMatch(index, source, None, "empty", 0.0)
    target, how = _target_for(source, schema, keys)
    if target is None:
        note = (
            "以前の様式の列で、今の標準には対応する項目がないので出力しません" if how == "legacy-none" else ""
        )
        return ColumnMatch(index, source, None, how, 0.0, note)
    if target in taken:
        return ColumnMatch(index, source, None, "duplicate", 0.0, f"「{target}」は前の列に対応済み")
    taken.add(target)
    return ColumnMatch(index, source, target, how, 1.0 if how == "exact" else 0.95)


def _fuzzy_match(match: ColumnMatch, schema: StandardSchema, taken: set[str]) -> ColumnMatch:
    """An unmatched cell's closest free field: applied when close enough, else offered as a suggestion."""
    key = header_key(match.source)
    best, best_ratio = None, 0.0
    for name in schema.field_names:
        if name in taken:
            continue
        ratio = difflib.SequenceMatcher(None, key, header_key(name)).ratio()
        if ratio > best_ratio:
            best, best_ratio = name, ratio
    if best is not None and best_ratio >= FUZZY_APPLY:
        taken.add(best)
        return ColumnMatch(match.index, match.source, best, "fuzzy", round(best_ratio, 2))
    if best is not None and best_ratio >= FUZZY_SUGGEST:
        return ColumnMatch(match.index, match.source, None, "suggestion", round(best_ratio, 2), best)
    return match


def _f1(matched: int, header_size: int, layout_size: int) -> float:
    # Half F1, half recall of the layout's columns: a file that adds many local columns to a complete
    # standard layout is still that dataset.
    if matched == 0:
        return 0.0
    return (2 * matched / (header_size + layout_size) + matched / layout_size) / 2


def _bare_key(name: str, schema: StandardSchema) -> str:
    for prefix in schema.prefixes:
        name = name.removeprefix(prefix + "_")
    return header_key(name)


@cache
def _distinctive_fields() -> dict[str, frozenset[str]]:
    """Per dataset, its fields whose names (without a データモデル型 prefix) few other datasets use.

    名称, 緯度, 所在地_連結表記 … are in most datasets: a file that matches only such columns is a facility
    list of some kind, not evidence for a dataset that happens to have many of them (公衆無線LAN, 消防水利).
    """
    schemas = [s for s in load_schemas().values() if s.validatable]
    uses: dict[str, int] = {}
    for schema in schemas:
        for key in {_bare_key(n, schema) for n in schema.field_names}:
            uses[key] = uses.get(key, 0) + 1
    return {s.id: frozenset(n for n in s.field_names if uses[_bare_key(n, s)] < GENERIC_IN) for s in schemas}


@cache
def _distinctive_legacy_columns() -> dict[str, frozenset[str]]:
    """Per legacy 推奨データセット layout, the keys of its columns that few other legacy layouts use.

    The legacy layouts share 都道府県コード又は市区町村コード, NO, 住所, 緯度, 経度, 備考 …: a file with only those
    (a 同報無線 or 津波避難ビル list in the old facility layout) is no evidence for 消防水利, whose own columns
    (種別, 口径) it lacks.
    """
    layouts = load_legacy_layouts()
    uses: dict[str, int] = {}
    for layout in layouts:
        for key in {header_key(c) for c in layout.columns}:
            uses[key] = uses.get(key, 0) + 1
    return {
        layout.id: frozenset(k for k in {header_key(c) for c in layout.columns} if uses[k] < GENERIC_IN)
        for layout in layouts
    }


def _named_in(file_name: str) -> StandardSchema | None:
    """The dataset the file's name names (its title, an alias, or the English file-name suffix of the
    standard, `222127_public_toilet.csv`, as a whole word; the longest one found wins)."""
    name = unicodedata.normalize("NFKC", file_name or "").lower()
    best: tuple[int, StandardSchema] | None = None
    for schema in load_schemas().values():
        if not schema.validatable:
            continue
        suffix = str(schema.raw.get("x-chiiki", {}).get("file_suffix", ""))
        spaced = re.sub(r"[_-]+", " ", name)
        for word in (schema.title, *schema.aliases):
            found = unicodedata.normalize("NFKC", word).lower()
            if len(word) >= 3 and found in name:
                if best is None or len(word) > best[0]:
                    best = (len(word), schema)
        if suffix and re.search(rf"(^|[^a-z0-9]){re.escape(suffix.replace('_', ' '))}([^a-z0-9]|$)", spaced):
            if best is None or len(suffix) > best[0]:
                best = (len(suffix), schema)
    return best[1] if best else None


GENERIC_FALLBACK = "public_facility"


def _has_required(schema: StandardSchema, matches: list[ColumnMatch]) -> bool:
    found = {m.target for m in matches}
    return all(f.name in found for f in schema.fields if f.level == "required")


def recognize(header: list[str], file_name: str = "") -> Recognition:
    """Find the standard dataset (current or legacy layout) whose columns best match `header`.

    A dataset whose own columns (those few other datasets have) are all missing scores lower than the plain
    facility list; a file named after a dataset (`…投票所一覧.csv`) is that dataset when at least half of its
    required columns are there.
    """
    cells = [h for h in header if h.strip()]
    keys = {header_key(h) for h in cells}
    distinctive = _distinctive_fields()
    best: Recognition | None = None
    named = _named_in(file_name)
    for schema in load_schemas().values():
        if not schema.validatable:
            continue
        matches = map_header(cells, schema, fuzzy=False)
        matched = sum(1 for m in matches if m.target is not None)
        score = _f1(matched, len(cells), len(schema.fields))
        if matched >= 5:
            # A short file whose columns are all standard names is still standard (the first dataset
            # in book order wins a tie, so plain facility columns read as 公共施設一覧).
            score = max(score, 0.6 * matched / len(cells))
        own = sum(1 for m in matches if m.target in distinctive.get(schema.id, ()))
        reason = ""
        if schema is named and matched >= 3 and _has_required(schema, matches):
            score, reason = max(score, 0.99), "ファイル名と見出しから判定"
        elif own == 0 and schema.id != GENERIC_FALLBACK:
            score *= 0.7
        candidate = Recognition(
            schema, "current", "自治体標準オープンデータセット", score, matched, len(schema.fields), reason
        )
        if best is None or candidate.score > best.score:
            best = candidate
        best = _best_legacy(schema, keys, len(cells), best)
    if best is None or best.schema is None or best.score < 0.55 or best.matched < 3:
        closest = best.schema.title if best and best.schema else "なし"
        matched = best.matched if best else 0
        total = best.total if best else 0
        reason = (
            f"標準データセットではないようです: 見出しの列が、どの標準データセットの列ともほとんど一致しません"
            f"（最も近い「{closest}」でも {matched}/{total} 列）。"
            + _named_but_missing(named, cells)
            + "標準データセットなら --dataset で種類を指定してください"
        )
        return Recognition(None, "", "", best.score if best else 0.0, matched, total, reason)
    return best


def _best_legacy(schema: StandardSchema, keys: set[str], width: int, best: Recognition) -> Recognition:
    """`best`, or one of the dataset's legacy 推奨データセット layouts when it matches the header better."""
    for layout in _legacy_for(schema.id):
        lkeys = {header_key(c) for c in layout.columns}
        lmatched = len(keys & lkeys)
        lscore = _f1(lmatched, width, len(lkeys))
        if not keys & _distinctive_legacy_columns()[layout.id]:
            lscore *= 0.7  # as for the current layouts: none of the layout's own columns is there
        if lscore > best.score:
            best = Recognition(schema, layout.id, layout.title, lscore, lmatched, len(lkeys), "")
    return best


def _named_but_missing(named: StandardSchema | None, cells: list[str]) -> str:
    """A sentence for a file named after a dataset whose required columns are not there."""
    if named is None:
        return ""
    found = {m.target for m in map_header(cells, named, fuzzy=False)}
    missing = [f.name for f in named.fields if f.level == "required" and f.name not in found]
    if not missing:
        return ""
    return (
        f"ファイル名は「{named.title}」を指していますが、その必須の列 {'、'.join(missing[:6])} がありません。"
    )


@cache
def known_header_keys() -> frozenset[str]:
    """Every column name any schema or legacy layout uses, as keys (for finding the header row)."""
    names: set[str] = set()
    for schema in load_schemas().values():
        names.update(header_key(n) for n in schema.field_names)
        for prefix in schema.prefixes:
            names.update(header_key(n.removeprefix(prefix + "_")) for n in schema.field_names)
    for layout in load_legacy_layouts():
        names.update(header_key(c) for c in layout.columns)
    names.update(header_key(n) for n in legacy_common_map())
    return frozenset(names)


def header_score(row: list[str]) -> int:
    """How many cells of `row` are known column names."""
    known = known_header_keys()
    return sum(1 for cell in row if cell.strip() and header_key(cell) in known)
