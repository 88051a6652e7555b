"""Finding 7 (core part): `make demo` serves with debug off, so an anonymous visitor never sees Django's debug page
(the served pages themselves are checked through real gunicorn in test_worker_supervision.py)."""

from __future__ import annotations

from pathlib import Path

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


def demo_recipe() -> list[str]:
    lines = MAKEFILE.read_text(encoding="utf-8").splitlines()
    start = lines.index("demo: install")
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def test_the_demo_runs_with_debug_off_and_collects_static_files_before_serving() -> None:
    recipe = demo_recipe()
    assert recipe, "the Makefile has no demo recipe"
    assert not any("CHIIKI_DEBUG" in line for line in recipe)
    collect = next(n for n, line in enumerate(recipe) if "collectstatic" in line)
    serve = next(n for n, line in enumerate(recipe) if " serve " in line)
    assert collect < serve
