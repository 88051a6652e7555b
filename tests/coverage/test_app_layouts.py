"""Exports of measurement apps (issue 16, point 2): G-NetTrack Pro logs and OpenCellID measurement CSVs are
recognised by their header, turned into the documented layout, and refused with the app's own column names."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.coverage.actions import import_measurement_file
from chiiki.coverage.grid import MeasurementFileError, read_measurements
from chiiki.coverage.models import Measurement, MeasurementImport

DATA = Path(__file__).parent / "data"
GNETTRACK = (DATA / "gnettrack_pro.txt").read_bytes()
OPENCELLID = (DATA / "opencellid_measurements.csv").read_bytes()


def test_a_gnettrack_pro_log_is_read_in_local_time_with_speeds_in_mbps() -> None:
    cleaned = read_measurements(GNETTRACK)
    assert cleaned.layout == "G-NetTrack Pro"
    rows = cleaned.frame.sort("row").to_dicts()
    assert [r["row"] for r in rows] == [2, 3, 4, 6]  # row 5 (HSPA+) is set aside
    first = rows[0]
    assert first["carrier"] == "docomo"
    assert first["technology"] == "4G"
    assert first["measured_at"] == datetime(2026, 11, 3, 1, 15, tzinfo=UTC)  # 10:15 JST
    assert first["rsrp"] == -97.0
    assert first["sinr"] == 12.0
    assert first["download_mbps"] == pytest.approx(35.5)  # 35500 kbit/s
    assert rows[2]["technology"] == "5G"
    assert rows[3]["technology"] == "none"  # "-": the phone had no network
    assert rows[3]["rsrp"] is None
    assert cleaned.dropped["4G・5G 以外の方式(2G・3G)"] == 1
    assert cleaned.summary().startswith("G-NetTrack Pro の形式で5 行を読み、4 件を取り込みました")


def test_an_opencellid_measurement_csv_is_read_in_utc_with_the_carrier_from_mcc_and_mnc() -> None:
    cleaned = read_measurements(OPENCELLID)
    assert cleaned.layout == "OpenCellID"
    rows = cleaned.frame.sort("row").to_dicts()
    assert [(r["carrier"], r["technology"]) for r in rows] == [
        ("softbank", "4G"),
        ("softbank", "4G"),
        ("au", "5G"),
    ]
    assert rows[0]["measured_at"] == datetime(2026, 11, 3, 1, 15, tzinfo=UTC)
    assert rows[0]["rsrp"] == -101.0  # dBm as written
    assert rows[1]["rsrp"] == -103.0  # ASU 37 -> -103 dBm
    assert cleaned.dropped["4G・5G 以外の方式(2G・3G)"] == 1  # the UMTS row


def _replace(data: bytes, old: str, new: str) -> bytes:
    text = data.decode()
    assert old in text
    return text.replace(old, new, 1).encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            _replace(GNETTRACK, "2026.11.03_10.15.05", "03/11/2026"),
            "3 行目の Timestamp 列: 「03/11/2026」を読めません",
        ),
        (
            _replace(GNETTRACK, "NTT DOCOMO\t2\t5G", "Vodafone\t2\t5G"),
            "4 行目の Operatorname 列: 「Vodafone」を読めません",
        ),
        (_replace(GNETTRACK, "\t5G\t", "\tWiMAX\t"), "4 行目の NetworkMode 列: 「WiMAX」を読めません"),
        (_replace(GNETTRACK, "\t35500\t", "\tfast\t"), "2 行目の DL_bitrate 列: 「fast」を読めません"),
        (
            _replace(GNETTRACK, "Timestamp\t", "Time\t"),
            "G-NetTrack Pro の形式ですが、必要な列がありません: timestamp",
        ),
        (_replace(OPENCELLID, "440,50", "310,260"), "4 行目の mcc/mnc 列: 「310-260」を読めません"),
        (_replace(OPENCELLID, ",NR,", ",,"), "4 行目の act 列: 空です"),
        (_replace(OPENCELLID, "34.41,132.52", "north,132.52"), "2 行目の lat 列: 「north」を読めません"),
        (_replace(OPENCELLID, '"2026-11-03 01:15:05.000Z"', "yesterday"), "3 行目の measured_at 列"),
    ],
)
def test_bad_app_exports_are_refused_naming_row_and_the_apps_column(data: bytes, message: str) -> None:
    with pytest.raises(MeasurementFileError) as caught:
        read_measurements(data)
    assert message in str(caught.value)
    assert "何も取り込んでいません" in str(caught.value)


@pytest.mark.django_db
def test_app_exports_are_stored_and_a_bad_one_writes_nothing(placed_town: Municipality) -> None:
    by = Actor.system("test")
    upload = import_measurement_file(placed_town, "gnettrack_pro.txt", GNETTRACK, by=by)
    assert upload.message.startswith("G-NetTrack Pro の形式で")
    assert Measurement.objects.filter(upload=upload).count() == 4
    import_measurement_file(placed_town, "opencellid.csv", OPENCELLID, by=by)
    assert set(Measurement.objects.filter(municipality=placed_town).values_list("carrier", flat=True)) == {
        "docomo",
        "softbank",
        "au",
    }
    before = (Measurement.objects.count(), MeasurementImport.objects.count())
    with pytest.raises(MeasurementFileError):
        import_measurement_file(placed_town, "bad.csv", _replace(OPENCELLID, "440,50", "310,260"), by=by)
    assert (Measurement.objects.count(), MeasurementImport.objects.count()) == before
