"""E-mail-verified accounts for residents without the My Number card (issue 14, point 3).

Each test reads the real link out of the mail Django sent (locmem backend) and follows it with the test client:
signed, expiring, single use; sending limited; asking never tells whether an address has an account; a
card-only procedure refuses an e-mail account with a link to card sign-in; the account resumes its drafts.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality
from chiiki.procedures.actions import SESSION_ACCOUNT, load_starter_catalog
from chiiki.procedures.models import Application, EmailLink, ResidentAccount
from chiiki.procedures.standard import load_catalog

ADDRESS = "hanako.yamada@example.jp"
VERIFY = re.compile(r"http://testserver(/procedures/my/email/verify/\?t=\S+)")


@pytest.fixture
def catalog(town_a: Municipality) -> Municipality:
    load_starter_catalog(town_a, by=Actor.system("test"))
    return town_a


def _ask(client: Client, town: str, address: str = ADDRESS, next_url: str = "") -> HttpResponse:
    return client.post(f"/procedures/{town}/email/", {"email": address, "next": next_url})


def _link_in_last_mail() -> str:
    found = VERIFY.search(mail.outbox[-1].body)
    assert found, mail.outbox[-1].body
    return found.group(1)


def _follow(client: Client, link: str) -> HttpResponse:
    """Open the mail's link (a page with a button; nothing is used yet), then press the button."""
    page = client.get(link)
    assert page.status_code == 200
    assert "サインインする" in page.content.decode()
    token = link.split("?t=", 1)[1]
    return client.post("/procedures/my/email/verify/", {"t": token})


def _without_csrf(response: HttpResponse) -> str:
    """The page less the header's per-browser CSRF tokens (the only part that may differ)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def _signed_in(client: Client, town: str, address: str = ADDRESS, next_url: str = "") -> HttpResponse:
    assert _ask(client, town, address, next_url).status_code == 200
    return _follow(client, _link_in_last_mail())


def test_the_catalog_says_which_procedures_allow_an_email_account(catalog: Municipality) -> None:
    allowed = {spec.code: (spec.card_required, spec.email_allowed) for spec in load_catalog()}
    assert allowed["juminhyo-utsushi"] == (True, True)
    assert allowed["sodai-gomi"] == (False, True)
    assert allowed["jidoteate-nintei"] == (True, False)
    assert allowed["jidoteate-gakukaitei"] == (True, False)
    assert allowed["tenshutsu"] == (True, False)
    client = Client()
    described = client.get(f"/procedures/{catalog.code}/juminhyo-utsushi/form.json").json()
    assert described["email_account_allowed"] is True
    page = client.get(f"/procedures/{catalog.code}/jidoteate-nintei/").content.decode()
    assert "メールアドレスでは申請できません" in page
    page = client.get(f"/procedures/{catalog.code}/juminhyo-utsushi/").content.decode()
    assert "マイナンバーカード、またはメールアドレスの確認が必要です" in page
    assert f"/procedures/{catalog.code}/email/?next=" in page


def test_a_resident_without_a_card_verifies_an_address_and_starts_an_application(
    catalog: Municipality,
) -> None:
    client = Client()
    apply_url = f"/procedures/{catalog.code}/juminhyo-utsushi/apply/"
    refused = client.get(apply_url)
    assert refused.status_code == 403
    assert f"/procedures/{catalog.code}/email/?next=" in refused.content.decode()

    asked = _ask(client, catalog.code, ADDRESS, apply_url)
    assert "サインイン用のリンクを送りました" in asked.content.decode()
    (sent,) = mail.outbox
    assert sent.to == [ADDRESS]
    assert "オンライン手続のサインイン用リンク" in sent.subject
    assert "一度だけ使えます" in sent.body
    assert not ResidentAccount.objects.exists()  # nothing is made before the link is used

    link = _link_in_last_mail()
    assert EmailLink.objects.get().used_at is None  # opening the page (a mail scanner) uses nothing
    done = _follow(client, link)
    assert done.status_code == 302
    assert done["Location"] == apply_url
    account = ResidentAccount.objects.get()
    assert (account.email, account.municipality_id) == (ADDRESS, catalog.code)
    assert client.session[SESSION_ACCOUNT] == account.pk

    form = client.get(apply_url)
    assert form.status_code == 200
    saved = client.post(apply_url, {"applicant_name": "山田 花子", "copies": "1", "action": "save"})
    assert saved.status_code == 200
    application = Application.objects.get()
    assert application.account == account
    assert application.status == Application.Status.DRAFT
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions.index("procedures.email_link_sent") < actions.index("procedures.email_signed_in")
    signed_in = AuditEvent.objects.get(action="procedures.email_signed_in")
    assert signed_in.detail["new_account"] is True
    assert ADDRESS not in str(AuditEvent.objects.get(action="procedures.email_link_sent").detail)
    draft_saved = AuditEvent.objects.filter(action="procedures.application_draft_saved").get()
    assert draft_saved.actor_label == f"email-account:{account.pk}"


def test_a_link_works_only_once(catalog: Municipality) -> None:
    first = Client()
    _ask(first, catalog.code)
    link = _link_in_last_mail()
    assert _follow(first, link).status_code == 302
    again = Client()
    replay = _follow(again, link)
    assert replay.status_code == 400
    assert "このリンクはもう使われています" in replay.content.decode()
    assert SESSION_ACCOUNT not in again.session
    assert AuditEvent.objects.get(action="procedures.email_link_refused").detail == {"reason": "used"}


def test_an_expired_link_is_refused(catalog: Municipality, settings: Any) -> None:
    client = Client()
    _ask(client, catalog.code)
    link = _link_in_last_mail()
    settings.CHIIKI_PROCEDURES_EMAIL_LINK_SECONDS = 0  # the signature's age is now beyond the limit
    refused = _follow(client, link)
    assert refused.status_code == 400
    assert "有効期限が切れています" in refused.content.decode()
    assert SESSION_ACCOUNT not in client.session
    assert not ResidentAccount.objects.exists()
    assert EmailLink.objects.get().used_at is None


def test_a_link_past_its_stored_expiry_is_refused_even_with_a_good_signature(catalog: Municipality) -> None:
    client = Client()
    _ask(client, catalog.code)
    link = _link_in_last_mail()
    EmailLink.objects.update(expires_at="2000-01-01T00:00:00Z")
    refused = _follow(client, link)
    assert refused.status_code == 400
    assert "有効期限が切れています" in refused.content.decode()
    assert not ResidentAccount.objects.exists()


def test_a_tampered_link_is_refused(catalog: Municipality) -> None:
    client = Client()
    _ask(client, catalog.code)
    link = _link_in_last_mail()
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    refused = _follow(client, forged)
    assert refused.status_code == 400
    assert "このリンクは正しくありません" in refused.content.decode()
    assert not ResidentAccount.objects.exists()
    assert AuditEvent.objects.get(action="procedures.email_link_refused").detail == {
        "reason": "bad_signature"
    }


def test_asking_never_tells_whether_an_address_has_an_account(catalog: Municipality) -> None:
    _signed_in(Client(), catalog.code, "known@example.jp")
    known = _ask(Client(), catalog.code, "known@example.jp")
    unknown = _ask(Client(), catalog.code, "nobody@example.jp")
    assert known.status_code == unknown.status_code == 200
    assert _without_csrf(known) == _without_csrf(unknown)


def test_sending_is_limited_per_address_and_per_client(catalog: Municipality, settings: Any) -> None:
    settings.CHIIKI_PROCEDURES_EMAIL_LINKS_PER_ADDRESS = 2
    settings.CHIIKI_PROCEDURES_EMAIL_LINKS_PER_CLIENT = 3
    answers = [_without_csrf(_ask(Client(), catalog.code)) for _ in range(3)]
    assert len(mail.outbox) == 2
    assert len(set(answers)) == 1  # the limited request gets the same page
    limited = AuditEvent.objects.get(action="procedures.email_link_limited")
    assert limited.detail["per_address"] == 2
    _ask(Client(), catalog.code, "other@example.jp")
    _ask(Client(), catalog.code, "third@example.jp")  # a fourth link from this client: not sent
    assert [m.to for m in mail.outbox][2:] == [["other@example.jp"]]
    assert AuditEvent.objects.filter(action="procedures.email_link_limited").count() == 2


def test_a_bad_address_is_shown_next_to_the_field(catalog: Municipality) -> None:
    response = _ask(Client(), catalog.code, "not an address")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_email"' in html
    assert not mail.outbox
    assert not EmailLink.objects.exists()


def test_a_card_only_procedure_refuses_an_email_account_with_a_link_to_card_sign_in(
    catalog: Municipality, settings: Any
) -> None:
    settings.CHIIKI_OIDC_ISSUER = "https://auth.example.jp"  # card sign-in offered (not contacted here)
    client = Client()
    _signed_in(client, catalog.code)
    url = f"/procedures/{catalog.code}/jidoteate-nintei/apply/"
    refused = client.post(url, {"applicant_name": "山田 花子", "action": "save"})
    assert refused.status_code == 403
    html = refused.content.decode()
    assert "この手続は、メールアドレスを確認したアカウントでは申請できません" in html
    assert f'href="/procedures/signin/?next={url}"' in html
    assert not Application.objects.exists()
    event = AuditEvent.objects.get(action="procedures.email_account_refused")
    assert event.object_id == "jidoteate-nintei"


def test_the_account_resumes_its_draft_on_another_device_and_only_its_own(catalog: Municipality) -> None:
    apply_url = f"/procedures/{catalog.code}/sodai-gomi/apply/"
    phone = Client()
    _signed_in(phone, catalog.code)
    phone.post(apply_url, {"applicant_name": "山田 花子", "items_to_collect": "たんす 1点", "action": "save"})
    draft = Application.objects.get()

    laptop = Client()
    _signed_in(laptop, catalog.code)  # the same address: the same account
    assert ResidentAccount.objects.count() == 1
    listed = laptop.get("/procedures/my/account/").content.decode()
    assert "粗大ごみ収集申込" in listed
    assert "続きを入力する" in listed
    opened = laptop.post("/procedures/my/account/", {"application": draft.pk})
    assert opened.status_code == 302
    assert opened["Location"] == apply_url
    assert "たんす 1点" in laptop.get(apply_url).content.decode()
    assert AuditEvent.objects.filter(action="procedures.account_viewed").exists()

    stranger = Client()
    _signed_in(stranger, catalog.code, "someone.else@example.jp")
    assert "粗大ごみ収集申込" not in stranger.get("/procedures/my/account/").content.decode().split("<h2")[1]
    assert stranger.post("/procedures/my/account/", {"application": draft.pk}).status_code == 404

    signed_out = laptop.post("/procedures/my/account/", {"action": "sign_out"})
    assert signed_out.status_code == 302
    assert SESSION_ACCOUNT not in laptop.session
    assert laptop.get(f"/procedures/{catalog.code}/juminhyo-utsushi/apply/").status_code == 403


def test_an_account_of_one_town_opens_nothing_in_another(catalog: Municipality, town_b: Municipality) -> None:
    load_starter_catalog(town_b, by=Actor.system("test"))
    client = Client()
    _signed_in(client, catalog.code)
    assert client.get(f"/procedures/{catalog.code}/juminhyo-utsushi/apply/").status_code == 200
    assert client.get(f"/procedures/{town_b.code}/juminhyo-utsushi/apply/").status_code == 403
