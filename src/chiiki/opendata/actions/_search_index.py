"""Keeping a dataset's search postings current: a step of every change, never an action of its own."""

from __future__ import annotations

from chiiki.opendata import search
from chiiki.opendata.models import Dataset, SearchTerm


def index_dataset(dataset: Dataset) -> None:
    """Rebuild the search text and the bigram postings of one dataset (`chiiki.opendata.search`)."""
    text = search.document(dataset)
    Dataset.objects.filter(pk=dataset.pk).update(search_text=text)
    dataset.search_text = text
    SearchTerm.objects.filter(dataset=dataset).delete()
    SearchTerm.objects.bulk_create(
        [SearchTerm(dataset=dataset, term=term) for term in sorted(search.index_terms(text))], batch_size=2000
    )
