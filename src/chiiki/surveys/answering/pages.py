"""What an answering page shows: the form's page turned into display items for the templates.

The items follow the form's structure (questions, notes, nested groups as fieldsets, repeat instances as
numbered fieldsets with their own "remove" button) and carry everything the templates need for accessible
markup: an id per input, the label in the respondent's language, hint, required flag, the current value,
choices, and the errors to show next to the field and in the error summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext as _

from chiiki.surveys.answering.drafts import MAX_TEXT
from chiiki.surveys.answering.tree import counter_field_key
from chiiki.surveys.xlsform import (
    MEDIA_KINDS,
    RANK_UNSURE,
    REFUSED_UPLOAD,
    Choice,
    Evaluation,
    Field,
    FieldState,
    Form,
    Node,
    Page,
    Section,
    pick_text,
)

__all__ = ["ChoiceItem", "ErrorLink", "Instance", "Item", "PageView", "build_page", "field_id", "page_title"]


def field_id(key: str) -> str:
    """A valid, stable HTML id for a field key: ``members[2]/age`` → ``f-members-2--age``."""
    return "f-" + key.replace("[", "-").replace("]", "").replace("/", "--").replace(".", "_")


@dataclass(slots=True)
class ChoiceItem:
    value: str
    label: str
    checked: bool
    id: str
    rank: str = ""
    """For a rank question: the number this option was given ("" when none)."""


@dataclass(slots=True)
class Instance:
    number: int
    label: str
    id: str
    children: list[Item]
    remove_action: str = ""
    confirm_remove: bool = False  # "remove" was pressed: ask before the row and its answers go


@dataclass(slots=True)
class Item:
    """One thing on the page: a question, a note, a group or a repeat."""

    type: str  # "field", "note", "group", "repeat"
    key: str = ""
    id: str = ""
    kind: str = ""
    label: str = ""
    hint: str = ""
    required: bool = False
    errors: list[str] = field(default_factory=list)
    value: str = ""
    display: str = ""
    choices: list[ChoiceItem] = field(default_factory=list)
    widget: str = ""
    inputmode: str = ""
    accept: str = ""
    """For an upload question: the file name endings accepted (the input's ``accept``)."""
    positions: list[str] = field(default_factory=list)
    """For a rank question: the numbers an option can be given (1…n)."""
    children: list[Item] = field(default_factory=list)
    instances: list[Instance] = field(default_factory=list)
    add_action: str = ""
    add_label: str = ""
    counter_note: str = ""
    top: bool = False  # a repeat that is the whole page: the page heading already names it
    no_choices: bool = False  # a choice_filter left nothing to choose: say so instead of an empty list
    max_length: int = 0  # typed answers: the longest kept, shown with the length typed so far
    length: int = 0
    relevance: str = ""
    """Its relevance condition for the page's script (JSON, see xlsform._client) when it depends on answers
    on this page; the item then carries its own ``shown`` input, posted only while it is shown."""
    concealed: bool = False
    """Not relevant now, drawn hidden with its inputs disabled so that the script can reveal it."""

    @property
    def described_by(self) -> str:
        """The ids of the hint, the length count and the error, for aria-describedby."""
        ids = [f"{self.id}-hint"] if self.hint else []
        if self.shows_count:
            ids.append(f"{self.id}-count")
        if self.errors:
            ids.append(f"{self.id}-error")
        return " ".join(ids)

    @property
    def shows_count(self) -> bool:
        """Long answers (a box of several lines, or a line typed past the limit) show their length and the limit."""
        return bool(self.max_length) and (self.widget == "textarea" or self.length > self.max_length)

    @property
    def anchor(self) -> str:
        """Where an error-summary link should move focus: the first option of a choice list."""
        return self.choices[0].id if self.widget in ("radio", "checkbox") and self.choices else self.id


@dataclass(frozen=True, slots=True)
class ErrorLink:
    anchor: str
    label: str
    message: str


@dataclass(slots=True)
class PageView:
    title: str
    items: list[Item]
    shown: list[str]
    errors: list[ErrorLink]
    conditional: set[str] = field(default_factory=set)
    """Keys of the questions drawn with a relevance condition (shown or hidden): each posts its own key."""

    @property
    def fixed_shown(self) -> list[str]:
        """The shown keys the page posts whatever is answered (the conditional ones post their own)."""
        return [key for key in self.shown if key not in self.conditional]


def page_title(form: Form, page: Page, language: str, evaluation: Evaluation | None = None) -> str:
    """The page's heading: its group or repeat label (``${field}`` filled in), or a neutral title."""
    texts = evaluation.section_texts.get(page.name, {}) if evaluation is not None and page.label else {}
    if "label" in texts:
        return texts["label"] or _("質問")
    return pick_text(page.label, language, form.default_language) or _("質問")


def _selection(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if value in (None, ""):
        return []
    return str(value).split()


class _Builder:
    def __init__(
        self,
        form: Form,
        evaluation: Evaluation,
        language: str,
        show_errors: set[str] | None,
        confirm_remove: str = "",
        conditions: Mapping[str, str] | None = None,
    ) -> None:
        self.confirm_remove = confirm_remove
        self.conditions = conditions or {}
        self.conditional: set[str] = set()
        self.within: list[str] = []  # the roster rows the current item is in ("世帯員 2"), for the summary
        self.form = form
        self.evaluation = evaluation
        self.language = language
        self.show_errors = show_errors
        self.shown: list[str] = []
        self.errors: list[ErrorLink] = []

    def text(self, texts: dict[str, str]) -> str:
        return pick_text(texts, self.language, self.form.default_language)

    def section_text(self, node: Section, key: str, attribute: str) -> str:
        """A group's label or hint, with ``${field}`` filled in by the evaluation."""
        filled = self.evaluation.section_texts.get(key, {})
        if attribute in filled:
            return filled[attribute]
        return self.text(node.label if attribute == "label" else node.hint)

    def nodes(self, nodes: list[Node], prefix: str) -> list[Item]:
        items: list[Item] = []
        for node in nodes:
            if isinstance(node, Field):
                item = self.field(node, prefix + node.name)
                if item is not None:
                    items.append(item)
            elif node.kind == "group":
                children = self.nodes(node.children, f"{prefix}{node.name}/")
                if children:
                    items.append(
                        Item(
                            "group",
                            key=prefix + node.name,
                            id=field_id(prefix + node.name),
                            label=self.section_text(node, prefix + node.name, "label"),
                            hint=self.section_text(node, prefix + node.name, "hint"),
                            children=children,
                        )
                    )
            else:
                items.append(self.repeat(node, prefix + node.name))
        return items

    def field(self, node: Field, key: str) -> Item | None:
        state = self.evaluation.fields.get(key)
        condition = self.conditions.get(key, "")
        if state is None or node.kind == "calculate" or not (state.relevant or condition):
            return None
        if condition:
            self.conditional.add(key)
        if not state.relevant:  # drawn hidden for the script: as the server would draw it once relevant
            state = replace(state, required=node.required == "true()", value=None, errors=[])
        item = self.question(node, key, state)
        item.relevance, item.concealed = condition, not state.relevant
        return item

    def question(self, node: Field, key: str, state: FieldState) -> Item:
        """The display item of a question or note in the given state (its errors go to the summary)."""
        # Labels and hints that name a field (``${member_name}さんの…``) come filled in from the runtime;
        # the templates escape them like any other text, so an answer can never inject markup.
        label = state.texts.get("label", self.text(node.label)) or node.name
        hint = state.texts.get("hint", self.text(node.hint))
        if node.kind == "note":
            return Item("note", key=key, id=field_id(key), label=label, hint=hint)
        item = Item(
            "field",
            key=key,
            id=field_id(key),
            kind=node.kind,
            label=label,
            hint=hint,
            required=state.required,
        )
        if node.kind in ("select_one", "select_multiple"):
            stale = self.choices(item, node, state)
        elif node.kind == "rank":
            self.ranks(item, node, state)
            stale = False
        else:
            self.text_input(item, node, state.value)
            stale = False
        if self.show_errors is None or key in self.show_errors or stale:
            item.errors = list(state.errors)
        if state.relevant:
            self.shown.append(key)
        # The error summary names the roster row too: "世帯員 2: 氏名", not "氏名" three times.
        where = "".join(f"{row}: " for row in self.within)
        for message in item.errors:
            self.errors.append(ErrorLink(item.anchor, where + label, message))
        return item

    def choices(self, item: Item, node: Field, state: FieldState) -> bool:
        """Fill in a select's choices and widget; True when the saved answer is no longer offered."""
        picked = _selection(state.value)
        options = self.options(node, state.choices)
        item.choices = [
            ChoiceItem(c.name, self.text(c.label) or c.name, c.name in picked, f"{item.id}-{i + 1}")
            for i, c in enumerate(options)
        ]
        item.no_choices = not options
        item.display = "、".join(c.label for c in item.choices if c.checked)
        if node.kind == "select_multiple":
            item.widget = "checkbox"
        else:
            item.widget = "select" if "minimal" in (node.appearance or "").split() else "radio"
        # An answer the filter no longer offers is not dropped silently: its message always shows.
        return state.choices is not None and any(name not in state.choices for name in picked)

    def ranks(self, item: Item, node: Field, state: FieldState) -> None:
        """A rank question: each option with a list of numbers 1…n (no JavaScript needed to reorder)."""
        given = _selection(state.value)
        numbers: dict[str, str] = {}
        if given and given[0].startswith(RANK_UNSURE):  # numbers that were not each used once: shown again
            for entry in given[0][len(RANK_UNSURE) :].split(","):
                number, _, name = entry.partition(":")
                numbers[name] = number
        else:
            numbers = {name: str(i) for i, name in enumerate(given, 1)}
        options = self.options(node, state.choices)
        item.widget = "rank"
        item.choices = [
            ChoiceItem(
                c.name,
                self.text(c.label) or c.name,
                c.name in numbers,
                f"{item.id}-{i + 1}",
                numbers.get(c.name, ""),
            )
            for i, c in enumerate(options)
        ]
        item.no_choices = not options
        labels = {c.value: c.label for c in item.choices}
        item.display = (
            "" if given and given[0].startswith(RANK_UNSURE) else " → ".join(labels.get(n, n) for n in given)
        )
        item.positions = [str(n) for n in range(1, len(options) + 1)]

    @staticmethod
    def text_input(item: Item, node: Field, value: Any) -> None:
        """Fill in a typed answer's value and widget (text, textarea, date; numeric keyboards for numbers)."""
        item.value = "" if value is None else str(value)
        item.display = item.value
        item.widget = "textarea" if "multiline" in (node.appearance or "").split() else "text"
        item.inputmode = {"integer": "numeric", "decimal": "decimal"}.get(node.kind, "")
        if node.kind == "date":
            item.widget = "date"
        if node.kind == "text":
            item.max_length, item.length = MAX_TEXT, len(item.value)
        if node.kind in MEDIA_KINDS:
            item.widget = "file"
            item.accept = ",".join(MEDIA_KINDS[node.kind][0])
            refused = item.value.startswith(REFUSED_UPLOAD)
            item.display = "" if refused else item.value.rsplit("/", 1)[-1]
            item.value = "" if refused else item.value

    def options(self, node: Field, allowed: list[str] | None) -> list[Choice]:
        """The choices to show: the whole list, or only those the choice_filter allows now."""
        choice_list = self.form.choice_lists.get(node.choice_list or "")
        options = choice_list.choices if choice_list else []
        if allowed is None:
            return list(options)
        names = set(allowed)
        return [choice for choice in options if choice.name in names]

    def repeat(self, node: Section, key: str) -> Item:
        count = self.evaluation.repeat_counts.get(key, 0)
        label = self.section_text(node, key, "label") or node.name
        counter = counter_field_key(self.form, node)
        can_change = counter is not None or not node.repeat_count
        instances: list[Instance] = []
        for number in range(1, count + 1):
            row, first_error = f"{label} {number}", len(self.errors)
            self.within.append(row)
            children = self.nodes(node.children, f"{key}[{number}]/")
            self.within.pop()
            name = next((c.value for c in children if c.type == "field" and c.kind == "text" and c.value), "")
            title = f"{label} {number}" + (f" ({name})" if name else "")
            if name:  # the summary names the member as the fieldset does: "世帯員 2 (山田 花): 生まれ年"
                self.errors[first_error:] = [
                    replace(e, label=e.label.replace(f"{row}: ", f"{title}: ", 1))
                    for e in self.errors[first_error:]
                ]
            instances.append(
                Instance(
                    number,
                    title,
                    field_id(f"{key}[{number}]"),
                    children,
                    f"remove:{key}:{number}" if can_change else "",
                    confirm_remove=can_change and self.confirm_remove == f"{key}:{number}",
                )
            )
        item = Item(
            "repeat",
            key=key,
            id=field_id(key),
            label=label,
            hint=self.section_text(node, key, "hint"),
            instances=instances,
        )
        if can_change:
            item.add_action = f"add:{key}"
            item.add_label = _("%(label)sを追加") % {"label": label}
        if counter is not None:
            item.counter_note = _(
                "人数(件数)は前のページの回答から決まります。追加・削除すると、その回答も変わります。"
            )
        return item


def build_page(
    form: Form,
    page: Page,
    evaluation: Evaluation,
    language: str,
    *,
    show_errors: set[str] | None = None,
    confirm_remove: str = "",
    conditions: Mapping[str, str] | None = None,
) -> PageView:
    """The display items of one page. ``show_errors``: only these keys show errors (None: all);
    ``confirm_remove``: the roster row ("members:3") whose removal is to be confirmed; ``conditions``: the
    relevance conditions the page's script evaluates (see xlsform.client_conditions), by key."""
    builder = _Builder(form, evaluation, language, show_errors, confirm_remove, conditions)
    nodes: list[Node] = page.nodes
    # A page made of one top-level group shows the group's questions directly under the page heading.
    if len(nodes) == 1 and isinstance(nodes[0], Section) and nodes[0].kind == "group":
        items = builder.nodes(nodes[0].children, f"{nodes[0].name}/")
    else:
        items = builder.nodes(nodes, "")
        if len(items) == 1 and items[0].type == "repeat":
            items[0].top = True
    title = page_title(form, page, language, evaluation)
    return PageView(title, items, builder.shown, builder.errors, builder.conditional)
