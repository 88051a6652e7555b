"""Audit event names are codes for machines: auditors read them in words, in Japanese and in English.

Every event name the code can write is found by reading the source (the first argument of `audit.record` and
of the apps' small audit helpers, conditional names included), so an event added without words fails here.
"""

from __future__ import annotations

import ast
import csv
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from django.test import Client
from django.utils import translation

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.audit_events import event_label, event_labels, object_label
from chiiki.core.models import Municipality, Role, User

SOURCE = Path(__file__).resolve().parents[2] / "src" / "chiiki"
EVENT = re.compile(r"^(core|evidence|fieldwork|linkage|opendata|registry|surveys|talent|sidejob)\.[a-z_]+$")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _strings(node: ast.AST) -> Iterator[str]:
    """String constants a name can evaluate to: a literal, either branch of `a if c else b`, an f-string's text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)


def _function_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _event_names_in(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (
            "audit" in _function_name(node) or _function_name(node) == "record"
        ):
            for argument in node.args[:2]:
                yield from (s for s in _strings(argument) if EVENT.match(s))
        if isinstance(node, ast.Call) and _function_name(node) == "record_change" and len(node.args) > 1:
            yield from (f"opendata.{s}" for s in _strings(node.args[1]))
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "action" for t in node.targets
        ):
            yield from (s for s in _strings(node.value) if EVENT.match(s))


def written_event_names() -> set[str]:
    """Every audit event name the source can write."""
    names: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "migrations" not in path.parts:
            names.update(_event_names_in(ast.parse(path.read_text(encoding="utf-8"))))
    return names


def test_the_source_scan_finds_the_events_written_in_every_way() -> None:
    names = written_event_names()
    # a literal, a conditional name, a helper's argument, the catalog's record_change, a name kept in a variable
    assert {
        "core.login",
        "linkage.review_returned",
        "talent.management_model_proposed",
        "opendata.dataset_published",
        "surveys.answer_submitted",
    } <= names
    assert len(names) > 80


def test_every_event_the_code_writes_has_words_in_japanese_and_english() -> None:
    labels = event_labels()
    missing = sorted(written_event_names() - set(labels))
    assert not missing, f"audit events without words (add them to <app>/audit_events.py): {missing}"
    for code, label in labels.items():
        with translation.override("ja"):
            japanese = str(label)
        with translation.override("en"):
            english = str(label)
        assert JAPANESE.search(japanese), f"{code}: {japanese!r} is not Japanese"
        assert english != japanese, f"{code}: no English words"
        assert not JAPANESE.search(english), f"{code}: {english!r} is not English"


def test_an_unknown_event_or_object_is_shown_as_written() -> None:
    assert event_label("newapp.something_done") == "newapp.something_done"
    assert object_label("") == ""


def test_the_audit_log_shows_events_in_words_and_finds_them_by_their_words(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    audit.record(
        "registry.household_viewed", by=Actor.system("x"), municipality=town_a, object_type="household"
    )
    client = login(make_staff("a-auditor", town_a, Role.AUDITOR))
    page = client.get("/staff/audit/", {"municipality": town_a.code, "action": "住民票"}).content.decode()
    assert "世帯の住民票を見た" in page
    assert "registry.household_viewed" not in page
    assert "<td>世帯 " in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/staff/audit/"})
    english = client.get("/staff/audit/", {"municipality": town_a.code, "action": "registry entry"})
    assert "Viewed a household&#x27;s registry entry" in english.content.decode()
    assert "registry.household_viewed" not in english.content.decode()


def test_the_audit_csv_keeps_the_code_beside_the_words(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    audit.record(
        "linkage.review_confirmed", by=Actor.system("x"), municipality=town_a, detail={"note": "確認"}
    )
    client = login(make_staff("a-auditor", town_a, Role.AUDITOR))
    response = client.get("/staff/audit/export.csv", {"municipality": town_a.code, "action": "承認"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [(r["操作"], r["操作の内容"]) for r in rows] == [
        ("linkage.review_confirmed", "紐付けの判断を承認した")
    ]
    assert rows[0]["詳細"] == '{"note": "確認"}'
