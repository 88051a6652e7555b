"""Working hours across employers for side-job workers (副業・兼業), following the MHLW guideline:
combination by contract order and occurrence, the combined 100 h / 80 h caps, each employer's 36協定,
the simplified 管理モデル, warnings before limits, and rules kept as dated regimes. Django-free."""

from chiiki.sidejob.hours._combine import (
    CombinedHours,
    EmployerMonth,
    HoursInputError,
    combine_hours,
    month_of,
    week_of,
)
from chiiki.sidejob.hours._limits import (
    RULE_JA,
    WORKER,
    LimitWarning,
    Rule,
    Severity,
    WarningPolicy,
    check_limits,
)
from chiiki.sidejob.hours._management_model import ManagementModel, ModelCap
from chiiki.sidejob.hours._records import Agreement36, Contract, ContractKind, WorkRecord
from chiiki.sidejob.hours._regime import (
    DEFAULT_REGIMES,
    HOUR,
    REGIME_2019,
    REGIME_2020_09,
    Regime,
    RegimeBook,
    proposed_regime_without_premium_combination,
)

__all__ = [
    "DEFAULT_REGIMES",
    "HOUR",
    "REGIME_2019",
    "REGIME_2020_09",
    "RULE_JA",
    "WORKER",
    "Agreement36",
    "CombinedHours",
    "Contract",
    "ContractKind",
    "EmployerMonth",
    "HoursInputError",
    "LimitWarning",
    "ManagementModel",
    "ModelCap",
    "Regime",
    "RegimeBook",
    "Rule",
    "Severity",
    "WarningPolicy",
    "WorkRecord",
    "check_limits",
    "combine_hours",
    "month_of",
    "proposed_regime_without_premium_combination",
    "week_of",
]
