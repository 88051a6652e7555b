"""Open-data demo for 緑川市: the town publishes its own standard datasets, so the catalog is not empty.

Five 自治体標準オープンデータセット made for the fictional town and imported through the same path as an operator's
file (`opendata.actions.import_file`, published at once): 01 公共施設一覧, 03 指定緊急避難場所一覧,
08 AED設置箇所一覧, 04 地域・年齢別人口 (counted from the demo registry on a fixed date) and 12 イベント一覧.
Facilities sit at the districts' demo points of the coverage demo. Everything is fictional (the town, its
telephone numbers in the 0824-00-xxxx range and its buildings); a second load changes nothing.

The demo census's disclosure-checked tables (the evidence app's run of the simulated answers) are published
as well, through the evidence app's own `publish_table`: each table that passed the disclosure check becomes
a dataset (CSV with hidden cells marked X, metadata JSON), as a survey manager's "公開" would make it.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.demo.coverage import OFFSETS, _point
from chiiki.demo.residents import CITY, DISTRICTS, PREFECTURE
from chiiki.evidence import queries as evidence_queries
from chiiki.evidence.actions import publish_table
from chiiki.evidence.models import EvidenceRun, PublishedTable
from chiiki.opendata.actions import import_file
from chiiki.opendata.models import Dataset
from chiiki.registry.models import Household, Person
from chiiki.surveys.models import Survey

ACTOR = Actor.system("chiiki demo load")
POPULATION_DATE = date(2026, 4, 1)  # 住民基本台帳 as of the start of the fiscal year
NOTE = "緑川市は架空の市です。デモ用に作成したデータです。"
KINDS = ("public_facility", "evacuation_space", "aed", "population", "event")

# (ID suffix, name, kana, district code, building note, weekdays, opens, closes, phone suffix)
FACILITIES: tuple[tuple[str, str, str, str, str, str, str, str, str], ...] = (
    ("001", "緑川市役所", "ミドリカワシヤクショ", "001", "", "月火水木金", "08:30", "17:15", "1111"),
    (
        "002",
        "緑川市立図書館",
        "ミドリカワシリツトショカン",
        "002",
        "",
        "火水木金土日",
        "09:00",
        "19:00",
        "1200",
    ),
    (
        "003",
        "緑川市民体育館",
        "ミドリカワシミンタイイクカン",
        "006",
        "",
        "火水木金土日",
        "09:00",
        "21:00",
        "1300",
    ),
    ("004", "中央公民館", "チュウオウコウミンカン", "003", "", "月火水木金土", "09:00", "21:00", "1400"),
    (
        "005",
        "緑川市保健センター",
        "ミドリカワシホケンセンター",
        "004",
        "",
        "月火水木金",
        "08:30",
        "17:15",
        "1500",
    ),
    (
        "006",
        "上野支所",
        "ウエノシショ",
        "010",
        "上野地区交流センター内",
        "月火水木金",
        "08:30",
        "17:15",
        "2010",
    ),
    ("007", "本郷支所", "ホンゴウシショ", "015", "", "月火水木金", "08:30", "17:15", "2015"),
    (
        "008",
        "君田出張所",
        "キミタシュッチョウジョ",
        "022",
        "君田集会所内",
        "月水金",
        "09:00",
        "16:00",
        "2022",
    ),
    (
        "009",
        "緑川市郷土資料館",
        "ミドリカワシキョウドシリョウカン",
        "007",
        "",
        "水木金土日",
        "10:00",
        "16:00",
        "1600",
    ),
    (
        "010",
        "布野ふれあいセンター",
        "フノフレアイセンター",
        "019",
        "",
        "月火水木金土",
        "09:00",
        "17:00",
        "2019",
    ),
)
# (ID suffix, name, kana, district code, capacity, flood, landslide, earthquake, large fire)
EVACUATION: tuple[tuple[str, str, str, str, int, bool, bool, bool, bool], ...] = (
    (
        "001",
        "緑川市立中央小学校 運動場",
        "ミドリカワシリツチュウオウショウガッコウ ウンドウジョウ",
        "001",
        1200,
        False,
        True,
        True,
        True,
    ),
    ("002", "緑川市民体育館", "ミドリカワシミンタイイクカン", "006", 800, True, True, True, False),
    ("003", "駅前公園", "エキマエコウエン", "005", 600, False, True, True, True),
    (
        "004",
        "緑ケ丘中学校 運動場",
        "ミドリガオカチュウガッコウ ウンドウジョウ",
        "007",
        1000,
        False,
        True,
        True,
        True,
    ),
    ("005", "上野地区交流センター", "ウエノチクコウリュウセンター", "010", 250, True, False, True, False),
    ("006", "川西小学校 体育館", "カワニシショウガッコウ タイイクカン", "012", 300, True, True, True, False),
    ("007", "本郷運動公園", "ホンゴウウンドウコウエン", "015", 900, False, True, True, True),
    ("008", "高野集会所", "タカノシュウカイジョ", "017", 80, False, False, True, False),
    ("009", "布野ふれあいセンター", "フノフレアイセンター", "019", 150, True, True, True, False),
    ("010", "君田集会所", "キミタシュウカイジョ", "022", 60, False, False, True, False),
)
# (ID suffix, facility name, kana, district code, where inside, phone suffix)
AEDS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("001", "緑川市役所", "ミドリカワシヤクショ", "001", "1階 正面玄関 総合案内横", "1111"),
    ("002", "緑川市立図書館", "ミドリカワシリツトショカン", "002", "1階 カウンター横", "1200"),
    ("003", "緑川市民体育館", "ミドリカワシミンタイイクカン", "006", "1階 事務室前", "1300"),
    ("004", "中央公民館", "チュウオウコウミンカン", "003", "1階 ロビー", "1400"),
    ("005", "緑川市保健センター", "ミドリカワシホケンセンター", "004", "1階 受付", "1500"),
    ("006", "緑川市立中央小学校", "ミドリカワシリツチュウオウショウガッコウ", "001", "職員室前 廊下", "1700"),
    ("007", "上野支所", "ウエノシショ", "010", "1階 窓口横", "2010"),
    ("008", "本郷支所", "ホンゴウシショ", "015", "1階 玄関", "2015"),
    ("009", "君田出張所", "キミタシュッチョウジョ", "022", "集会所 玄関", "2022"),
)
# (ID suffix, name, kana, start, end, opens, closes, place, district code, summary, capacity)
EVENTS: tuple[tuple[str, str, str, str, str, str, str, str, str, str, str], ...] = (
    (
        "001",
        "緑川さくら祭り",
        "ミドリカワサクラマツリ",
        "2027-04-03",
        "2027-04-04",
        "10:00",
        "16:00",
        "駅前公園",
        "005",
        "桜の下で郷土芸能と物産市。",
        "",
    ),
    (
        "002",
        "市民健康ウォーキング",
        "シミンケンコウウォーキング",
        "2027-05-16",
        "2027-05-16",
        "09:00",
        "12:00",
        "緑川市民体育館",
        "006",
        "川沿いの約5キロを歩きます。",
        "200",
    ),
    (
        "003",
        "図書館おはなし会",
        "トショカンオハナシカイ",
        "2027-06-12",
        "2027-06-12",
        "10:30",
        "11:30",
        "緑川市立図書館",
        "002",
        "幼児と保護者向けの読み聞かせ。",
        "30",
    ),
    (
        "004",
        "防災訓練(市内一斉)",
        "ボウサイクンレン(シナイイッセイ)",
        "2027-09-05",
        "2027-09-05",
        "09:00",
        "11:00",
        "各指定緊急避難場所",
        "001",
        "地震を想定した避難訓練。",
        "",
    ),
    (
        "005",
        "緑川市民文化祭",
        "ミドリカワシミンブンカサイ",
        "2027-11-06",
        "2027-11-07",
        "10:00",
        "17:00",
        "中央公民館",
        "003",
        "サークルの展示と発表。",
        "",
    ),
    (
        "006",
        "君田そば打ち体験",
        "キミタソバウチタイケン",
        "2027-11-23",
        "2027-11-23",
        "10:00",
        "13:00",
        "君田集会所",
        "022",
        "地元のそば粉で打つ体験教室。",
        "20",
    ),
)
AGE_BANDS = (*(f"{low}-{low + 4}歳" for low in range(0, 85, 5)), "85歳以上")


def _district(code: str) -> tuple[str, str, str, int, str]:
    return next(d for d in DISTRICTS if d[0] == code)


def _place(code: str) -> dict[str, str]:
    """The address and demo point of a facility in a district (the coverage demo's point, nudged per row)."""
    lat, lon = _point(*OFFSETS[code])
    name = _district(code)[1]
    return {
        "所在地_連結表記": f"{PREFECTURE}{CITY}{name}",
        "所在地_都道府県": PREFECTURE,
        "所在地_市区町村": CITY,
        "所在地_町字": name,
        "緯度": f"{lat:.6f}",
        "経度": f"{lon:.6f}",
    }


def _common(municipality: Municipality, number: str, suffix: str) -> dict[str, str]:
    return {
        "全国地方公共団体コード": municipality.code,
        "ID": f"{municipality.code}{number}{suffix}",
        "地方公共団体名": f"{municipality.prefecture}{municipality.name}",
    }


def _phone(suffix: str) -> str:
    return f"0824-00-{suffix}"


def facilities(municipality: Municipality) -> list[dict[str, str]]:
    """01 公共施設一覧 of the demo town."""
    return [
        {
            **_common(municipality, "01", sid),
            "名称": name,
            "名称_カナ": kana,
            **_place(code),
            "建物名等(方書)": building,
            "電話番号": _phone(phone),
            "利用可能曜日": days,
            "開始時間": opens,
            "終了時間": closes,
            "バリアフリートイレ": "有",
            "備考": NOTE,
        }
        for sid, name, kana, code, building, days, opens, closes, phone in FACILITIES
    ]


def evacuation_sites(municipality: Municipality) -> list[dict[str, str]]:
    """03 指定緊急避難場所一覧 of the demo town."""
    flag = {True: "1", False: ""}
    return [
        {
            **_common(municipality, "03", sid),
            "名称": name,
            "名称_カナ": kana,
            **_place(code),
            "災害種別_洪水": flag[flood],
            "災害種別_崖崩れ、土石流及び地滑り": flag[slide],
            "災害種別_地震": flag[quake],
            "災害種別_大規模な火事": flag[fire],
            "想定収容人数": str(capacity),
            "対象となる町会・自治会": _district(code)[1],
            "備考": NOTE,
        }
        for sid, name, kana, code, capacity, flood, slide, quake, fire in EVACUATION
    ]


def aeds(municipality: Municipality) -> list[dict[str, str]]:
    """08 AED設置箇所一覧 of the demo town."""
    return [
        {
            **_common(municipality, "08", sid),
            "名称": name,
            "名称_カナ": kana,
            **_place(code),
            "設置位置": where,
            "電話番号": _phone(phone),
            "備考": NOTE,
        }
        for sid, name, kana, code, where, phone in AEDS
    ]


def events(municipality: Municipality) -> list[dict[str, str]]:
    """12 イベント一覧 of the demo town."""
    return [
        {
            **_common(municipality, "12", sid),
            "イベント名": name,
            "イベント名_カナ": kana,
            "開始日": start,
            "終了日": end,
            "開始時間": opens,
            "終了時間": closes,
            "概要": summary,
            "場所名称": place,
            **_place(code),
            "定員": capacity,
            "主催者": "緑川市",
            "備考": NOTE,
        }
        for sid, name, kana, start, end, opens, closes, place, code, summary, capacity in EVENTS
    ]


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _band(age: int) -> str:
    return AGE_BANDS[min(age // 5, len(AGE_BANDS) - 1)]


def population(municipality: Municipality, on: date = POPULATION_DATE) -> list[dict[str, str]]:
    """04 地域・年齢別人口: residents registered on `on`, by district, sex and five-year band, from the registry."""
    residents = (
        Person.objects.filter(municipality=municipality, birth_date__lte=on)
        .exclude(registered_on__gt=on)
        .exclude(removed_on__lte=on)
        .values_list("household__district__code", "sex", "birth_date")
    )
    counts: Counter[tuple[str, str, str]] = Counter()
    totals: Counter[tuple[str, str]] = Counter()
    for code, sex, birth in residents:
        label = "男性" if sex == Person.Sex.MALE else "女性"
        counts[(code, _band(_age(birth, on)), label)] += 1
        totals[(code, label)] += 1
    households = Counter(
        Household.objects.filter(municipality=municipality)
        .exclude(registered_on__gt=on)
        .exclude(removed_on__lte=on)
        .values_list("district__code", flat=True)
    )
    rows = []
    for code, name, *_rest in DISTRICTS:
        men, women = totals[(code, "男性")], totals[(code, "女性")]
        if men + women == 0:
            continue
        row = {
            "全国地方公共団体コード": municipality.code,
            "地域コード": code,
            "地方公共団体名": f"{municipality.prefecture}{municipality.name}",
            "調査年月日": on.isoformat(),
            "地域名": name,
            "総人口": str(men + women),
            "男性": str(men),
            "女性": str(women),
        }
        for band in AGE_BANDS:
            for label in ("男性", "女性"):
                row[f"{band}の{label}"] = str(counts[(code, band, label)])
        row["世帯数"] = str(households[code])
        row["備考"] = f"住民基本台帳による（{on:%Y年%m月%d日}現在）。{NOTE}"
        rows.append(row)
    return rows


def _csv(rows: list[dict[str, str]]) -> bytes:
    header: list[str] = []
    for row in rows:
        header += [key for key in row if key not in header]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def load_opendata_demo(municipality: Municipality) -> list[Dataset]:
    """Publish the demo town's standard datasets once; returns the datasets made ([] when already there)."""
    made: list[Dataset] = []
    builders: dict[str, Callable[[Municipality], list[dict[str, str]]]] = {
        "public_facility": facilities,
        "evacuation_space": evacuation_sites,
        "aed": aeds,
        "population": population,
        "event": events,
    }
    with tempfile.TemporaryDirectory() as tmp:
        for kind in KINDS:
            name = f"{municipality.code}-{kind.replace('_', '-')}"
            if Dataset.objects.filter(name=name).exists():
                continue
            rows = builders[kind](municipality)
            if not rows:
                continue
            path = Path(tmp) / f"{municipality.code}_{kind}.csv"
            path.write_bytes(_csv(rows))
            outcome = import_file(municipality, path, kind, by=ACTOR, name=name, publish_now=True)
            made.append(outcome.dataset)
    return made


def publish_census_tables(survey: Survey) -> list[Dataset]:
    """Publish the census tables of the latest finished run that passed the disclosure check (each once).

    A table already published for this survey (by an earlier load or by staff) is left alone, as is a table
    whose disclosure check failed: the demo publishes only what a survey manager could publish.
    """
    run = evidence_queries.latest_run(survey)
    if run is None or run.status != EvidenceRun.Status.DONE or not run.result:
        return []
    published = set(PublishedTable.objects.filter(survey=survey).values_list("table", flat=True))
    made = []
    for name, table in sorted(run.result.get("tables", {}).items()):
        if table.get("passed") and name not in published:
            made.append(publish_table(survey, name, by=ACTOR, run=run).dataset)
    return made
