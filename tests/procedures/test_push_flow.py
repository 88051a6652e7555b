"""The push-type flow end to end through the real HTTP stack: define, load facts, dry run, notices, answers, pay."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.procedures.models import Allowance, EligibilityRun, Entitlement, Payment, PaymentBatch, TaxRecord
from chiiki.procedures.tasks import run_eligibility
from chiiki.procedures.zengin import parse_transfers
from chiiki.registry.models import Household, Person

PARAMETERS = (
    "base_amount: {2024-06-03: 100000}\nper_child: {2024-06-03: 50000}\nchild_age_limit: {2024-06-03: 18}\n"
)


def _run_queued_tasks() -> None:
    """Run every queued task as `chiiki worker` would (the job shape: claim, run, finish)."""
    for task in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        assert task.task_path.endswith("run_eligibility")
        run_eligibility.call(*task.args_kwargs["args"])
        DBTaskResult.objects.filter(pk=task.pk).delete()


def _facts_csv(town: Municipality, taxed_household: Household) -> tuple[bytes, bytes]:
    """Everyone newly exempt in FY2024 except one household still taxed; accounts for all heads but one."""
    tax = ["住民番号,年度,均等割非課税,所得"]
    accounts = ["住民番号,金融機関コード,支店コード,預金種目,口座番号,口座名義カナ"]
    heads = list(Person.objects.filter(municipality=town, relationship="世帯主").order_by("household_id"))
    for person in Person.objects.filter(municipality=town):
        exempt = "0" if person.household_id == taxed_household.pk else "1"
        tax.append(f"{person.person_code},2024,{exempt},0")
        tax.append(f"{person.person_code},2023,0,2500000")
    for head in heads[1:]:  # the first household has no receipt account: it goes to follow-up
        accounts.append(f"{head.person_code},0001,001,普通,{head.pk:07d},ﾔﾏﾀﾞ ﾀﾛｳ")
    return "\n".join(tax).encode("cp932"), "\n".join(accounts).encode("utf-8")


def _pdf_credentials(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    path = tmp_path / "notices.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    ids = [i.replace(" ", "") for i in re.findall(r"確認書番号: ([\d ]{14})", text)]
    keys = [k.replace("-", "") for k in re.findall(r"確認キー: ([A-Z0-9]{4}-[A-Z0-9]{4})", text)]
    assert len(ids) == len(keys) > 0
    return list(zip(ids, keys, strict=True))


@pytest.mark.slow
def test_push_flow_from_rules_to_payment_file(
    town_a: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
    settings: Any,
) -> None:
    settings.CHIIKI_PROCEDURES_PAYER = {
        "code": "3430210001",
        "name_kana": "ﾌﾁﾕｳﾁﾖｳ",
        "bank_code": "9900",
        "branch_code": "019",
        "account_type": "1",
        "account_number": "1234567",
    }
    base = f"/staff/m/{town_a.code}/procedures"
    policy = login(make_staff("policy", town_a, Role.BENEFIT_POLICY))
    clerk = login(make_staff("clerk", town_a, Role.PROCEDURE_CLERK))
    helper_user = make_staff("helper", town_a, Role.HELPDESK)
    helper = login(helper_user)
    form = {
        "code": "bukka2024",
        "name": "物価高騰対策給付金",
        "rule_set": "newly_exempt_household",
        "parameters": "base_amount: 100000\n",
        "reference_date": "2024-06-03",
        "fiscal_year": "2024",
    }
    # 1. A parameter without a date is refused, naming it; nothing is saved.
    refused = policy.post(f"{base}/allowances/new/", form)
    assert refused.status_code == 200
    assert "base_amount" in refused.content.decode()
    assert "適用開始日がありません" in refused.content.decode()
    assert not Allowance.objects.exists()
    created = policy.post(f"{base}/allowances/new/", {**form, "parameters": PARAMETERS})
    assert created.status_code == 302
    allowance = Allowance.objects.get()

    # 2. The clerk loads the tax and account extracts; a malformed one is refused whole, naming row and column.
    taxed = Household.objects.filter(municipality=town_a).order_by("id")[1]
    tax_csv, account_csv = _facts_csv(town_a, taxed)
    bad = clerk.post(
        f"{base}/data/", {"kind": "tax", "file": _upload(tax_csv + "\n999,2024,たぶん,0".encode("cp932"))}
    )
    assert bad.status_code == 400
    assert "「均等割非課税」列" in bad.content.decode()
    assert not TaxRecord.objects.exists()
    assert clerk.post(f"{base}/data/", {"kind": "tax", "file": _upload(tax_csv)}).status_code == 200
    assert clerk.post(f"{base}/data/", {"kind": "accounts", "file": _upload(account_csv)}).status_code == 200

    # 3. A dry run through the worker: counts and explanations, no notices.
    with django_capture_on_commit_callbacks(execute=True):
        assert policy.post(f"{base}/allowances/{allowance.pk}/", {"run": "dry"}).status_code == 302
    _run_queued_tasks()
    dry = EligibilityRun.objects.get()
    assert dry.status == "done", dry.message
    households = Household.objects.filter(municipality=town_a).count()
    assert dry.summary["households"] == households
    assert dry.summary["eligible"] == households - 1
    assert not Entitlement.objects.exists()
    page = clerk.get(f"{base}/allowances/{allowance.pk}/runs/{dry.pk}/").content.decode()
    assert "世帯全員が住民税均等割非課税" in page
    assert "満たさない" in page
    assert AuditEvent.objects.filter(action="procedures.eligibility_run_viewed").exists()

    # 4. The run that issues notices: one per eligible household with an account; the other to follow-up.
    with django_capture_on_commit_callbacks(execute=True):
        policy.post(f"{base}/allowances/{allowance.pk}/", {"run": "issue"})
    _run_queued_tasks()
    issue = EligibilityRun.objects.exclude(pk=dry.pk).get()
    assert issue.status == "done", issue.message
    reasons = sorted(
        Entitlement.objects.filter(status="follow_up").values_list("follow_up_reason", flat=True)
    )
    # the first household has no account; the synthetic registry also has households whose head moved out
    assert "公金受取口座の登録がありません" in reasons
    assert set(reasons) <= {"公金受取口座の登録がありません", "基準日の世帯主が台帳にいません"}
    notified = Entitlement.objects.filter(status="notified").count()
    assert notified + len(reasons) == households - 1
    pdf = clerk.get(f"{base}/allowances/{allowance.pk}/runs/{issue.pk}/notices.pdf")
    assert pdf.status_code == 200
    credentials = _pdf_credentials(
        b"".join(pdf.streaming_content) if pdf.streaming else pdf.content, tmp_path
    )
    assert len(credentials) == notified

    # 5. A resident confirms online with the notice's number and key; a wrong key is refused.
    resident = Client()
    (first_id, first_key), (second_id, _), (third_id, third_key) = credentials[:3]
    wrong = resident.post("/benefits/confirm/", {"login_id": first_id, "access_key": "AAAAAAAA"})
    assert "違います" in wrong.content.decode()
    assert (
        resident.post("/benefits/confirm/", {"login_id": first_id, "access_key": first_key}).status_code
        == 302
    )
    notice_page = resident.get("/benefits/confirm/answer/").content.decode()
    assert "150,000" in notice_page or "150000" in notice_page or "100000" in notice_page
    done = resident.post("/benefits/confirm/answer/", {"choice": "accept"})
    assert "回答を受け付けました" in done.content.decode()
    assert Entitlement.objects.get(login_id=first_id).status == "confirmed"

    # ... another corrects the account: an unknown branch is shown next to the field, then a good one is taken.
    other = Client()
    other.post("/benefits/confirm/", {"login_id": third_id, "access_key": third_key})
    account = {
        "choice": "correct",
        "bank_code": "0001",
        "branch_code": "999",
        "account_type": "1",
        "account_number": "7654321",
        "holder_kana": "すずき はなこ",
    }
    refused_account = other.post("/benefits/confirm/answer/", account).content.decode()
    assert "支店コード 999 はありません" in refused_account
    other.post("/benefits/confirm/answer/", {**account, "branch_code": "001"})
    corrected = Entitlement.objects.get(login_id=third_id)
    assert (corrected.status, corrected.account_number, corrected.holder_kana) == (
        "confirmed",
        "7654321",
        "ｽｽﾞｷ ﾊﾅｺ",
    )

    # 6. The help desk answers for a resident at the desk, with consent recorded and the helper named.
    lookup = helper.get(f"{base}/assist/", {"login_id": second_id})
    assert lookup.status_code == 302
    helped = helper.post(
        lookup["Location"], {"choice": "accept", "consent": "窓口で本人が確認書を提示し口頭で同意"}
    )
    assert helped.status_code == 302
    second = Entitlement.objects.get(login_id=second_id)
    assert (second.status, second.channel, second.helper_id) == ("confirmed", "help_desk", helper_user.pk)
    event = AuditEvent.objects.get(action="procedures.notice_confirmed", object_id=str(second.pk))
    assert event.actor_id == helper_user.pk
    assert event.detail["assisted"] is True

    # 7. The clerk makes the payment file: the three confirmed households, control total, round trip.
    payer = login(make_staff("payer", town_a, Role.PROCEDURE_CLERK))
    made = payer.post(f"{base}/allowances/{allowance.pk}/payments/", {"transfer_date": "2024-08-01"})
    assert made.status_code == 302
    content = payer.get(made["Location"]).content
    parsed = parse_transfers(content)
    confirmed = Entitlement.objects.filter(login_id__in=[first_id, second_id, third_id])
    assert parsed.count == 3
    assert parsed.total == sum(e.amount for e in confirmed)
    assert sorted(t.customer_code for t in parsed.transfers) == sorted(str(e.pk) for e in confirmed)
    # A second file pays nobody twice: nothing is waiting.
    again = payer.post(f"{base}/allowances/{allowance.pk}/payments/", {"transfer_date": "2024-08-02"})
    assert again.status_code == 400
    assert Payment.objects.count() == 3
    assert PaymentBatch.objects.count() == 1
    for action in (
        "procedures.allowance_defined",
        "procedures.tax_extract_loaded",
        "procedures.notices_issued",
        "procedures.notices_downloaded",
        "procedures.entitlement_viewed",
        "procedures.payment_file_created",
        "procedures.payment_file_downloaded",
    ):
        assert AuditEvent.objects.filter(action=action).exists(), action


def _upload(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("extract.csv", data)


def test_other_towns_staff_cannot_open_procedures(
    town_a: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    outsider = login(make_staff("b-policy", town_b, Role.BENEFIT_POLICY))
    assert outsider.get(f"/staff/m/{town_a.code}/procedures/").status_code == 403
    assert outsider.get(f"/staff/m/{town_a.code}/procedures/allowances/new/").status_code == 403
