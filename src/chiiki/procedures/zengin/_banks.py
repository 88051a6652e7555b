"""Bank and branch codes checked against the `zengin-code` package's data (updated monthly by its maintainers)."""

from __future__ import annotations

from functools import lru_cache

from chiiki.procedures.zengin._format import ZenginError, zengin_kana


@lru_cache(maxsize=1)
def _banks() -> dict[str, object]:
    from zengin_code import Bank  # loads every bank and branch once, on first use

    return dict(Bank.all)


def data_version() -> str:
    """The zengin-code data version (its release date), for the provenance shown with a payment file."""
    import zengin_code

    return str(zengin_code.__version__)


def branch_names(bank_code: str, branch_code: str) -> tuple[str, str, str, str]:
    """(bank name, bank kana, branch name, branch kana in the payment file's half-width kana); ZenginError if unknown."""
    bank = _banks().get(bank_code)
    if bank is None:
        raise ZenginError(f"金融機関コード {bank_code} は全銀の金融機関一覧にありません (unknown bank)")
    branch = bank.branches.get(branch_code)  # type: ignore[attr-defined]
    if branch is None:
        raise ZenginError(
            f"{bank.name}(金融機関コード {bank_code})に支店コード {branch_code} はありません (unknown branch)"  # type: ignore[attr-defined]
        )
    return (
        bank.name,  # type: ignore[attr-defined]
        zengin_kana(bank.kana),  # type: ignore[attr-defined]
        branch.name,
        zengin_kana(branch.kana),
    )
