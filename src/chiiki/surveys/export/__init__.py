"""Survey answer exports that scale, without Django.

One file per repeat level (households, then each repeat such as the member roster) joined by
``household_key`` and the row positions of enclosing repeats; CSV with UTF-8 BOM for Excel, Parquet, Stata
``.dta`` and SPSS ``.sav``; select_multiple as the raw space-separated codes plus one 0/1 column per choice;
and ``codebook.csv`` (variable, label ja/en, type, question, choices). Answers are streamed in chunks, so the
memory needed does not grow with the number of households in any format (Stata ``.dta`` and SPSS ``.sav`` are
written by our own streaming writers, checked by reading the files back with pyreadstat).

Typical use::

    plan = ExportPlan.from_form(form, meta=[MetaColumn("mode", "string", "回答方法", "Answer mode")])
    export_answers(plan, ((key, data, {"mode": "web"}) for ...), Path("out"), ["csv", "parquet"])
"""

from chiiki.surveys.export._engine import (
    FORMATS,
    ExportError,
    ExportResult,
    Format,
    HouseholdRecord,
    export_answers,
    write_codebook,
)
from chiiki.surveys.export._plan import HOUSEHOLD_KEY, HOUSEHOLD_TABLE, Column, ExportPlan, MetaColumn, Table

__all__ = [
    "FORMATS",
    "HOUSEHOLD_KEY",
    "HOUSEHOLD_TABLE",
    "Column",
    "ExportError",
    "ExportPlan",
    "ExportResult",
    "Format",
    "HouseholdRecord",
    "MetaColumn",
    "Table",
    "export_answers",
    "write_codebook",
]
