"""Django's SQLite backend, making the database file's folder when the database is first opened.

Settings no longer create the data directory at import (a command that needs no database leaves no file
behind), so the folder of the default SQLite file (CHIIKI_VAR_DIR) is made here, by the first command that
really opens the database. The pragmas and the IMMEDIATE transaction mode come from settings.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper


class DatabaseWrapper(SQLiteDatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        name = str(conn_params.get("database", ""))
        if name and name != ":memory:" and not name.startswith("file:"):
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        return super().get_new_connection(conn_params)
