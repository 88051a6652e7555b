"""21 バス情報: GTFS-JP zips checked file by file, with the references between files."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from chiiki.opendata.engine import GTFS_MAX_PER_CHECK, validate_file

FEED = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone,agency_lang\n"
    "8000020352012,下関市交通局,https://example.jp/,Asia/Tokyo,ja\n",
    "agency_jp.txt": "agency_id,agency_official_name\n8000020352012,下関市\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
    "S1,下関駅,33.9500,130.9210\nS2,唐戸,33.9570,130.9410\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\n"
    "R1,8000020352012,1,下関駅～唐戸,3\n",
    "trips.txt": "route_id,service_id,trip_id\nR1,平日,T1\nR1,土日,T2\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    "T1,7:00:00,7:00:00,S1,1\nT1,7:10:00,7:10:00,S2,2\n"
    "T2,24:30:00,24:30:00,S1,1\nT2,24:40:00,24:40:00,S2,2\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
    "平日,1,1,1,1,1,0,0,20250401,20260331\n",
    "calendar_dates.txt": "service_id,date,exception_type\n土日,20250405,1\n",
    "feed_info.txt": "feed_publisher_name,feed_publisher_url,feed_lang\n下関市,https://example.jp/,ja\n",
}


def feed(tmp_path: Path, name: str = "feed.zip", folder: str = "", **changes: str | None) -> Path:
    """Write a GTFS-JP zip: the valid FEED with files replaced (text) or left out (None)."""
    files = {**FEED, **{k.replace("_txt", ".txt"): v for k, v in changes.items()}}
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        for file_name, text in files.items():
            if text is not None:
                archive.writestr(folder + file_name, text.encode("utf-8"))
    return path


def errors(path: Path) -> set[tuple[int | None, str | None, str]]:
    report = validate_file(path).report
    return {(p.row, p.column, p.code) for p in report.problems if p.severity == "error"}


def test_valid_feed_is_recognized_as_bus_information(tmp_path: Path) -> None:
    result = validate_file(feed(tmp_path))
    assert result.report.dataset_id == "bus"
    assert result.report.valid, result.report.to_text()
    assert result.report.rows == sum(text.count("\n") - 1 for text in FEED.values())


def test_feed_in_a_folder_inside_the_zip_is_read(tmp_path: Path) -> None:
    assert validate_file(feed(tmp_path, folder="gtfs/")).report.valid


def test_missing_required_files_are_errors(tmp_path: Path) -> None:
    found = errors(feed(tmp_path, feed_info_txt=None, calendar_txt=None, calendar_dates_txt=None))
    assert (None, "feed_info.txt", "missing_file") in found
    assert (None, "calendar.txt", "missing_file") in found
    # Without any calendar, trips' services cannot be checked, and are not reported twice.
    assert not any(code == "unknown_reference" for _, _, code in found)


def test_values_are_checked_with_row_and_column(tmp_path: Path) -> None:
    path = feed(
        tmp_path,
        stops_txt="stop_id,stop_name,stop_lat,stop_lon\nS1,下関駅,130.92,33.95\nS2,,33.957,130.941\n",
        stop_times_txt="trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "T1,7時,7:00:00,S1,1\nT1,7:10:00,7:10:00,S2,x\nT2,8:00:00,8:00:00,S1,1\nT2,8:10:00,8:10:00,S2,2\n",
        calendar_txt="service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
        "平日,1,1,1,1,1,0,2,20250401,20250231\n",
    )
    assert errors(path) == {
        (2, "stops.txt: stop_lat", "out_of_range"),
        (2, "stops.txt: stop_lon", "out_of_range"),
        (3, "stops.txt: stop_name", "required"),
        (2, "stop_times.txt: arrival_time", "bad_time"),
        (3, "stop_times.txt: stop_sequence", "bad_int"),
        (2, "calendar.txt: sunday", "bad_flag"),
        (2, "calendar.txt: end_date", "bad_date"),
    }


def test_references_between_files_and_duplicate_ids(tmp_path: Path) -> None:
    path = feed(
        tmp_path,
        stops_txt="stop_id,stop_name,stop_lat,stop_lon\nS1,下関駅,33.95,130.92\nS1,唐戸,33.957,130.941\n",
        trips_txt="route_id,service_id,trip_id\nR9,平日,T1\nR1,祝日,T2\n",
        routes_txt="route_id,agency_id,route_type\nR1,other-agency,3\n",
    )
    assert errors(path) == {
        (3, "stops.txt: stop_id", "duplicate"),
        (2, "trips.txt: route_id", "unknown_reference"),
        (3, "trips.txt: service_id", "unknown_reference"),
        (2, "routes.txt: agency_id", "unknown_reference"),
        (1, "routes.txt", "missing_column"),  # neither route_short_name nor route_long_name
        (3, "stop_times.txt: stop_id", "unknown_reference"),  # S2 no longer exists
        (5, "stop_times.txt: stop_id", "unknown_reference"),
    }


def test_many_bad_cells_are_listed_up_to_a_limit_and_counted(tmp_path: Path) -> None:
    n = GTFS_MAX_PER_CHECK + 30
    rows = "".join(f"T1,7:00,7:00:00,S1,{i}\n" for i in range(n))
    path = feed(tmp_path, stop_times_txt="trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + rows)
    problems = [p for p in validate_file(path).report.problems if p.code == "bad_time"]
    assert len(problems) == GTFS_MAX_PER_CHECK + 1
    assert "ほかに 30 行" in problems[-1].message


def test_non_utf8_file_and_broken_zip_are_reported_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "sjis.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in FEED.items():
            archive.writestr(name, text.encode("cp932") if name == "stops.txt" else text.encode())
    assert (None, "stops.txt", "encoding") in errors(path)
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    assert not validate_file(junk, "bus").report.valid


def test_bus_dataset_on_a_csv_says_gtfs_is_expected(tmp_path: Path) -> None:
    path = tmp_path / "bus.csv"
    path.write_text("stop_id,stop_name\nS1,下関駅\n", encoding="utf-8")
    report = validate_file(path, "bus").report
    assert not report.valid
    assert "GTFS-JP" in report.problems[0].message


@pytest.mark.parametrize(("broken", "code"), [(False, 0), (True, 1)])
def test_cli_validates_a_feed_without_naming_the_dataset(tmp_path: Path, broken: bool, code: int) -> None:
    path = feed(tmp_path, feed_info_txt=None) if broken else feed(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "chiiki", "opendata", "validate", str(path), "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == code, done.stdout + done.stderr
    assert json.loads(done.stdout)["dataset_id"] == "bus"
