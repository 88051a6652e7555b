"""The respondent's answers as a nested dict, addressed by the form engine's field keys (no Django).

The xlsform runtime names every field instance by a key such as ``household/hh_size`` or
``members[2]/age`` (groups as path segments, repeat instances 1-based in brackets). Answering pages post
values under those keys; this module reads and writes them in the nested answers dict the runtime
evaluates, adds and removes repeat instances (household roster rows), fingerprints one page's answers for
the optimistic-lock merge, and turns a valid draft into the canonical submitted record.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import math
import re
import unicodedata
from typing import Any

from chiiki.surveys.xlsform import Evaluation, Field, Form, NodeSet, Page, Section

__all__ = [
    "AnswerKeyError",
    "add_instance",
    "canonical_answers",
    "counter_field_key",
    "get_value",
    "page_digest",
    "parse_key",
    "remove_instance",
    "set_value",
]

_SEGMENT_RE = re.compile(r"^([A-Za-z_][\w.\-]*)(?:\[(\d{1,4})\])?$")
_COUNTER_RE = re.compile(r"^\s*\$\{([A-Za-z_][\w.\-]*)\}\s*$")
MAX_INSTANCES = 500


class AnswerKeyError(ValueError):
    """A field key that does not have the runtime's shape."""


def parse_key(key: str) -> list[tuple[str, int | None]]:
    """``"members[2]/age"`` → ``[("members", 2), ("age", None)]``; raise AnswerKeyError for anything else."""
    parts: list[tuple[str, int | None]] = []
    for segment in key.split("/"):
        match = _SEGMENT_RE.match(segment)
        if match is None:
            raise AnswerKeyError(f"not a field key: {key!r}")
        index = int(match.group(2)) if match.group(2) is not None else None
        if index is not None and not 1 <= index <= MAX_INSTANCES:
            raise AnswerKeyError(f"instance number out of range in {key!r}")
        parts.append((match.group(1), index))
    return parts


def get_value(data: dict[str, Any], key: str) -> Any:
    """The value stored under ``key``, or None when any part of the path is missing."""
    current: Any = data
    for name, index in parse_key(key):
        if not isinstance(current, dict):
            return None
        current = current.get(name)
        if index is not None:
            if not isinstance(current, list) or index > len(current):
                return None
            current = current[index - 1]
    return current


def _container(data: dict[str, Any], parts: list[tuple[str, int | None]]) -> dict[str, Any]:
    """The dict that holds the last part, creating groups and repeat instances on the way."""
    current = data
    for name, index in parts:
        if index is None:
            child = current.get(name)
            if not isinstance(child, dict):
                child = current[name] = {}
            current = child
            continue
        instances = current.get(name)
        if not isinstance(instances, list):
            instances = current[name] = []
        while len(instances) < index:
            instances.append({})
        if not isinstance(instances[index - 1], dict):
            instances[index - 1] = {}
        current = instances[index - 1]
    return current


def set_value(data: dict[str, Any], key: str, value: Any) -> None:
    """Store ``value`` under ``key``, creating the enclosing groups and instances."""
    parts = parse_key(key)
    name, index = parts[-1]
    if index is not None:
        raise AnswerKeyError(f"a field key cannot end in an instance number: {key!r}")
    _container(data, parts[:-1])[name] = value


def _instances(data: dict[str, Any], repeat_key: str) -> list[Any]:
    parts = parse_key(repeat_key)
    name, index = parts[-1]
    if index is not None:
        raise AnswerKeyError(f"a repeat key names the repeat, not an instance: {repeat_key!r}")
    holder = _container(data, parts[:-1])
    instances = holder.get(name)
    if not isinstance(instances, list):
        instances = holder[name] = []
    return instances


def counter_field_key(form: Form, repeat: Section) -> str | None:
    """The key of the field that counts a repeat's instances, when ``repeat_count`` is just ``${field}``.

    Only a plain answered field outside any repeat qualifies (such as ``hh_size``): adding a roster row then
    raises that count by one. For any other repeat_count the number of rows follows the expression.
    """
    if not repeat.repeat_count:
        return None
    match = _COUNTER_RE.match(repeat.repeat_count)
    if match is None:
        return None
    for node, parents in form.walk():
        if node.name == match.group(1):
            if not isinstance(node, Field) or node.kind != "integer":
                return None
            if any(parent.kind == "repeat" for parent in parents):
                return None
            return "/".join([*(parent.name for parent in parents), node.name])
    return None


def _as_count(value: Any) -> int:
    try:
        number = float(unicodedata.normalize("NFKC", str(value)).strip())
    except ValueError:
        return 0
    return 0 if math.isnan(number) else max(0, min(MAX_INSTANCES, int(number)))


def add_instance(form: Form, data: dict[str, Any], repeat: Section, repeat_key: str, current: int) -> int:
    """Add one instance after the ``current`` ones shown; return the new count (the counter field follows)."""
    instances = _instances(data, repeat_key)
    count = min(current + 1, MAX_INSTANCES)
    del instances[count:]
    while len(instances) < count:
        instances.append({})
    counter = counter_field_key(form, repeat)
    if counter is not None:
        set_value(data, counter, str(count))
    return count


def remove_instance(
    form: Form, data: dict[str, Any], repeat: Section, repeat_key: str, number: int, current: int
) -> int:
    """Remove instance ``number`` (1-based) of the ``current`` shown; return the new count."""
    instances = _instances(data, repeat_key)
    if not 1 <= number <= current:
        return current
    if number <= len(instances):
        del instances[number - 1]
    count = current - 1
    del instances[count:]
    counter = counter_field_key(form, repeat)
    if counter is not None:
        set_value(data, counter, str(count) if count > 0 else "")
    return count


def page_digest(data: dict[str, Any], page: Page) -> str:
    """A fingerprint of one page's stored answers: equal digests mean nobody changed that page meanwhile."""
    names = [node.name for node in page.nodes]
    payload = json.dumps({name: data.get(name) for name in names}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def _canonical(kind: str, value: Any) -> Any:
    if isinstance(value, NodeSet):
        return [_canonical(kind, item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        return value if math.isfinite(value) else None
    text = unicodedata.normalize("NFKC", str(value)).strip() if kind != "text" else value
    if kind == "integer":
        return int(text)
    if kind == "decimal":
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number
    if kind == "select_multiple":
        return list(value) if isinstance(value, list | tuple) else str(value).split()
    if kind == "rank":  # the codes in the order given, space-separated, as ODK submits a ranking
        return " ".join(value) if isinstance(value, list | tuple) else " ".join(str(value).split())
    if kind == "text":
        return str(value).strip()
    return text


def canonical_answers(evaluation: Evaluation) -> dict[str, Any]:
    """The record to keep on submission: only shown (relevant) answers and calculations, typed.

    Integers become int, decimals float, dates ISO text, multiple choices lists; answers to questions that
    skip logic hid are dropped, and every repeat keeps exactly its evaluated number of instances.
    """
    result: dict[str, Any] = {}
    for key, count in evaluation.repeat_counts.items():
        if count > 0:
            instances = _instances(result, key)
            while len(instances) < count:
                instances.append({})
    for key, value in evaluation.values().items():
        state = evaluation.fields[key]
        try:
            canonical = _canonical(state.kind, value)
        except ValueError:
            canonical = copy.deepcopy(value)
        if canonical in ("", None, []):
            continue
        set_value(result, key, canonical)
    return result
