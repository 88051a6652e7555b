"""Tables as municipalities hand them over: Django-free reading and Excel-safe writing.

Reading: bytes in whatever encoding a Japanese office system writes (UTF-8 with or without BOM, Shift_JIS as
Windows writes it (cp932), UTF-16 from Excel's "Unicode text", EUC-JP from old Unix systems), comma or tab
separated, CRLF, LF or a lone CR, with a clear refusal for files that are not tables (PDF, images, .xls,
.ods, pipes and devices). Every reader of uploaded tables (registry extracts, linkage records, open data,
notifier address lists) goes through here, so one policy holds everywhere.

Workbooks: `check_xlsx_bounds` measures an XLSX on its zip (inflated size, rows, columns, shared strings)
before a parser opens it, so a small file cannot cost minutes of CPU or gigabytes of memory.

Writing: CSV for Excel (UTF-8 with BOM) whose text cells cannot run as formulas (OWASP's CSV-injection advice).
"""

from chiiki.tables._decoding import Decoded, decode
from chiiki.tables._delimited import DelimitedTable, read_delimited, sniff_delimiter
from chiiki.tables._excel_csv import (
    FORMULA_START,
    FORMULA_START_PATTERN,
    PLAIN_NUMBER,
    excel_safe,
    excel_safe_frame,
    excel_safe_row,
    write_excel_csv,
)
from chiiki.tables._files import (
    XLS_MAGIC,
    TableReadError,
    check_regular_file,
    check_table_bytes,
    looks_binary,
    read_table_bytes,
    sniff_other_format,
)
from chiiki.tables._stream import StreamedTable, stream_delimited
from chiiki.tables._xlsx_limits import XlsxLimits, check_xlsx_bounds

__all__ = [
    "FORMULA_START",
    "FORMULA_START_PATTERN",
    "PLAIN_NUMBER",
    "XLS_MAGIC",
    "Decoded",
    "DelimitedTable",
    "StreamedTable",
    "TableReadError",
    "XlsxLimits",
    "check_regular_file",
    "check_table_bytes",
    "check_xlsx_bounds",
    "decode",
    "excel_safe",
    "excel_safe_frame",
    "excel_safe_row",
    "looks_binary",
    "read_delimited",
    "read_table_bytes",
    "sniff_delimiter",
    "sniff_other_format",
    "stream_delimited",
    "write_excel_csv",
]
