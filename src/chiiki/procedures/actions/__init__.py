"""Every write of the procedures app: one transaction each, audited (see the README)."""

from chiiki.procedures.actions.answers import (
    SESSION_KEY,
    AccountInput,
    AnswerRefused,
    answer_notice,
    check_account,
    refuse_notice_sign_in,
    sign_in_with_notice,
)
from chiiki.procedures.actions.applications import load_starter_catalog, search_text, submit_application
from chiiki.procedures.actions.benefits import (
    IssueSummary,
    define_allowance,
    issue_notices,
    load_account_extract,
    load_tax_extract,
    masked_account,
    record_run_summary,
    request_eligibility_run,
    summarize,
)
from chiiki.procedures.actions.payments import NothingToPay, create_payment_batch

__all__ = [
    "SESSION_KEY",
    "AccountInput",
    "AnswerRefused",
    "IssueSummary",
    "NothingToPay",
    "answer_notice",
    "check_account",
    "create_payment_batch",
    "define_allowance",
    "issue_notices",
    "load_account_extract",
    "load_starter_catalog",
    "load_tax_extract",
    "masked_account",
    "record_run_summary",
    "refuse_notice_sign_in",
    "request_eligibility_run",
    "search_text",
    "sign_in_with_notice",
    "submit_application",
    "summarize",
]
