"""Made-up survey answers shaped like a form, for tests and benchmarks (no real person; Django-free)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from chiiki.surveys.xlsform import Field, Form, Node, Section

__all__ = ["generate_answers"]

_WORDS = ("緑川", "商店", "病院", "学校", "役所", "工場", "農園", "自宅", "駅前", "事務所")


def _value(field: Field, form: Form, rng: random.Random) -> Any:
    if field.kind == "integer":
        return rng.randint(0, 99)
    if field.kind == "decimal":
        return round(rng.uniform(10, 200), 1)
    if field.kind == "date":
        return (date(1940, 1, 1) + timedelta(days=rng.randrange(30_000))).isoformat()
    if field.kind in ("select_one", "select_multiple"):
        choices = form.choice_lists.get(field.choice_list or "")
        names = [choice.name for choice in choices.choices] if choices else ["1"]
        if field.kind == "select_one":
            return rng.choice(names)
        return " ".join(rng.sample(names, rng.randint(1, min(3, len(names)))))
    if field.kind == "calculate":
        return str(rng.randint(0, 9))
    return "".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3)))


def _fill(nodes: list[Node], form: Form, rng: random.Random, max_repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for node in nodes:
        if isinstance(node, Section):
            if node.kind == "group":
                out[node.name] = _fill(node.children, form, rng, max_repeat)
            else:
                out[node.name] = [
                    _fill(node.children, form, rng, max_repeat) for _ in range(rng.randint(1, max_repeat))
                ]
        elif node.kind != "note" and rng.random() > 0.05:  # some questions stay unanswered
            out[node.name] = _value(node, form, rng)
    return out


def generate_answers(
    form: Form, households: int, *, seed: int = 0, max_repeat: int = 5
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``households`` made-up (household key, answer dict) pairs, lazily, reproducibly from ``seed``."""
    rng = random.Random(seed)  # noqa: S311 - made-up data, not security
    for number in range(1, households + 1):
        yield f"H{number:07d}", _fill(form.children, form, rng, max_repeat)
