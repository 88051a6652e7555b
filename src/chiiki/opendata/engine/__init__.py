"""Django-free open-data engine: read messy CSV/XLSX, map to a 自治体標準オープンデータセット, normalize, validate.

>>> result = validate_file("aed.csv")            # recognizes the dataset from the header
>>> result.report.valid, result.report.to_text()
>>> convert_file("aed.csv", "aed_standard.csv", report_path="aed_report.json")
"""

from chiiki.opendata.engine.headers import ColumnMatch, Recognition, header_key, map_header, recognize
from chiiki.opendata.engine.pipeline import ValidationResult, convert_file, validate_file, write_standard_csv
from chiiki.opendata.engine.reading import RawTable, ReadError, read_table
from chiiki.opendata.engine.report import Fix, Problem, Report
from chiiki.opendata.engine.schemas import (
    FieldSpec,
    LegacyLayout,
    StandardSchema,
    load_legacy_layouts,
    load_schemas,
    resolve_kind,
)

__all__ = [
    "ColumnMatch",
    "FieldSpec",
    "Fix",
    "LegacyLayout",
    "Problem",
    "RawTable",
    "ReadError",
    "Recognition",
    "Report",
    "StandardSchema",
    "ValidationResult",
    "convert_file",
    "header_key",
    "load_legacy_layouts",
    "load_schemas",
    "map_header",
    "read_table",
    "recognize",
    "resolve_kind",
    "validate_file",
    "write_standard_csv",
]
