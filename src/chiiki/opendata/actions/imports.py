"""Files turned into datasets: the one import path of the upload page (through a job) and `chiiki opendata import`.

Both run the engine's `convert_file` on the file and store the standard CSV, the JSON validation report and
the original file as the dataset's resources (the dataset is created on first import and gets a new version
afterwards). The page keeps the upload as a `Upload` job that the worker converts (`tasks.convert_upload`);
the command converts at once. Files added as they are, without conversion (the CKAN API's resource_create),
go through `catalog.add_resource`, which stores them the same way.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.jobs import enqueue_job
from chiiki.opendata import queries
from chiiki.opendata.actions._changes import record_change, store_resource
from chiiki.opendata.actions.catalog import CatalogError, check_name, create_dataset, organization_for
from chiiki.opendata.engine import (
    ReadError,
    Report,
    StandardSchema,
    check_readable,
    convert_file,
    resolve_kind,
)
from chiiki.opendata.models import Dataset, Resource, Upload

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from chiiki.core.models import Municipality


@dataclass(frozen=True)
class ImportOutcome:
    """What an import stored: the dataset (new or a new version) and the validation figures."""

    dataset: Dataset
    created: bool
    valid: bool
    rows: int
    errors: int
    warnings: int
    report_text: str

    @property
    def summary(self) -> str:
        """One line for the staff page: rows converted and whether they meet the standard."""
        verdict = "標準に合っています" if self.valid else "標準に合っていない値があります"
        return f"{self.rows} 行を変換しました（{verdict}: エラー {self.errors} 件、注意 {self.warnings} 件）"


@dataclass(frozen=True)
class _Converted:
    """One file after the engine: its standard kind, the standard CSV, the report and the original bytes."""

    schema_id: str
    schema_title: str
    standard_csv: bytes
    report: Report
    source: bytes
    source_name: str
    standard_version: int = 0  # 0: the shipped schema; n: the definition book installed as version n


def _convert(path: Path, kind: str | None, source_name: str) -> _Converted:
    """Run the engine on `path`; CatalogError (saying why) when it is not a table of a standard kind.

    The file is checked against the schema in use for its kind (the newest installed definition book, else
    the shipped schema); the version is kept with the import.
    """
    try:
        check_readable(path)  # a pipe or a device would block the reader, or never end
    except ReadError as error:
        raise CatalogError(str(error)) from None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "standard.csv"
        result = convert_file(path, out, dataset=_in_use(kind) or kind or None)
        if result.frame is None:
            raise CatalogError("変換できませんでした:\n" + result.report.to_text(limit=20))
        recognized = result.report.dataset_id or ""
        schema, version = queries.standard_in_use(resolve_kind(recognized).id)
        if not kind and version:  # recognized with the shipped schema: check again with the one in use
            result = convert_file(path, out, dataset=schema)
        standard_csv = out.read_bytes()
    return _Converted(
        schema.id, schema.title, standard_csv, result.report, path.read_bytes(), source_name, version
    )


def _in_use(kind: str | None) -> StandardSchema | None:
    if not kind:
        return None
    try:
        return queries.standard_in_use(resolve_kind(kind).id)[0]
    except KeyError:
        return None  # the engine names the unknown kind itself


def import_file(
    municipality: Municipality,
    path: str | Path,
    kind: str | None,
    *,
    by: Actor,
    name: str = "",
    title: str = "",
    license_id: str = "cc-by-4.0",
    publish_now: bool = False,
    original_name: str = "",
) -> ImportOutcome:
    """Convert a messy file with the engine and store it as the dataset's standard CSV + validation report.

    The dataset (default name `<code>-<kind>`) is created on first import and gets a new version afterwards.
    Raises CatalogError when the file cannot be read or matched to a standard dataset; nothing is stored then.
    """
    path = Path(path)
    converted = _convert(path, kind, original_name or path.name)
    return _store_import(
        municipality, converted, by=by, name=name, title=title, license_id=license_id, publish_now=publish_now
    )


@transaction.atomic
def request_import(
    municipality: Municipality, file: UploadedFile, *, kind: str, dataset_name: str, by: Actor
) -> Upload:
    """Keep a file uploaded on the staff page and queue its import by the worker (`tasks.convert_upload`)."""
    upload = Upload.objects.create(
        municipality=municipality,
        file=file,
        original_name=(file.name or "")[:200],
        kind=kind,
        dataset_name=dataset_name,
        uploaded_by=by.user,
    )
    audit.record(
        "opendata.upload_received",
        by=by,
        municipality=municipality,
        object_type="opendata_upload",
        object_id=upload.pk,
    )
    enqueue_job(upload)
    return upload


def run_import(upload: Upload, *, by: Actor) -> str:
    """Import a queued upload (the job's work); return the staff-facing summary, CatalogError when refused."""
    suffix = Path(upload.original_name).suffix or ".csv"
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / f"upload{suffix}"
        with upload.file.open("rb") as stored, local.open("wb") as copy:
            shutil.copyfileobj(stored, copy)
        converted = _convert(local, upload.kind or None, upload.original_name)
    with transaction.atomic():
        outcome = _store_import(upload.municipality, converted, by=by, name=upload.dataset_name)
        Upload.objects.filter(pk=upload.pk).update(dataset=outcome.dataset)
    return outcome.summary


@transaction.atomic
def _store_import(
    municipality: Municipality,
    converted: _Converted,
    *,
    by: Actor,
    name: str = "",
    title: str = "",
    license_id: str = "cc-by-4.0",
    publish_now: bool = False,
) -> ImportOutcome:
    dataset, created = _target_dataset(
        municipality, converted, by=by, name=name, title=title, license_id=license_id
    )
    _store_files(dataset, converted)
    if publish_now:
        dataset.state, dataset.private = Dataset.State.ACTIVE, False
        dataset.save(update_fields=["state", "private"])
    report = converted.report
    record_change(
        dataset,
        "dataset_imported",
        by=by,
        detail={
            "file": converted.source_name,
            "rows": report.rows,
            "valid": report.valid,
            "errors": report.error_count,
            "published": publish_now,
            "standard_version": converted.standard_version,
        },
    )
    return ImportOutcome(
        dataset,
        created,
        report.valid,
        report.rows,
        report.error_count,
        report.warning_count,
        report.to_text(limit=50),
    )


def _target_dataset(
    municipality: Municipality, converted: _Converted, *, by: Actor, name: str, title: str, license_id: str
) -> tuple[Dataset, bool]:
    """The municipality's dataset the file goes into (created on first import), and whether it is new."""
    org = organization_for(municipality, by=by)
    name = check_name(name or f"{municipality.code}-{converted.schema_id.replace('_', '-')}")
    dataset = Dataset.objects.filter(name=name).first()
    if dataset is None:
        kind_title = converted.schema_title
        dataset = create_dataset(
            org,
            name=name,
            title=title or f"{municipality.display_name} {kind_title}",
            notes=f"{municipality.display_name}の{kind_title}（自治体標準オープンデータセット）。",
            license_id=license_id,
            kind=converted.schema_id,
            tags=[kind_title.removesuffix("一覧"), municipality.prefecture],
            by=by,
        )
        return dataset, True
    if dataset.organization_id != org.pk:
        raise CatalogError(f"データセット「{name}」は別の組織のものです")
    if dataset.kind and dataset.kind != converted.schema_id:
        raise CatalogError(
            f"データセット「{name}」の種類は {dataset.kind} です（ファイルは {converted.schema_id}）"
        )
    return dataset, False


def _store_files(dataset: Dataset, converted: _Converted) -> None:
    """The standard CSV, the report and the original file, each replacing the one of the last import."""
    base = converted.schema_id.replace("_", "-")
    store_resource(
        dataset,
        name=f"{converted.schema_title}（標準形式 CSV）",
        fmt="CSV",
        content=converted.standard_csv,
        filename=f"{base}.csv",
        rows=converted.report.rows,
        replace_role=True,
    )
    store_resource(
        dataset,
        name="検査報告（JSON）",
        fmt="JSON",
        content=(converted.report.to_json() + "\n").encode(),
        role=Resource.Role.REPORT,
        filename=f"{base}-report.json",
        replace_role=True,
    )
    suffix = Path(converted.source_name).suffix.lower() or ".csv"
    store_resource(
        dataset,
        name=f"元のファイル {converted.source_name}",
        fmt=suffix.lstrip(".").upper(),
        content=converted.source,
        role=Resource.Role.SOURCE,
        filename=f"{base}-source{suffix}",
        replace_role=True,
    )
