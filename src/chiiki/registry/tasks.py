"""Background work of the registry app, run by `chiiki worker`."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from chiiki.registry.actions import RegistryNotEmptyError, import_registry
from chiiki.registry.extract import ExtractError, parse_extract
from chiiki.registry.models import RegistryUpload


@task()
def import_uploaded_registry(upload_id: int) -> str:
    """Import one uploaded extract; the upload row records the outcome either way."""
    with transaction.atomic():
        upload = RegistryUpload.objects.select_for_update().get(pk=upload_id)
        if upload.status != RegistryUpload.Status.QUEUED:
            return upload.status
        upload.status = RegistryUpload.Status.RUNNING
        upload.save(update_fields=["status"])
    try:
        with upload.file.open("rb") as handle:
            rows = parse_extract(handle.read())
        summary = import_registry(upload.municipality, rows, by=upload.uploaded_by, replace=upload.replace)
    except (ExtractError, RegistryNotEmptyError) as error:
        upload.status = RegistryUpload.Status.FAILED
        upload.message = str(error)
    else:
        upload.status = RegistryUpload.Status.DONE
        upload.message = (
            f"{summary.persons} 人 / {summary.households} 世帯 / {summary.districts} 地区を読み込みました"
        )
    upload.save(update_fields=["status", "message"])
    return upload.status
