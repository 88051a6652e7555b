"""The rules on working hours as dated regimes, so that an announced revision can be switched in.

All durations are whole minutes. A regime applies to a month when it is in force on the month's first day.

Sources: 労働基準法 32条 (8 h/day, 40 h/week), 35条 (法定休日), 36条 (36協定; 上限規制 since 2019-04-01, for
small and medium enterprises since 2020-04-01), 38条1項 (hours at different workplaces are combined, 通算), and
厚生労働省「副業・兼業の促進に関するガイドライン」 (2018-01; revised 2020-09 adding the 管理モデル, 2022-07).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

HOUR = 60


@dataclass(frozen=True, slots=True)
class Regime:
    """One set of numbers and switches, in force from ``effective_from``."""

    name: str
    effective_from: dt.date
    source: str
    legal_daily_minutes: int = 8 * HOUR  # 法定労働時間 (1日)
    legal_weekly_minutes: int = 40 * HOUR  # 法定労働時間 (1週)
    agreement_monthly_max: int = 45 * HOUR  # 限度時間 (月)
    agreement_annual_max: int = 360 * HOUR  # 限度時間 (年)
    special_annual_max: int = 720 * HOUR  # 特別条項の年間上限
    special_months_max: int = 6  # 限度時間を超えられる月数 (年)
    combined_monthly_cap: int = 100 * HOUR  # 時間外+休日 (通算) は「未満」
    combined_average_cap: int = 80 * HOUR  # 2〜6か月平均 (通算) は「以内」
    average_windows: tuple[int, ...] = (2, 3, 4, 5, 6)
    # True under the law as it stands: an employer's overtime (for premium pay and for its 36協定) is
    # its share of the combined hours. False models the proposal to stop combining for premium pay,
    # while the health caps above stay combined.
    combine_overtime_per_employer: bool = True
    management_model_available: bool = True


REGIME_2019 = Regime(
    name="時間外労働の上限規制（働き方改革関連法）",
    effective_from=dt.date(2019, 4, 1),
    source="労働基準法36条（2019年4月1日施行、中小企業は2020年4月1日）; 副業・兼業の促進に関するガイドライン（2018年1月）",
    management_model_available=False,
)

REGIME_2020_09 = dataclasses.replace(
    REGIME_2019,
    name="副業・兼業ガイドライン改定（管理モデルの導入）",
    effective_from=dt.date(2020, 9, 1),
    source="副業・兼業の促進に関するガイドライン（2020年9月改定、2022年7月改定）",
    management_model_available=True,
)


def proposed_regime_without_premium_combination(effective_from: dt.date) -> Regime:
    """A regime for the proposed revision (労働基準関係法制研究会報告書, 2025-01): hours at other employers no
    longer make an employer pay overtime premiums, but the 100 h / 80 h health caps stay combined.

    Not law as of this code's writing; the date is the caller's, once one is announced.
    """
    return dataclasses.replace(
        REGIME_2020_09,
        name="割増賃金の通算を行わない改正案",
        effective_from=effective_from,
        source="労働基準関係法制研究会報告書（2025年1月）の提案; 施行日は未定",
        combine_overtime_per_employer=False,
    )


@dataclass(frozen=True, slots=True)
class RegimeBook:
    """Regimes ordered by date; :meth:`for_date` returns the one in force."""

    regimes: tuple[Regime, ...]

    def __post_init__(self) -> None:
        dates = [r.effective_from for r in self.regimes]
        if not dates or dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError("regimes must be non-empty, sorted by effective_from, with distinct dates")

    def for_date(self, day: dt.date) -> Regime:
        """The regime in force on ``day``."""
        current = None
        for regime in self.regimes:
            if regime.effective_from <= day:
                current = regime
        if current is None:
            raise ValueError(
                f"{day} に適用される規則がありません (no regime in force; earliest is {self.regimes[0].effective_from})"
            )
        return current

    def with_regime(self, regime: Regime) -> RegimeBook:
        """A new book with ``regime`` added (replacing one with the same date)."""
        kept: Iterable[Regime] = (r for r in self.regimes if r.effective_from != regime.effective_from)
        return RegimeBook(tuple(sorted([*kept, regime], key=lambda r: r.effective_from)))


DEFAULT_REGIMES = RegimeBook((REGIME_2019, REGIME_2020_09))
