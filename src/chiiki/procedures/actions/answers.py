"""A household's answer to its notice: confirm (with the account on file or a corrected one) or decline.

Online the resident answers with the notice's number and key; at the help desk a staff member answers on the
resident's behalf with the resident's consent recorded and the helper named in the entitlement and the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.actions.sign_in import clear_login_failures, note_login_failure
from chiiki.procedures.models import Entitlement
from chiiki.procedures.zengin import ZenginError, branch_names, zengin_kana

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase

    from chiiki.core.acting import Actor


class AnswerRefused(ValueError):
    """The answer cannot be taken (already answered, paid, or an account that does not exist); says why."""


@dataclass(frozen=True, slots=True)
class AccountInput:
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    holder_kana: str


def check_account(account: AccountInput) -> dict[str, str]:
    """Field name → problem for a typed account (empty when it is fine); bank and branch checked against zengin-code."""
    problems: dict[str, str] = {}
    for name, width in (("bank_code", 4), ("branch_code", 3)):
        value = getattr(account, name)
        if not (value.isascii() and value.isdigit() and len(value) == width):
            problems[name] = f"{width}桁の数字で入力してください"
    if not problems:
        try:
            branch_names(account.bank_code, account.branch_code)
        except ZenginError as error:
            problems["branch_code"] = str(error)
    if account.account_type not in ("1", "2", "4"):
        problems["account_type"] = "預金種目を選んでください"
    number = account.account_number
    if not (number.isascii() and number.isdigit() and 1 <= len(number) <= 7):
        problems["account_number"] = "口座番号は7桁以内の数字です"
    try:
        if not zengin_kana(account.holder_kana).strip():
            problems["holder_kana"] = "口座名義をカタカナで入力してください"
    except ZenginError as error:
        problems["holder_kana"] = str(error)
    return problems


def _lock(entitlement_id: int) -> Entitlement:
    entitlement = Entitlement.objects.select_for_update().get(pk=entitlement_id)
    if entitlement.status != Entitlement.Status.NOTIFIED:
        raise AnswerRefused("この確認書には回答済みです (already answered)")
    return entitlement


@transaction.atomic
def answer_notice(
    entitlement_id: int,
    *,
    accept: bool,
    account: AccountInput | None = None,
    helper_consent: str = "",
    by: Actor,
) -> Entitlement:
    """Record the household's answer in one transaction; the page acknowledges only after this returns.

    `account` replaces the account on file (correction). `helper_consent` marks a help-desk answer: `by` is the
    helper, and the text records how the resident consented.
    """
    entitlement = _lock(entitlement_id)
    changed = account is not None
    if account is not None:
        if check_account(account):
            raise AnswerRefused("口座の内容に誤りがあります (invalid account)")
        entitlement.bank_code = account.bank_code
        entitlement.branch_code = account.branch_code
        entitlement.account_type = account.account_type
        entitlement.account_number = account.account_number.zfill(7)
        entitlement.holder_kana = zengin_kana(account.holder_kana)
    if accept and not entitlement.account_number:
        raise AnswerRefused("振込先の口座を入力してください (an account is needed)")
    entitlement.status = Entitlement.Status.CONFIRMED if accept else Entitlement.Status.DECLINED
    entitlement.answered_at = timezone.now()
    entitlement.channel = Entitlement.Channel.HELP_DESK if helper_consent else Entitlement.Channel.ONLINE
    entitlement.helper = by.user if helper_consent else None
    entitlement.consent_note = helper_consent[:200]
    entitlement.save()
    audit.record(
        "procedures.notice_confirmed" if accept else "procedures.notice_declined",
        by=by,
        municipality=entitlement.municipality_id,
        object_type="entitlement",
        object_id=entitlement.pk,
        detail={
            "channel": entitlement.channel,
            "account_corrected": changed,
            "assisted": bool(helper_consent),
            "consent": entitlement.consent_note,
        },
    )
    return entitlement


SESSION_KEY = "procedures_entitlement"


@transaction.atomic
def sign_in_with_notice(entitlement: Entitlement, *, by: Actor, session: SessionBase) -> None:
    """Open this session for one notice (number and key checked by the caller); forget this client's failures."""
    clear_login_failures(by.label, by.address)
    session.cycle_key()
    session[SESSION_KEY] = entitlement.pk
    audit.record(
        "procedures.notice_signed_in",
        by=by,
        municipality=entitlement.municipality_id,
        object_type="entitlement",
        object_id=entitlement.pk,
    )


@transaction.atomic
def refuse_notice_sign_in(*, by: Actor) -> None:
    """Count a failed notice sign-in against the number typed and the address; nothing about the notice is written."""
    note_login_failure(by.label, by.address)
    audit.record("procedures.notice_sign_in_failed", by=by)
