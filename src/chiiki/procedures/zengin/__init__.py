"""Payment files for push-type benefits in the 全銀協 総合振込 fixed-width layout (UNVERIFIED, see `_format`); no Django.

>>> data = write_transfers(requester, [Transfer(...), ...])   # Shift_JIS bytes, 120-byte records, CRLF
>>> parse_transfers(data).total                                 # round trip with count and control total
>>> branch_names("0001", "001")                                 # checked against the zengin-code data
"""

from chiiki.procedures.zengin._banks import branch_names, data_version
from chiiki.procedures.zengin._format import (
    ACCOUNT_TYPES,
    RECORD,
    ParsedFile,
    Requester,
    Transfer,
    ZenginError,
    parse_transfers,
    write_transfers,
    zengin_kana,
)

__all__ = [
    "ACCOUNT_TYPES",
    "RECORD",
    "ParsedFile",
    "Requester",
    "Transfer",
    "ZenginError",
    "branch_names",
    "data_version",
    "parse_transfers",
    "write_transfers",
    "zengin_kana",
]
