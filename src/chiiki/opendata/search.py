"""Japanese search inside the database: a character-bigram posting table, re-checked with LIKE.

Why bigrams: Japanese has no spaces, and most queries are two or three characters (公園, AED, 避難所). A
trigram index (FTS5 trigram, pg_trgm) cannot use its index for two-character queries; a bigram table can, and
the same table and SQL work on SQLite and PostgreSQL. The candidate set from the index is then confirmed by a
substring match on the normalized text, so a hit always contains the query words.

This module computes the text and terms and reads the index; the actions keep the index current
(`actions._search_index`, called by every change).
"""

from __future__ import annotations

import unicodedata

from django.db.models import Count, Q, QuerySet

from chiiki.opendata.engine import load_schemas
from chiiki.opendata.models import Dataset, SearchTerm


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits to half-width), lower case, whitespace collapsed."""
    # NUL dropped: PostgreSQL refuses it in a string, and it is never part of a word.
    return " ".join(unicodedata.normalize("NFKC", text.replace("\x00", "")).lower().split())


def bigrams(text: str) -> set[str]:
    """The distinct two-character substrings of each word of `text` (a one-character word is kept alone)."""
    out: set[str] = set()
    for word in normalize(text).split():
        if len(word) == 1:
            out.add(word)
        out.update(word[i : i + 2] for i in range(len(word) - 1))
    return out


def index_terms(text: str) -> set[str]:
    """The index terms of a normalized text: its bigrams and its single characters.

    Single characters too, so that one-character queries (e.g. 駅) are answered from the index.
    """
    return bigrams(text) | {ch for ch in text if not ch.isspace()}


def document(dataset: Dataset) -> str:
    """The text a dataset is found by: title, description, organization, kind, tags, resource names/formats."""
    schema = load_schemas().get(dataset.kind)
    parts: list[str] = [dataset.name, dataset.title, dataset.notes[:2000], dataset.organization.title]
    if schema is not None:
        parts += [schema.title, schema.id]
    parts += [t.name for t in dataset.tags.all()]
    parts += [f"{r.name} {r.format}" for r in dataset.resources.all()]
    return normalize(" ".join(parts))


def matching(queryset: QuerySet[Dataset], query: str) -> QuerySet[Dataset]:
    """Restrict `queryset` to datasets containing every word of `query` (AND), via the bigram index."""
    words = normalize(query).split()
    return queryset.filter(phrases_condition(words)) if words else queryset


def phrases_condition(phrases: list[str]) -> Q:
    """Datasets whose search text contains every phrase (normalized; a phrase may hold spaces).

    One index lookup finds the datasets that have every bigram of every phrase; the substring check on the
    normalized text then confirms each phrase, so a hit always contains the query words in order.
    """
    terms: set[str] = set()
    for word in " ".join(phrases).split():
        terms |= {word} if len(word) == 1 else {word[i : i + 2] for i in range(len(word) - 1)}
    candidates = (
        SearchTerm.objects.filter(term__in=terms)
        .values("dataset_id")
        .annotate(n=Count("term"))
        .filter(n=len(terms))
        .values("dataset_id")
    )
    condition = Q(pk__in=candidates)
    for phrase in phrases:
        condition &= Q(search_text__contains=phrase)
    return condition
