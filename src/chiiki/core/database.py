"""Saying what is wrong with the database in words an operator can act on (used by the `chiiki` command).

A `DatabaseError` has several causes that need different actions: a database never migrated (run `chiiki
migrate`), a server that cannot be reached (check CHIIKI_DATABASE_URL), a SQLite file that another process
kept locked past the busy timeout (wait, or move to PostgreSQL). Telling the operator to migrate when the
database was only busy sends them the wrong way, so `explain` looks before it advises.
"""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

__all__ = ["explain", "is_locked_error", "pending_migrations"]


def is_locked_error(error: BaseException) -> bool:
    """True for SQLite's "database is locked" / "database table is locked"."""
    return "is locked" in str(error).lower()


def pending_migrations() -> list[str] | None:
    """The migrations not yet applied ("app.name"), or None when the database cannot be asked."""
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return None
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def explain(error: BaseException) -> str:
    """Two lines (Japanese, then English) saying what to do about `error`."""
    if is_locked_error(error):
        return (
            "データベースが他の処理に使われていて、待ち時間(CHIIKI_SQLITE_BUSY_TIMEOUT)内に空きませんでした。"
            "しばらくしてからもう一度実行してください。同時に多く書き込む運用では PostgreSQL を使ってください。\n"
            f"Database busy: another process held the SQLite write lock past the busy timeout; try again "
            f"(several writers at once: use PostgreSQL): {error}"
        )
    pending = pending_migrations()
    if pending is None:
        return (
            "データベースに接続できません。CHIIKI_DATABASE_URL とデータベースサーバーの状態を確認してください。\n"
            f"Cannot reach the database (check CHIIKI_DATABASE_URL and the database server): {error}"
        )
    if pending:
        return (
            f"データベースの準備(マイグレーション)が {len(pending)} 件済んでいません。"
            "`chiiki migrate` を実行してください。\n"
            f"Database not migrated ({len(pending)} migrations pending, first {pending[0]}): run `chiiki migrate`. "
            f"({error})"
        )
    return (
        "データベースの操作に失敗しました。詳しくは次の英文を管理者に伝えてください。\n"
        f"Database error (the database is reachable and migrated): {error}"
    )
