"""Static checks pyxform leaves to ODK Validate: references, expression syntax, cycles, duplicate names."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from chiiki.surveys.xlsform._expressions import (
    LAST_SAVED,
    Call,
    ChoiceColumn,
    Current,
    Expression,
    ExpressionError,
    InstanceQuery,
    Literal,
    Path,
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


def _targets(form: Form, tree: Expression, owner: Node, parents: tuple[Section, ...]) -> list[str]:
    """The names of the nodes an expression of ``owner`` reads, through ``${name}`` or an XPath path."""
    names: list[str] = []
    for part in walk(tree):
        if isinstance(part, Reference):
            names.append(part.name)
        elif isinstance(part, Path):
            target = form.resolve_path(owner, parents, part.steps, part.absolute)
            if isinstance(target, Field | Section):
                names.append(target.name)
    return names


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
                    owner_parents = ancestors.get(owner.name, ())
                    targets.extend(
                        t
                        for t in _targets(form, tree, owner, owner_parents)
                        # A group's relevance may read a question inside it (CHT's `./source`): the
                        # question's own value does not come from that relevance.
                        if t in nodes and not (owner is not node and owner in ancestors.get(t, ()))
                    )
        # An ancestor's relevance is part of this node's value, but the ancestor itself is not a
        # dependency: a section's value does not come from its children.
        edges[name] = list(dict.fromkeys(targets))
    return _strongly_connected(edges)


def _strongly_connected(edges: dict[str, list[str]]) -> list[list[str]]:
    """The cycles of a graph: its strongly connected components of more than one vertex, or with a loop."""
    return _Tarjan(edges).cycles()


class _Tarjan:
    """Tarjan's algorithm, iterative so that long chains cannot exhaust the recursion limit."""

    def __init__(self, edges: dict[str, list[str]]) -> None:
        self.edges = edges
        self.index_of: dict[str, int] = {}
        self.low: dict[str, int] = {}
        self.on_stack: set[str] = set()
        self.stack: list[str] = []
        self.found: list[list[str]] = []

    def cycles(self) -> list[list[str]]:
        for start in self.edges:
            if start not in self.index_of:
                self.visit(start)
        return self.found

    def visit(self, start: str) -> None:
        # Each work item is (vertex, index of the next successor to look at): the recursion's call stack.
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            vertex, child_index = work.pop()
            if child_index == 0:
                self.number(vertex)
            unvisited = self.next_unvisited(vertex, child_index)
            if unvisited is not None:
                work.append((vertex, unvisited + 1))
                work.append((self.edges[vertex][unvisited], 0))
                continue
            if self.low[vertex] == self.index_of[vertex]:
                self.close_component(vertex)
            if work:
                parent = work[-1][0]
                self.low[parent] = min(self.low[parent], self.low[vertex])

    def number(self, vertex: str) -> None:
        self.index_of[vertex] = self.low[vertex] = len(self.index_of)
        self.stack.append(vertex)
        self.on_stack.add(vertex)

    def next_unvisited(self, vertex: str, start: int) -> int | None:
        """The index of ``vertex``'s first unvisited successor from ``start``, lowering its link on the way."""
        successors = self.edges.get(vertex, [])
        for index in range(start, len(successors)):
            successor = successors[index]
            if successor not in self.index_of:
                return index
            if successor in self.on_stack:
                self.low[vertex] = min(self.low[vertex], self.index_of[successor])
        return None

    def close_component(self, root: str) -> None:
        component: list[str] = []
        while True:
            member = self.stack.pop()
            self.on_stack.discard(member)
            component.append(member)
            if member == root:
                break
        if len(component) > 1 or root in self.edges.get(root, []):
            self.found.append(list(reversed(component)))


@dataclass(frozen=True, slots=True)
class _Site:
    """One expression of the form: the node and column it sits in, its text, and the node's enclosing sections."""

    node: Node
    parents: tuple[Section, ...]
    attribute: str
    text: str


class _Checker:
    """Collects the problems of one form, each located at its cell when the importer recorded where."""

    def __init__(
        self,
        form: Form,
        locations: dict[tuple[str, str], Location],
        choice_columns: dict[str, set[str]] | None,
        dropped_names: set[str] | None = None,
    ) -> None:
        self.form = form
        self.dropped_names = dropped_names or set()
        self.noted: set[tuple[str, str]] = set()
        self.ambiguous: dict[str, int] = {}  # a name used in two groups -> the first one's row
        self.locations = locations
        self.choice_columns = choice_columns or {}
        self.fields_by_name = {node.name: node for node, _ in form.walk()}
        self.problems: list[Problem] = []

    def report(self, node: Node, attribute: str, subject: str, message: str) -> None:
        if subject != node.name:  # the cell's text is the subject: the message names the question
            message = f"{node.name}: {message}"
        location = self.locations.get((node.name, attribute)) or self.locations.get((node.name, "name"))
        if location is None:
            self.problems.append(Problem("survey", node.row, None, subject, message))
        else:
            self.problems.append(Problem(location.sheet, location.row, location.column, subject, message))

    def at(self, site: _Site, message: str) -> None:
        self.report(site.node, site.attribute, site.text, message)

    def warning(self, site: _Site, message: str) -> Problem:
        """A warning at the cell of ``site``."""
        self.report(site.node, site.attribute, site.text, message)
        problem = self.problems.pop()
        return Problem(problem.sheet, problem.row, problem.column, problem.subject, message, "warning")

    def run(self) -> list[Problem]:
        self.check_duplicate_names()
        for node, parents in self.form.walk():
            for attribute in EXPRESSION_ATTRIBUTES:
                text = _expression_of(node, attribute)
                if text is not None:
                    self.check_expression(_Site(node, parents, attribute, text))
            self.check_texts(node)
            if isinstance(node, Field) and node.default is not None and not is_dynamic_default(node.default):
                message = _literal_default_problem(self.form, node)
                if message and message.startswith("default '"):
                    # pyxform and ODK accept it; the web does not preselect what is not a choice.
                    self.problems.append(
                        self.warning(
                            _Site(node, parents, "default", node.default),
                            f"{message}: 既定値として使いません (not preselected)",
                        )
                    )
                elif message:
                    self.report(node, "default", node.default, message)
        self.check_cycles()
        return self.problems

    def check_duplicate_names(self) -> None:
        """``${name}`` must point at exactly one field."""
        first_seen: dict[str, tuple[Node, tuple[Section, ...]]] = {}
        for node, parents in self.form.walk():
            previous = first_seen.get(node.name)
            if previous is None:
                first_seen[node.name] = (node, parents)
                continue
            same_parent = (previous[1][-1:] or (None,))[0] is (parents[-1:] or (None,))[0]
            if same_parent:
                message = f"名前が重複しています: {previous[0].row} 行目と同じです (duplicate name)"
                self.report(node, "name", node.name, message)
            else:  # allowed, as in ODK, as long as no ${name} refers to it
                self.ambiguous[node.name] = previous[0].row

    def check_expression(self, site: _Site) -> None:
        try:
            tree = parse_expression(site.text, allow_bare_names=site.attribute == "choice_filter")
        except ExpressionError as error:
            self.at(site, f"式の誤り: {error.message} (位置 {error.position + 1}, in {site.attribute})")
            return
        if any(quote in site.text for quote in "‘’“”"):
            self.problems.append(
                self.warning(
                    site,
                    "‘ ’ “ ” は ' \" として読みました。ODK Collect では使えません "
                    "(typographic quotes read as ' and \"; ODK Collect refuses them)",
                )
            )
        for part in walk(tree, into_predicates=False):
            if isinstance(part, Reference):
                self.check_reference(site, part)
            elif isinstance(part, Current):
                self.check_current(site)
            elif isinstance(part, ChoiceColumn):
                self.check_choice_column(site, part)
            elif isinstance(part, Path):
                self.check_path(site, part)
            elif isinstance(part, InstanceQuery):
                self.check_instance_query(site, part)
            elif isinstance(part, Call) and part.name in _CALL_CHECKS:
                _CALL_CHECKS[part.name](self, site, part)

    def check_reference(self, site: _Site, part: Reference) -> None:
        if part.name.startswith(LAST_SAVED):
            name = part.name[len(LAST_SAVED) :]
            if name not in self.fields_by_name and name not in self.dropped_names:
                self.at(site, f"${{{name}}} という質問はありません (no question named '{name}')")
            elif (site.node.name, "last-saved") not in self.noted:
                self.noted.add((site.node.name, "last-saved"))
                self.problems.append(
                    self.warning(
                        site,
                        "${last-saved#…} はウェブでは空です: 前回の回答を端末に保存しません "
                        "(empty on the web: no earlier answer is kept on a device)",
                    )
                )
            return
        if part.name in self.ambiguous:
            self.at(site, self.ambiguous_message(part.name))
        elif part.name not in self.fields_by_name and part.name not in self.dropped_names:
            self.at(site, f"${{{part.name}}} という質問はありません (no question named '{part.name}')")

    def ambiguous_message(self, name: str) -> str:
        return (
            f"${{{name}}} は2つのグループにある名前なので、どちらか決まりません (the name '{name}' is used "
            f"in two groups, first at row {self.ambiguous[name]}: ${{{name}}} is ambiguous)"
        )

    def check_instance_query(self, site: _Site, part: InstanceQuery) -> None:
        """``${name}`` in a predicate must name a question (bare names there are the item's columns)."""
        for predicate in part.predicates:
            for inner in walk(predicate):
                if isinstance(inner, Reference):
                    self.check_reference(site, inner)

    def check_path(self, site: _Site, part: Path) -> None:
        """An XPath path must lead somewhere; one that leads nowhere is always empty, as in ODK."""
        target = self.form.resolve_path(site.node, site.parents, part.steps, part.absolute)
        if target is not None:
            return
        bare = len(part.steps) == 1 and not part.absolute
        hint = (
            f"; '{part.text}' (文字) か ${{{part.text}}} のつもりですか? did you mean the text '{part.text}' "
            f"or ${{{part.text}}}?"
            if bare
            else ""
        )
        self.problems.append(
            self.warning(
                site,
                f"パス {part.text} の先に質問がないので、常に空です (the XPath path '{part.text}' leads to no "
                f"question: it is always empty, as ODK reads it{hint})",
            )
        )

    def check_current(self, site: _Site) -> None:
        if site.attribute not in ("constraint", "required", "relevant", "calculation"):
            self.at(site, f"「.」は constraint の中で使います ('.' is not allowed in {site.attribute})")

    def check_choice_column(self, site: _Site, part: ChoiceColumn) -> None:
        if not isinstance(site.node, Field) or not site.node.choice_list:
            return
        known = self.choice_columns.get(site.node.choice_list)
        if known is not None and part.name not in known:
            self.at(site, f"choices シートに列 '{part.name}' がありません (no such choices column)")

    def check_position(self, site: _Site, part: Call) -> None:
        if not any(p.kind == "repeat" for p in (*site.parents, site.node) if isinstance(p, Section)):
            self.at(site, "position(..) は repeat の中だけで使えます (position(..) outside a repeat)")

    def check_choice_name(self, site: _Site, part: Call) -> None:
        if not isinstance(part.args[1], Literal):
            return
        match = _REF_IN_STRING_RE.match(part.args[1].value)
        target = self.fields_by_name.get(match.group(1).strip()) if match else None
        if not isinstance(target, Field) or target.choice_list is None:
            self.at(
                site,
                "jr:choice-name の2番目の引数は '${選択式の質問}' にしてください "
                "(second argument must be '${name}' of a select question)",
            )

    def check_regex(self, site: _Site, part: Call) -> None:
        if not isinstance(part.args[1], Literal):
            return
        try:
            re.compile(part.args[1].value)
        except re.error as error:
            self.at(site, f"正規表現が正しくありません (invalid regular expression: {error})")

    def check_texts(self, node: Node) -> None:
        """``${name}`` in a label, hint or message must name a question (it is filled in with the answer)."""
        for attribute in _TEXT_ATTRIBUTES:
            texts: dict[str, str] = getattr(node, attribute, None) or {}
            for text in texts.values():
                for name in dict.fromkeys(_REF_IN_TEXT_RE.findall(text)):
                    if name in self.ambiguous:
                        self.report(node, attribute, text, self.ambiguous_message(name))
                    elif name not in self.fields_by_name and name not in self.dropped_names:
                        self.report(
                            node,
                            attribute,
                            text,
                            f"${{{name}}} という質問はありません (no question named '{name}' in {attribute})",
                        )

    def check_cycles(self) -> None:
        for cycle in dependency_cycles(self.form):
            chain = " → ".join(f"${{{name}}}" for name in [*cycle, cycle[0]])
            first = self.fields_by_name[cycle[0]]
            attribute = next((a for a in _VALUE_ATTRIBUTES if getattr(first, a, None)), "name")
            self.report(
                first, attribute, chain, f"計算・表示条件が循環しています (circular reference: {chain})"
            )


# Checks of particular functions' arguments, by function name.
_CALL_CHECKS: dict[str, Callable[[_Checker, _Site, Call], None]] = {
    "position": _Checker.check_position,
    "jr:choice-name": _Checker.check_choice_name,
    "regex": _Checker.check_regex,
}


def check_form_model(
    form: Form,
    locations: dict[tuple[str, str], Location] | None = None,
    choice_columns: dict[str, set[str]] | None = None,
    *,
    dropped_names: set[str] | None = None,
) -> list[Problem]:
    """Every static problem of an imported form, located by sheet, row and column where known.

    ``dropped_names`` are rows the importer already refused: a reference to one is not reported again."""
    return _Checker(form, locations or {}, choice_columns, dropped_names).run()


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
