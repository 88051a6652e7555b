"""Where the `chiiki` command writes, and how it behaves on a SQLite file (issue 13, findings 4 and 11).

Each test runs the real console script in a subprocess, from an empty working directory, on SQLite (the
variable naming a PostgreSQL database is removed): these are SQLite's settings and the data directory's rules.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def chiiki(*args: str, cwd: Path, var_dir: Path | None, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"CHIIKI_DATABASE_URL", "CHIIKI_VAR_DIR"}}
    env.pop("CHIIKI_SECRET_KEY", None)
    if var_dir is not None:
        env["CHIIKI_VAR_DIR"] = str(var_dir)
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-m", "chiiki", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def files_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def test_a_command_that_needs_no_database_leaves_no_file_anywhere(tmp_path: Path) -> None:
    work, var = tmp_path / "work", tmp_path / "data"
    work.mkdir()
    table = tmp_path / "table.csv"
    table.write_text("名称,緯度,経度\n役場,34.39,132.50\n", encoding="utf-8")
    done = chiiki("opendata", "validate", str(table), cwd=work, var_dir=var)
    assert "Traceback" not in done.stderr, done.stderr
    assert files_under(work) == []
    assert not var.exists()
    # Without CHIIKI_VAR_DIR the data directory is never the working directory either.
    done = chiiki("opendata", "validate", str(table), cwd=work, var_dir=None)
    assert "Traceback" not in done.stderr, done.stderr
    assert files_under(work) == []


def test_commands_that_need_the_database_use_the_configured_data_directory(tmp_path: Path) -> None:
    work, var = tmp_path / "work", tmp_path / "data"
    work.mkdir()
    done = chiiki("migrate", "--no-input", "-v", "0", cwd=work, var_dir=var)
    assert done.returncode == 0, done.stderr
    assert files_under(work) == []
    assert (var / "chiiki.sqlite3").is_file()
    assert not (var / "secret_key").exists()  # migrating signs nothing
    done = chiiki("shell", "-c", "from django.core import signing; signing.dumps(1)", cwd=work, var_dir=var)
    assert done.returncode == 0, done.stderr
    assert (var / "secret_key").stat().st_mode & 0o777 == 0o600
    assert files_under(work) == []


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite data directory shared by the tests below (migrating takes a while)."""
    var = tmp_path_factory.mktemp("sqlite-data")
    done = chiiki("migrate", "--no-input", "-v", "0", cwd=var, var_dir=var)
    assert done.returncode == 0, done.stderr
    return var


PRAGMAS = (
    "from django.db import connection; c = connection.cursor(); "
    "print(c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA busy_timeout').fetchone()[0], "
    "connection.transaction_mode)"
)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_immediate_transactions(migrated: Path) -> None:
    done = chiiki("shell", "-v", "0", "-c", PRAGMAS, cwd=migrated, var_dir=migrated)
    assert done.stdout.split() == ["wal", "30000", "IMMEDIATE"], done.stderr
    done = chiiki(
        "shell", "-v", "0", "-c", PRAGMAS, cwd=migrated, var_dir=migrated, CHIIKI_SQLITE_BUSY_TIMEOUT="5"
    )
    assert done.stdout.split() == ["wal", "5000", "IMMEDIATE"], done.stderr


def _hold_write_lock(database: Path, until: threading.Event, held: threading.Event) -> None:
    holder = sqlite3.connect(database, timeout=30, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE django_migrations SET name = name WHERE id = 1")
    held.set()
    until.wait(60)
    holder.execute("COMMIT")
    holder.close()


def test_a_second_writer_waits_for_the_lock_instead_of_failing(migrated: Path) -> None:
    release, held = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(migrated / "chiiki.sqlite3", release, held))
    holder.start()
    held.wait(30)
    # The command starts while another process holds the write lock; it is released a moment later.
    timer = threading.Timer(2.0, release.set)
    timer.start()
    try:
        done = chiiki("municipalities", "load", cwd=migrated, var_dir=migrated)
    finally:
        release.set()
        holder.join()
    assert done.returncode == 0, done.stderr
    assert "locked" not in done.stderr


def test_a_lock_held_past_the_busy_timeout_is_reported_as_busy_not_as_a_missing_migration(
    migrated: Path,
) -> None:
    release, held = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(migrated / "chiiki.sqlite3", release, held))
    holder.start()
    held.wait(30)
    try:
        done = chiiki(
            "municipalities", "load", cwd=migrated, var_dir=migrated, CHIIKI_SQLITE_BUSY_TIMEOUT="0.2"
        )
    finally:
        release.set()
        holder.join()
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "Database busy" in done.stderr
    assert "chiiki migrate" not in done.stderr


def test_an_unmigrated_database_is_still_told_to_migrate(tmp_path: Path) -> None:
    done = chiiki("municipalities", "load", cwd=tmp_path, var_dir=tmp_path)
    assert done.returncode == 1
    assert "chiiki migrate" in done.stderr
    assert "Traceback" not in done.stderr
