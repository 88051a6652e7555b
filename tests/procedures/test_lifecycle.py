"""One application from start to decision over real HTTP (a server on a port, `requests` as the browser):
save and resume with the number and key, attachments checked by content, review, receipt, the staff queue with
assignment, 差戻し and the resident's answer, a second approver, the decision letter; withdrawal; the scan hook."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
import requests
from django.db import IntegrityError, transaction
from tests.conftest import PASSWORD

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.procedures.actions import load_starter_catalog
from chiiki.procedures.models import Application, Attachment

KAIGO = {
    "applicant_name": "山田 花子",
    "applicant_kana": "やまだ はなこ",
    "birth_date": "昭和30年4月1日",
    "address": "広島県府中町本町1番地",
    "phone": "082-123-4567",
    "relationship": "self",
    "care_reason": "階段の上り下りが難しい",
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n" + b"0" * 64
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def eicar_scanner(data: bytes, name: str) -> str | None:
    """A scan hook for the tests: finds the EICAR test string, as a real scanner would."""
    return "EICAR test file" if b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in data else None


class Browser:
    """A `requests` session that sends each form's CSRF token, as a browser posting the page's form would."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(self.base + path, timeout=30, **kwargs)

    def post(self, path: str, data: dict[str, str], files: Any = None) -> requests.Response:
        page = self.session.get(self.base + path, timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, page.text[:500]
        return self.session.post(
            self.base + path,
            data={**data, "csrfmiddlewaretoken": token.group(1)},
            files=files,
            headers={"Referer": self.base + path},
            timeout=30,
        )


def _text(response: requests.Response) -> str:
    return html.unescape(response.text)


def _staff(base: str, user: User) -> Browser:
    browser = Browser(base)
    done = browser.post("/staff/login/", {"username": user.username, "password": PASSWORD})
    assert "/staff/login/" not in done.url
    return browser


@pytest.fixture
def catalog(town_a: Municipality) -> Municipality:
    load_starter_catalog(town_a, by=Actor.system("test"))
    return town_a


def _credentials(page: str) -> tuple[str, str]:
    login_id = re.search(r"申請番号: <strong>(\d{12})</strong>", page)
    key = re.search(r"確認キー: <strong>([A-Z0-9]{8})</strong>", page)
    assert login_id, page
    assert key, page
    return login_id.group(1), key.group(1)


def test_an_application_from_start_to_decision_over_http(
    catalog: Municipality, answer_server: Any, make_staff: Callable[..., User], settings: Any
) -> None:
    base, town = answer_server.url, catalog.code
    apply = f"/procedures/{town}/kaigo-nintei/apply/"
    # The resident starts, saves half way, and gets a number and a key.
    first = Browser(base)
    saved = first.post(apply, {"applicant_name": "山田 花子", "action": "save"})
    assert "下書きを保存しました" in saved.text
    login_id, key = _credentials(saved.text)
    assert Application.objects.get().status == "draft"

    # Later, on another device: a wrong key is refused, the right one opens the draft with what was typed.
    resident = Browser(base)
    wrong = resident.post("/procedures/my/", {"login_id": login_id, "access_key": "AAAAAAAA"})
    assert "申請番号か確認キーが違います" in _text(wrong)
    opened = resident.post("/procedures/my/", {"login_id": login_id, "access_key": key})
    assert opened.url.endswith("/procedures/my/application/")
    assert "下書き" in opened.text
    assert 'value="山田 花子"' in resident.get(apply).text

    # Attachments: checked by content; a renamed file and an unknown type are refused with the reason.
    uploads = "/procedures/my/application/attachments/"
    renamed = resident.post(uploads, {}, files={"file": ("photo.png", PDF, "image/png")})
    assert renamed.status_code == 400
    assert "拡張子 .png と中身 (PDF) が合いません" in _text(renamed)
    text_file = resident.post(uploads, {}, files={"file": ("note.pdf", b"hello", "application/pdf")})
    assert "PDF・JPEG・PNG のファイルだけ" in _text(text_file)
    settings.CHIIKI_MAX_UPLOAD_BYTES = 50
    too_big = resident.post(uploads, {}, files={"file": ("big.png", PNG, "image/png")})
    assert "ファイルが大きすぎます" in _text(too_big)
    settings.CHIIKI_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    resident.post(uploads, {}, files={"file": ("hokensho.png", PNG, "image/png")})
    resident.post(uploads, {}, files={"file": ("memo.pdf", PDF, "application/pdf")})
    stored = list(Attachment.objects.order_by("id"))
    assert [(a.kind, a.scan) for a in stored] == [("png", "not_scanned"), ("pdf", "not_scanned")]
    with stored[0].file.open("rb") as handle:
        assert handle.read() == PNG

    # A draft saved half way cannot be sent from the review page.
    early = resident.post("/procedures/my/application/review/", {})
    assert early.status_code == 400
    assert "まだ入力が終わっていない項目があります" in early.text
    assert Application.objects.get().status == "draft"

    # Every answer, then the review page, then the receipt with its number.
    review = resident.post(apply, {**KAIGO, "action": "review"})
    assert review.url.endswith("/procedures/my/application/review/")
    assert "やまだ" not in review.text
    assert "ヤマダ ハナコ" in review.text
    receipt = resident.post("/procedures/my/application/review/", {})
    application = Application.objects.get()
    assert application.status == "received"
    assert application.receipt_number
    assert application.receipt_number in receipt.text
    _login_id, key = _credentials(receipt.text)

    # Staff: the procedure's queue, take it, return it for correction with a message.
    clerk = _staff(base, make_staff("clerk1", catalog, Role.PROCEDURE_CLERK))
    queue = clerk.get(f"/staff/m/{town}/procedures/queue/", params={"procedure": "kaigo-nintei"})
    assert application.receipt_number in queue.text
    page = f"/staff/m/{town}/procedures/applications/{application.pk}/"
    clerk.post(page, {"step": "assign_me"})
    application.refresh_from_db()
    assert application.assigned_to.username == "clerk1"
    clerk.post(page, {"step": "return", "return-message": "電話番号を携帯電話の番号にしてください"})
    assert Application.objects.get().status == "returned"

    # The resident sees the message, answers it, corrects the answer and sends it again.
    status = resident.get("/procedures/my/application/")
    assert "電話番号を携帯電話の番号にしてください" in status.text
    assert "差戻し中" in status.text
    resident.post("/procedures/my/application/", {"text": "携帯の番号に直しました"})
    resident.post(apply, {**KAIGO, "phone": "090-1234-5678", "action": "review"})
    resident.post("/procedures/my/application/review/", {})
    application.refresh_from_db()
    assert (application.status, application.answers["phone"]) == ("received", "090-1234-5678")
    assert "携帯の番号に直しました" in clerk.get(page).text

    # 要介護認定 needs two people: the first approval waits; the same person cannot give the second.
    clerk.post(page, {"step": "decide", "decide-decision": "approve", "decide-reason": ""})
    assert Application.objects.get().status == "awaiting_second"
    again = clerk.post(page, {"step": "decide", "decide-decision": "approve", "decide-reason": ""})
    assert again.status_code == 400
    assert "別の職員が承認してください" in _text(again)
    second = _staff(base, make_staff("clerk2", catalog, Role.PROCEDURE_CLERK))
    second.post(
        page, {"step": "decide", "decide-decision": "approve", "decide-reason": "要件を満たしています"}
    )
    application.refresh_from_db()
    assert application.status == "approved"
    assert (application.first_approver.username, application.decided_by.username) == ("clerk1", "clerk2")

    # The decision letter: a PDF with the Japanese font embedded, for staff and for the resident.
    letter = second.get(f"/staff/m/{town}/procedures/applications/{application.pk}/decision/download")
    assert letter.content.startswith(b"%PDF")
    assert b"IPAexGothic" in letter.content
    assert b"/FontFile2" in letter.content
    assert "承認" in resident.get("/procedures/my/application/").text
    assert resident.get("/procedures/my/application/decision/download").content == letter.content

    actions = set(AuditEvent.objects.filter(object_id=str(application.pk)).values_list("action", flat=True))
    assert {
        "procedures.application_draft_saved",
        "procedures.attachment_added",
        "procedures.application_received",
        "procedures.application_assigned",
        "procedures.application_returned",
        "procedures.application_reply",
        "procedures.application_resubmitted",
        "procedures.application_first_approval",
        "procedures.application_decided",
        "procedures.decision_letter_downloaded",
    } <= actions


def test_the_database_refuses_an_approval_by_the_first_approver_alone(
    catalog: Municipality, make_staff: Callable[..., User]
) -> None:
    from chiiki.procedures import actions

    clerk = make_staff("alone", catalog, Role.PROCEDURE_CLERK)
    procedure = catalog.procedures.get(code="kaigo-nintei")
    application = actions.submit_application(procedure, dict(KAIGO), by=Actor.for_user(clerk))
    assert application.needs_second_approval
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(
            status="approved", first_approver=clerk, decided_by=clerk
        )


def test_a_resident_withdraws_and_cannot_withdraw_twice(catalog: Municipality, answer_server: Any) -> None:
    resident = Browser(answer_server.url)
    apply = f"/procedures/{catalog.code}/sodai-gomi/apply/"
    resident.post(
        apply,
        {
            "applicant_name": "山田 花子",
            "address": "広島県府中町本町1番地",
            "phone": "082-123-4567",
            "items_to_collect": "たんす",
            "collection_date": "2026-12-20",
            "action": "review",
        },
    )
    resident.post("/procedures/my/application/review/", {})
    assert "申請を取り下げる" in resident.get("/procedures/my/application/").text
    resident.post("/procedures/my/application/withdraw/", {})
    application = Application.objects.get()
    assert application.status == "withdrawn"
    assert "取り下げ" in resident.get("/procedures/my/application/").text
    assert AuditEvent.objects.filter(action="procedures.application_withdrawn").exists()


def test_the_scan_hook_refuses_an_infected_file_and_marks_clean_ones(
    catalog: Municipality, answer_server: Any, settings: Any
) -> None:
    settings.CHIIKI_PROCEDURES_SCANNER = "tests.procedures.test_lifecycle.eicar_scanner"
    resident = Browser(answer_server.url)
    resident.post(
        f"/procedures/{catalog.code}/sodai-gomi/apply/", {"applicant_name": "山田", "action": "save"}
    )
    uploads = "/procedures/my/application/attachments/"
    infected = resident.post(uploads, {}, files={"file": ("scan.pdf", PDF + EICAR, "application/pdf")})
    assert "ウイルス検査で問題が見つかった" in _text(infected)
    resident.post(uploads, {}, files={"file": ("scan.pdf", PDF, "application/pdf")})
    assert list(Attachment.objects.values_list("scan", flat=True)) == ["clean"]
    assert AuditEvent.objects.filter(action="procedures.attachment_refused").exists()
