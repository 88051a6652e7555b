"""The architecture rules that `make lint` enforces hold, and the write check catches a misplaced write."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _write_lint() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "lint_model_writes", ROOT / "scripts" / "lint_model_writes.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_module_outside_actions_writes_a_model() -> None:
    assert _write_lint().check(ROOT / "src" / "chiiki") == []


@pytest.mark.parametrize(
    "code",
    [
        "Household.objects.create(code='1')",
        "Household.objects.filter(pk=1).update(address='x')",
        "household.save()",
        "household.save(update_fields=['address'])",
        "household.delete()",
        "Person.objects.bulk_create(rows)",
        "Person.objects.get_or_create(code='1')",
        "cursor.execute('UPDATE registry_person SET sex = 1')",
        "with transaction.atomic():\n    pass",
    ],
)
def test_a_write_in_a_view_fails_the_check(tmp_path: Path, code: str) -> None:
    app = tmp_path / "registry"
    app.mkdir()
    (app / "views.py").write_text(textwrap.dedent(code) + "\n", encoding="utf-8")
    (app / "actions.py").write_text(code + "\n", encoding="utf-8")
    findings = _write_lint().check(tmp_path)
    assert len(findings) == 1
    assert findings[0].startswith("registry/views.py:")


@pytest.mark.parametrize(
    "code",
    [
        "default_storage.save(name, content)",
        "options.update(extra)",
        "super().save(*args, **kwargs)",
        "cursor.execute('SELECT 1')",
        "audit.record('registry.viewed', by=actor)",
    ],
)
def test_reads_and_non_model_calls_pass_the_check(tmp_path: Path, code: str) -> None:
    (tmp_path / "views.py").write_text(code + "\n", encoding="utf-8")
    assert _write_lint().check(tmp_path) == []
