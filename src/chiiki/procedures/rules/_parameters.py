"""Dated parameters (amounts, thresholds, age limits) as data: YAML text, checked, loaded into OpenFisca."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import yaml
from openfisca_core.parameters import ParameterNode

from chiiki.procedures.rules._problems import RulesRejected


@dataclass(frozen=True, slots=True)
class DatedValue:
    """One value of a parameter from `start` on (until the next dated value)."""

    start: dt.date
    value: float


def parse_parameters(text: str) -> dict[str, list[DatedValue]]:
    """Read parameter YAML (`name: {YYYY-MM-DD: value, …}`) into dated values; refuse anything else by name.

    Every parameter needs at least one validity date: a bare number (`base_amount: 100000`) is refused, as is a
    date that is not a real day or a value that is not a number.
    """
    try:
        # BaseLoader keeps every scalar as text: dates and numbers are parsed here, each named when it is wrong.
        data = yaml.load(text, Loader=yaml.BaseLoader) if text.strip() else {}  # noqa: S506
    except yaml.YAMLError as error:
        raise RulesRejected([f"パラメータの YAML を読めません (unreadable YAML): {error}"]) from error
    if not isinstance(data, dict):
        raise RulesRejected(
            ["パラメータは「名前: {適用開始日: 値}」の形で書いてください (expected a mapping)"]
        )
    problems: list[str] = []
    result: dict[str, list[DatedValue]] = {}
    for name, values in data.items():
        parsed = _parse_one(str(name), values, problems)
        if parsed:
            result[str(name)] = parsed
    if problems:
        raise RulesRejected(problems)
    return result


def _parse_one(name: str, values: Any, problems: list[str]) -> list[DatedValue]:
    if not name.isidentifier():
        problems.append(f"パラメータ「{name}」: 名前は英数字と _ で書いてください (invalid name)")
        return []
    if not isinstance(values, dict) or not values:
        problems.append(
            f"パラメータ「{name}」に適用開始日がありません。「{name}: {{2024-06-03: 値}}」と書いてください "
            "(parameter without a date)"
        )
        return []
    dated: list[DatedValue] = []
    for start, value in values.items():
        day = _day(start)
        if day is None:
            problems.append(f"パラメータ「{name}」: 「{start}」は日付ではありません (not a date)")
        elif _number(value) is None:
            problems.append(
                f"パラメータ「{name}」: {start} の値「{value}」は数値ではありません (not a number)"
            )
        else:
            dated.append(DatedValue(day, _number(value) or 0.0))
    return sorted(dated, key=lambda item: item.start)


def _number(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        number = float(value.replace(",", "").replace("_", ""))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def value_on(values: list[DatedValue], day: dt.date) -> float | None:
    """The value in force on `day` (the last one starting on or before it), or None before the first date."""
    current = None
    for item in values:
        if item.start <= day:
            current = item.value
    return current


def to_parameter_node(parameters: dict[str, list[DatedValue]]) -> ParameterNode:
    """The parameters as an OpenFisca tree whose node `benefit` the rules read as `parameters(period).benefit`."""
    data = {
        name: {"values": {item.start.isoformat(): {"value": item.value} for item in values}}
        for name, values in parameters.items()
    }
    return ParameterNode("", data={"benefit": data})
