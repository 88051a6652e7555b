"""The XLSForm expression language: a safe parser and evaluator for the XPath subset ODK forms use.

Expressions such as ``${age} >= 15 and selected(${work}, 'yes')`` are tokenized, parsed into a small
syntax tree and evaluated by walking that tree. Nothing is ever handed to Python's ``eval``: the only
operations an expression can perform are the operators and functions listed here.

Values follow XPath 1.0 rules as ODK Collect applies them: an unanswered question is the empty string,
``number('')`` is NaN, comparisons involving NaN are false, and a reference from outside a repeat to a
field inside it yields a :class:`NodeSet` (one value per repeat instance) for ``count`` and ``sum``.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Protocol

from chiiki.surveys.xlsform._odk_functions import ODK_ARITY, ODK_FUNCTIONS

__all__ = [
    "BinaryOp",
    "Call",
    "ChoiceColumn",
    "Current",
    "EvaluationContext",
    "EvaluationError",
    "Expression",
    "ExpressionError",
    "InstanceQuery",
    "Literal",
    "Negate",
    "NodeSet",
    "Number",
    "Parent",
    "Path",
    "Reference",
    "Value",
    "evaluate",
    "instances_used",
    "parse_expression",
    "to_boolean",
    "to_number",
    "to_string",
]


class NodeSet(tuple["Value", ...]):
    """The values of one field across several repeat instances (an XPath node-set)."""

    __slots__ = ()


Value = str | float | bool | datetime.date | NodeSet
"""A runtime value: XPath has strings, numbers and booleans; ODK adds dates; node-sets come from repeats."""


class ExpressionError(ValueError):
    """A syntax error, or use of something the language does not support, at a character position."""

    def __init__(self, expression: str, position: int, message: str) -> None:
        self.expression = expression
        self.position = position
        self.message = message
        super().__init__(f"{message} (位置 position {position + 1}: {expression!r})")


class EvaluationError(ValueError):
    """An expression that parsed but could not be evaluated (e.g. an invalid regular expression)."""


# --------------------------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True, slots=True)
class Literal:
    """A string literal."""

    value: str


@dataclass(frozen=True, slots=True)
class Number:
    """A number literal."""

    value: float


@dataclass(frozen=True, slots=True)
class Reference:
    """``${name}``: the value of another field (relative to the current repeat instance)."""

    name: str
    position: int


@dataclass(frozen=True, slots=True)
class Current:
    """``.``: the value of the field being constrained."""

    position: int


@dataclass(frozen=True, slots=True)
class Parent:
    """``..``: the enclosing repeat instance; only meaningful as the argument of ``position()``."""

    position: int


@dataclass(frozen=True, slots=True)
class Path:
    """An XPath location path to a question: ``../age``, ``./source``, ``/data/household/size`` or a bare
    ``age`` (a child of the node the expression belongs to). ``steps`` are names, ``.`` and ``..``; an
    absolute path's first step is the form's root element, whatever its name."""

    steps: tuple[str, ...]
    absolute: bool
    position: int

    @property
    def text(self) -> str:
        return ("/" if self.absolute else "") + "/".join(self.steps)


@dataclass(frozen=True, slots=True)
class InstanceQuery:
    """``instance('name')/root/item[predicate]…/child``: a column of the matching items of a choice file
    attached to the form (or of a choice list). Bare names in a predicate are the item's columns; a
    number picks the item at that position. Without ``child`` the items themselves (for ``count()``)."""

    instance: str
    predicates: tuple[Expression, ...]
    child: str | None
    position: int


@dataclass(frozen=True, slots=True)
class ChoiceColumn:
    """A bare name inside a ``choice_filter``: a column of the choices sheet for the choice being tested."""

    name: str
    position: int


@dataclass(frozen=True, slots=True)
class Negate:
    """Unary minus."""

    operand: Expression


@dataclass(frozen=True, slots=True)
class BinaryOp:
    """``or and = != < <= > >= + - * div mod``."""

    op: str
    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True)
class Call:
    """A function call such as ``selected(${work}, 'yes')``."""

    name: str
    args: tuple[Expression, ...]
    position: int


Expression = (
    Literal
    | Number
    | Reference
    | Current
    | Parent
    | Path
    | InstanceQuery
    | ChoiceColumn
    | Negate
    | BinaryOp
    | Call
)


def walk(node: Expression, *, into_predicates: bool = True) -> Iterator[Expression]:
    """Yield every node of a syntax tree, parents before children (``into_predicates=False``: not the
    predicates of instance queries, whose bare names are an item's columns)."""
    yield node
    if isinstance(node, Negate):
        yield from walk(node.operand, into_predicates=into_predicates)
    elif isinstance(node, BinaryOp):
        yield from walk(node.left, into_predicates=into_predicates)
        yield from walk(node.right, into_predicates=into_predicates)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from walk(arg, into_predicates=into_predicates)
    elif isinstance(node, InstanceQuery) and into_predicates:
        for predicate in node.predicates:
            yield from walk(predicate)


def instances_used(node: Expression) -> list[str]:
    """The instances an expression reads: ``instance('x')/…`` and ``pulldata('x', …)``, in order."""
    names: list[str] = []
    for part in walk(node):
        if isinstance(part, InstanceQuery):
            names.append(part.instance)
        elif isinstance(part, Call) and part.name == "pulldata" and isinstance(part.args[0], Literal):
            names.append(part.args[0].value.strip())
    return list(dict.fromkeys(names))


# ------------------------------------------------------------------------------------------------ tokenizer

_NAME_RE = re.compile(r"[^\W\d][\w.\-]*(?::[^\W\d][\w.\-]*)?")
_NUMBER_RE = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_REF_RE = re.compile(r"\$\{([^}]*)\}")
_FIELD_NAME_RE = re.compile(r"^[^\W\d][\w.\-]*$")
_OPERATOR_WORDS = frozenset({"and", "or", "div", "mod"})
_SYMBOLS = ("!=", "<=", ">=", "..", "=", "<", ">", "+", "-", "*", "(", ")", ",", ".", "/", "|", "[", "]")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "number", "string", "ref", "name", "op", "end"
    text: str
    position: int


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(source):
        if source[i].isspace():
            i += 1
            continue
        token, i = _next_token(source, i)
        tokens.append(token)
    tokens.append(_Token("end", "", len(source)))
    return tokens


_Scan = tuple[_Token, int] | None
"""A token and the position after it, or None when the text at that position is not this kind of token."""


_CURLY_QUOTES = {"‘": "’", "“": "”", "’": "’", "”": "”"}
"""Typographic quotes that spreadsheet autocorrect puts in place of ' and ": read as the quotes meant."""


def _scan_string(source: str, i: int) -> _Scan:
    quote = source[i]
    if quote in _CURLY_QUOTES or quote in "'\"":
        closers = (_CURLY_QUOTES.get(quote, quote), *(("'", "’", "‘") if quote in "'‘’" else ('"', "”")))
        found = [e for e in (source.find(c, i + 1) for c in closers) if e >= 0]
        end = min(found) if found else -1
        if end < 0:
            raise ExpressionError(source, i, "文字列が閉じられていません (unterminated string literal)")
        return _Token("string", source[i + 1 : end], i), end + 1
    if quote not in "'\"":
        return None
    end = source.find(quote, i + 1)
    if end < 0:
        raise ExpressionError(source, i, "文字列が閉じられていません (unterminated string literal)")
    return _Token("string", source[i + 1 : end], i), end + 1


def _scan_reference(source: str, i: int) -> _Scan:
    if source[i] != "$":
        return None
    match = _REF_RE.match(source, i)
    if match is None:
        raise ExpressionError(source, i, "${…} が閉じられていません (unterminated ${…} reference)")
    name = match.group(1).strip()
    if name.startswith(LAST_SAVED):  # ${last-saved#name}: the answer last saved on the device
        return _Token("ref", LAST_SAVED + _checked_name(source, i, name[len(LAST_SAVED) :]), i), match.end()
    return _Token("ref", _checked_name(source, i, name), i), match.end()


LAST_SAVED = "last-saved#"
"""Prefix of ``${last-saved#name}``; such a :class:`Reference` keeps it in its ``name``."""


def _checked_name(source: str, i: int, name: str) -> str:
    if not _FIELD_NAME_RE.match(name):
        raise ExpressionError(source, i, f"参照名が正しくありません (invalid reference name {name!r})")
    return name


def _scan_number(source: str, i: int) -> _Scan:
    # "." alone is the current field and ".." the parent: a number must have a digit at or after the dot.
    if not (source[i].isdigit() or (source[i] == "." and source[i + 1 : i + 2].isdigit())):
        return None
    match = _NUMBER_RE.match(source, i)
    return (_Token("number", match.group(0), i), match.end()) if match is not None else None


def _scan_name(source: str, i: int) -> _Scan:
    match = _NAME_RE.match(source, i)
    return (_Token("name", match.group(0), i), match.end()) if match is not None else None


def _scan_symbol(source: str, i: int) -> _Scan:
    symbol = next((symbol for symbol in _SYMBOLS if source.startswith(symbol, i)), None)
    return (_Token("op", symbol, i), i + len(symbol)) if symbol is not None else None


_SCANNERS: tuple[Callable[[str, int], _Scan], ...] = (
    _scan_string,
    _scan_reference,
    _scan_number,
    _scan_name,
    _scan_symbol,
)


def _next_token(source: str, i: int) -> tuple[_Token, int]:
    """The token starting at ``i`` (which is not a space) and the position after it."""
    for scan in _SCANNERS:
        found = scan(source, i)
        if found is not None:
            return found
    ch = source[i]
    raise ExpressionError(source, i, f"使えない文字 {ch!r} があります (unexpected character {ch!r})")


# --------------------------------------------------------------------------------------------------- parser

# name -> (minimum arguments, maximum arguments or None for any number)
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "selected": (2, 2),
    "count-selected": (1, 1),
    "selected-at": (2, 2),
    "string-length": (0, 1),
    "if": (3, 3),
    "today": (0, 0),
    "concat": (0, None),
    "coalesce": (2, 2),
    "int": (1, 1),
    "number": (0, 1),
    "string": (0, 1),
    "boolean": (1, 1),
    "not": (1, 1),
    "true": (0, 0),
    "false": (0, 0),
    "round": (1, 2),
    "abs": (1, 1),
    "floor": (1, 1),
    "ceiling": (1, 1),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "ends-with": (2, 2),
    "substr": (2, 3),
    "regex": (2, 2),
    "count": (1, 1),
    "sum": (1, 1),
    "max": (1, None),
    "min": (1, None),
    "position": (0, 1),
    "jr:choice-name": (2, 2),
    "instance": (1, 1),
    "pulldata": (4, 4),
    "current": (0, 0),
    **ODK_ARITY,
}

_COMPARISONS = ("<=", ">=", "<", ">")
MAX_NESTING = 64
"""Parentheses, calls and minus signs nested deeper than this are refused: each level costs the recursive
parser about eight Python frames, and real forms stay far below (ODK users rarely nest more than ten)."""
MAX_TREE_DEPTH = 200
"""A syntax tree deeper than this (e.g. a chain of thousands of ``+``) is refused: walking and evaluating
it recursively would exhaust Python's stack."""


class _Parser:
    def __init__(self, source: str, allow_bare_names: bool) -> None:
        self.source = source
        self.tokens = _tokenize(source)
        self.index = 0
        self.allow_bare_names = allow_bare_names
        self.nesting = 0

    def enter(self, token: _Token) -> None:
        """Count one more level of nesting; refuse expressions nested deeper than MAX_NESTING."""
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise self.error(
                token,
                f"式の入れ子が深すぎます (expression nested more than {MAX_NESTING} levels deep)",
            )

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def error(self, token: _Token, message: str) -> ExpressionError:
        return ExpressionError(self.source, token.position, message)

    def at_operator(self, *ops: str) -> str | None:
        token = self.peek()
        if (token.kind == "op" and token.text in ops) or (token.kind == "name" and token.text in ops):
            return token.text
        return None

    def parse(self) -> Expression:
        if self.peek().kind == "end":
            raise self.error(self.peek(), "式が空です (empty expression)")
        node = self.parse_or()
        token = self.peek()
        if token.kind != "end":
            if token.text in ("/", "[", "]", "|"):
                raise self.error(token, f"not supported: XPath operator {token.text!r}")
            raise self.error(
                token, f"{token.text!r} の位置で式が終わっていません (unexpected {token.text!r})"
            )
        return node

    def parse_or(self) -> Expression:
        node = self.parse_and()
        while self.at_operator("or"):
            self.advance()
            node = BinaryOp("or", node, self.parse_and())
        return node

    def parse_and(self) -> Expression:
        node = self.parse_equality()
        while self.at_operator("and"):
            self.advance()
            node = BinaryOp("and", node, self.parse_equality())
        return node

    def parse_equality(self) -> Expression:
        node = self.parse_relational()
        while (op := self.at_operator("=", "!=")) is not None:
            self.advance()
            node = BinaryOp(op, node, self.parse_relational())
        return node

    def parse_relational(self) -> Expression:
        node = self.parse_additive()
        while (op := self.at_operator(*_COMPARISONS)) is not None:
            self.advance()
            node = BinaryOp(op, node, self.parse_additive())
        return node

    def parse_additive(self) -> Expression:
        node = self.parse_multiplicative()
        while (op := self.at_operator("+", "-")) is not None:
            self.advance()
            node = BinaryOp(op, node, self.parse_multiplicative())
        return node

    def parse_multiplicative(self) -> Expression:
        node = self.parse_unary()
        while (op := self.at_operator("*", "div", "mod")) is not None:
            self.advance()
            node = BinaryOp(op, node, self.parse_unary())
        return node

    def parse_unary(self) -> Expression:
        if self.at_operator("-"):
            self.enter(self.advance())
            node = Negate(self.parse_unary())
            self.nesting -= 1
            return node
        return self.parse_primary()

    def parse_primary(self) -> Expression:
        token = self.advance()
        if token.kind == "number":
            return Number(float(token.text))
        if token.kind == "string":
            return Literal(token.text)
        if token.kind == "ref":
            return Reference(token.text, token.position)
        if token.kind == "op":
            return self.parse_symbol(token)
        if token.kind == "name":
            return self.parse_name(token)
        raise self.error(token, "式が途中で終わっています (unexpected end of expression)")

    def parse_symbol(self, token: _Token) -> Expression:
        """A value that starts with a symbol: ``(…)``, ``.`` or ``..``."""
        if token.text == "(":
            self.enter(token)
            node = self.parse_or()
            closing = self.advance()
            if closing.text != ")" or closing.kind != "op":
                raise self.error(closing, "「)」がありません (missing closing parenthesis)")
            self.nesting -= 1
            return node
        if token.text in (".", "..") and self.at_slash():
            return self.parse_path([token.text], absolute=False, start=token)
        if token.text == ".":
            return Current(token.position)
        if token.text == "..":
            return Parent(token.position)
        if token.text == "/":
            return self.parse_path([], absolute=True, start=token, need_step=True)
        raise self.error(
            token, f"{token.text!r} の前に値がありません (expected a value before {token.text!r})"
        )

    def parse_name(self, token: _Token) -> Expression:
        """A value that starts with a name: a function call, or a choices column in a choice_filter."""
        if self.peek().kind == "op" and self.peek().text == "(":
            return self.parse_call(token)
        if token.text in _OPERATOR_WORDS:
            raise self.error(
                token, f"{token.text!r} の前に値がありません (expected a value before {token.text!r})"
            )
        if self.allow_bare_names and ":" not in token.text and not self.at_slash():
            return ChoiceColumn(token.text, token.position)
        # A bare name is an XPath path: a child of the node the expression belongs to (as ODK reads it).
        return self.parse_path([token.text], absolute=False, start=token)

    def at_slash(self) -> bool:
        return self.peek().kind == "op" and self.peek().text == "/"

    def parse_step(self) -> str:
        token = self.advance()
        if token.kind == "name" or (token.kind == "op" and token.text in (".", "..")):
            return token.text
        if token.kind == "end":
            raise self.error(token, "パスが途中で終わっています (unexpected end of a path)")
        raise self.error(
            token, f"パスの途中で {token.text!r} は使えません (unexpected {token.text!r} in a path)"
        )

    def parse_path(self, steps: list[str], *, absolute: bool, start: _Token, need_step: bool = False) -> Path:
        """The rest of a location path after its first step (``/`` then a name, ``.`` or ``..``, …)."""
        if need_step:
            steps.append(self.parse_step())
        while self.at_slash():
            self.advance()
            steps.append(self.parse_step())
        if self.peek().kind == "op" and self.peek().text == "[":
            raise self.error(self.peek(), "not supported: XPath predicates outside instance('…')")
        return Path(tuple(steps), absolute, start.position)

    def parse_instance_query(self, call: Call, token: _Token) -> InstanceQuery:
        """``instance('name')/root/item[…]/child`` after the call ``instance('name')``."""
        if not isinstance(call.args[0], Literal):
            raise self.error(
                token, "instance() の引数は 'name' にしてください (instance name must be quoted)"
            )
        steps: list[tuple[str, list[Expression]]] = []
        while self.at_slash():
            self.advance()
            step = self.parse_step()
            predicates: list[Expression] = []
            while self.peek().kind == "op" and self.peek().text == "[":
                predicates.append(self.parse_predicate())
            steps.append((step, predicates))
        shape_ok = (
            len(steps) in (2, 3)
            and steps[0] == ("root", [])
            and steps[1][0] == "item"
            and (len(steps) == 2 or (not steps[2][1] and steps[2][0] not in (".", "..")))
        )
        if not shape_ok:
            raise self.error(
                token,
                "not supported: instance path other than instance('name')/root/item[…]/column",
            )
        child = steps[2][0] if len(steps) == 3 else None
        return InstanceQuery(call.args[0].value.strip(), tuple(steps[1][1]), child, token.position)

    def parse_predicate(self) -> Expression:
        opening = self.advance()  # "["
        self.enter(opening)
        outer, self.allow_bare_names = self.allow_bare_names, True
        try:
            node = self.parse_or()
        finally:
            self.allow_bare_names = outer
        closing = self.advance()
        if closing.kind != "op" or closing.text != "]":
            raise self.error(closing, "「]」がありません (missing ']')")
        self.nesting -= 1
        return node

    def parse_call(self, name_token: _Token) -> Expression:
        name = name_token.text
        if name not in FUNCTIONS:
            raise self.error(name_token, f"not supported: function {name}()")
        self.enter(self.advance())  # "("
        args: list[Expression] = []
        if not (self.peek().kind == "op" and self.peek().text == ")"):
            while True:
                args.append(self.parse_or())
                if self.peek().kind == "op" and self.peek().text == ",":
                    self.advance()
                    continue
                break
        closing = self.advance()
        if closing.kind != "op" or closing.text != ")":
            raise self.error(
                closing, f"{name}() の「)」がありません (missing ')' after arguments of {name}())"
            )
        self.nesting -= 1
        low, high = FUNCTIONS[name]
        if len(args) < low or (high is not None and len(args) > high):
            expected = str(low) if low == high else f"{low}–{high if high is not None else '…'}"
            raise self.error(
                name_token,
                f"{name}() の引数の数が違います: {len(args)} 個 (expected {expected} arguments)",
            )
        call = Call(name, tuple(args), name_token.position)
        if name == "instance":
            return self.parse_instance_query(call, name_token)
        if name == "current" and self.at_slash():
            raise self.error(self.peek(), "not supported: current()/… paths")
        return call


@lru_cache(maxsize=4096)
def parse_expression(source: str, *, allow_bare_names: bool = False) -> Expression:
    """Parse an expression; raise :class:`ExpressionError` with the position of the first problem.

    ``allow_bare_names`` is for ``choice_filter``, where a bare name is a column of the choices sheet.
    """
    tree = _Parser(source, allow_bare_names).parse()
    if _depth(tree) > MAX_TREE_DEPTH:
        raise ExpressionError(
            source, 0, f"式が長すぎます (expression tree deeper than {MAX_TREE_DEPTH} levels: split it up)"
        )
    for node in _walk_outside_position(tree):
        if isinstance(node, Parent):
            raise ExpressionError(source, node.position, "not supported: '..' outside position(..)")
        if (
            isinstance(node, Call)
            and node.name == "position"
            and node.args
            and not isinstance(node.args[0], Parent)
        ):
            raise ExpressionError(source, node.position, "not supported: position() other than position(..)")
    return tree


def _depth(tree: Expression) -> int:
    """Depth of a syntax tree, measured without recursion (the tree may be too deep to recurse into)."""
    deepest = 0
    pending: list[tuple[Expression, int]] = [(tree, 1)]
    while pending:
        node, level = pending.pop()
        deepest = max(deepest, level)
        if isinstance(node, Negate):
            pending.append((node.operand, level + 1))
        elif isinstance(node, BinaryOp):
            pending += [(node.left, level + 1), (node.right, level + 1)]
        elif isinstance(node, Call):
            pending += [(arg, level + 1) for arg in node.args]
        elif isinstance(node, InstanceQuery):
            pending += [(predicate, level + 1) for predicate in node.predicates]
    return deepest


def _walk_outside_position(node: Expression) -> Iterator[Expression]:
    # Like walk(), but does not descend into position(): `..` is legal only as its argument.
    yield node
    if isinstance(node, Negate):
        yield from _walk_outside_position(node.operand)
    elif isinstance(node, BinaryOp):
        yield from _walk_outside_position(node.left)
        yield from _walk_outside_position(node.right)
    elif isinstance(node, Call) and node.name != "position":
        for arg in node.args:
            yield from _walk_outside_position(arg)
    elif isinstance(node, InstanceQuery):
        for predicate in node.predicates:
            yield from _walk_outside_position(predicate)


# ---------------------------------------------------------------------------------------------- conversions

_EPOCH = datetime.date(1970, 1, 1)
_XPATH_NUMBER_RE = re.compile(r"^\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*$")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _first(value: NodeSet) -> Value:
    return value[0] if value else ""


def to_number(value: Value) -> float:
    """XPath ``number()``: booleans are 1/0, dates are days since 1970-01-01, other text is NaN."""
    if isinstance(value, NodeSet):
        return to_number(_first(value)) if value else math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float | int):
        return float(value)
    if isinstance(value, datetime.date):
        return float((value - _EPOCH).days)
    if _XPATH_NUMBER_RE.match(value):
        return float(value)
    date = _parse_date(value)
    return float((date - _EPOCH).days) if date is not None else math.nan


def to_string(value: Value) -> str:
    """XPath ``string()``: integral numbers print without a decimal point, dates as YYYY-MM-DD."""
    if isinstance(value, NodeSet):
        return to_string(_first(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        if number.is_integer():
            return str(int(number))
        # XPath never prints exponents: write the shortest round-tripping digits in plain notation.
        return format(Decimal(repr(number)), "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def to_boolean(value: Value) -> bool:
    """XPath ``boolean()``: non-zero numbers, non-empty text and non-empty node-sets are true."""
    if isinstance(value, NodeSet):
        return len(value) > 0
    if isinstance(value, bool):
        return value
    if isinstance(value, float | int):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, datetime.date):
        return True
    return value != ""


def _parse_date(text: str) -> datetime.date | None:
    text = text.strip()
    if len(text) >= 10 and _ISO_DATE_RE.match(text[:10]) and (len(text) == 10 or text[10] in "T "):
        try:
            return datetime.date.fromisoformat(text[:10])
        except ValueError:
            return None
    return None


# ------------------------------------------------------------------------------------------------ evaluator


class EvaluationContext(Protocol):
    """What an expression needs from its surroundings: field values, the current value, today."""

    def resolve(self, name: str) -> Value:
        """The value of ``${name}`` seen from the current repeat instance."""

    def current(self) -> Value:
        """The value of ``.`` (the field being constrained)."""

    def today(self) -> datetime.date:
        """The date ``today()`` returns."""

    def position(self) -> int:
        """The 1-based index of the innermost repeat instance, for ``position(..)``."""

    def choice_column(self, name: str) -> Value:
        """A column of the choice being filtered, for bare names in ``choice_filter``."""

    def choice_label(self, field_name: str, value: str) -> str:
        """The label of choice ``value`` of the select field ``field_name``, for ``jr:choice-name``."""

    def resolve_path(self, path: Path) -> Value:
        """The value of the question an XPath path leads to from the expression's node (empty if none)."""

    def instance_items(self, name: str) -> Sequence[Mapping[str, str]]:
        """The items of instance ``name`` (a choice file attached to the form, or a choice list)."""


def _compare(op: str, left: Value, right: Value) -> bool:
    # XPath: a comparison with a node-set is true if it holds for any member.
    if isinstance(left, NodeSet):
        return any(_compare(op, item, right) for item in left)
    if isinstance(right, NodeSet):
        return any(_compare(op, left, item) for item in right)
    if op in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            equal = to_boolean(left) == to_boolean(right)
        elif isinstance(left, datetime.date) or isinstance(right, datetime.date):
            equal = to_number(left) == to_number(right)
        elif isinstance(left, float | int) or isinstance(right, float | int):
            equal = to_number(left) == to_number(right)
        else:
            equal = left == right
        return equal if op == "=" else not equal
    a, b = to_number(left), to_number(right)
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def _arithmetic(op: str, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        if b == 0:
            if a == 0 or math.isnan(a):
                return math.nan
            return math.copysign(math.inf, a) * math.copysign(1.0, b)
        return a / b
    # mod: XPath keeps the sign of the dividend, like C's fmod.
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    return math.fmod(a, b)


def _values(value: Value) -> Sequence[Value]:
    return value if isinstance(value, NodeSet) else (value,)


def _round(number: float, digits: int) -> float:
    if math.isnan(number) or math.isinf(number):
        return number
    try:
        quantum = Decimal(1).scaleb(-digits)
        return float(Decimal(repr(number)).quantize(quantum, rounding=ROUND_HALF_UP))
    except InvalidOperation:
        return number


@lru_cache(maxsize=256)
def _compile_regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise EvaluationError(
            f"正規表現が正しくありません (invalid regular expression {pattern!r}: {error})"
        ) from error


def _integer_arg(value: Value) -> int:
    number = to_number(value)
    if math.isnan(number) or math.isinf(number):
        return 0
    return int(number)


def _call(node: Call, ctx: EvaluationContext) -> Value:
    name = node.name
    if name == "if":
        condition = to_boolean(evaluate(node.args[0], ctx))
        return evaluate(node.args[1] if condition else node.args[2], ctx)
    if name == "true":
        return True
    if name == "false":
        return False
    if name == "today":
        return ctx.today()
    if name == "position":
        return float(ctx.position())
    args = [evaluate(arg, ctx) for arg in node.args]
    if name in ("string-length", "number", "string") and not args:
        args = [ctx.current()]
    handler = _FUNCTION_TABLE[name]
    return handler(args, ctx)


class _ItemContext:
    """The context of a predicate ``[…]`` of an instance query: bare names are the item's columns."""

    def __init__(self, outer: EvaluationContext, item: Mapping[str, str]) -> None:
        self.outer = outer
        self.item = item

    def resolve(self, name: str) -> Value:
        return self.outer.resolve(name)

    def current(self) -> Value:
        return self.outer.current()

    def today(self) -> datetime.date:
        return self.outer.today()

    def position(self) -> int:
        return self.outer.position()

    def choice_column(self, name: str) -> Value:
        return self.item.get(name, "")

    def choice_label(self, field_name: str, value: str) -> str:
        return self.outer.choice_label(field_name, value)

    def resolve_path(self, path: Path) -> Value:
        return self.outer.resolve_path(path)

    def instance_items(self, name: str) -> Sequence[Mapping[str, str]]:
        return self.outer.instance_items(name)


def _instance_query(node: InstanceQuery, ctx: EvaluationContext) -> Value:
    items = list(ctx.instance_items(node.instance))
    for predicate in node.predicates:
        kept = []
        for index, item in enumerate(items, 1):
            test = evaluate(predicate, _ItemContext(ctx, item))
            if isinstance(test, float) and not isinstance(test, bool):
                if test == index:
                    kept.append(item)
            elif to_boolean(test):
                kept.append(item)
        items = kept
    if node.child is None:
        return NodeSet("" for _ in items)
    return NodeSet(item.get(node.child, "") for item in items)


def _pulldata(args: list[Value], ctx: EvaluationContext) -> Value:
    """``pulldata('file', 'column', 'key column', key)``: the column of the first item whose key matches."""
    column, key_column, key = to_string(args[1]), to_string(args[2]), to_string(args[3])
    for item in ctx.instance_items(to_string(args[0]).strip()):
        if item.get(key_column, "") == key:
            return item.get(column, "")
    return ""


def _selected(args: list[Value], ctx: EvaluationContext) -> Value:
    return to_string(args[1]).strip() in to_string(args[0]).split()


def _selected_at(args: list[Value], ctx: EvaluationContext) -> Value:
    items = to_string(args[0]).split()
    index = _integer_arg(args[1])
    return items[index] if 0 <= index < len(items) else ""


def _concat(args: list[Value], ctx: EvaluationContext) -> Value:
    return "".join(to_string(item) for arg in args for item in _values(arg))


def _coalesce(args: list[Value], ctx: EvaluationContext) -> Value:
    first = to_string(args[0])
    return first if first != "" else to_string(args[1])


def _int(args: list[Value], ctx: EvaluationContext) -> Value:
    number = to_number(args[0])
    if math.isnan(number) or math.isinf(number):
        return number
    return float(math.trunc(number))


def _round_fn(args: list[Value], ctx: EvaluationContext) -> Value:
    digits = _integer_arg(args[1]) if len(args) > 1 else 0
    return _round(to_number(args[0]), max(-300, min(300, digits)))


def _unary_number(function: Callable[[float], float]) -> Callable[[list[Value], EvaluationContext], Value]:
    def apply(args: list[Value], ctx: EvaluationContext) -> Value:
        number = to_number(args[0])
        if math.isnan(number) or math.isinf(number):
            return number
        return float(function(number))

    return apply


def _substr(args: list[Value], ctx: EvaluationContext) -> Value:
    text = to_string(args[0])
    start = max(0, _integer_arg(args[1]))
    end = _integer_arg(args[2]) if len(args) > 2 else len(text)
    return text[start:end]


def _regex(args: list[Value], ctx: EvaluationContext) -> Value:
    return _compile_regex(to_string(args[1])).search(to_string(args[0])) is not None


def _sum(args: list[Value], ctx: EvaluationContext) -> Value:
    return math.fsum(to_number(item) for item in _values(args[0]))


def _extreme(pick: Callable[[list[float]], float]) -> Callable[[list[Value], EvaluationContext], Value]:
    def apply(args: list[Value], ctx: EvaluationContext) -> Value:
        numbers = [to_number(item) for arg in args for item in _values(arg)]
        if not numbers or any(math.isnan(n) for n in numbers):
            return math.nan
        return pick(numbers)

    return apply


def _choice_name(args: list[Value], ctx: EvaluationContext) -> Value:
    target = to_string(args[1]).strip()
    match = _REF_RE.fullmatch(target)
    name = match.group(1).strip() if match else target
    return ctx.choice_label(name, to_string(args[0]))


_FUNCTION_TABLE: dict[str, Callable[[list[Value], EvaluationContext], Value]] = {
    "selected": _selected,
    "count-selected": lambda args, ctx: float(len(to_string(args[0]).split())),
    "selected-at": _selected_at,
    "string-length": lambda args, ctx: float(len(to_string(args[0]))),
    "concat": _concat,
    "coalesce": _coalesce,
    "int": _int,
    "number": lambda args, ctx: to_number(args[0]),
    "string": lambda args, ctx: to_string(args[0]),
    "boolean": lambda args, ctx: to_boolean(args[0]),
    "not": lambda args, ctx: not to_boolean(args[0]),
    "round": _round_fn,
    "abs": _unary_number(abs),
    "floor": _unary_number(math.floor),
    "ceiling": _unary_number(math.ceil),
    "contains": lambda args, ctx: to_string(args[1]) in to_string(args[0]),
    "starts-with": lambda args, ctx: to_string(args[0]).startswith(to_string(args[1])),
    "ends-with": lambda args, ctx: to_string(args[0]).endswith(to_string(args[1])),
    "substr": _substr,
    "regex": _regex,
    "count": lambda args, ctx: float(len(args[0])) if isinstance(args[0], NodeSet) else 1.0,
    "sum": _sum,
    "max": _extreme(max),
    "min": _extreme(min),
    "jr:choice-name": _choice_name,
    "pulldata": _pulldata,
    "current": lambda args, ctx: ctx.current(),
    "instance": lambda args, ctx: "",
    **{name: handler for name, (_, _, handler) in ODK_FUNCTIONS.items()},
}


def evaluate(node: Expression, ctx: EvaluationContext) -> Value:
    """Evaluate a parsed expression against ``ctx``; raise :class:`EvaluationError` on a runtime fault."""
    # References and operators, the nodes chains of calculations recurse through, are evaluated right here
    # rather than through the table: one Python frame per level keeps deep forms off the recursion limit.
    if isinstance(node, Reference):
        return ctx.resolve(node.name)
    if not isinstance(node, BinaryOp):
        return _EVALUATORS[type(node)](node, ctx)
    op = node.op
    if op == "or":
        return to_boolean(evaluate(node.left, ctx)) or to_boolean(evaluate(node.right, ctx))
    if op == "and":
        return to_boolean(evaluate(node.left, ctx)) and to_boolean(evaluate(node.right, ctx))
    left = evaluate(node.left, ctx)
    right = evaluate(node.right, ctx)
    if op in ("=", "!=", "<", "<=", ">", ">="):
        return _compare(op, left, right)
    return _arithmetic(op, to_number(left), to_number(right))


_EVALUATORS: dict[type, Callable[[Any, EvaluationContext], Value]] = {
    Literal: lambda node, ctx: node.value,
    Number: lambda node, ctx: node.value,
    Current: lambda node, ctx: ctx.current(),
    ChoiceColumn: lambda node, ctx: ctx.choice_column(node.name),
    Path: lambda node, ctx: ctx.resolve_path(node),
    InstanceQuery: _instance_query,
    Parent: lambda node, ctx: float(ctx.position()),
    Negate: lambda node, ctx: -to_number(evaluate(node.operand, ctx)),
    Call: _call,
}


@dataclass(slots=True)
class SimpleContext:
    """A context backed by a flat dict of values: handy for tests and one-off evaluation."""

    values: dict[str, Value] = field(default_factory=dict)
    current_value: Value = ""
    today_date: datetime.date = datetime.date(2000, 1, 1)
    index: int = 1
    choice: dict[str, str] = field(default_factory=dict)
    instances: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def resolve(self, name: str) -> Value:
        """Look ``name`` up in ``values`` (missing names are empty)."""
        return self.values.get(name, "")

    def current(self) -> Value:
        """Return ``current_value``."""
        return self.current_value

    def today(self) -> datetime.date:
        """Return ``today_date``."""
        return self.today_date

    def position(self) -> int:
        """Return ``index``."""
        return self.index

    def choice_column(self, name: str) -> Value:
        """Return a column of ``choice``."""
        return self.choice.get(name, "")

    def choice_label(self, field_name: str, value: str) -> str:
        """Without choice lists, a choice's label is its value."""
        return value

    def resolve_path(self, path: Path) -> Value:
        """Without a form, a path is looked up by its last step in ``values``."""
        return self.values.get(path.steps[-1], "") if path.steps else ""

    def instance_items(self, name: str) -> Sequence[Mapping[str, str]]:
        """The items of ``instances[name]``."""
        return self.instances.get(name, [])


def references(tree: Expression) -> list[Reference]:
    """Every ``${name}`` in a tree, in order of appearance."""
    return [node for node in walk(tree) if isinstance(node, Reference)]
