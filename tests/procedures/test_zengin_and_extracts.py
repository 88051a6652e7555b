"""The payment file's layout and refusals, the extracts' refusals by row and column, and the database's
one-payment-per-entitlement guarantee."""

from __future__ import annotations

from datetime import date

import pytest

from chiiki.procedures.extracts import ExtractRejected, parse_account_extract, parse_tax_extract
from chiiki.procedures.zengin import (
    RECORD,
    Requester,
    Transfer,
    ZenginError,
    branch_names,
    parse_transfers,
    write_transfers,
    zengin_kana,
)

REQUESTER = Requester(
    "3430210001", "ﾌﾁﾕｳﾁﾖｳ", date(2024, 8, 1), "9900", "ﾕｳﾁﾖ", "019", "ｾﾞﾛｲﾁｷﾕｳ", "1", "1234567"
)


def _transfer(**changes: object) -> Transfer:
    values: dict[str, object] = {
        "bank_code": "0169", "bank_name_kana": "ﾋﾛｼﾏ", "branch_code": "001", "branch_name_kana": "ﾎﾝﾃﾝ",
        "account_type": "1", "account_number": "0012345", "holder_kana": "やまだ　たろう", "amount": 150000,
        "customer_code": "17",
    }  # fmt: skip
    values.update(changes)
    return Transfer(**values)  # type: ignore[arg-type]


def test_every_record_is_120_bytes_with_a_control_total() -> None:
    data = write_transfers(REQUESTER, [_transfer(), _transfer(amount=100000, customer_code="18")])
    records = data.split(b"\r\n")[:-1]
    assert [len(r) for r in records] == [RECORD] * 5
    assert [r[:1] for r in records] == [b"1", b"2", b"2", b"8", b"9"]
    assert records[0][1:4] == b"210"
    assert records[3][1:7] == b"000002"
    assert records[3][7:19] == b"000000250000"
    parsed = parse_transfers(data)
    assert parsed.transfers[0].holder_kana == "ﾔﾏﾀﾞ ﾀﾛｳ"
    assert parsed.total == 250000


def test_names_are_folded_to_the_layouts_kana_and_the_rest_is_refused_by_field() -> None:
    assert zengin_kana("キャッシュ・カード") == "ｷﾔﾂｼﾕ.ｶ-ﾄﾞ"
    with pytest.raises(ZenginError, match="受取人名"):
        write_transfers(REQUESTER, [_transfer(holder_kana="山田太郎")])
    with pytest.raises(ZenginError, match="振込金額"):
        write_transfers(REQUESTER, [_transfer(amount=0)])


def test_a_tampered_trailer_is_caught_on_reading() -> None:
    data = bytearray(write_transfers(REQUESTER, [_transfer()]))
    trailer = data.index(b"\r\n8") + 2
    data[trailer + 18] = ord("9")
    with pytest.raises(ZenginError, match="合計"):
        parse_transfers(bytes(data))


def test_bank_and_branch_codes_come_from_zengin_code() -> None:
    assert branch_names("9900", "019")[0] == "ゆうちょ"
    with pytest.raises(ZenginError, match="金融機関コード 9999"):
        branch_names("9999", "001")


def test_a_malformed_tax_extract_is_refused_whole_naming_row_and_column() -> None:
    data = "住民番号,年度,均等割非課税,所得\n1,2024,1,0\n2,令和6,1,0\n3,2024,たぶん,0\n1,2024,0,0\n".encode(
        "cp932"
    )
    with pytest.raises(ExtractRejected) as caught:
        parse_tax_extract(data)
    problems = [str(p) for p in caught.value.problems]
    assert problems[0].startswith("3行目「年度」列")
    assert problems[1].startswith("4行目「均等割非課税」列")
    assert problems[2].startswith("5行目「住民番号」列")
    assert "2行目と同じ" in problems[2]


def test_an_account_extract_names_unknown_branches_and_bad_kana() -> None:
    data = "住民番号,金融機関コード,支店コード,預金種目,口座番号,口座名義カナ\n1,0169,999,普通,12,ﾔﾏﾀﾞ\n2,0169,001,普通,12,山田\n"
    with pytest.raises(ExtractRejected) as caught:
        parse_account_extract(data.encode())
    text = str(caught.value)
    assert "2行目「支店コード」列" in text
    assert "3行目「口座名義カナ」列" in text
    assert (
        parse_account_extract(data.replace("999", "001").replace("山田", "やまだ").encode())[1].holder_kana
        == "ﾔﾏﾀﾞ"
    )


def test_the_database_refuses_a_second_entitlement_or_a_second_payment(town_a: object) -> None:
    from django.db import IntegrityError, transaction

    from chiiki.procedures.models import Allowance, EligibilityRun, Entitlement, Payment, PaymentBatch
    from chiiki.registry.models import Household

    household = Household.objects.filter(municipality=town_a).first()
    allowance = Allowance.objects.create(
        municipality=town_a, code="x", name="x", rule_set="exempt_household", parameters="",
        reference_date=date(2024, 6, 3), fiscal_year=2024,
    )  # fmt: skip
    run = EligibilityRun.objects.create(municipality=town_a, allowance=allowance)
    entitlement = Entitlement.objects.create(
        municipality=town_a, allowance=allowance, household=household, run=run, amount=1, status="confirmed",
        account_number="0000001",
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Entitlement.objects.create(
            municipality=town_a,
            allowance=allowance,
            household=household,
            run=run,
            amount=1,
            status="notified",
        )
    batch = PaymentBatch.objects.create(
        municipality=town_a,
        allowance=allowance,
        transfer_date=date(2024, 8, 1),
        count=1,
        total=1,
        content=b"",
    )
    Payment.objects.create(municipality=town_a, batch=batch, entitlement=entitlement, amount=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(municipality=town_a, batch=batch, entitlement=entitlement, amount=1)
