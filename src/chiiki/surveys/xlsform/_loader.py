"""From a file to a checked form: read, import, check, and ask pyxform for a second opinion."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from chiiki.surveys.xlsform._attachments import attach_files, declare_instances, file_field_problems
from chiiki.surveys.xlsform._checks import check_form_model
from chiiki.surveys.xlsform._importer import import_workbook
from chiiki.surveys.xlsform._model import Form
from chiiki.surveys.xlsform._problems import FormRejected, Problem
from chiiki.surveys.xlsform._workbook import WorkbookError, read_file_bytes, read_workbook

__all__ = ["CheckResult", "check_form", "load_form"]

_PYXFORM_FILE_TYPES = {"xlsx": ".xlsx", "xls": ".xls", "markdown": ".md", "csv": ".csv"}
_PYXFORM_ROW_RE = re.compile(r"\[row : (\d+)\]")


@dataclass(slots=True)
class CheckResult:
    """A form (``None`` when it cannot be used) and every problem found, errors and warnings."""

    form: Form | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems that make the form unusable."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems worth a look that do not stop the form."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """Whether the form imported without errors."""
        return self.form is not None and not self.errors

    @property
    def missing_files(self) -> list[str]:
        """Files the form reads that were not given: it is accepted, but answerable only once they are."""
        return self.form.missing_files() if self.form is not None else []

    @property
    def answerable(self) -> bool:
        """Whether the form imported without errors and has every file it reads."""
        return self.ok and not self.missing_files


def _pyxform_opinion(data: bytes, file_format: str) -> Problem | None:
    """pyxform's verdict, when it rejects a form we accepted (a safety net for rules we do not know)."""
    try:
        from pyxform.errors import PyXFormError
        from pyxform.xls2xform import convert
    except ImportError:  # pragma: no cover - pyxform is a declared dependency
        return None
    file_type = _PYXFORM_FILE_TYPES.get(file_format)
    if file_type is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # A fixed form_name: pyxform rejects file names that are not XML names ("調査票 (案).xlsx"),
            # which says nothing about the form itself (its id comes from the settings sheet or ours).
            convert(xlsform=io.BytesIO(data), file_type=file_type, form_name="data")
    except PyXFormError as error:
        text = str(error).strip()
        row = _PYXFORM_ROW_RE.search(text)
        return Problem(
            "survey" if row else None,
            int(row.group(1)) if row else None,
            None,
            "",
            f"pyxform がこのフォームを受け付けません (pyxform rejects this form: {text})",
        )
    except Exception as error:
        return Problem(
            None,
            None,
            None,
            "",
            f"pyxform がこのフォームの確認中に異常終了しました。pyxform による確認はできていません "
            f"(pyxform crashed while converting this form, so it gave no second opinion: "
            f"{type(error).__name__}: {str(error)[:200]})",
            "warning",
        )
    return None


def check_form(
    source: str | Path | bytes,
    *,
    filename: str | None = None,
    cross_check: bool = True,
    files: Mapping[str, bytes] | None = None,
) -> CheckResult:
    """Read and check an XLSForm file (path or bytes). Never raises for bad input: problems are returned.

    ``files`` are the files attached to the form by name (``{"colors.csv": b"…"}``): the choice files of
    ``select_one_from_file`` and what ``instance()`` and ``pulldata()`` read. A form whose files are not
    all given is accepted with a warning per missing file (:attr:`CheckResult.missing_files`)."""
    try:
        if isinstance(source, bytes):
            data, name = source, filename or ""
        else:
            # Read once: a second read could see a different file, and a pipe cannot be read twice.
            data, name = read_file_bytes(source), filename or Path(source).name
        workbook = read_workbook(data, filename=name)
    except WorkbookError as error:
        return CheckResult(None, [error.problem])
    imported = import_workbook(workbook, filename=name)
    problems = list(imported.problems)
    form = imported.form
    if form is not None:
        undeclared, declared_problems = declare_instances(form)
        problems.extend(declared_problems)
        problems.extend(attach_files(form, files or {}, undeclared))
        problems.extend(file_field_problems(form))
        problems.extend(
            check_form_model(
                form, imported.locations, imported.choice_columns, dropped_names=imported.dropped_names
            )
        )
    has_errors = any(p.severity == "error" for p in problems)
    if form is not None and not has_errors and cross_check and data:
        opinion = _pyxform_opinion(data, workbook.file_format)
        if opinion is not None:
            problems.append(opinion)
            has_errors = opinion.severity == "error"
    return CheckResult(None if has_errors else form, problems)


def load_form(
    source: str | Path | bytes,
    *,
    filename: str | None = None,
    cross_check: bool = True,
    files: Mapping[str, bytes] | None = None,
    require_files: bool = True,
) -> Form:
    """Read an XLSForm file and return its form; raise :class:`FormRejected` listing every problem.

    With ``require_files`` (for a form people will answer) a file the form reads and ``files`` lacks is an
    error, not a warning."""
    result = check_form(source, filename=filename, cross_check=cross_check, files=files)
    if result.form is None:
        raise FormRejected(result.problems)
    if require_files and result.missing_files:
        raise FormRejected(
            [
                Problem(p.sheet, p.row, p.column, p.subject, p.message, "error")
                if p.severity == "warning" and p.subject in result.missing_files
                else p
                for p in result.problems
            ]
        )
    return result.form
