"""Backups that are proven: `chiiki backup` writes the database and a manifest, `chiiki restore` puts it into a
fresh database and checks it against the manifest (row counts of every table, the audit chains).

SQLite is copied with its online backup API (consistent while the server writes); PostgreSQL with `pg_dump
--format=custom` and `pg_restore`. The manifest (`<backup>.manifest.json`) holds the SHA-256 of the backup
file, the row count of every table and the head of every audit chain: a restore refuses a file that does not
match it, and `chiiki audit verify --against <manifest>` later proves that the audit log still passes through
the heads it recorded. Keep the manifests with the backups, off the server.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection, connections

from chiiki.core.audit_chain import heads, verify

__all__ = ["BackupError", "Restored", "backup", "manifest_path", "restore", "table_counts"]


class BackupError(RuntimeError):
    """A backup or restore cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Restored:
    """What a restore found when it compared the restored database with the manifest."""

    tables: int
    rows: int
    count_mismatches: dict[str, tuple[int, int]]
    chain_breaks: list[str]

    @property
    def ok(self) -> bool:
        return not self.count_mismatches and not self.chain_breaks


def manifest_path(backup_file: Path) -> Path:
    return backup_file.with_name(backup_file.name + ".manifest.json")


def table_counts() -> dict[str, int]:
    """Rows in every table of every installed model (and Django's migration record)."""
    tables = sorted({model._meta.db_table for model in apps.get_models()} | {"django_migrations"})
    existing = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table in existing:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - model table names
                counts[table] = int(cursor.fetchone()[0])
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(target: Path) -> dict[str, Any]:
    """Write the database to `target` and its manifest beside it; return the manifest."""
    if target.exists():
        raise BackupError(f"{target} がすでにあります。別の名前にしてください (exists; choose another name)")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Counted before the copy: rows written meanwhile are in the copy but not in the counts, which the restore
    # check allows for (a count may only grow), so a busy server can be backed up.
    counts, chain_heads = table_counts(), heads()
    if connection.vendor == "sqlite":
        _sqlite_copy(Path(connection.settings_dict["NAME"]), target)
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target)])
    manifest = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine": connection.vendor,
        "file": target.name,
        "sha256": _sha256(target),
        "row_counts": counts,
        "audit_chain_heads": chain_heads,
    }
    manifest_path(target).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return manifest


def restore(source: Path) -> Restored:
    """Restore `source` into the configured database, which must be empty; check it against the manifest."""
    manifest = _checked_manifest(source)
    if manifest["engine"] != connection.vendor:
        raise BackupError(
            f"this is a {manifest['engine']} backup; the configured database is {connection.vendor}"
        )
    if "django_migrations" in connection.introspection.table_names():
        raise BackupError(
            "復元先のデータベースが空ではありません。新しいデータベースに復元してください "
            "(the target database is not empty: restore into a new one)"
        )
    if connection.vendor == "sqlite":
        target = Path(connection.settings_dict["NAME"])
        connections.close_all()
        _sqlite_copy(source, target)
    else:
        connections.close_all()
        _run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", _pg_name(), str(source)])
    return _compare(manifest)


def _checked_manifest(source: Path) -> dict[str, Any]:
    path = manifest_path(source)
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{path}: マニフェストを読めません (cannot read the manifest: {error})") from error
    if _sha256(source) != manifest.get("sha256"):
        raise BackupError(
            f"{source} はマニフェストと一致しません。壊れているか差し替えられています "
            "(the file does not match its manifest's SHA-256: damaged or replaced)"
        )
    return manifest


def _compare(manifest: dict[str, Any]) -> Restored:
    counts = table_counts()
    expected: dict[str, int] = manifest["row_counts"]
    mismatches = {
        table: (want, counts.get(table, -1))
        for table, want in expected.items()
        if counts.get(table, -1) < want
    }
    breaks, _checked = verify(against=manifest["audit_chain_heads"])
    return Restored(len(counts), sum(counts.values()), mismatches, [b.describe() for b in breaks])


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while other processes write to `source`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _pg_name() -> str:
    return str(connection.settings_dict["NAME"])


def _run(command: list[str]) -> None:
    """Run pg_dump or pg_restore on the configured PostgreSQL database."""
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(
            f"{command[0]} が見つかりません。postgresql-client を入れてください ({command[0]} not found)"
        )
    settings = connection.settings_dict
    env = {**os.environ, "PGHOST": str(settings.get("HOST") or ""), "PGPORT": str(settings.get("PORT") or "")}
    env.update({"PGUSER": str(settings.get("USER") or ""), "PGPASSWORD": str(settings.get("PASSWORD") or "")})
    if command[0] == "pg_dump":
        command = [*command, _pg_name()]
    done = subprocess.run([program, *command[1:]], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")
