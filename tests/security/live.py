"""A database of its own for tests that start real `chiiki` processes (worker, serve, backup, restore).

The test database of pytest-django lives in a transaction those processes cannot see, so these tests migrate a
throwaway database instead: a SQLite file in a temporary folder, or, when the suite runs on PostgreSQL
(CHIIKI_DATABASE_URL names one), a database `<name>_live_<pid>` on the same server, dropped at the end.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit


@dataclass
class LiveDatabase:
    """A migrated database that subprocesses reach through `env`, and that the test can query directly."""

    url: str
    folder: Path

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items() if k not in {"CHIIKI_SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
        }
        env.update(
            {
                "CHIIKI_DATABASE_URL": self.url,
                "CHIIKI_VAR_DIR": str(self.folder / "var"),
                "CHIIKI_MEDIA_ROOT": str(self.folder / "media"),
                "CHIIKI_SECURE": "0",
                "CHIIKI_DEBUG": "0",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(extra)
        return env

    def chiiki(self, *args: str, check: bool = True, **extra: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "chiiki", *args],
            env=self.env(**extra),
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"chiiki {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one read-only query (use %s placeholders) outside Django."""
        if self.is_sqlite:
            with contextlib.closing(sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30)) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(self.url) as db:
            return db.execute(sql, params).fetchall()  # type: ignore[arg-type]


def _postgres_base() -> str | None:
    url = os.environ.get("CHIIKI_DATABASE_URL", "")
    return url if url.startswith("postgres") else None


@contextlib.contextmanager
def live_database(folder: Path, suffix: str = "live") -> Iterator[LiveDatabase]:
    """A freshly migrated throwaway database (see the module docstring)."""
    base = _postgres_base()
    if base is None:
        database = LiveDatabase(f"sqlite:///{folder / 'live.sqlite3'}", folder)
        database.chiiki("migrate", "--no-input", "-v", "0")
        yield database
        return
    name = f"{urlsplit(base).path.lstrip('/')}_{suffix}_{os.getpid()}"
    with admin_connection(base) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        database = LiveDatabase(database_url(base, name), folder)
        database.chiiki("migrate", "--no-input", "-v", "0")
        yield database
    finally:
        drop_database(base, name)


def database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.contextmanager
def admin_connection(base: str) -> Iterator[Any]:
    import psycopg

    with psycopg.connect(database_url(base, "postgres"), autocommit=True) as admin:
        yield admin


def drop_database(base: str, name: str) -> None:
    with admin_connection(base) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
