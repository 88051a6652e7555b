"""CKAN's `q` and `fq`: the part of Solr's query syntax CKAN clients send, turned into Django filters.

CKAN hands both parameters to Solr. Clients send field terms (tags:防災, organization:yamaguchi-city,
name:aed-*, title:"公共施設", res_format:CSV, metadata_modified:[2024-01-01T00:00:00Z TO *], extras_key:value),
`*:*`, AND / OR / NOT, + and - prefixes, and parentheses (also after a field: tags:(防災 OR 避難)). We have no
Solr, so this module parses that syntax into a small tree and evaluates it to a `Q`. Words without a field go
through the bigram index (chiiki.opendata.search), as free text did before. Like CKAN's Solr (q.op=AND), words
next to each other must all match, and AND/OR/NOT follow Lucene's clause rules rather than boolean precedence
(`_Parser.group`): ckanext-harvest's incremental filter depends on it. luqum was considered for the parsing
and not taken: its tree gives AND precedence over OR, which is the very reading Solr does not do. Anything we cannot read raises SearchQueryError, which the API answers as
CKAN's "Search Query Error", never a 500.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import Q, QuerySet

from chiiki.opendata import search
from chiiki.opendata.models import Dataset, Resource


class SearchQueryError(ValueError):
    """A q/fq/sort the catalog does not understand (CKAN's "Search Query Error")."""


# Filters CKAN itself adds or that have one value here; they restrict nothing, in any position.
IGNORED_FIELDS = frozenset({"dataset_type", "site_id", "capacity", "state", "type", "entity_type"})
_FIELD_PREFIX = re.compile(r"([A-Za-z_][\w.]*):")
_NOW = re.compile(r"NOW(?:([+-])(\d+)(YEARS?|MONTHS?|DAYS?|HOURS?|MINUTES?|SECONDS?))?(?:/(?:DAY|HOUR))?")
_UNITS = {"YEAR": 365 * 86400, "MONTH": 30 * 86400, "DAY": 86400, "HOUR": 3600, "MINUTE": 60, "SECOND": 1}


def parse_ckan_time(text: str) -> dt.datetime:
    """Read a Solr/CKAN timestamp (2024-05-01T00:00:00Z, 2024-05-01, NOW, NOW-7DAYS) as UTC."""
    value = text.strip().removesuffix("Z")
    now = _NOW.fullmatch(value.upper())
    if now:
        stamp = dt.datetime.now(dt.UTC)
        if now.group(1):
            seconds = int(now.group(2)) * _UNITS[now.group(3).rstrip("S")]
            stamp += dt.timedelta(seconds=seconds if now.group(1) == "+" else -seconds)
        return stamp
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


# --- tokens -------------------------------------------------------------------------------------------

Kind = Literal["(", ")", "AND", "OR", "NOT", "+", "FIELD", "PHRASE", "RANGE", "TERM", "ALL"]


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str = ""


def tokenize(query: str) -> list[Token]:
    """Split a query into tokens; unterminated quotes and ranges are errors."""
    if "\x00" in query:  # PostgreSQL refuses NUL in any string parameter
        raise SearchQueryError("使えない文字（NUL）が含まれています")
    tokens: list[Token] = []
    i = 0
    while i < len(query):
        i = _next_token(query, i, tokens)
    return tokens


def _next_token(query: str, i: int, tokens: list[Token]) -> int:
    """Read the token that starts at `i` into `tokens` (whitespace is skipped); return where the next starts."""
    char = query[i]
    if char.isspace():
        return i + 1
    if char in "()":
        tokens.append(Token(char))  # type: ignore[arg-type]  # "(" and ")" are Kind values
        return i + 1
    if char == '"':
        return _phrase(query, i, tokens)
    if char in "[{":
        return _range_token(query, i, tokens)
    if char in "+-!" and i + 1 < len(query) and not query[i + 1].isspace():
        tokens.append(Token("NOT" if char in "-!" else "+"))
        return i + 1
    if query.startswith("*:*", i):
        tokens.append(Token("ALL"))
        return i + 3
    if (prefix := _FIELD_PREFIX.match(query, i)) is not None:
        tokens.append(Token("FIELD", prefix.group(1)))
        return prefix.end()
    return _bare(query, i, tokens)


def _range_token(query: str, i: int, tokens: list[Token]) -> int:
    # Solr mixes the two: [a TO b} includes a and excludes b.
    closing = re.compile(r"[\]}]").search(query, i)
    if closing is None:
        raise SearchQueryError(f"範囲指定の括弧が閉じていません: {query[i:]}")
    end = closing.start()
    tokens.append(Token("RANGE", query[i : end + 1]))
    return end + 1


def _phrase(query: str, i: int, tokens: list[Token]) -> int:
    match = re.compile(r'"((?:[^"\\]|\\.)*)"').match(query, i)
    if match is None:
        raise SearchQueryError(f'引用符 " が閉じていません: {query[i:]}')
    tokens.append(Token("PHRASE", re.sub(r"\\(.)", r"\1", match.group(1))))
    return match.end()


def _bare(query: str, i: int, tokens: list[Token]) -> int:
    chars: list[str] = []
    while i < len(query) and not query[i].isspace() and query[i] not in '()"':
        if query[i] == "\\" and i + 1 < len(query):  # Solr escape: the next character is literal
            i += 1
        chars.append(query[i])
        i += 1
    word = "".join(chars)
    operators = {"AND": "AND", "&&": "AND", "OR": "OR", "||": "OR", "NOT": "NOT"}
    tokens.append(Token(operators[word]) if word in operators else Token("TERM", word))  # type: ignore[arg-type]
    return i


# --- tree ---------------------------------------------------------------------------------------------


@dataclass
class Leaf:
    """One value, of a field (`field`) or free text (field None); `kind` says how it was written."""

    field: str | None
    value: str
    kind: Literal["TERM", "PHRASE", "RANGE", "ALL"]


@dataclass
class Node:
    op: Literal["AND", "OR", "NOT"]
    children: list[Node | Leaf] = field(default_factory=list)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node | Leaf:
        tree = self.group(None)
        if self.peek() is not None:
            raise SearchQueryError("閉じ括弧 ) に対応する開き括弧 ( がありません")
        return tree

    def group(self, context: str | None) -> Node | Leaf:
        """A sequence of clauses up to ")" or the end, combined as Lucene's query parser does with q.op=AND.

        Lucene has no AND-over-OR precedence: each clause is MUST, SHOULD or MUST_NOT. A clause is MUST unless
        OR joins it to its neighbour (then both are SHOULD) or it is prohibited (NOT, -, !); AND makes the
        clause before it MUST again. When a group has MUST clauses its SHOULD clauses only rank, they do not
        filter: `organization:a OR organization:b metadata_modified:[… TO *]` is the range alone, as in Solr.
        """
        clauses: list[tuple[str, Node | Leaf]] = []
        conjunction = ""
        while (token := self.peek()) is not None and token.kind != ")":
            if token.kind in ("AND", "OR"):
                if not clauses or conjunction:
                    raise SearchQueryError(f"{token.kind} の前に語がありません")
                conjunction = self.take().kind
                continue
            modifier = ""
            if token.kind in ("NOT", "+"):
                modifier = self.take().kind
                if (following := self.peek()) is not None and following.kind in ("NOT", "+", "AND", "OR"):
                    raise SearchQueryError(f"{modifier} の後に語がありません")
            _add_clause(clauses, conjunction, modifier, self.primary(context))
            conjunction = ""
        if conjunction or not clauses:
            raise SearchQueryError("式が途中で終わっています（演算子や項目名の後に語がありません）")
        return _combine_clauses(clauses)

    def primary(self, context: str | None) -> Node | Leaf:
        token = self.peek()
        if token is None:
            raise SearchQueryError("式が途中で終わっています（演算子や項目名の後に語がありません）")
        self.take()
        match token.kind:
            case "(":
                inner = self.group(context)
                if self.peek() is None or self.take().kind != ")":
                    raise SearchQueryError("開き括弧 ( が閉じていません")
                return inner
            case "FIELD":
                following = self.peek()
                if following is None or following.kind not in ("(", "PHRASE", "RANGE", "TERM"):
                    raise SearchQueryError(f"項目 {token.text}: の後に値がありません")
                return self.primary(token.text)
            case "PHRASE" | "RANGE" | "TERM":
                return Leaf(context, token.text, token.kind)
            case "ALL":
                return Leaf(None, "*", "ALL")
        raise SearchQueryError(f"{token.text or token.kind} の前に語がありません")


MAX_TOKENS, MAX_NESTING = 400, 50


def _add_clause(
    clauses: list[tuple[str, Node | Leaf]], conjunction: str, modifier: str, clause: Node | Leaf
) -> None:
    """Lucene's QueryParserBase.addClause with the AND default operator: AND makes the clause before required,
    OR makes it optional (a prohibited clause stays prohibited); the new clause is prohibited with NOT/-,
    optional after OR, else required."""
    if clauses and conjunction and clauses[-1][0] != "MUST_NOT":
        clauses[-1] = ("MUST" if conjunction == "AND" else "SHOULD", clauses[-1][1])
    if modifier == "NOT":
        occur = "MUST_NOT"
    elif modifier == "+":
        occur = "MUST"
    else:
        occur = "SHOULD" if conjunction == "OR" else "MUST"
    clauses.append((occur, clause))


def _combine_clauses(clauses: list[tuple[str, Node | Leaf]]) -> Node | Leaf:
    """The tree of one Lucene boolean group: MUSTs (or, without any, the SHOULDs) minus the MUST_NOTs."""
    must = [c for occur, c in clauses if occur == "MUST"]
    should = [c for occur, c in clauses if occur == "SHOULD"]
    prohibited = [Node("NOT", [c]) for occur, c in clauses if occur == "MUST_NOT"]
    if must:
        positive: list[Node | Leaf] = must
    elif should:
        positive = [should[0] if len(should) == 1 else Node("OR", should)]
    else:
        positive = [Leaf(None, "*", "ALL")]  # a purely negative group: everything except (as Solr does)
    items = positive + prohibited
    return items[0] if len(items) == 1 else Node("AND", items)


def parse(query: str) -> Node | Leaf | None:
    """The query's tree, or None for an empty query."""
    tokens = tokenize(query)
    # The parser recurses on "(", NOT and +; a bound keeps a hostile query a clear error, not a crash.
    if len(tokens) > MAX_TOKENS or sum(t.kind in ("(", "NOT", "+") for t in tokens) > MAX_NESTING:
        raise SearchQueryError("検索式が長すぎるか、括弧や NOT が多すぎます")
    return _Parser(tokens).parse() if tokens else None


# --- evaluation ---------------------------------------------------------------------------------------

# What a subtree means: a condition, "every dataset" (ALL), or "no constraint at all" (IGNORE: a filter CKAN
# adds for itself, dropped wherever it stands, also under NOT).
ALL: Literal["ALL"] = "ALL"
IGNORE: Literal["IGNORE"] = "IGNORE"
Meaning = Q | Literal["ALL", "IGNORE"]
NOTHING = Q(pk__in=[])


def to_q(tree: Node | Leaf, *, free_text: bool) -> Meaning:
    """Evaluate a tree; free-text words are allowed in q, not in fq (CKAN's fq is field terms only)."""
    if isinstance(tree, Leaf):
        return _leaf(tree, free_text=free_text)
    if tree.op == "NOT":
        inner = to_q(tree.children[0], free_text=free_text)
        if isinstance(inner, Q):
            return ~inner
        return NOTHING if inner == ALL else IGNORE
    if tree.op == "OR":
        parts = [to_q(c, free_text=free_text) for c in tree.children]
        if ALL in parts:
            return ALL
        conditions = [p for p in parts if isinstance(p, Q)]
        return _combine(conditions, "OR") if conditions else IGNORE
    return _and(tree.children, free_text=free_text)


def _and(children: list[Node | Leaf], *, free_text: bool) -> Meaning:
    # Positive free-text words of one AND group share one index lookup, as plain searches always did.
    words = [c.value for c in children if isinstance(c, Leaf) and c.field is None and c.kind != "ALL"]
    if not free_text and words:
        raise SearchQueryError(f"fq には「項目:値」の形で書いてください: {words[0]}")
    conditions: list[Q] = []
    text = _free_text(words)
    if isinstance(text, Q):
        conditions.append(text)
    rest = [c for c in children if not (isinstance(c, Leaf) and c.field is None and c.kind != "ALL")]
    meanings = [to_q(c, free_text=free_text) for c in rest]
    conditions += [m for m in meanings if isinstance(m, Q)]
    if conditions:
        return _combine(conditions, "AND")
    return ALL if ALL in meanings or words else IGNORE


def _combine(conditions: list[Q], op: str) -> Q:
    out = conditions[0]
    for condition in conditions[1:]:
        out = out | condition if op == "OR" else out & condition
    return out


def _free_text(values: list[str]) -> Q | Literal["ALL"]:
    # Solr wildcards in free text become a substring search: 公園* finds everything 公園 would, and more.
    phrases = [search.normalize(v.replace("*", " ").replace("?", " ")) for v in values]
    phrases = [p for p in phrases if p]
    return search.phrases_condition(phrases) if phrases else ALL


def _leaf(leaf: Leaf, *, free_text: bool) -> Meaning:
    if leaf.kind == "ALL":
        return ALL
    if leaf.field is None:
        if not free_text:
            raise SearchQueryError(f"fq には「項目:値」の形で書いてください: {leaf.value}")
        return _free_text([leaf.value])
    if leaf.field in IGNORED_FIELDS:
        return IGNORE
    if leaf.field == "text":  # Solr's catch-all text field: the same as a free-text word
        return _free_text([leaf.value])
    if leaf.kind == "RANGE":
        return _range(leaf.field, leaf.value)
    return field_condition(leaf.field, leaf.value, phrase=leaf.kind == "PHRASE")


def _range(name: str, raw: str) -> Q:
    if name not in ("metadata_modified", "metadata_created"):
        raise SearchQueryError(f"範囲指定はこの項目に使えません: {name}")
    low, sep, high = raw[1:-1].partition(" TO ")
    if not sep:
        raise SearchQueryError(f"範囲は [始め TO 終わり] の形で書いてください: {raw}")
    inclusive_low, inclusive_high = raw[0] == "[", raw[-1] == "]"
    condition = Q()
    try:
        if low.strip() != "*":
            condition &= Q(**{f"{name}__{'gte' if inclusive_low else 'gt'}": parse_ckan_time(low)})
        if high.strip() != "*":
            condition &= Q(**{f"{name}__{'lte' if inclusive_high else 'lt'}": parse_ckan_time(high)})
    except ValueError as exc:
        raise SearchQueryError(f"日時を読めません: {raw}") from exc
    return condition


def _wildcard(value: str) -> str | None:
    """A regular expression for a Solr wildcard term (aed-*, *公園), or None when there is no wildcard."""
    if "*" not in value and "?" not in value:
        return None
    pieces = {"*": ".*", "?": "."}
    return "^" + "".join(pieces.get(c, re.escape(c)) for c in value) + "$"


def _string_q(lookup: str, value: str, phrase: bool) -> Q:
    """Exact match on a string field (Solr "string" type), or a regex when the value has wildcards."""
    pattern = None if phrase else _wildcard(value)
    if pattern == "^.*$":
        return ~Q(**{lookup: ""})
    return Q(**{f"{lookup}__regex": pattern}) if pattern else Q(**{lookup: value})


def _text_q(column: str, value: str) -> Q:
    """A word or phrase inside a text field (title, notes), ignoring case and full/half width."""
    words = value.replace("*", " ").replace("?", " ").strip()
    if not words:
        return ~Q(**{column: ""})
    normal = unicodedata.normalize("NFKC", words)
    return Q(**{f"{column}__icontains": words}) | Q(**{f"{column}__icontains": normal})


def field_condition(name: str, value: str, *, phrase: bool = False) -> Q:
    """The condition of one `name:value` term, with the field names CKAN's Solr schema uses."""
    if name.startswith("extras_") and re.fullmatch(r"extras_\w+", name):
        key = name.removeprefix("extras_")
        return (
            Q(**{"extras__has_key": key}) if value == "*" and not phrase else Q(**{f"extras__{key}": value})
        )
    if name in _MANY_VALUED:
        return _many_valued_condition(name, value, phrase)
    match name:
        case "organization":
            return _string_q("organization__name", value, phrase)
        case "owner_org":
            return Q(organization__pk=value) if is_uuid(value) else Q(organization__name=value)
        case "license_id" | "name":
            return _string_q(name, value, phrase)
        case "kind" | "standard_dataset":
            return _string_q("kind", value, phrase)
        case "title" | "notes":
            return _text_q(name, value)
        case "id":
            return Q(pk=value) if is_uuid(value) else NOTHING
    raise SearchQueryError(f"この項目では絞り込めません: {name}")


_MANY_VALUED = ("tags", "groups", "res_format")


def _many_valued_condition(name: str, value: str, phrase: bool) -> Q:
    """tags, groups and res_format filter through an id subquery, not a join, so a dataset never comes back
    twice and the facet counts (grouped on the matched rows) stay one row per dataset."""
    links: QuerySet[Any]
    if name == "tags":
        links = Dataset.tags.through.objects.filter(_string_q("tag__name", value, phrase))
    elif name == "groups":
        links = Dataset.groups.through.objects.filter(_string_q("group__name", value, phrase))
    else:
        links = Resource.objects.filter(_string_q("format", value.upper(), phrase))
    return Q(pk__in=links.values("dataset_id"))


def is_uuid(value: str) -> bool:
    """True when `value` parses as a UUID (a lookup by a malformed one would raise in the database layer)."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def condition(query: str, *, free_text: bool) -> Q | None:
    """The filter for a q (free_text=True) or fq string; None when it restricts nothing."""
    tree = parse(query.strip())
    if tree is None:
        return None
    meaning = to_q(tree, free_text=free_text)
    return meaning if isinstance(meaning, Q) else None
