"""Merged datasets: define one (a standard kind over a prefecture or region) and rebuild it from its sources.

The sources and the deduplicated frame come from `chiiki.opendata.merge`; this module stores the result as
the merged dataset's CSV, with a version and an audit record like any other change. A change to a source
queues `tasks.rebuild_merges_for`, which calls `rebuild_merges_fed_by`.
"""

from __future__ import annotations

import io

from django.db import transaction
from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.opendata import merge
from chiiki.opendata.actions._changes import record_change, store_resource
from chiiki.opendata.actions.catalog import create_dataset
from chiiki.opendata.engine import resolve_kind
from chiiki.opendata.merge import SOURCE_COLUMN, MergeSummary
from chiiki.opendata.models import Dataset, MergeTarget, Organization


def define_merge(kind: str, scope: str, *, by: Actor) -> MergeTarget:
    """Create (or find) the merged dataset of `kind` over `scope`, then build it.

    Raises MergeError for an unknown scope and KeyError for an unknown kind (both with a Japanese message).
    """
    schema = resolve_kind(kind)
    title, _ = merge.scope_prefectures(scope)
    with transaction.atomic():
        target = MergeTarget.objects.filter(kind=schema.id, scope=scope).select_related("dataset").first()
        if target is None:
            dataset = create_dataset(
                _merged_organization(),
                name=f"merged-{schema.id.replace('_', '-')}-{scope}",
                title=f"{title}の{schema.title}（統合）",
                notes=f"{title}の各自治体が公開した{schema.title}を一つにまとめ、重複を除いたデータです。"
                f"「{SOURCE_COLUMN}」列に元のデータセットを示します。元データが更新されると作り直します。",
                kind=schema.id,
                tags=[schema.title.removesuffix("一覧"), title, "統合"],
                private=False,
                by=by,
            )
            target = MergeTarget.objects.create(kind=schema.id, scope=scope, dataset=dataset)
    rebuild_merge(target, by=by)
    target.refresh_from_db()
    return target


def rebuild_merge(target: MergeTarget, *, by: Actor) -> MergeSummary:
    """Rebuild one merged dataset from the current published sources."""
    _, prefectures = merge.scope_prefectures(target.scope)
    items = merge.sources(target.kind, prefectures)
    frame, rows_in = merge.merged_frame(target.kind, items)
    buffer = io.BytesIO()
    frame.write_csv(buffer)
    dataset = target.dataset
    with transaction.atomic():
        store_resource(
            dataset,
            name=f"{dataset.title}（CSV）",
            fmt="CSV",
            content=buffer.getvalue(),
            filename=f"{dataset.name}.csv",
            rows=frame.height,
            replace_role=True,
        )
        target.sources = [str(d.pk) for d, _ in items]
        target.rebuilt_at = timezone.now()
        target.save(update_fields=["sources", "rebuilt_at"])
        record_change(
            dataset,
            "merge_rebuilt",
            by=by,
            detail={"sources": len(items), "rows_in": rows_in, "rows_out": frame.height},
        )
    return MergeSummary(dataset, len(items), rows_in, frame.height)


def rebuild_merges_fed_by(dataset_id: str, *, by: Actor) -> int:
    """Rebuild every merged dataset fed by the dataset `dataset_id` (gone: none); return how many."""
    dataset = Dataset.objects.select_related("organization__municipality").filter(pk=dataset_id).first()
    if dataset is None:
        return 0
    targets = merge.targets_fed_by(dataset)
    for target in targets:
        rebuild_merge(target, by=by)
    return len(targets)


def _merged_organization() -> Organization:
    """The organization that publishes merged datasets."""
    org, _ = Organization.objects.get_or_create(
        name="chiiki-merged",
        defaults={
            "title": "広域統合データ",
            "description": "複数の自治体の標準データセットを統合して自動で作ったデータです。",
        },
    )
    return org
