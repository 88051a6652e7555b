"""Files turned into datasets: the one import path of the upload page (through a job) and `chiiki opendata import`.

Both run the engine's `convert_file` on the file and store the standard CSV, the JSON validation report and
the original file as the dataset's resources (the dataset is created on first import and gets a new version
afterwards). The page keeps the upload as a `Upload` job that the worker converts (`tasks.convert_upload`);
the command converts at once. Files added as they are, without conversion (the CKAN API's resource_create),
go through `catalog.add_resource`, which stores them the same way.
"""

from __future__ import annotations

import csv
import io
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
from chiiki.opendata.actions.catalog import (
    CatalogError,
    check_name,
    create_dataset,
    organization_for,
)
from chiiki.opendata.engine import (
    ReadError,
    Report,
    StandardSchema,
    check_readable,
    convert_file,
    period_covered,
    resolve_kind,
)
from chiiki.opendata.models import Dataset, Resource, Upload

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from chiiki.core.models import Municipality


class OtherMunicipalityError(CatalogError):
    """The file's rows carry other municipalities' 全国地方公共団体コード and nobody confirmed them yet."""

    def __init__(self, message: str, codes: list[tuple[str, int]]) -> None:
        super().__init__(message, field="全国地方公共団体コード")
        self.codes = codes


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


def _convert(path: Path, kind: str | None, source_name: str, version: int | None = None) -> _Converted:
    """Run the engine on `path`; CatalogError (saying why) when it is not a table of a standard kind.

    The file is checked against the schema in use for its kind (the newest installed definition book, else
    the shipped schema), or against `version` of it when given (0: as shipped); the version is kept with the
    import.
    """
    try:
        check_readable(path)  # a pipe or a device would block the reader, or never end
    except ReadError as error:
        raise CatalogError(str(error)) from None
    chosen = _version_of(kind, version)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "standard.csv"
        given = chosen or _in_use(kind) or kind or None
        result = convert_file(path, out, dataset=given, file_name=source_name)
        if result.frame is None:
            raise CatalogError("変換できませんでした:\n" + result.report.to_text(limit=20))
        recognized = result.report.dataset_id or ""
        schema, in_use = queries.standard_in_use(resolve_kind(recognized).id)
        if chosen is not None and version is not None:
            schema, in_use = chosen, version
        elif not kind and in_use:  # recognized with the shipped schema: check again with the one in use
            result = convert_file(path, out, dataset=schema, file_name=source_name)
        version = in_use
        standard_csv = out.read_bytes()
    return _Converted(
        schema.id, schema.title, standard_csv, result.report, path.read_bytes(), source_name, version
    )


def _version_of(kind: str | None, version: int | None) -> StandardSchema | None:
    """The schema of `version` of the kind (None when no version is asked); CatalogError when there is none."""
    if version is None:
        return None
    if not kind:
        raise CatalogError(
            "定義書の版を選ぶときは、データセットの種類も選んでください", field="standard_version"
        )
    kind_id = resolve_kind(kind).id
    schema = queries.standard_schema(kind_id, version)
    if schema is None:
        known = "、".join(str(v) for v in queries.standard_version_numbers(kind_id))
        raise CatalogError(
            f"{kind_id} の版 {version} はありません（ある版: {known}）", field="standard_version"
        )
    return schema


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
    other_codes_confirmed: bool = False,
) -> ImportOutcome:
    """Convert a messy file with the engine and store it as the dataset's standard CSV + validation report.

    The dataset (default name `<code>-<kind>`) is created on first import and gets a new version afterwards
    when the file is the same dataset (same file name, or mostly the same IDs); a different file of the same
    kind gets a dataset of its own (`<code>-<kind>-2`, …) unless `name` says which dataset it belongs to.
    Raises CatalogError when the file cannot be read or matched to a standard dataset, or when its rows carry
    another municipality's 全国地方公共団体コード and `other_codes_confirmed` is not set; nothing is stored then.
    """
    path = Path(path)
    converted = _convert(path, kind, original_name or path.name)
    return _store_import(
        municipality,
        converted,
        by=by,
        name=name,
        title=title,
        license_id=license_id,
        publish_now=publish_now,
        other_codes_confirmed=other_codes_confirmed,
    )


@transaction.atomic
def request_import(
    municipality: Municipality,
    file: UploadedFile,
    *,
    kind: str,
    dataset_name: str,
    by: Actor,
    standard_version: int | None = None,
) -> Upload:
    """Keep a file uploaded on the staff page and queue its import by the worker (`tasks.convert_upload`);
    `standard_version` checks it against that version of the kind's definition book (0: as shipped)."""
    _version_of(kind, standard_version)  # refused now, not in the job
    upload = Upload.objects.create(
        municipality=municipality,
        file=file,
        original_name=(file.name or "")[:200],
        kind=kind,
        dataset_name=dataset_name,
        uploaded_by=by.user,
        standard_version=standard_version,
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
        converted = _convert(local, upload.kind or None, upload.original_name, upload.standard_version)
    try:
        with transaction.atomic():
            outcome = _store_import(
                upload.municipality,
                converted,
                by=by,
                name=upload.dataset_name,
                other_codes_confirmed=upload.other_codes_confirmed,
            )
            Upload.objects.filter(pk=upload.pk).update(dataset=outcome.dataset)
    except OtherMunicipalityError as refused:
        # Kept so that the staff page can ask whether to import the file anyway (confirm_other_codes).
        Upload.objects.filter(pk=upload.pk).update(other_codes=[code for code, _ in refused.codes])
        raise
    return outcome.summary


@transaction.atomic
def confirm_other_codes(upload: Upload, *, by: Actor) -> Upload:
    """Import again an upload refused for other municipalities' codes, now confirmed by a member of staff.

    A new upload of the same stored file with `other_codes_confirmed`, queued for the worker; the audit
    record names the codes confirmed. CatalogError when the upload was not refused for that reason.
    """
    if upload.status != Upload.Status.FAILED or not upload.other_codes or upload.other_codes_confirmed:
        raise CatalogError("この取り込みには確認することがありません / nothing to confirm for this upload")
    if Upload.objects.filter(
        municipality=upload.municipality, file=upload.file.name, other_codes_confirmed=True
    ).exists():
        raise CatalogError("このファイルは確認済みで、取り込み直しています / already confirmed")
    again = Upload.objects.create(
        municipality=upload.municipality,
        file=upload.file.name,
        original_name=upload.original_name,
        kind=upload.kind,
        dataset_name=upload.dataset_name,
        uploaded_by=by.user,
        other_codes=list(upload.other_codes),
        other_codes_confirmed=True,
        standard_version=upload.standard_version,
    )
    audit.record(
        "opendata.upload_other_codes_confirmed",
        by=by,
        municipality=upload.municipality,
        object_type="opendata_upload",
        object_id=again.pk,
        detail={"refused_upload": upload.pk, "other_codes": list(upload.other_codes)},
    )
    enqueue_job(again)
    return again


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
    other_codes_confirmed: bool = False,
) -> ImportOutcome:
    others = _other_codes(municipality, converted)
    if others and not other_codes_confirmed:
        listed = "、".join(f"{code}（{count} 行）" for code, count in others[:5])
        raise OtherMunicipalityError(
            f"全国地方公共団体コードが {municipality.code}（{municipality.display_name}）でない行があります: "
            f"{listed}。別の団体のデータを{municipality.display_name}のデータとして公開しないよう、取り込みを止めました。"
            "その団体のデータとして載せてよいことを確かめたうえでなら、確認済みとして取り込めます"
            "（管理ページの「確認して取り込む」、コマンドでは --other-municipality-confirmed を付けて）",
            others,
        )
    dataset, created = _target_dataset(
        municipality, converted, by=by, name=name, title=title, license_id=license_id
    )
    _store_files(dataset, converted)
    start, end = period_covered(converted.schema_id, _standard_rows(converted.standard_csv))
    if start is not None:  # the file's own dates; a file without them keeps the period staff entered
        dataset.temporal_start, dataset.temporal_end = start, end
        dataset.save(update_fields=["temporal_start", "temporal_end"])
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
            "other_codes": [code for code, _ in others],
            "temporal": [start.isoformat(), end.isoformat()] if start and end else None,
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
    given = bool(name)
    base = check_name(name or f"{municipality.code}-{converted.schema_id.replace('_', '-')}")
    name, dataset = base, Dataset.objects.filter(name=base).first()
    number = 1
    # Without a name, a different file of the same kind is another dataset, not a new version of the first.
    while not given and dataset is not None and not _same_dataset(dataset, converted):
        number += 1
        name = check_name(f"{base}-{number}")
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


def _code_field(converted: _Converted) -> str | None:
    for spec in resolve_kind(converted.schema_id).fields:
        if spec.check == "local_gov_code" and not spec.name.startswith("所在地_"):
            return spec.name
    return None


def _standard_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig", errors="replace"))))


def _other_codes(municipality: Municipality, converted: _Converted) -> list[tuple[str, int]]:
    """The 全国地方公共団体コード values of the file's rows that are not the importing municipality's."""
    field = _code_field(converted)
    if field is None:
        return []
    counts: dict[str, int] = {}
    for row in _standard_rows(converted.standard_csv):
        code = (row.get(field) or "").strip()
        if code and code != municipality.code:
            counts[code] = counts.get(code, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _ids(rows: list[dict[str, str]]) -> set[str]:
    keys = [
        k for k in (rows[0] if rows else {}) if k == "ID" or (k.endswith("_ID") and not k.startswith("施設"))
    ]
    return {(row.get(keys[0]) or "").strip() for row in rows} - {""} if keys else set()


def _same_dataset(dataset: Dataset, converted: _Converted) -> bool:
    """Whether the file is a new edition of `dataset`: the same file name as its last import, or mostly its IDs."""
    resources = list(
        Resource.objects.filter(dataset=dataset, role__in=[Resource.Role.SOURCE, Resource.Role.DATA])
    )
    if not resources:
        return True  # nothing imported into it yet
    if any(
        r.role == Resource.Role.SOURCE and r.name == f"元のファイル {converted.source_name}"
        for r in resources
    ):
        return True
    standard = next(
        (r for r in resources if r.role == Resource.Role.DATA and r.format == "CSV" and r.file), None
    )
    if standard is None:
        return False
    with standard.file.open("rb") as handle:
        before = _ids(_standard_rows(handle.read()))
    now = _ids(_standard_rows(converted.standard_csv))
    if not before or not now:
        return False
    return len(before & now) * 2 >= min(len(before), len(now))


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
