"""Lint: only actions write to the database (docs/architecture.md, "Where code lives").

Reads every module under src/chiiki and reports the places outside an action module that write a model:
`transaction.atomic`, `.save()`, `.delete()`, queryset `.update(...)` and `.create(...)` on a manager,
`bulk_create`, `bulk_update`, `get_or_create`, `update_or_create`, and raw INSERT/UPDATE/DELETE SQL.

Allowed writers: `<app>/actions.py` and `<app>/actions/` packages, migrations, the demo loader
(`chiiki/demo/`, which fills a fictional town), and `core/audit.py` (the one writer of the audit log, which
views call for reads of personal data). Static analysis cannot see every write (a manager passed around under
another name); it catches the usual shapes, and the tests' review covers the rest.

Usage: python scripts/lint_model_writes.py [ROOT]   (exit 1 and one line per finding when any is found)
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ALWAYS_WRITES = {"bulk_create", "bulk_update", "get_or_create", "update_or_create", "abulk_create"}
QUERYSET_STARTS = {"objects", "_default_manager", "filter", "exclude", "all", "select_for_update"}
RAW_WRITE = ("INSERT", "UPDATE", "DELETE", "REPLACE", "TRUNCATE")
# core/sessions.py: `session.save()` there signs a cookie; no row is written.
ALLOWED_FILES = {"core/audit.py", "core/sessions.py"}


def allowed(relative: Path) -> bool:
    """True for modules that may write: actions, migrations, the demo loader and the audit writer."""
    parts = relative.parts
    return (
        relative.name == "actions.py"
        or "actions" in parts[:-1]
        or "migrations" in parts
        or parts[:1] == ("demo",)
        or relative.as_posix() in ALLOWED_FILES
    )


def _chain(node: ast.expr) -> list[str]:
    """Attribute and call names along a receiver, innermost last: a.objects.filter(x) → [filter, objects, a]."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names
        else:
            return names


def _is_atomic(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    return (isinstance(target, ast.Attribute) and target.attr == "atomic") or (
        isinstance(target, ast.Name) and target.id == "atomic"
    )


def _write_call(call: ast.Call) -> str | None:
    """The kind of model write this call is, or None."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    name, receiver = func.attr, _chain(func.value)
    if name in ALWAYS_WRITES:
        return name
    only_keywords = not call.args
    if name == "save" and only_keywords and receiver[:1] != ["super"]:
        return ".save()"
    if name == "delete" and only_keywords and receiver[:1] != ["super"]:
        return ".delete()"
    if name in {"update", "create"} and only_keywords and QUERYSET_STARTS & set(receiver):
        return f"queryset .{name}()"
    if name in {"execute", "executemany"} and call.args and _is_raw_write(call.args[0]):
        return "raw SQL write"
    return None


def _is_raw_write(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.lstrip().upper().startswith(RAW_WRITE)
    return False


def findings(path: Path, relative: Path) -> Iterator[str]:
    """One line per write outside an action in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            kind = _write_call(node)
            if kind:
                yield f"{relative}:{node.lineno}: {kind} outside an action"
        if isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if _is_atomic(item.context_expr):
                    yield f"{relative}:{node.lineno}: transaction.atomic outside an action"
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                if _is_atomic(decorator):
                    yield f"{relative}:{decorator.lineno}: @transaction.atomic outside an action"


def check(root: Path) -> list[str]:
    """Every finding under `root` (the chiiki package folder)."""
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if not allowed(relative):
            found.extend(findings(path, relative))
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "src" / "chiiki"
    found = check(root)
    for line in found:
        print(line)
    if found:
        print(
            f"{len(found)} model write(s) outside actions: move them into the app's actions (docs/architecture.md)"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
