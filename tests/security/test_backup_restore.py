"""Backups that are proven: `chiiki backup` of a live database, `chiiki restore` into a fresh one, and the restored
database has every row and an intact audit chain (SQLite's online backup, or pg_dump/pg_restore on PostgreSQL)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .live import LiveDatabase, admin_connection, database_url, drop_database, live_database

pytestmark = pytest.mark.slow

SOME_WORK = """
from chiiki.core import audit
from chiiki.core.acting import Actor
for n in range(30):
    audit.record("registry.viewed", by=Actor.system("test"), municipality="343021", detail={"n": n})
    audit.record("core.login_failed", by=Actor.system(f"guess{n}"))
"""


@pytest.fixture
def source(tmp_path: Path) -> Iterator[LiveDatabase]:
    folder = tmp_path / "source"
    folder.mkdir()
    with live_database(folder, "backup") as live:
        live.chiiki("municipalities", "load")
        live.chiiki(
            "staff", "add", "--municipality", "343021", "--username", "a-admin", "--role", "administrator",
            "--generate-password",
        )  # fmt: skip
        live.chiiki("shell", "-v", "0", "-c", SOME_WORK)
        yield live


@pytest.fixture
def fresh(tmp_path: Path, source: LiveDatabase) -> Iterator[LiveDatabase]:
    """An empty database to restore into (never migrated)."""
    folder = tmp_path / "fresh"
    folder.mkdir()
    if source.is_sqlite:
        yield LiveDatabase(f"sqlite:///{folder / 'restored.sqlite3'}", folder)
        return
    base = os.environ["CHIIKI_DATABASE_URL"]
    name = f"{urlsplit(base).path.lstrip('/')}_restored_{os.getpid()}"
    with admin_connection(base) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield LiveDatabase(database_url(base, name), folder)
    finally:
        drop_database(base, name)


def counts(database: LiveDatabase, tables: list[str]) -> dict[str, int]:
    return {table: database.query(f'SELECT COUNT(*) FROM "{table}"')[0][0] for table in tables}  # noqa: S608


def test_a_backup_restores_into_a_fresh_database_with_every_row_and_an_intact_audit_chain(
    source: LiveDatabase, fresh: LiveDatabase, tmp_path: Path
) -> None:
    dump = tmp_path / "backups" / "chiiki.backup"
    done = source.chiiki("backup", str(dump))
    assert "backed up" in done.stdout
    manifest = json.loads((dump.parent / "chiiki.backup.manifest.json").read_text(encoding="utf-8"))
    assert manifest["row_counts"]["core_municipality"] > 1700
    assert manifest["audit_chain_heads"]["343021"]["seq"] >= 30

    restored = fresh.chiiki("restore", str(dump))
    assert "row counts and audit chains match" in restored.stdout
    tables = ["core_municipality", "core_user", "core_membership", "core_auditevent", "django_migrations"]
    assert counts(fresh, tables) == counts(source, tables)
    verified = fresh.chiiki("audit", "verify", "--against", str(dump.parent / "chiiki.backup.manifest.json"))
    assert "every chain is intact" in verified.stdout
    # A restore never goes into a database that already holds data.
    again = fresh.chiiki("restore", str(dump), check=False)
    assert again.returncode == 1
    assert "not empty" in again.stderr


def test_a_damaged_backup_is_refused_before_anything_is_written(
    source: LiveDatabase, fresh: LiveDatabase, tmp_path: Path
) -> None:
    dump = tmp_path / "chiiki.backup"
    source.chiiki("backup", str(dump))
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    refused = fresh.chiiki("restore", str(dump), check=False)
    assert refused.returncode == 1
    assert "SHA-256" in refused.stderr
    assert "Traceback" not in refused.stderr
