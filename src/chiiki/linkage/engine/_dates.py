"""Birth dates as the engine reads them, parsed once per distinct spelling for both reading and comparing."""

from __future__ import annotations

from functools import lru_cache

from chiiki.jp import parse_date


@lru_cache(maxsize=1 << 18)
def iso_birth_date(raw: str) -> str:
    """The ISO date of `raw` in any spelling `chiiki.jp.parse_date` reads (和暦, an Excel serial number, …).

    Raises `chiiki.jp.DateParseError` (a ValueError) with the reason. Cached: the file reader checks every
    distinct value and the comparison keys are built from the same values moments later.
    """
    return parse_date(raw, allow_excel_serial=True).isoformat()
