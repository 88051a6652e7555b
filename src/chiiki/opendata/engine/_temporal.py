"""The period a standard file covers (DCAT's dct:temporal), read from the dates in its rows.

Only kinds whose dates say what period the data is about have one: 04 地域・年齢別人口 (調査年月日), 12 イベント一覧
(開始日 … 終了日), 投票所 (投票日), 学校給食 (提供日), 入札・契約 (公告日 … 契約日), 支援制度 (申請期間). Dates of other
kinds (a facility's 認可等年月日, a licence's 許可年月日) say when something happened to one row, not what the file
covers, so those files get no period from the data (staff may enter one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

# kind -> (columns whose earliest date starts the period, columns whose latest date ends it)
PERIOD_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "population": (("調査年月日",), ("調査年月日",)),
    "event": (("開始日",), ("終了日", "開始日")),
    "polling_place": (("投票所_投票日",), ("投票所_投票日",)),
    "school_lunch": (("提供日",), ("提供日",)),
    "procurement": (("公告日", "入札日", "契約日"), ("公告日", "入札日", "契約日")),
    "support_system": (("申請期間_開始日",), ("申請期間_終了日", "申請期間_開始日")),
}


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None  # blank or not normalized: the validation report names it


def period_covered(kind: str, rows: Iterable[Mapping[str, str]]) -> tuple[dt.date | None, dt.date | None]:
    """(first day, last day) the rows of a standard CSV of `kind` are about, or (None, None) when unknown.

    Values are the normalized ISO dates of the standard CSV; values that are not dates are skipped.
    """
    columns = PERIOD_COLUMNS.get(kind)
    if columns is None:
        return None, None
    starts: list[dt.date] = []
    ends: list[dt.date] = []
    for row in rows:
        starts += [d for d in (_date(row.get(c)) for c in columns[0]) if d is not None]
        ends += [d for d in (_date(row.get(c)) for c in columns[1]) if d is not None]
    if not starts and not ends:
        return None, None
    start = min(starts or ends)
    end = max(ends or starts)
    return start, max(start, end)
