"""Payment files: the confirmed, not yet paid entitlements of an allowance as one 総合振込 file."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from chiiki.core import audit
from chiiki.procedures.models import Allowance, Entitlement, Payment, PaymentBatch
from chiiki.procedures.zengin import Requester, Transfer, ZenginError, branch_names, write_transfers

if TYPE_CHECKING:
    from chiiki.core.acting import Actor


# The fictional town's paying account (ゆうちょ銀行 〇一九店): only for municipalities marked as demo.
DEMO_PAYER = {
    "code": "3499920000",
    "name_kana": "ﾐﾄﾞﾘｶﾜｼ",
    "bank_code": "9900",
    "branch_code": "019",
    "account_type": "1",
    "account_number": "0000001",
}


class NothingToPay(ValueError):
    """No confirmed entitlement is waiting for payment."""


def requester_for(allowance: Allowance, transfer_date: date) -> Requester:
    """The municipality's paying account, from `CHIIKI_PROCEDURES_PAYER` (code, bank, branch, type, number, kana)."""
    payer = getattr(settings, "CHIIKI_PROCEDURES_PAYER", {}) or {}
    if not payer and allowance.municipality.is_demo:
        payer = DEMO_PAYER
    if not payer:
        raise ZenginError(
            "支払元の口座が設定されていません。CHIIKI_PROCEDURES_PAYER を設定してください (payer account not configured)"
        )
    bank, branch = payer.get("bank_code", ""), payer.get("branch_code", "")
    _, bank_kana, _, branch_kana = branch_names(bank, branch)
    return Requester(
        code=payer.get("code", allowance.municipality.code.ljust(10, "0"))[:10],
        name_kana=payer.get("name_kana", allowance.municipality.name_kana or "ｼﾔｸｼﾖ"),
        transfer_date=transfer_date,
        bank_code=bank,
        bank_name_kana=bank_kana,
        branch_code=branch,
        branch_name_kana=branch_kana,
        account_type=payer.get("account_type", "1"),
        account_number=payer.get("account_number", "0000001"),
    )


@transaction.atomic
def create_payment_batch(allowance: Allowance, *, transfer_date: date, by: Actor) -> PaymentBatch:
    """Pay every confirmed entitlement not yet paid: one file, one payment row each (unique per entitlement)."""
    waiting = list(
        # of=("self",): PostgreSQL locks no row of the outer join that finds the unpaid ones.
        Entitlement.objects.select_for_update(of=("self",))
        .filter(allowance=allowance, status=Entitlement.Status.CONFIRMED, payment__isnull=True)
        .order_by("id")
    )
    if not waiting:
        raise NothingToPay("振込データにする受給確認済みの世帯がありません")
    transfers = []
    for e in waiting:
        try:
            _, bank_kana, _, branch_kana = branch_names(e.bank_code, e.branch_code)
        except ZenginError as error:
            raise ZenginError(f"確認書番号 {e.login_id}: {error}") from error
        transfers.append(
            Transfer(
                e.bank_code,
                bank_kana,
                e.branch_code,
                branch_kana,
                e.account_type,
                e.account_number,
                e.holder_kana,
                e.amount,
                str(e.pk),
            )
        )
    content = write_transfers(requester_for(allowance, transfer_date), transfers)
    batch = PaymentBatch.objects.create(
        municipality=allowance.municipality,
        allowance=allowance,
        created_by=by.user,
        transfer_date=transfer_date,
        count=len(transfers),
        total=sum(t.amount for t in transfers),
        content=content,
    )
    Payment.objects.bulk_create(
        [
            Payment(municipality=allowance.municipality, batch=batch, entitlement=e, amount=e.amount)
            for e in waiting
        ]
    )
    Entitlement.objects.filter(pk__in=[e.pk for e in waiting]).update(status=Entitlement.Status.PAID)
    audit.record(
        "procedures.payment_file_created",
        by=by,
        municipality=allowance.municipality,
        object_type="payment_batch",
        object_id=batch.pk,
        detail={"count": batch.count, "total": batch.total, "entitlements": [e.pk for e in waiting]},
    )
    return batch
