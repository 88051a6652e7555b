"""One requested export written as a ZIP (the tables and the codebook) into the default storage."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.surveys import export as engine
from chiiki.surveys.actions import export_survey
from chiiki.surveys.models import SurveyExport

__all__ = ["formats_of", "write_export_zip"]


def formats_of(fmt: str) -> list[engine.Format]:
    """The engine formats of an export's format ("all" is every one); ExportError for an unknown one."""
    if fmt == "all":
        return list(engine.FORMATS)
    if fmt not in engine.FORMATS:
        raise engine.ExportError(f"形式 {fmt!r} は書き出せません (unknown format)")
    return [fmt]  # type: ignore[list-item]


def write_export_zip(export: SurveyExport, *, by: Actor) -> tuple[str, int]:
    """Write the ZIP of one export into the default storage; return its storage name and household count."""
    formats = formats_of(export.fmt)
    survey = export.survey
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    name = f"survey-exports/{survey.municipality_id}/survey-{survey.pk}-{stamp}-{export.fmt}.zip"
    with tempfile.TemporaryDirectory(prefix="chiiki-export-") as folder:
        result = export_survey(survey, formats, Path(folder) / "files", by=by)
        archive = Path(folder) / "export.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for path in result.files:
                bundle.write(path, arcname=path.name)
        with archive.open("rb") as handle:
            return default_storage.save(name, File(handle, name=archive.name)), result.households
