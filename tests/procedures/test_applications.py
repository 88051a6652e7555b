"""Online applications with standard forms: catalog and search, the form's checks, receipt, assisted application."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.http import HttpResponse
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.procedures.actions import load_starter_catalog
from chiiki.procedures.models import Application, Procedure
from chiiki.procedures.standard import build_xlsform, describe, load_catalog, load_dictionary
from chiiki.surveys.xlsform import load_form

GOMI = {
    "applicant_name": "山田 花子",
    "address": "広島県府中町本町1番地",
    "phone": "０８２－１２３－４５６７",
    "items_to_collect": "たんす 1点",
    "collection_date": "令和8年12月20日",
}


def _apply(client: Client, town: str, code: str, data: dict[str, str]) -> HttpResponse:
    """Fill the form, go on to the review page, and send: the receipt page."""
    checked = client.post(f"/procedures/{town}/{code}/apply/", {**data, "action": "review"})
    assert checked.status_code == 302, checked.content.decode()
    return client.post(checked["Location"])


@pytest.fixture
def catalog(town_a: Municipality) -> Municipality:
    load_starter_catalog(town_a, by=Actor.system("test"))
    return town_a


def test_every_starter_form_uses_dictionary_items_and_reads_back_as_an_xlsform() -> None:
    dictionary = load_dictionary()
    specs = {spec.code: spec for spec in load_catalog()}
    assert {"jidoteate-nintei", "jidoteate-gakukaitei", "juminhyo-utsushi", "tenshutsu", "kaigo-nintei",
            "sodai-gomi", "bukka-kyufu"} <= set(specs)  # fmt: skip
    for spec in specs.values():
        form = load_form(build_xlsform(spec), filename=f"{spec.code}.xlsx")
        assert form.version == dictionary.version
        names = [node.name for node, _ in form.walk()]
        assert names == spec.items
        described = describe(spec)
        assert described["dictionary_version"] == dictionary.version
        assert [item["name"] for item in described["items"]] == spec.items


@pytest.mark.parametrize(
    ("query", "expected"),
    [("じどうてあて", "jidoteate-nintei"), ("ジドウ", "jidoteate-gakukaitei"), ("ごみ", "sodai-gomi"),
     ("住民票", "juminhyo-utsushi"), ("ｶｲｺﾞ", "kaigo-nintei"), ("moving", "tenshutsu")],
)  # fmt: skip
def test_residents_find_procedures_by_partial_words_and_kana(
    catalog: Municipality, query: str, expected: str
) -> None:
    html = Client().get(f"/procedures/{catalog.code}/", {"q": query}).content.decode()
    assert f"/procedures/{catalog.code}/{expected}/" in html


def test_procedure_page_says_what_to_prepare(catalog: Municipality) -> None:
    html = Client().get(f"/procedures/{catalog.code}/jidoteate-nintei/").content.decode()
    assert "始める前に用意するもの" in html
    assert "請求者名義の口座が分かるもの" in html
    assert "児童手当法" in html


def test_an_application_with_errors_shows_them_by_field_and_writes_nothing(catalog: Municipality) -> None:
    response = Client().post(
        f"/procedures/{catalog.code}/sodai-gomi/apply/", {**GOMI, "collection_date": "そのうち", "phone": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "入力内容を確認してください" in html
    assert 'href="#id_collection_date"' in html
    assert "日付を読めません" in html
    assert "この項目は必須です" in html
    assert not Application.objects.exists()


def test_an_application_is_acknowledged_with_a_receipt_after_commit(catalog: Municipality) -> None:
    response = _apply(Client(), catalog.code, "sodai-gomi", GOMI)
    assert response.status_code == 200
    application = Application.objects.get()
    assert application.receipt_number in response.content.decode()
    # Stored in each item's standard form: 和暦 as ISO, full-width digits folded.
    assert application.answers["collection_date"] == "2026-12-20"
    assert application.answers["phone"] == "082-123-4567"
    assert AuditEvent.objects.filter(
        action="procedures.application_received", object_id=str(application.pk)
    ).exists()


def test_english_interface_and_japanese_data(catalog: Municipality) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/procedures/{catalog.code}/sodai-gomi/apply/").content.decode()
    assert "Preferred collection date" in html
    assert 'lang="ja"' in html


def test_a_procedure_needing_the_card_is_not_offered_without_it(catalog: Municipality) -> None:
    response = Client().post(f"/procedures/{catalog.code}/tenshutsu/apply/", {})
    assert response.status_code == 403
    assert not Application.objects.exists()


def test_help_desk_applies_on_a_residents_behalf_with_consent_and_is_named(
    catalog: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    helper = make_staff("desk", catalog, Role.HELPDESK)
    client = login(helper)
    url = f"/staff/m/{catalog.code}/procedures/assist/apply/sodai-gomi/"
    missing_consent = client.post(url, GOMI)
    assert "本人の同意を確かめた方法" in missing_consent.content.decode()
    assert not Application.objects.exists()
    done = client.post(url, {**GOMI, "consent": "窓口で本人が口頭で同意"})
    application = Application.objects.get()
    assert application.receipt_number in done.content.decode()
    assert (application.channel, application.helper_id) == ("help_desk", helper.pk)
    event = AuditEvent.objects.get(action="procedures.application_received")
    assert event.actor_id == helper.pk
    assert event.detail["consent"] == "窓口で本人が口頭で同意"
    listing = login(make_staff("clerk", catalog, Role.PROCEDURE_CLERK)).get(
        f"/staff/m/{catalog.code}/procedures/applications/"
    )
    assert application.receipt_number in listing.content.decode()
    assert AuditEvent.objects.filter(action="procedures.applications_viewed").exists()
    assert Procedure.objects.filter(municipality=catalog).count() == 7


def test_api_lists_applications_for_clerks_only_and_audits_the_read(
    catalog: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    _apply(Client(), catalog.code, "sodai-gomi", GOMI)
    clerk = login(make_staff("api-clerk", catalog, Role.PROCEDURE_CLERK))
    rows = clerk.get(f"/api/v1/procedures/municipalities/{catalog.code}/applications").json()
    assert [r["procedure"] for r in rows] == ["sodai-gomi"]
    assert rows[0]["answers"]["collection_date"] == "2026-12-20"
    assert AuditEvent.objects.filter(action="procedures.applications_viewed", detail__api=True).exists()
    outsider = login(make_staff("api-b", town_b, Role.PROCEDURE_CLERK))
    assert outsider.get(f"/api/v1/procedures/municipalities/{catalog.code}/applications").status_code == 403
    assert clerk.get(f"/api/v1/procedures/municipalities/{catalog.code}/allowances").status_code == 200


def test_received_applications_export_as_excel_safe_csv(
    catalog: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    _apply(Client(), catalog.code, "sodai-gomi", {**GOMI, "items_to_collect": "=1+2 たんす"})
    clerk = login(make_staff("csv-clerk", catalog, Role.PROCEDURE_CLERK))
    response = clerk.get(f"/staff/m/{catalog.code}/procedures/applications.csv", {"procedure": "sodai-gomi"})
    text = response.content.decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.split(",")[4:] == [
        "applicant_name",
        "address",
        "phone",
        "items_to_collect",
        "collection_date",
    ]
    assert "'=1+2 たんす" in row
    assert "2026-12-20" in row
    assert AuditEvent.objects.filter(action="procedures.applications_exported").exists()


def test_a_procedures_form_is_offered_as_xlsform_and_json(catalog: Municipality) -> None:
    client = Client()
    workbook = client.get(f"/procedures/{catalog.code}/jidoteate-nintei/form.xlsx")
    form = load_form(workbook.content, filename="form.xlsx")
    assert [node.name for node, _ in form.walk()][:3] == ["applicant_name", "applicant_kana", "birth_date"]
    described = client.get(f"/procedures/{catalog.code}/jidoteate-nintei/form.json").json()
    assert described["dictionary_version"] == load_dictionary().version
    assert described["items"][2]["format"] == "date"
