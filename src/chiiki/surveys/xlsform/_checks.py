"""Static checks pyxform leaves to ODK Validate: references, expression syntax, cycles, duplicate names."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from chiiki.surveys.xlsform._expressions import (
    Call,
    ChoiceColumn,
    Current,
    Expression,
    ExpressionError,
    Literal,
    Reference,
    parse_expression,
    walk,
)
from chiiki.surveys.xlsform._importer import Location
from chiiki.surveys.xlsform._model import Field, Form, Node, Section, is_dynamic_default
from chiiki.surveys.xlsform._problems import Problem

__all__ = ["EXPRESSION_ATTRIBUTES", "check_form_model", "dependency_cycles"]

EXPRESSION_ATTRIBUTES = (
    "relevant",
    "constraint",
    "calculation",
    "default",
    "choice_filter",
    "repeat_count",
    "required",
)
_VALUE_ATTRIBUTES = ("calculation", "relevant", "default", "repeat_count")  # what a field's value depends on
_REF_IN_STRING_RE = re.compile(r"^\s*\$\{([^}]+)\}\s*$")
_TEXT_ATTRIBUTES = ("label", "hint", "required_message", "constraint_message")  # shown with ${name} filled in
_REF_IN_TEXT_RE = re.compile(r"\$\{([A-Za-z_][\w.\-]*)\}")


def _expression_of(node: Node, attribute: str) -> str | None:
    text = getattr(node, attribute, None)
    if text is None:
        return None
    if attribute == "default" and not is_dynamic_default(text):
        return None
    if attribute == "required" and text == "true()":
        return None
    return str(text)


def _parse(node: Node, attribute: str) -> Expression | None:
    text = _expression_of(node, attribute)
    if text is None:
        return None
    try:
        return parse_expression(text, allow_bare_names=attribute == "choice_filter")
    except ExpressionError:
        return None


def dependency_cycles(form: Form) -> list[list[str]]:
    """Cycles among calculations, relevance, defaults and repeat counts, each as a list of names."""
    ancestors: dict[str, tuple[Section, ...]] = {}
    nodes: dict[str, Node] = {}
    for node, parents in form.walk():
        nodes.setdefault(node.name, node)
        ancestors.setdefault(node.name, parents)
    edges: dict[str, list[str]] = {}
    for name, node in nodes.items():
        targets: list[str] = []
        for owner in (*ancestors[name], node):
            for attribute in _VALUE_ATTRIBUTES:
                tree = _parse(owner, attribute)
                if tree is not None:
                    targets.extend(
                        ref.name for ref in walk(tree) if isinstance(ref, Reference) and ref.name in nodes
                    )
        # An ancestor's relevance is part of this node's value, but the ancestor itself is not a
        # dependency: a section's value does not come from its children.
        edges[name] = list(dict.fromkeys(targets))
    return _strongly_connected(edges)


def _strongly_connected(edges: dict[str, list[str]]) -> list[list[str]]:  # noqa: C901, PLR0912
    """Tarjan's algorithm, iterative so that long chains cannot exhaust the recursion limit."""
    index_of: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []
    counter = 0
    for start in edges:
        if start in index_of:
            continue
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            vertex, child_index = work.pop()
            if child_index == 0:
                index_of[vertex] = low[vertex] = counter
                counter += 1
                stack.append(vertex)
                on_stack.add(vertex)
            successors = edges.get(vertex, [])
            recursed = False
            for i in range(child_index, len(successors)):
                successor = successors[i]
                if successor not in index_of:
                    work.append((vertex, i + 1))
                    work.append((successor, 0))
                    recursed = True
                    break
                if successor in on_stack:
                    low[vertex] = min(low[vertex], index_of[successor])
            if recursed:
                continue
            if low[vertex] == index_of[vertex]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == vertex:
                        break
                if len(component) > 1 or vertex in edges.get(vertex, []):
                    cycles.append(list(reversed(component)))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[vertex])
    return cycles


def check_form_model(  # noqa: C901
    form: Form,
    locations: dict[tuple[str, str], Location] | None = None,
    choice_columns: dict[str, set[str]] | None = None,
) -> list[Problem]:
    """Every static problem of an imported form, located by sheet, row and column where known."""
    locations = locations or {}
    problems: list[Problem] = []

    def where(node: Node, attribute: str) -> tuple[str, int, str | None]:
        location = locations.get((node.name, attribute)) or locations.get((node.name, "name"))
        if location is None:
            return "survey", node.row, None
        return location.sheet, location.row, location.column

    def report(node: Node, attribute: str, subject: str, message: str, severity: str = "error") -> None:
        sheet, row, column = where(node, attribute)
        problems.append(
            Problem(sheet, row, column, subject, message, "warning" if severity == "warning" else "error")
        )

    # Duplicate names: ${name} must point at exactly one field.
    first_seen: dict[str, tuple[Node, tuple[Section, ...]]] = {}
    for node, parents in form.walk():
        previous = first_seen.get(node.name)
        if previous is None:
            first_seen[node.name] = (node, parents)
            continue
        same_parent = (previous[1][-1:] or (None,))[0] is (parents[-1:] or (None,))[0]
        if same_parent:
            report(
                node,
                "name",
                node.name,
                f"名前が重複しています: {previous[0].row} 行目と同じです (duplicate name)",
            )
        else:
            report(
                node, "name", node.name,
                f"not supported: the same name in two groups (also row {previous[0].row}); "
                "名前はフォーム全体で一意にしてください",
            )  # fmt: skip

    fields_by_name = {node.name: node for node, _ in form.walk()}
    parents_by_name = {node.name: parents for node, parents in form.walk()}

    for node, parents in form.walk():
        for attribute in EXPRESSION_ATTRIBUTES:
            text = _expression_of(node, attribute)
            if text is None:
                continue
            try:
                tree = parse_expression(text, allow_bare_names=attribute == "choice_filter")
            except ExpressionError as error:
                report(
                    node,
                    attribute,
                    text,
                    f"式の誤り: {error.message} (位置 {error.position + 1}, in {attribute})",
                )
                continue
            _check_tree(
                form,
                node,
                parents,
                attribute,
                text,
                tree,
                fields_by_name,
                parents_by_name,
                choice_columns,
                report,
            )
        _check_texts(node, fields_by_name, report)
        if isinstance(node, Field) and node.default is not None and not is_dynamic_default(node.default):
            message = _literal_default_problem(form, node)
            if message:
                report(node, "default", node.default, message)

    for cycle in dependency_cycles(form):
        chain = " → ".join(f"${{{name}}}" for name in [*cycle, cycle[0]])
        first = fields_by_name[cycle[0]]
        attribute = next((a for a in _VALUE_ATTRIBUTES if getattr(first, a, None)), "name")
        report(first, attribute, chain, f"計算・表示条件が循環しています (circular reference: {chain})")
    return problems


def _check_tree(  # noqa: C901
    form: Form,
    node: Node,
    parents: tuple[Section, ...],
    attribute: str,
    text: str,
    tree: Expression,
    fields_by_name: dict[str, Node],
    parents_by_name: dict[str, tuple[Section, ...]],
    choice_columns: dict[str, set[str]] | None,
    report: Callable[..., None],
) -> None:
    for part in walk(tree):
        if isinstance(part, Reference):
            if part.name not in fields_by_name:
                report(
                    node,
                    attribute,
                    text,
                    f"${{{part.name}}} という質問はありません (no question named '{part.name}')",
                )
        elif isinstance(part, Current) and attribute not in ("constraint", "required", "relevant"):
            report(
                node,
                attribute,
                text,
                f"「.」は constraint の中で使います ('.' is not allowed in {attribute})",
            )
        elif isinstance(part, ChoiceColumn) and isinstance(node, Field) and node.choice_list:
            known = (choice_columns or {}).get(node.choice_list)
            if known is not None and part.name not in known:
                report(
                    node, attribute, text,
                    f"choices シートに列 '{part.name}' がありません (no such choices column)",
                )  # fmt: skip
        elif isinstance(part, Call):
            if part.name == "position" and not any(
                p.kind == "repeat" for p in (*parents, node) if isinstance(p, Section)
            ):
                report(
                    node,
                    attribute,
                    text,
                    "position(..) は repeat の中だけで使えます (position(..) outside a repeat)",
                )
            elif part.name == "jr:choice-name" and isinstance(part.args[1], Literal):
                match = _REF_IN_STRING_RE.match(part.args[1].value)
                target = fields_by_name.get(match.group(1).strip()) if match else None
                if not isinstance(target, Field) or target.choice_list is None:
                    report(
                        node, attribute, text,
                        "jr:choice-name の2番目の引数は '${選択式の質問}' にしてください "
                        "(second argument must be '${name}' of a select question)",
                    )  # fmt: skip
            elif part.name == "regex" and isinstance(part.args[1], Literal):
                try:
                    re.compile(part.args[1].value)
                except re.error as error:
                    report(
                        node,
                        attribute,
                        text,
                        f"正規表現が正しくありません (invalid regular expression: {error})",
                    )


def _check_texts(node: Node, fields_by_name: dict[str, Node], report: Callable[..., None]) -> None:
    """``${name}`` in a label, hint or message must name a question (it is filled in with the answer)."""
    for attribute in _TEXT_ATTRIBUTES:
        texts: dict[str, str] = getattr(node, attribute, None) or {}
        for text in texts.values():
            for name in dict.fromkeys(_REF_IN_TEXT_RE.findall(text)):
                if name not in fields_by_name:
                    report(
                        node,
                        attribute,
                        text,
                        f"${{{name}}} という質問はありません (no question named '{name}' in {attribute})",
                    )


def _literal_default_problem(form: Form, node: Field) -> str | None:
    value = node.default or ""
    if node.kind == "integer" and not re.fullmatch(r"-?\d+", value):
        return "default は整数にしてください (default of an integer question must be an integer)"
    if node.kind == "decimal" and not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", value):
        return "default は数値にしてください (default of a decimal question must be a number)"
    if node.kind == "date":
        try:
            datetime.date.fromisoformat(value[:10])
        except ValueError:
            return "default は YYYY-MM-DD の日付にしてください (default date must be YYYY-MM-DD)"
    if node.kind in ("select_one", "select_multiple") and node.choice_list in form.choice_lists:
        choice_list = form.choice_lists[node.choice_list]
        for item in value.split() if node.kind == "select_multiple" else [value]:
            if choice_list.get(item) is None:
                return f"default '{item}' は選択肢にありません (default is not one of the choices)"
    return None
