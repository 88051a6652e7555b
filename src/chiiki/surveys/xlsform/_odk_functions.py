"""Functions of the ODK XForms specification beyond the core set in ``_expressions``.

Dates and times (``decimal-date-time``, ``date``, ``format-date`` …), strings (``normalize-space``,
``substring-before``, ``join`` …), maths (``pow``, ``sqrt``, ``log`` …) and list helpers (``checklist``,
``indexed-repeat`` …), each with its number of arguments. ``_expressions`` adds them to its tables.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import math
import random
import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from chiiki.surveys.xlsform._expressions import EvaluationContext, Value

__all__ = ["ODK_ARITY", "ODK_FUNCTIONS"]

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_TOKYO = ZoneInfo("Asia/Tokyo")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?")

Handler = Callable[[list["Value"], "EvaluationContext"], "Value"]


def _x() -> tuple[Callable[[Value], float], Callable[[Value], str], Callable[[Value], bool]]:
    from chiiki.surveys.xlsform._expressions import to_boolean, to_number, to_string

    return to_number, to_string, to_boolean


def _moment(value: Value) -> datetime.datetime | None:
    """A date, date-time text or number of days as an aware date-time (dates at midnight in Japan)."""
    to_number, to_string, _ = _x()
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=_TOKYO)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(), _TOKYO)
    if isinstance(value, float | int) and not isinstance(value, bool):
        return _EPOCH + datetime.timedelta(days=float(value)) if math.isfinite(value) else None
    text = to_string(value).strip()
    if not text:
        return None
    try:
        moment = datetime.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        number = to_number(text)
        return _EPOCH + datetime.timedelta(days=number) if math.isfinite(number) else None
    return moment if moment.tzinfo else moment.replace(tzinfo=_TOKYO)


def _decimal_date_time(args: list[Value], ctx: EvaluationContext) -> Value:
    moment = _moment(args[0])
    if moment is None:
        return math.nan
    return (moment - _EPOCH).total_seconds() / 86400


def _date(args: list[Value], ctx: EvaluationContext) -> Value:
    moment = _moment(args[0])
    return moment.astimezone(_TOKYO).date() if moment is not None else ""


def _date_time(args: list[Value], ctx: EvaluationContext) -> Value:
    moment = _moment(args[0])
    return moment.astimezone(_TOKYO).isoformat(timespec="milliseconds") if moment is not None else ""


def _decimal_time(args: list[Value], ctx: EvaluationContext) -> Value:
    _, to_string, _ = _x()
    match = _TIME_RE.match(to_string(args[0]).strip())
    if match is None:
        return math.nan
    hours, minutes, seconds = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    return (hours * 3600 + minutes * 60 + seconds) / 86400


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _format_date(args: list[Value], ctx: EvaluationContext) -> Value:
    _, to_string, _ = _x()
    moment = _moment(args[0])
    if moment is None:
        return ""
    moment = moment.astimezone(_TOKYO)
    codes = {
        "Y": f"{moment.year:04d}",
        "y": f"{moment.year % 100:02d}",
        "m": f"{moment.month:02d}",
        "n": str(moment.month),
        "b": _MONTHS[moment.month - 1],
        "d": f"{moment.day:02d}",
        "e": str(moment.day),
        "H": f"{moment.hour:02d}",
        "h": str(moment.hour),
        "M": f"{moment.minute:02d}",
        "S": f"{moment.second:02d}",
        "3": f"{moment.microsecond // 1000:03d}",
        "a": _DAYS[moment.weekday()],
    }
    return re.sub(r"%(.)", lambda m: codes.get(m.group(1), m.group(0)), to_string(args[1]))


def _now(args: list[Value], ctx: EvaluationContext) -> Value:
    return datetime.datetime.now(tz=_TOKYO).isoformat(timespec="milliseconds")


def _normalize_space(args: list[Value], ctx: EvaluationContext) -> Value:
    _, to_string, _ = _x()
    return " ".join(to_string(args[0] if args else ctx.current()).split())


def _translate(args: list[Value], ctx: EvaluationContext) -> Value:
    _, to_string, _ = _x()
    text, source, target = (to_string(arg) for arg in args)
    table: dict[int, int | None] = {}
    for index, char in enumerate(source):
        table.setdefault(ord(char), ord(target[index]) if index < len(target) else None)
    return text.translate(table)


def _substring_before(args: list[Value], ctx: EvaluationContext) -> Value:
    _, to_string, _ = _x()
    text, sep = to_string(args[0]), to_string(args[1])
    return text.split(sep, 1)[0] if sep and sep in text else ""


def _substring_after(args: list[Value], ctx: EvaluationContext) -> Value:
    _, to_string, _ = _x()
    text, sep = to_string(args[0]), to_string(args[1])
    if not sep:
        return text
    return text.split(sep, 1)[1] if sep in text else ""


def _items(values: list[Value]) -> list[Value]:
    """Arguments with node-sets (one value per repeat instance) spread out."""
    from chiiki.surveys.xlsform._expressions import NodeSet

    out: list[Value] = []
    for value in values:
        out.extend(value) if isinstance(value, NodeSet) else out.append(value)
    return out


def _join(args: list[Value], ctx: EvaluationContext) -> Value:
    _, to_string, _ = _x()
    return to_string(args[0]).join(to_string(item) for item in _items(args[1:]))


def _boolean_from_string(args: list[Value], ctx: EvaluationContext) -> Value:
    _, to_string, _ = _x()
    return to_string(args[0]).strip().lower() in ("true", "1")


def _checklist(args: list[Value], ctx: EvaluationContext) -> Value:
    to_number, _, to_boolean = _x()
    low, high = to_number(args[0]), to_number(args[1])
    count = sum(1 for item in _items(args[2:]) if to_boolean(item))
    return (low < 0 or count >= low) and (high < 0 or count <= high)


def _weighted_checklist(args: list[Value], ctx: EvaluationContext) -> Value:
    to_number, _, to_boolean = _x()
    low, high = to_number(args[0]), to_number(args[1])
    rest = _items(args[2:])
    total = sum(to_number(rest[i + 1]) for i in range(0, len(rest) - 1, 2) if to_boolean(rest[i]))
    return (low < 0 or total >= low) and (high < 0 or total <= high)


def _count_non_empty(args: list[Value], ctx: EvaluationContext) -> Value:
    _, to_string, _ = _x()
    return float(sum(1 for item in _items(args) if to_string(item) != ""))


def _indexed_repeat(args: list[Value], ctx: EvaluationContext) -> Value:
    from chiiki.surveys.xlsform._expressions import NodeSet

    to_number, _, _ = _x()
    values = list(args[0]) if isinstance(args[0], NodeSet) else [args[0]]
    index = to_number(args[2])
    if not math.isfinite(index) or not 1 <= int(index) <= len(values):
        return ""
    return values[int(index) - 1]


def _digest(args: list[Value], ctx: EvaluationContext) -> Value:
    from chiiki.surveys.xlsform._expressions import EvaluationError

    _, to_string, _ = _x()
    algorithm = to_string(args[1]).upper().replace("-", "")
    names = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256", "SHA384": "sha384", "SHA512": "sha512"}
    if algorithm not in names:
        raise EvaluationError(f"digest(): unknown algorithm {to_string(args[1])!r}")
    digest = hashlib.new(names[algorithm], to_string(args[0]).encode()).digest()
    if len(args) > 2 and to_string(args[2]).lower() == "hex":
        return digest.hex()
    return base64.b64encode(digest).decode()


def _base64_decode(args: list[Value], ctx: EvaluationContext) -> Value:
    _, to_string, _ = _x()
    try:
        return base64.b64decode(to_string(args[0]), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""


def _dates(args: list[Value]) -> tuple[datetime.date, datetime.date] | None:
    first, second = _moment(args[0]), _moment(args[1])
    if first is None or second is None:
        return None
    return first.astimezone(_TOKYO).date(), second.astimezone(_TOKYO).date()


def _months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    if end < start:
        return -_months_between(end, start)
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


def _difference(unit: str) -> Handler:
    """CHT's ``cht:difference-in-days|weeks|months|years(from, to)``: whole units from the first date to
    the second; empty when either is not a date."""

    def apply(args: list[Value], ctx: EvaluationContext) -> Value:
        dates = _dates(args)
        if dates is None:
            return ""
        start, end = dates
        days = (end - start).days
        if unit == "days":
            return float(days)
        if unit == "weeks":
            return float(int(days / 7))
        months = _months_between(start, end)
        return float(months) if unit == "months" else float(int(months / 12))

    return apply


def _maths(function: Callable[..., float]) -> Handler:
    def apply(args: list[Value], ctx: EvaluationContext) -> Value:
        to_number, _, _ = _x()
        try:
            return float(function(*(to_number(arg) for arg in args)))
        except (ValueError, OverflowError, ZeroDivisionError):
            return math.nan

    return apply


ODK_FUNCTIONS: dict[str, tuple[int, int | None, Handler]] = {
    "decimal-date-time": (1, 1, _decimal_date_time),
    "decimal-date": (1, 1, _decimal_date_time),
    "date": (1, 1, _date),
    "date-time": (1, 1, _date_time),
    "decimal-time": (1, 1, _decimal_time),
    "format-date": (2, 2, _format_date),
    "format-date-time": (2, 2, _format_date),
    "now": (0, 0, _now),
    "once": (1, 1, lambda args, ctx: args[0]),
    "normalize-space": (0, 1, _normalize_space),
    "translate": (3, 3, _translate),
    "substring-before": (2, 2, _substring_before),
    "substring-after": (2, 2, _substring_after),
    "join": (1, None, _join),
    "boolean-from-string": (1, 1, _boolean_from_string),
    "checklist": (2, None, _checklist),
    "weighted-checklist": (2, None, _weighted_checklist),
    "count-non-empty": (1, 1, _count_non_empty),
    "indexed-repeat": (3, None, _indexed_repeat),
    "uuid": (0, 1, lambda args, ctx: str(uuid.uuid4())),
    "random": (0, 0, lambda args, ctx: random.random()),  # noqa: S311 - not for security
    "digest": (2, 3, _digest),
    "base64-decode": (1, 1, _base64_decode),
    "pow": (2, 2, _maths(math.pow)),
    "sqrt": (1, 1, _maths(math.sqrt)),
    "exp": (1, 1, _maths(math.exp)),
    "exp10": (1, 1, _maths(lambda x: 10.0**x)),
    "log": (1, 1, _maths(math.log)),
    "log10": (1, 1, _maths(math.log10)),
    "sin": (1, 1, _maths(math.sin)),
    "cos": (1, 1, _maths(math.cos)),
    "tan": (1, 1, _maths(math.tan)),
    "asin": (1, 1, _maths(math.asin)),
    "acos": (1, 1, _maths(math.acos)),
    "atan": (1, 1, _maths(math.atan)),
    "atan2": (2, 2, _maths(math.atan2)),
    "pi": (0, 0, lambda args, ctx: math.pi),
    "cht:difference-in-days": (2, 2, _difference("days")),
    "cht:difference-in-weeks": (2, 2, _difference("weeks")),
    "cht:difference-in-months": (2, 2, _difference("months")),
    "cht:difference-in-years": (2, 2, _difference("years")),
}
"""name -> (minimum arguments, maximum or None, implementation)."""

ODK_ARITY = {name: (low, high) for name, (low, high, _) in ODK_FUNCTIONS.items()}
