"""Django-free open-data engine: read messy CSV/XLSX, map to a 自治体標準オープンデータセット, normalize, validate.

>>> result = validate_file("aed.csv")            # recognizes the dataset from the header
>>> result.report.valid, result.report.to_text()
>>> convert_file("aed.csv", "aed_standard.csv", report_path="aed_report.json")

The modules inside (`_reading`, `_headers`, `_validation`, `_gtfs`, ...) are private: everything callers and
tests need is exported here. The standard datasets themselves are data, in `chiiki.opendata.standard`.
"""

from chiiki.opendata.engine._books import (
    BookError,
    BookItem,
    BookSheet,
    SchemaDiff,
    diff_schemas,
    read_book,
    schema_from_book,
)
from chiiki.opendata.engine._gtfs import MAX_PER_CHECK as GTFS_MAX_PER_CHECK
from chiiki.opendata.engine._headers import (
    ColumnMatch,
    Recognition,
    header_key,
    header_score,
    map_header,
    recognize,
)
from chiiki.opendata.engine._normalize import NORMALIZERS, Normalized
from chiiki.opendata.engine._pipeline import ValidationResult, convert_file, validate_file, write_standard_csv
from chiiki.opendata.engine._reading import RawTable, ReadError, check_readable, read_table
from chiiki.opendata.engine._report import Fix, Problem, Report
from chiiki.opendata.engine._schemas import (
    FieldSpec,
    LegacyLayout,
    StandardSchema,
    load_legacy_layouts,
    load_schemas,
    resolve_kind,
    schema_from_raw,
)
from chiiki.opendata.engine._temporal import PERIOD_COLUMNS, period_covered

__all__ = [
    "GTFS_MAX_PER_CHECK",
    "NORMALIZERS",
    "PERIOD_COLUMNS",
    "BookError",
    "BookItem",
    "BookSheet",
    "ColumnMatch",
    "FieldSpec",
    "Fix",
    "LegacyLayout",
    "Normalized",
    "Problem",
    "RawTable",
    "ReadError",
    "Recognition",
    "Report",
    "SchemaDiff",
    "StandardSchema",
    "ValidationResult",
    "check_readable",
    "convert_file",
    "diff_schemas",
    "header_key",
    "header_score",
    "load_legacy_layouts",
    "load_schemas",
    "map_header",
    "period_covered",
    "read_book",
    "read_table",
    "recognize",
    "resolve_kind",
    "schema_from_book",
    "schema_from_raw",
    "validate_file",
    "write_standard_csv",
]
