"""The grid engine on frames: measurement logs read and cleaned, evidence per cell, population coverage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from chiiki.coverage.grid import (
    MeasurementFileError,
    aggregate_measurements,
    assess,
    cell_status,
    measurement_verdicts,
    population_coverage,
    read_measurements,
    report_counts,
    to_meshcode,
)

HEADER = "measured_at,latitude,longitude,carrier,technology,rsrp,rsrq,sinr,download_mbps,upload_mbps\n"


def _log(rows: list[str]) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def test_a_log_in_the_documented_layout_is_read_in_utc() -> None:
    data = _log(["2026-11-03 10:00:00,34.41,132.52,ドコモ,LTE,-98,-11,12,35.5,8.1"])
    cleaned = read_measurements(data)
    row = cleaned.frame.row(0, named=True)
    assert row["carrier"] == "docomo"
    assert row["technology"] == "4G"
    assert row["measured_at"] == datetime(2026, 11, 3, 1, 0, tzinfo=UTC)  # 10:00 JST
    assert row["rsrp"] == -98.0


def test_japanese_headers_and_shift_jis_are_read() -> None:
    text = "日時,緯度,経度,事業者,方式,RSRP\n2026/11/03 10:00,34.41,132.52,楽天モバイル,圏外,\n"
    cleaned = read_measurements(text.encode("cp932"))
    assert cleaned.frame.row(0, named=True)["technology"] == "none"
    assert cleaned.frame.row(0, named=True)["carrier"] == "rakuten"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            ["2026-11-03 10:00:00,34.41,132.52,ワイファイ,4G,-98,,,,"],
            "2 行目の carrier 列: 「ワイファイ」を読めません",
        ),
        (
            [
                "2026-11-03 10:00:00,34.41,132.52,au,4G,-98,,,,",
                "2026-11-03 10:00:01,north,132.52,au,4G,-98,,,,",
            ],
            "3 行目の latitude 列",
        ),
        (["yesterday,34.41,132.52,au,4G,-98,,,,"], "2 行目の measured_at 列"),
        (["2026-11-03 10:00:00,34.41,132.52,au,6G,-98,,,,"], "2 行目の technology 列"),
        (["2026-11-03 10:00:00,,132.52,au,4G,-98,,,,"], "2 行目の latitude 列: 空です"),
        (["2026-11-03 10:00:00,132.52,34.41,au,4G,-98,,,,"], "緯度と経度の列が逆"),
    ],
)
def test_structural_problems_refuse_the_whole_file_naming_row_and_column(
    rows: list[str], message: str
) -> None:
    with pytest.raises(MeasurementFileError, match=message) as refused:
        read_measurements(_log(rows))
    assert "何も取り込んでいません" in str(refused.value)


def test_a_file_without_the_required_columns_is_refused() -> None:
    with pytest.raises(MeasurementFileError, match="必要な列がありません: latitude"):
        read_measurements(b"time,lon,carrier,technology\n2026-11-03 10:00:00,132.5,au,4G\n")


def test_a_spreadsheet_is_refused_by_the_table_reader() -> None:
    with pytest.raises(MeasurementFileError):
        read_measurements(b"PK\x03\x04" + b"\x00" * 200)


def test_noise_is_cleaned_and_counted() -> None:
    start = datetime(2026, 11, 3, 10, 0, 0, tzinfo=UTC)  # written without zone: read as JST, fine here
    rows = []
    for i in range(6):  # a car at about 36 km/h going east
        stamp = (start + timedelta(seconds=10 * i)).strftime("%Y-%m-%d %H:%M:%S")
        rows.append(f"{stamp},34.4100,{132.5200 + 0.001 * i:.4f},au,4G,-100,-10,5,20,5")
    rows.insert(3, rows[2])  # a duplicate sample
    rows.insert(5, "2026-11-03 10:00:25,35.9000,139.7000,au,4G,-100,-10,5,20,5")  # GPS jump to Tokyo and back
    rows.append("2026-11-03 10:02:00,34.4100,132.5300,au,4G,-30,-10,5,20,5")  # RSRP above any phone's range
    rows.append("2026-11-03 10:03:00,0,0,au,4G,-100,-10,5,20,5")  # no GPS fix
    cleaned = read_measurements(_log(rows))
    assert cleaned.frame.height == 6
    assert cleaned.dropped == {"日本の範囲外の位置": 1, "ありえない測定値": 1, "重複": 1, "GPS の飛び": 1}
    assert "6 件を取り込みました" in cleaned.summary()


def _samples(
    mesh_point: tuple[float, float], carrier: str, technologies: list[str], rsrp: float = -100
) -> pl.DataFrame:
    lat, lon = mesh_point
    return pl.DataFrame(
        {
            "latitude": [lat] * len(technologies),
            "longitude": [lon] * len(technologies),
            "carrier": [carrier] * len(technologies),
            "technology": technologies,
            "rsrp": [rsrp if t != "none" else None for t in technologies],
            "download_mbps": [10.0] * len(technologies),
        }
    )


GOOD = (34.4101, 132.5201)
BAD = (34.4301, 132.5401)


def test_cells_get_a_verdict_from_enough_samples() -> None:
    frame = pl.concat(
        [_samples(GOOD, "au", ["4G", "4G", "5G", "4G"]), _samples(BAD, "au", ["none", "none", "4G"])]
    )
    verdicts = measurement_verdicts(aggregate_measurements(frame, level=4))
    by_key = {(r["mesh"], r["technology"]): r["measured"] for r in verdicts.iter_rows(named=True)}
    good, bad = to_meshcode(*GOOD, 4), to_meshcode(*BAD, 4)
    assert by_key[(good, "4G")] == "covered"
    assert by_key[(good, "5G")] == "unknown"  # 1 of 4 samples had 5G
    assert by_key[(bad, "4G")] == "dead"
    assert by_key[(bad, "5G")] == "dead"


def test_two_samples_say_nothing() -> None:
    verdicts = measurement_verdicts(aggregate_measurements(_samples(BAD, "au", ["none", "none"]), level=5))
    assert set(verdicts["measured"]) == {"unknown"}


def test_independent_households_confirm_a_dead_zone_and_one_household_does_not() -> None:
    mesh = to_meshcode(*GOOD, 5)
    reports = pl.DataFrame(
        {
            "mesh": [mesh, mesh, mesh],
            "carrier": ["docomo"] * 3,
            "technology": ["4G"] * 3,
            "reporter": ["house-1", "house-1", "house-2"],
        }
    )
    counted = report_counts(reports, 4)
    assert counted.row(0, named=True)["reporters"] == 2
    status = cell_status(pl.DataFrame(), counted)
    assert status.row(0, named=True)["status"] == "dead"
    assert status.row(0, named=True)["evidence"] == "住民の報告"
    one_house = report_counts(reports.filter(pl.col("reporter") == "house-1"), 4)
    assert cell_status(pl.DataFrame(), one_house).row(0, named=True)["status"] == "unknown"


def test_population_coverage_is_a_range_and_assessed_against_the_target() -> None:
    good, bad, unknown = to_meshcode(*GOOD, 4), to_meshcode(*BAD, 4), to_meshcode(34.45, 132.56, 4)
    population = pl.DataFrame({"area": ["A"] * 3, "mesh": [good, bad, unknown], "population": [900, 50, 50]})
    status = pl.DataFrame(
        {
            "mesh": [good, bad],
            "carrier": ["au", "au"],
            "technology": ["4G", "4G"],
            "status": ["covered", "dead"],
        }
    )
    result = population_coverage(population, status, carriers=["au"], technologies=("4G",)).row(0, named=True)
    assert (result["population"], result["covered"], result["dead"], result["unknown"]) == (1000, 900, 50, 50)
    assert result["lower_percent"] == pytest.approx(90.0)
    assert result["upper_percent"] == pytest.approx(95.0)
    assert assess(result["lower_percent"], result["upper_percent"], 99.0) == "not_met"
    assert assess(result["lower_percent"], result["upper_percent"], 90.0) == "met"
    assert assess(result["lower_percent"], result["upper_percent"], 92.0) == "undetermined"


def test_a_file_in_no_known_encoding_is_refused_naming_the_line() -> None:
    data = HEADER.encode() + b"2026-11-03 10:00:00,34.4,132.5,au,4G,,,,,\n\xff\xfd\xfc\x80\x80,1,2,3,4\n"
    with pytest.raises(MeasurementFileError, match="3 行目が読めません"):
        read_measurements(data)


def test_the_vectorised_counts_equal_a_row_by_row_count_at_both_levels() -> None:
    """Exactness: every (cell, carrier) count of `aggregate_levels` equals the count made one sample at a time
    with the scalar `to_meshcode`, at 250 m and at 500 m (the 500 m counts are sums of the 250 m groups)."""
    import random

    from chiiki.coverage.grid import RSRP_USABLE, aggregate_levels

    rng = random.Random(16)
    carriers, technologies = ["docomo", "au", "softbank", "rakuten"], ["5G", "4G", "none"]
    rows = []
    for _ in range(3000):
        lat, lon = 34.40 + rng.random() * 0.02, 132.50 + rng.random() * 0.03
        rsrp = None if rng.random() < 0.1 else rng.uniform(-140, -70)
        download = None if rng.random() < 0.2 else rng.uniform(0, 100)
        rows.append((lat, lon, rng.choice(carriers), rng.choice(technologies), rsrp, download))
    frame = pl.DataFrame(
        rows,
        schema=["latitude", "longitude", "carrier", "technology", "rsrp", "download_mbps"],
        orient="row",
    )
    levels = aggregate_levels(frame, (5, 4))
    for level in (5, 4):
        expected: dict[tuple[str, str], list[float]] = {}
        for lat, lon, carrier, technology, rsrp, download in rows:
            counts = expected.setdefault((to_meshcode(lat, lon, level), carrier), [0, 0, 0, 0, 0, 0, 0, 0.0])
            counts[0] += 1
            counts[1] += technology == "5G"
            counts[2] += technology in ("4G", "5G")
            counts[3] += technology == "none"
            counts[4] += rsrp is not None
            counts[5] += rsrp is not None and rsrp >= RSRP_USABLE
            counts[6] += download is not None
            counts[7] += download or 0.0
        got = {(r["mesh"], r["carrier"]): r for r in levels[level].iter_rows(named=True)}
        assert set(got) == set(expected)
        for key, counts in expected.items():
            row = got[key]
            names = [
                "samples",
                "samples_5g",
                "samples_service",
                "samples_none",
                "rsrp_readings",
                "rsrp_usable",
            ]
            assert [row[name] for name in [*names, "download_readings"]] == counts[:7], key
            mean = counts[7] / counts[6] if counts[6] else None
            assert row["download_mean"] == pytest.approx(mean), key
    as_enums = frame.with_columns(  # columns typed as Enums (as a large import holds them) count the same
        pl.col("carrier").cast(pl.Enum(carriers)), pl.col("technology").cast(pl.Enum(technologies))
    )
    assert (
        aggregate_measurements(as_enums, level=5)
        .drop("download_mean")
        .sort("mesh", "carrier")
        .equals(levels[5].drop("download_mean").sort("mesh", "carrier"))
    )
    direct = aggregate_measurements(frame, level=4).drop("download_mean").sort("mesh", "carrier")
    assert levels[4].drop("download_mean").sort("mesh", "carrier").equals(direct)


def test_a_cell_with_mostly_weak_rsrp_is_not_covered() -> None:
    weak = _samples(GOOD, "au", ["4G", "4G", "4G"], rsrp=-125)
    verdicts = measurement_verdicts(aggregate_measurements(weak, level=5))
    assert set(verdicts.filter(pl.col("technology") == "4G")["measured"]) == {"unknown"}


def test_a_group_too_large_to_pack_is_counted_column_by_column(monkeypatch: pytest.MonkeyPatch) -> None:
    from chiiki.coverage.grid import _aggregate

    frame = pl.concat([_samples(GOOD, "au", ["4G", "5G", "none"] * 3), _samples(BAD, "au", ["4G"])])
    packed = aggregate_measurements(frame, level=5).sort("mesh")
    monkeypatch.setattr(_aggregate, "_FIELD", 4)  # 9 samples in one cell: more than a 2-bit field holds
    unpacked = aggregate_measurements(frame, level=5).sort("mesh")
    assert unpacked.equals(packed)
    assert unpacked["samples_5g"].to_list() == [3, 0] or unpacked["samples_5g"].to_list() == [0, 3]
