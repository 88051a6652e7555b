"""Relevance conditions a browser can evaluate: progressive disclosure without a round trip to the server.

A question whose ``relevant`` depends on answers given on the same page (``${age} >= 15`` with ``age``
calculated from the birth year typed just above) can be shown by the page's script as soon as the answer is
typed. :func:`client_conditions` compiles such conditions, from the syntax tree of :mod:`._expressions`,
into a small JSON form that ``surveys/static/surveys/answer.js`` evaluates with the runtime's XPath rules:

- answers typed on this page (in this repeat instance) are read from the page: ``["ref", key, kind]``;
- calculations of the same page and repeat instance are inlined (their expression in place of the name);
- answers of other pages are substituted as constants, but only when nothing they depend on is on this page;
- ``position(..)`` is the instance's number, ``today()`` the server's date (the form's ``data-today``).

Anything else (a function outside :data:`CLIENT_FUNCTIONS`, a path, a node-set, a label that quotes an
answer, a choice filter, a condition on a group around the question …) is not compiled: that question keeps
the server's round trip. The browser's result is only a preview: the server evaluates relevance again when
the page is posted, keeps no answer to a question that is not relevant, and reports missing answers.
"""

from __future__ import annotations

import datetime
import json
import math
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from chiiki.surveys.xlsform._expressions import (
    LAST_SAVED,
    BinaryOp,
    Call,
    Expression,
    ExpressionError,
    Literal,
    Negate,
    NodeSet,
    Number,
    Parent,
    Reference,
    Value,
    parse_expression,
    walk,
)
from chiiki.surveys.xlsform._model import Field, Form, Node, Page, Section, is_dynamic_default, pick_text
from chiiki.surveys.xlsform._runtime import Evaluation, _typed

__all__ = ["CLIENT_FUNCTIONS", "REVEAL_KINDS", "client_conditions", "server_today"]

CLIENT_FUNCTIONS: dict[str, tuple[int, int]] = {
    "selected": (2, 2),
    "count-selected": (1, 1),
    "string-length": (1, 1),
    "if": (3, 3),
    "coalesce": (2, 2),
    "int": (1, 1),
    "number": (1, 1),
    "string": (1, 1),
    "boolean": (1, 1),
    "not": (1, 1),
    "contains": (2, 2),
}
"""Functions answer.js evaluates, with the numbers of arguments it takes (``today()``, ``true()``,
``false()`` and ``position(..)`` are compiled to values)."""

REVEAL_KINDS = frozenset({"text", "integer", "decimal", "date", "select_one", "select_multiple", "note"})
"""Question kinds the page can draw hidden and reveal (uploads, ranks, locations keep the round trip)."""

_READ_KINDS = REVEAL_KINDS - {"note"}
"""Kinds whose answer the script reads from the page, typed as the runtime types them."""

_MAX_INLINE = 16
"""Calculations inlined into one another deeper than this are not compiled (real forms nest two or three)."""

_TOKYO = ZoneInfo("Asia/Tokyo")


def server_today() -> datetime.date:
    """The date the runtime uses for ``today()`` (Japan), for the page's ``data-today``."""
    return datetime.datetime.now(tz=_TOKYO).date()


class _Unsupported(Exception):
    """Something the browser's evaluator does not do: the question keeps the server's round trip."""


@dataclass(frozen=True, slots=True)
class _Spot:
    """One field instance of the page: the node, its enclosing sections and repeat instance indices."""

    node: Field
    parents: tuple[Section, ...]
    ctx: tuple[int, ...]


def _chain(parents: tuple[Section, ...]) -> tuple[Section, ...]:
    return tuple(parent for parent in parents if parent.kind == "repeat")


def _key(node: Node, parents: tuple[Section, ...], ctx: tuple[int, ...]) -> str:
    """The runtime's key of a field instance: ``members[2]/age``."""
    parts, depth = [], 0
    for parent in parents:
        if parent.kind == "repeat":
            parts.append(f"{parent.name}[{ctx[depth] + 1}]")
            depth += 1
        else:
            parts.append(parent.name)
    return "/".join([*parts, node.name])


def _constant(value: Value) -> list[Any]:
    """A runtime value as a JSON constant (node-sets and non-finite numbers are not compiled)."""
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, float | int):
        if not math.isfinite(value):
            raise _Unsupported("non-finite number")
        return ["n", float(value)]
    if isinstance(value, datetime.date):
        return ["d", value.isoformat()]
    if isinstance(value, NodeSet):
        raise _Unsupported("node-set")
    return ["s", value]


class _Compiler:
    """Classifies and compiles the relevance of every field instance of one page."""

    def __init__(self, form: Form, page: Page, evaluation: Evaluation, language: str) -> None:
        self.form = form
        self.evaluation = evaluation
        self.language = language
        self.named: dict[str, tuple[Node, tuple[Section, ...]]] = {}
        for node, parents in form.walk():
            self.named.setdefault(node.name, (node, parents))  # ${name} finds the first, as the runtime
        self.spots: dict[str, _Spot] = {}
        self._collect(page.nodes, (), ())
        self.page_names = {spot.node.name for spot in self.spots.values()}
        self.touching: dict[str, bool] = {}
        self.classes: dict[str, str | list[Any] | None] = {}  # key -> "static", compiled condition, None

    def _collect(self, nodes: list[Node], parents: tuple[Section, ...], ctx: tuple[int, ...]) -> None:
        for node in nodes:
            if isinstance(node, Field):
                self.spots[_key(node, parents, ctx)] = _Spot(node, parents, ctx)
            elif node.kind == "group":
                self._collect(node.children, (*parents, node), ctx)
            else:
                count = self.evaluation.repeat_counts.get(_key(node, parents, ctx), 0)
                for index in range(count):
                    self._collect(node.children, (*parents, node), (*ctx, index))

    # ------------------------------------------------------------------------------ dependencies

    def touches_page(self, name: str) -> bool:
        """Whether the value or relevance of field `name` may change with an answer on this page."""
        if name in self.page_names:
            return True
        if name in self.touching:
            return self.touching[name]
        self.touching[name] = True  # a cycle counts as touching: never a constant
        found = self.named.get(name)
        if found is None:
            return True
        node, parents = found
        texts = [node.relevant, *(p.relevant for p in parents), *(p.repeat_count for p in parents)]
        if isinstance(node, Field):
            texts.append(node.calculation if node.kind == "calculate" else None)
            texts.append(node.default if node.default and is_dynamic_default(node.default) else None)
        result = any(self.expression_touches(text) for text in texts if text)
        self.touching[name] = result
        return result

    def expression_touches(self, text: str) -> bool:
        """Whether an expression reads anything that may change with an answer on this page."""
        try:
            tree = parse_expression(text)
        except ExpressionError:
            return True
        for part in walk(tree):
            if isinstance(part, Reference) and not part.name.startswith(LAST_SAVED):
                if self.touches_page(part.name):
                    return True
            elif not isinstance(part, Literal | Number | BinaryOp | Negate | Call | Parent):
                return True  # paths, instance queries, '.': not followed here
        return False

    # ------------------------------------------------------------------------------ classification

    def condition(self, key: str) -> str | list[Any] | None:
        """ "static" when the server's relevance is final for this page, the compiled condition when it
        depends on this page's answers and compiles, None when it depends on them but does not compile."""
        if key in self.classes:
            return self.classes[key]
        self.classes[key] = None  # while compiling: a reference back to this question is not compiled
        spot = self.spots[key]
        node = spot.node
        result: str | list[Any] | None
        if not node.relevant or not self.expression_touches(node.relevant):
            parents_touch = any(p.relevant and self.expression_touches(p.relevant) for p in spot.parents)
            result = None if parents_touch else "static"
        else:
            try:
                self.drawable(spot)
                result = self.compile(parse_expression(node.relevant), spot, 0)
            except (_Unsupported, ExpressionError):
                result = None
        self.classes[key] = result
        return result

    def drawable(self, spot: _Spot) -> None:
        """Raise _Unsupported unless the page can draw this question hidden exactly as the server would
        draw it shown (texts without answers in them, all choices, a fixed required mark)."""
        node = spot.node
        if node.kind not in REVEAL_KINDS or node.meta is not None or node.choice_filter:
            raise _Unsupported(f"kind {node.kind}")
        if any(p.relevant for p in spot.parents):
            raise _Unsupported("a condition on a group around the question")
        if node.required not in (None, "true()", "false()"):
            raise _Unsupported("required by a condition")
        if node.default is not None:
            raise _Unsupported("a default value")
        for texts in (node.label, node.hint):
            if "${" in pick_text(texts, self.language, self.form.default_language):
                raise _Unsupported("a text that quotes an answer")

    # ------------------------------------------------------------------------------ compilation

    def compile(self, tree: Expression, spot: _Spot, depth: int) -> list[Any]:
        """The JSON form of `tree` evaluated for the field instance `spot` (raise _Unsupported)."""
        if isinstance(tree, Literal):
            return ["s", tree.value]
        if isinstance(tree, Number):
            return _constant(tree.value)
        if isinstance(tree, Reference):
            return self.reference(tree.name, spot, depth)
        if isinstance(tree, Negate):
            return ["neg", self.compile(tree.operand, spot, depth)]
        if isinstance(tree, BinaryOp):
            return [tree.op, self.compile(tree.left, spot, depth), self.compile(tree.right, spot, depth)]
        if isinstance(tree, Call):
            return self.call(tree, spot, depth)
        raise _Unsupported(type(tree).__name__)

    def call(self, tree: Call, spot: _Spot, depth: int) -> list[Any]:
        if tree.name in ("true", "false"):
            return ["b", tree.name == "true"]
        if tree.name == "today":
            return ["today"]
        if tree.name == "position" and len(tree.args) == 1 and isinstance(tree.args[0], Parent):
            return ["n", float(spot.ctx[-1] + 1 if spot.ctx else 0)]
        arity = CLIENT_FUNCTIONS.get(tree.name)
        if arity is None or not arity[0] <= len(tree.args) <= arity[1]:
            raise _Unsupported(f"function {tree.name}()")
        return ["fn", tree.name, *(self.compile(arg, spot, depth) for arg in tree.args)]

    def reference(self, name: str, spot: _Spot, depth: int) -> list[Any]:
        if name.startswith(LAST_SAVED):
            return ["s", ""]  # as the runtime: nothing is saved on a device
        target, parents = self.named.get(name, (None, ()))
        if not isinstance(target, Field):
            raise _Unsupported(f"reference to {name}")
        chain, own = _chain(parents), _chain(spot.parents)
        if len(own) < len(chain) or any(a is not b for a, b in zip(own, chain, strict=False)):
            raise _Unsupported("a node-set (a field of a repeat named from outside it)")
        key = _key(target, parents, spot.ctx[: len(chain)])
        if key in self.spots:
            return self.on_page(key, depth)
        if self.touches_page(name):
            raise _Unsupported(f"{name} depends on this page")
        return self.elsewhere(target, key)

    def on_page(self, key: str, depth: int) -> list[Any]:
        """A field of this page: its answer read from the page, or its calculation inlined."""
        spot = self.spots[key]
        node = spot.node
        if node.kind == "calculate":
            if node.relevant or any(p.relevant for p in spot.parents) or depth >= _MAX_INLINE:
                raise _Unsupported("a calculation that is not always relevant")
            if not node.calculation:
                return ["s", ""]
            return self.compile(parse_expression(node.calculation), spot, depth + 1)
        if node.kind == "note":
            return ["s", ""]
        if node.kind not in _READ_KINDS or node.meta is not None or node.choice_filter:
            raise _Unsupported(f"reading a {node.kind} answer")
        condition = self.condition(key)
        if condition is None:
            raise _Unsupported("an answer whose relevance the page cannot follow")
        if condition == "static" and not self.evaluation.fields[key].relevant:
            return ["s", ""]  # not relevant, and nothing on this page changes that
        return ["ref", key, node.kind]

    def elsewhere(self, target: Field, key: str) -> list[Any]:
        """A field of another page, as the constant the runtime reads for it now."""
        state = self.evaluation.fields.get(key)
        if state is None or target.meta is not None:
            raise _Unsupported(f"the value of {key}")
        if not state.relevant or target.kind == "note":
            return ["s", ""]
        if target.kind == "calculate":
            return _constant(state.value if state.value is not None else "")
        return _constant(_typed(target, state.value))


def client_conditions(form: Form, page: Page, evaluation: Evaluation, language: str) -> dict[str, str]:
    """The relevance conditions of `page` that the page's script can evaluate, as JSON by field key.

    A key is listed when the question's relevance depends on answers of this same page and compiles; other
    questions are drawn as the server decided (a question that is not relevant then appears after the page
    is posted, as without a script).
    """
    compiler = _Compiler(form, page, evaluation, language)
    conditions: dict[str, str] = {}
    for key, spot in compiler.spots.items():
        if spot.node.kind == "calculate":
            continue
        condition = compiler.condition(key)
        if isinstance(condition, list):
            conditions[key] = json.dumps(condition, ensure_ascii=False, separators=(",", ":"))
    return conditions
