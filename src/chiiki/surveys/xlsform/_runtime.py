"""Evaluating answers against a form on the server: calculations, relevance, required and constraints.

Answers are a nested dict that mirrors the form: a group is a dict under its name, a repeat is a list of
dicts (one per instance), a select_multiple answer is a list of choice names (or a space-separated string).
For example ``{"household": {"size": "3"}, "members": [{"name": "山田太郎", "age": "45"}, …]}``.

:func:`evaluate_answers` returns the state of every field instance (key ``members[2]/age``): whether it is
shown, whether it is required, its value, and its errors in plain Japanese (or English), so the server can
validate one page and re-render it with messages next to the fields.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from chiiki.surveys.xlsform._expressions import (
    LAST_SAVED,
    EvaluationError,
    ExpressionError,
    NodeSet,
    Path,
    Value,
    evaluate,
    parse_expression,
    to_boolean,
    to_number,
    to_string,
)
from chiiki.surveys.xlsform._model import (
    MEDIA_KINDS,
    RANK_UNSURE,
    Choice,
    Field,
    Form,
    Node,
    Section,
    is_dynamic_default,
    pick_text,
)

__all__ = [
    "MAX_REPEAT_INSTANCES",
    "MESSAGES",
    "REFUSED_UPLOAD",
    "Evaluation",
    "FieldState",
    "evaluate_answers",
]

MAX_REPEAT_INSTANCES = 500
"""Upper bound on instances of one repeat, whatever repeat_count says (protects the server)."""

MESSAGES: dict[str, dict[str, str]] = {
    "ja": {
        "required": "この項目は必須です",
        "integer": "整数で入力してください",
        "decimal": "数値で入力してください",
        "date": "日付を 2025-10-01 の形で入力してください",
        "choice": "選択肢の中から選んでください",
        "choice_changed": "選択肢が変わりました。もう一度選んでください",
        "constraint": "入力された値が条件に合いません",
        "broken": "この項目の条件を計算できませんでした。お問い合わせ窓口にご連絡ください",
        "time": "時刻を 14:30 の形で入力してください",
        "datetime": "日時を 2025-10-01 14:30 の形で入力してください",
        "geopoint": "緯度と経度を 35.6812 139.7671 の形で入力してください",
        "geotrace": "2つ以上の地点を「緯度 経度」で、; で区切って入力してください",
        "geoshape": "最初と最後が同じ4つ以上の地点を「緯度 経度」で、; で区切って入力してください",
        "upload": "このファイルは受け付けられません。種類と大きさを確かめてください",
        "rank": "すべての選択肢に、1から順に異なる番号を付けてください",
    },
    "en": {
        "required": "This field is required",
        "integer": "Enter a whole number",
        "decimal": "Enter a number",
        "date": "Enter a date like 2025-10-01",
        "choice": "Choose one of the options",
        "choice_changed": "The options have changed; please choose again",
        "constraint": "The value does not meet the condition",
        "broken": "This field's condition could not be evaluated; please contact the help desk",
        "time": "Enter a time like 14:30",
        "datetime": "Enter a date and time like 2025-10-01 14:30",
        "geopoint": "Enter latitude and longitude like 35.6812 139.7671",
        "geotrace": "Enter two or more points as 'latitude longitude', separated by ;",
        "geoshape": "Enter four or more points as 'latitude longitude', separated by ;, the last equal to the first",
        "upload": "This file cannot be accepted; check its type and size",
        "rank": "Give every option a different number, starting from 1",
    },
}
_INTEGER_RE = re.compile(r"^[+-]?\d+$")
_DECIMAL_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_TOKYO = ZoneInfo("Asia/Tokyo")
REFUSED_UPLOAD = "refused-upload:"
"""Prefix of the value the answering pages store for an upload question when the file sent was refused
(wrong type or too large): the runtime reports it as the question's error."""
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?([+-]\d\d:?\d\d|Z)?$")


def _point(text: str) -> str | None:
    """An ODK geopoint ``lat lon [altitude [accuracy]]`` (a comma also separates), or None."""
    parts = text.replace(",", " ").split()
    if not 2 <= len(parts) <= 4:
        return None
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        return None
    if not all(math.isfinite(n) for n in numbers):
        return None
    if not (-90 <= numbers[0] <= 90 and -180 <= numbers[1] <= 180):
        return None
    return " ".join(parts)


def _points(text: str, minimum: int) -> list[str] | None:
    points = [_point(part) for part in text.split(";") if part.strip()]
    if len(points) < minimum or any(point is None for point in points):
        return None
    return [point for point in points if point is not None]


def _is_datetime(text: str) -> bool:
    try:
        datetime.datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
    except ValueError:
        return False
    return True


def _is_shape(text: str) -> bool:
    points = _points(text, 4)
    return points is not None and points[0].split()[:2] == points[-1].split()[:2]


_TYPED_CHECKS: dict[str, Any] = {
    "time": lambda text: _TIME_RE.match(text) is not None,
    "datetime": _is_datetime,
    "geopoint": lambda text: _point(text) is not None,
    "geotrace": lambda text: _points(text, 2) is not None,
    "geoshape": _is_shape,
}
"""Answer checks of the typed kinds beyond numbers and dates, on the NFKC-normalized text."""
_TEXT_REF_RE = re.compile(r"\$\{([A-Za-z_][\w.\-]*)\}")
_LIST_SEPARATOR = "、"

Context = tuple[int, ...]
"""0-based instance indices of the repeats enclosing a node, outermost first."""


@dataclass(slots=True)
class FieldState:
    """The state of one field instance after evaluation."""

    key: str
    name: str
    kind: str
    relevant: bool
    required: bool
    value: Any
    errors: list[str] = field(default_factory=list)
    choices: list[str] | None = None
    """For a select with a ``choice_filter``: the names of the choices it allows now (None: all)."""
    texts: dict[str, str] = field(default_factory=dict)
    """``label`` and ``hint`` with ``${field}`` filled in, only for texts that refer to a field."""


@dataclass(slots=True)
class Evaluation:
    """Every field instance's state, in document order, and the instance count of every repeat."""

    fields: dict[str, FieldState]
    repeat_counts: dict[str, int]
    pages: dict[str, list[str]]
    section_texts: dict[str, dict[str, str]] = field(default_factory=dict)
    """Like :attr:`FieldState.texts`, for groups and repeats by key (``members[2]/job``)."""

    @property
    def valid(self) -> bool:
        """Whether no shown field has an error."""
        return not any(state.errors for state in self.fields.values())

    def errors(self) -> dict[str, list[str]]:
        """Error messages by field key, only for fields that have some."""
        return {key: list(state.errors) for key, state in self.fields.items() if state.errors}

    def errors_on_page(self, page: str) -> dict[str, list[str]]:
        """Error messages of the fields on one page (see :meth:`Form.pages`)."""
        keys = set(self.pages.get(page, []))
        return {key: errors for key, errors in self.errors().items() if key in keys}

    def values(self) -> dict[str, Any]:
        """Values of relevant fields and calculations by key: what the server should store."""
        return {
            key: state.value
            for key, state in self.fields.items()
            if state.relevant and state.kind != "note" and state.value not in ("", None, [])
        }


@dataclass(frozen=True, slots=True)
class _Info:
    node: Node
    parents: tuple[Section, ...]
    chain: tuple[Section, ...]  # enclosing repeats, outermost first


class _Evaluator:
    def __init__(
        self,
        form: Form,
        answers: Mapping[str, Any],
        today: datetime.date,
        language: str,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        self.form = form
        self.metadata = dict(metadata or {})
        self.answers = answers
        self.today_date = today
        self.language = language
        self.info: dict[str, _Info] = {}
        self.uids: dict[int, str] = {}
        for node, parents in form.walk():
            # A name used in two groups: the later node gets its own key ("name@3"); ${name} (which the
            # form check only allows for a unique name) finds the first.
            uid = node.name if node.name not in self.info else f"{node.name}@{len(self.uids)}"
            self.uids[id(node)] = uid
            self.info[uid] = _Info(node, parents, tuple(p for p in parents if p.kind == "repeat"))
        self.values: dict[tuple[str, Context], Value] = {}
        self.relevance: dict[tuple[str, Context], bool] = {}
        self.counts: dict[tuple[str, Context], int] = {}
        self.in_progress: set[tuple[str, str, Context]] = set()
        self.deciding: set[tuple[str, Context]] = set()  # sections whose relevance is being computed

    # ------------------------------------------------------------------------------------- answers

    def container(self, parents: tuple[Section, ...], ctx: Context) -> Mapping[str, Any]:
        current: Any = self.answers
        depth = 0
        for section in parents:
            if not isinstance(current, Mapping):
                return {}
            child = current.get(section.name)
            if section.kind == "repeat":
                index = ctx[depth] if depth < len(ctx) else 0
                depth += 1
                if not isinstance(child, Sequence) or isinstance(child, str) or index >= len(child):
                    return {}
                child = child[index]
            current = child
        return current if isinstance(current, Mapping) else {}

    def raw_answer(self, node: Field, ctx: Context) -> Any:
        info = self.info[self.uids[id(node)]]
        return self.container(info.parents, ctx).get(node.name)

    # ---------------------------------------------------------------------------------- expressions

    def run(self, text: str, node: Node, chain: tuple[Section, ...], ctx: Context, **extra: Any) -> Value:
        key = (self.uids[id(node)], text, ctx)
        if key in self.in_progress:
            raise EvaluationError(f"circular reference through {node.name!r}")
        self.in_progress.add(key)
        try:
            tree = parse_expression(text, allow_bare_names="choice" in extra)
            return evaluate(tree, _Site(self, node, chain, ctx, **extra))
        except ExpressionError as error:
            raise EvaluationError(str(error)) from error
        finally:
            self.in_progress.discard(key)

    def instance_count(self, repeat: Section, ctx: Context) -> int:
        key = (self.uids[id(repeat)], ctx)
        if key in self.counts:
            return self.counts[key]
        info = self.info[self.uids[id(repeat)]]
        if repeat.repeat_count:
            number = to_number(self.run(repeat.repeat_count, repeat, info.chain, ctx))
            count = 0 if math.isnan(number) else int(max(0.0, min(float(MAX_REPEAT_INSTANCES), number)))
        else:
            instances = self.container(info.parents, ctx).get(repeat.name)
            if isinstance(instances, Sequence) and not isinstance(instances, str):
                count = min(len(instances), MAX_REPEAT_INSTANCES)
            else:
                count = 0
        self.counts[key] = count
        return count

    def relevant(self, node: Node, ctx: Context) -> bool:
        key = (self.uids[id(node)], ctx)
        if key in self.relevance:
            return self.relevance[key]
        info = self.info[self.uids[id(node)]]
        result = True
        depth = 0
        for parent in info.parents:
            if parent.kind == "repeat":
                depth += 1
            if not self.relevant(parent, ctx[:depth]):
                result = False
                break
        if result and node.relevant:
            own_chain = (
                (*info.chain, node) if isinstance(node, Section) and node.kind == "repeat" else info.chain
            )
            self.deciding.add(key)
            try:
                result = to_boolean(self.run(node.relevant, node, own_chain, ctx))
            finally:
                self.deciding.discard(key)
        self.relevance[key] = result
        return result

    def deciding_around(self, node: Field, ctx: Context) -> bool:
        """Whether a group around a question is deciding its own relevance from it (CHT's ``./source =
        'user'`` on the group): the question is then read as it stands, and that value is not kept."""
        info = self.info[self.uids[id(node)]]
        depth = 0
        for parent in info.parents:
            if parent.kind == "repeat":
                depth += 1
            if (self.uids[id(parent)], ctx[:depth]) in self.deciding:
                return True
        return False

    def value(self, node: Node, ctx: Context) -> Value:
        key = (self.uids[id(node)], ctx)
        if key in self.values:
            return self.values[key]
        result: Value = ""
        provisional = isinstance(node, Field) and bool(self.deciding) and self.deciding_around(node, ctx)
        if isinstance(node, Field) and node.kind != "note" and (provisional or self.relevant(node, ctx)):
            chain = self.info[self.uids[id(node)]].chain
            if node.kind == "calculate" and node.calculation:
                # '.' in a calculation is the value the question was given (its default; CHT's inputs).
                own = self.raw_answer(node, ctx)
                if own is None and node.default is not None and not is_dynamic_default(node.default):
                    own = node.default
                result = self.run(node.calculation, node, chain, ctx, current=_typed(node, own))
                if isinstance(result, NodeSet) and (not result or "instance(" in node.calculation):
                    # A lookup in a file: ODK stores the first matching item's value (empty if none).
                    result = to_string(result)
            elif node.meta is not None and node.meta != "hidden":
                result = self.today_date if node.meta == "today" else self.metadata.get(node.meta, "")
            else:
                raw = self.raw_answer(node, ctx)
                if raw is None and node.default is not None:
                    raw = (
                        self.run(node.default, node, chain, ctx)
                        if is_dynamic_default(node.default)
                        else self.literal_default(node)
                    )
                result = _typed(node, raw)
        if provisional:  # read while a group decides its relevance: not its value once decided
            return result
        self.values[key] = result
        return result

    def literal_default(self, node: Field) -> str | None:
        """A literal default; for a select, only when it names choices (the form check warns otherwise)."""
        if node.kind in ("select_one", "select_multiple") and node.default is not None:
            choice_list = self.form.choice_lists.get(node.choice_list or "")
            if choice_list is None or any(choice_list.get(item) is None for item in node.default.split()):
                return None
        return node.default

    def resolve(self, name: str, chain: tuple[Section, ...], ctx: Context) -> Value:
        if name.startswith(LAST_SAVED):
            return ""  # no earlier answer is kept on a device: ODK's value on a first use
        info = self.info.get(name)
        if info is None:
            raise EvaluationError(f"no field named {name!r}")
        target = info.node
        target_chain = (
            (*info.chain, target) if isinstance(target, Section) and target.kind == "repeat" else info.chain
        )
        shared = 0
        while shared < min(len(chain), len(target_chain)) and chain[shared] is target_chain[shared]:
            shared += 1
        prefixes: list[Context] = [ctx[:shared]]
        for repeat in target_chain[shared:]:
            prefixes = [(*p, i) for p in prefixes for i in range(self.instance_count(repeat, p))]
        if shared == len(target_chain):
            return "" if isinstance(target, Section) else self.value(target, prefixes[0])
        if isinstance(target, Section):
            return NodeSet("" for _ in prefixes)
        return NodeSet(self.value(target, p) for p in prefixes)

    def choices_for(self, node: Field, ctx: Context) -> list[Choice]:
        choice_list = self.form.choice_lists.get(node.choice_list or "")
        if choice_list is None:
            return []
        if not node.choice_filter:
            return list(choice_list.choices)
        chain = self.info[self.uids[id(node)]].chain
        return [
            choice
            for choice in choice_list.choices
            if to_boolean(self.run(node.choice_filter, node, chain, ctx, choice=choice))
        ]

    # ---------------------------------------------------------------------------------- texts

    def interpolate(self, text: str, chain: tuple[Section, ...], ctx: Context) -> str:
        """``text`` with every ``${field}`` replaced by that field's answer as the respondent sees it."""
        if "${" not in text:
            return text
        return _TEXT_REF_RE.sub(lambda match: self.shown_value(match.group(1), chain, ctx), text)

    def shown_value(self, name: str, chain: tuple[Section, ...], ctx: Context) -> str:
        """An answer as text for a label: a choice's label for a select, "" when unanswered or unknown.

        Inside a repeat the value comes from the same instance (the roster member being asked about);
        a field of a repeat named from outside it gives every instance's value, joined.
        """
        info = self.info.get(name)
        if info is None or not isinstance(info.node, Field):
            return ""
        try:
            value = self.resolve(name, chain, ctx)
        except EvaluationError:
            return ""
        items = list(value) if isinstance(value, NodeSet) else [value]
        return _LIST_SEPARATOR.join(
            text for text in (self.display(info.node, item) for item in items) if text
        )

    def display(self, node: Field, value: Value) -> str:
        if node.kind in ("select_one", "select_multiple", "rank"):
            choice_list = self.form.choice_lists.get(node.choice_list or "")
            labels = []
            for name in _selection(to_string(value)):
                choice = choice_list.get(name) if choice_list else None
                label = pick_text(choice.label, self.language, self.form.default_language) if choice else ""
                labels.append(label or name)
            return _LIST_SEPARATOR.join(labels)
        if isinstance(value, float) and math.isnan(value):
            return ""
        return to_string(value)

    def texts_of(self, node: Node, chain: tuple[Section, ...], ctx: Context) -> dict[str, str]:
        """The label and hint of ``node`` in this evaluation's language, filled in, when they refer to fields."""
        texts: dict[str, str] = {}
        for attribute in ("label", "hint"):
            text = pick_text(getattr(node, attribute), self.language, self.form.default_language)
            if "${" in text:
                texts[attribute] = self.interpolate(text, chain, ctx)
        return texts

    def custom_message(self, texts: dict[str, str], chain: tuple[Section, ...], ctx: Context) -> str:
        text = pick_text(texts, self.language, self.form.default_language)
        return self.interpolate(text, chain, ctx) if text else ""

    # ---------------------------------------------------------------------------------- validation

    def message(self, key: str) -> str:
        return MESSAGES.get(self.language, MESSAGES["ja"])[key]

    def check_field(self, node: Field, ctx: Context, key: str) -> FieldState:
        """The state of one field instance: shown or not, its value, and its errors."""
        try:
            relevant = self.relevant(node, ctx)
        except EvaluationError:
            return FieldState(key, node.name, node.kind, True, False, None, [self.message("broken")])
        state = FieldState(key, node.name, node.kind, relevant, False, None)
        if not relevant:
            return state
        state.texts = self.texts_of(node, self.info[self.uids[id(node)]].chain, ctx)
        try:
            self.fill_state(node, ctx, state)
        except EvaluationError:
            state.errors.append(self.message("broken"))
        return state

    def fill_state(self, node: Field, ctx: Context, state: FieldState) -> None:
        """Choices, value, required and the first error of a shown field instance."""
        if node.choice_filter and node.kind in ("select_one", "select_multiple", "rank"):
            state.choices = [choice.name for choice in self.choices_for(node, ctx)]
        if node.kind == "calculate":
            state.value = self.value(node, ctx)
            return
        if node.kind == "note":
            return
        chain = self.info[self.uids[id(node)]].chain
        raw = self.raw_answer(node, ctx)
        if raw is None and node.default is not None:
            computed = self.value(node, ctx)
            raw = None if computed == "" else computed
        state.value = raw
        state.required = node.required is not None and (
            node.required == "true()" or to_boolean(self.run(node.required, node, chain, ctx))
        )
        error = self.answer_error(node, ctx, raw, state)
        if error is not None:
            state.errors.append(error)

    def answer_error(self, node: Field, ctx: Context, raw: Any, state: FieldState) -> str | None:
        """What is wrong with an answer: missing when required, the wrong type, or against the constraint."""
        chain = self.info[self.uids[id(node)]].chain
        if _is_empty(raw):
            if not state.required:
                return None
            return self.custom_message(node.required_message, chain, ctx) or self.message("required")
        type_error = self.type_error(node, raw, state.choices)
        if type_error is not None or not node.constraint:
            return type_error
        typed = self.value(node, ctx)
        if to_boolean(self.run(node.constraint, node, chain, ctx, current=typed)):
            return None
        return self.custom_message(node.constraint_message, chain, ctx) or self.message("constraint")

    def type_error(self, node: Field, raw: Any, allowed_now: list[str] | None) -> str | None:
        if node.kind == "integer" and not _INTEGER_RE.match(_normalize(raw)):
            return self.message("integer")
        if node.kind == "decimal" and not _DECIMAL_RE.match(_normalize(raw)):
            return self.message("decimal")
        if node.kind == "date" and _as_date(raw) is None:
            return self.message("date")
        if node.kind in _TYPED_CHECKS and not _TYPED_CHECKS[node.kind](_normalize(raw)):
            return self.message(node.kind)
        if node.kind in MEDIA_KINDS and str(raw).startswith(REFUSED_UPLOAD):
            return self.message("upload")
        if node.kind == "rank":
            return self.rank_error(node, raw, allowed_now)
        if node.kind in ("select_one", "select_multiple"):
            return self.select_error(node, raw, allowed_now)
        return None

    def select_error(self, node: Field, raw: Any, allowed_now: list[str] | None) -> str | None:
        choice_list = self.form.choice_lists.get(node.choice_list or "")
        listed = {choice.name for choice in choice_list.choices} if choice_list else set()
        picked = _selection(raw)
        if node.kind == "select_one" and len(picked) != 1:
            return self.message("choice")
        if any(item not in listed for item in picked):
            return self.message("choice")
        if allowed_now is not None and any(item not in allowed_now for item in picked):
            # A real choice that the filter no longer offers: an answer it depends on has changed.
            return self.message("choice_changed")
        return None

    def rank_error(self, node: Field, raw: Any, allowed_now: list[str] | None) -> str | None:
        """A ranking must order every option offered exactly once (ODK's rank)."""
        picked = _selection(raw)
        if any(item.startswith(RANK_UNSURE) for item in picked):
            return self.message("rank")
        choice_list = self.form.choice_lists.get(node.choice_list or "")
        offered = (
            allowed_now
            if allowed_now is not None
            else [c.name for c in choice_list.choices]
            if choice_list
            else []
        )
        if sorted(picked) != sorted(offered):
            return self.message("rank")
        return None

    def walk(self, nodes: list[Node], ctx: Context, prefix: str, page: list[str]) -> Iterator[FieldState]:
        for node in nodes:
            if isinstance(node, Field):
                state = self.check_field(node, ctx, prefix + node.name)
                page.append(state.key)
                yield state
            elif node.kind == "group":
                self.note_section_texts(node, ctx, prefix + node.name)
                yield from self.walk(node.children, ctx, f"{prefix}{node.name}/", page)
            else:
                self.note_section_texts(node, ctx, prefix + node.name)
                try:
                    count = self.instance_count(node, ctx)
                except EvaluationError:
                    count = 0
                self.repeat_keys[prefix + node.name] = count
                for index in range(count):
                    yield from self.walk(
                        node.children, (*ctx, index), f"{prefix}{node.name}[{index + 1}]/", page
                    )

    def note_section_texts(self, node: Section, ctx: Context, key: str) -> None:
        texts = self.texts_of(node, self.info[self.uids[id(node)]].chain, ctx)
        if texts:
            self.section_texts[key] = texts

    repeat_keys: dict[str, int]
    section_texts: dict[str, dict[str, str]]


class _Site:
    """The evaluation context of one expression: which field instance it belongs to."""

    def __init__(
        self,
        evaluator: _Evaluator,
        node: Node,
        chain: tuple[Section, ...],
        ctx: Context,
        current: Value = "",
        choice: Choice | None = None,
    ) -> None:
        self.evaluator = evaluator
        self.node = node
        self.chain = chain
        self.ctx = ctx
        self.current_value = current
        self.choice = choice

    def resolve(self, name: str) -> Value:
        return self.evaluator.resolve(name, self.chain, self.ctx)

    def current(self) -> Value:
        return self.current_value

    def today(self) -> datetime.date:
        return self.evaluator.today_date

    def position(self) -> int:
        return self.ctx[-1] + 1 if self.ctx else 0

    def choice_column(self, name: str) -> Value:
        if self.choice is None:
            return ""
        if name == "name":
            return self.choice.name
        return self.choice.columns.get(name, "")

    def resolve_path(self, path: Path) -> Value:
        evaluator = self.evaluator
        parents = evaluator.info[evaluator.uids[id(self.node)]].parents
        target = evaluator.form.resolve_path(self.node, parents, path.steps, path.absolute)
        if not isinstance(target, Field):
            return "" if target is not None else NodeSet()
        return evaluator.resolve(evaluator.uids[id(target)], self.chain, self.ctx)

    def instance_items(self, name: str) -> Sequence[Mapping[str, str]]:
        return self.evaluator.form.instances.get(name, [])

    def choice_label(self, field_name: str, value: str) -> str:
        info = self.evaluator.info.get(field_name)
        if info is None or not isinstance(info.node, Field):
            return value
        choice_list = self.evaluator.form.choice_lists.get(info.node.choice_list or "")
        choice = choice_list.get(value) if choice_list else None
        if choice is None:
            return ""
        form = self.evaluator.form
        return pick_text(choice.label, self.evaluator.language, form.default_language) or choice.name


def _normalize(raw: Any) -> str:
    # NFKC turns full-width digits and signs (１２３, －) typed on Japanese keyboards into ASCII.
    return unicodedata.normalize("NFKC", str(raw)).strip()


def _is_empty(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    if isinstance(raw, list | tuple):
        return len(raw) == 0
    return False


def _selection(raw: Any) -> list[str]:
    if isinstance(raw, list | tuple):
        return [str(item) for item in raw]
    return str(raw).split()


def _as_date(raw: Any) -> datetime.date | None:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    try:
        return datetime.date.fromisoformat(_normalize(raw)[:10])
    except ValueError:
        return None


def _typed(node: Field, raw: Any) -> Value:
    """An answer as an expression value: numbers for integer/decimal, dates for date, text otherwise."""
    if _is_empty(raw):
        return ""
    if isinstance(raw, NodeSet):
        return raw
    if node.kind in ("integer", "decimal"):
        if isinstance(raw, bool):
            return str(raw)
        if isinstance(raw, int | float):
            return float(raw)
        text = _normalize(raw)
        return float(text) if _DECIMAL_RE.match(text) else text
    if node.kind == "date":
        date = _as_date(raw)
        return date if date is not None else str(raw)
    if node.kind in ("select_multiple", "rank"):
        return " ".join(_selection(raw))
    if node.kind in ("geopoint", "geotrace", "geoshape"):
        points = _points(_normalize(raw), 1)
        return "; ".join(points) if points is not None else str(raw)
    if isinstance(raw, bool | float | datetime.date):
        return raw
    return str(raw)


def evaluate_answers(
    form: Form,
    answers: Mapping[str, Any],
    *,
    today: datetime.date | None = None,
    language: str = "ja",
    metadata: Mapping[str, str] | None = None,
) -> Evaluation:
    """Compute calculations, relevance, required and constraint errors for every field instance.

    ``today`` defaults to today's date in Japan; ``language`` selects built-in messages ("ja" or "en")
    and the language of the form's own messages. ``metadata`` holds what the server fills into metadata
    questions (``start``, ``end``, ``username``, ``deviceid`` …; ``today`` is ``today``); missing ones
    are empty.
    """
    if today is None:
        today = datetime.datetime.now(tz=_TOKYO).date()
    evaluator = _Evaluator(form, answers, today, language, metadata)
    evaluator.repeat_keys = {}
    evaluator.section_texts = {}
    fields: dict[str, FieldState] = {}
    pages: dict[str, list[str]] = {}
    for page in form.pages():
        keys: list[str] = []
        for state in evaluator.walk(page.nodes, (), "", keys):
            fields[state.key] = state
        pages[page.name] = keys
    return Evaluation(fields, evaluator.repeat_keys, pages, evaluator.section_texts)
