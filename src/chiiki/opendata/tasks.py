"""Background work of the open-data catalog, run by `chiiki worker`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.db import transaction
from django_tasks import task

from chiiki.opendata.actions import CatalogError, import_file
from chiiki.opendata.models import Dataset, Upload


@task()
def convert_upload(upload_id: int) -> str:
    """Convert one uploaded file into its dataset (standard CSV + report); the upload row records the outcome."""
    with transaction.atomic():
        upload = Upload.objects.select_for_update().get(pk=upload_id)
        if upload.status != Upload.Status.QUEUED:
            return upload.status
        upload.status = Upload.Status.RUNNING
        upload.save(update_fields=["status"])
    suffix = Path(upload.original_name).suffix or ".csv"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            local = Path(tmp) / f"upload{suffix}"
            with upload.file.open("rb") as handle:
                local.write_bytes(handle.read())
            outcome = import_file(
                upload.municipality,
                local,
                upload.kind or None,
                by=upload.uploaded_by,
                name=upload.dataset_name,
                original_name=upload.original_name,
            )
    except CatalogError as error:
        upload.status = Upload.Status.FAILED
        upload.message = str(error)
    else:
        upload.status = Upload.Status.DONE
        upload.dataset = outcome.dataset
        verdict = "標準に合っています" if outcome.valid else "標準に合っていない値があります"
        upload.message = f"{outcome.rows} 行を変換しました（{verdict}: エラー {outcome.errors} 件、注意 {outcome.warnings} 件）"
    upload.save(update_fields=["status", "message", "dataset"])
    return upload.status


@task()
def rebuild_merges_for(dataset_id: str) -> int:
    """Rebuild every merged dataset fed by this dataset; returns how many were rebuilt."""
    from chiiki.opendata import merge

    dataset = Dataset.objects.select_related("organization__municipality").filter(pk=dataset_id).first()
    if dataset is None:
        return 0
    targets = merge.targets_fed_by(dataset)
    for target in targets:
        merge.rebuild(target, actor_label="merge (source changed)")
    return len(targets)
