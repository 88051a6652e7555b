"""Import of the standard-item dictionary and of procedure forms (the export's own layouts), and the round trip."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.procedures.actions import import_form, load_starter_catalog
from chiiki.procedures.models import ItemDictionary, Procedure
from chiiki.procedures.standard import ProcedureSpec, build_xlsform, describe, load_dictionary
from chiiki.procedures.standard.exchange import (
    ImportRejected,
    dictionary_layout,
    parse_dictionary,
    version_key,
)

STAFF = "/staff/m/{code}/procedures/import/"


def _newer(**changes: Any) -> dict[str, Any]:
    """The shipped dictionary as exported, one version up, with one item added, one removed and one changed."""
    layout = json.loads(json.dumps(dictionary_layout(load_dictionary()), ensure_ascii=False))
    layout["version"] = "2026.2"
    layout["items"] = [i for i in layout["items"] if i["name"] != "new_address"]
    for item in layout["items"]:
        if item["name"] == "phone":
            item["label_ja"] = "電話番号"
    layout["items"].append(
        {"name": "email_address", "type": "text", "format": "text", "label_ja": "メールアドレス",
         "label_en": "E-mail address", "max": 254}
    )  # fmt: skip
    layout.update(changes)
    return layout


def _upload(name: str, content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


@pytest.fixture
def clerk(town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]) -> Client:
    return login(make_staff("import-clerk", town_a, Role.PROCEDURE_CLERK))


def test_version_order_is_numeric() -> None:
    assert version_key("2026.10") > version_key("2026.9") > version_key("2026.1") == version_key("2026.1.0")
    with pytest.raises(ValueError, match="version"):
        version_key("v2")


def test_a_newer_dictionary_is_shown_as_a_diff_and_installed_only_on_confirmation(
    town_a: Municipality, clerk: Client
) -> None:
    url = STAFF.format(code=town_a.code)
    data = json.dumps(_newer(), ensure_ascii=False).encode()
    page = clerk.post(url, {"step": "dictionary", "file": _upload("items.json", data)})
    assert page.status_code == 200
    text = page.content.decode()
    assert "2026.1" in text
    assert "2026.2" in text
    assert page.context["diff"].added == ["email_address"]
    assert page.context["diff"].removed == ["new_address"]
    assert page.context["diff"].changed == [("phone", ["label_ja"])]
    assert not ItemDictionary.objects.exists()  # nothing installed before the confirmation
    assert clerk.get(f"/procedures/{town_a.code}/dictionary.json").json()["version"] == "2026.1"

    confirmed = clerk.post(url, {"step": "install", "content": page.context["content"]})
    assert confirmed.status_code == 200
    assert ItemDictionary.objects.get(municipality=town_a).version == "2026.2"
    exported = clerk.get(f"/procedures/{town_a.code}/dictionary.json").json()
    assert exported["version"] == "2026.2"
    assert "email_address" in {i["name"] for i in exported["items"]}
    event = AuditEvent.objects.get(action="procedures.dictionary_installed")
    assert event.detail["added"] == ["email_address"]
    assert event.detail["previous"] == "2026.1"

    # The same version again, or an older one, is refused by name; nothing changes.
    for version in ("2026.2", "2025.9"):
        again = clerk.post(
            url,
            {"step": "dictionary", "file": _upload("d.json", json.dumps(_newer(version=version)).encode())},
        )
        assert again.status_code == 400
        assert (
            f"version: {version} is not newer than the dictionary in use (2026.2)" in again.content.decode()
        )
        refused = clerk.post(url, {"step": "install", "content": json.dumps(_newer(version=version))})
        assert refused.status_code == 400
    assert ItemDictionary.objects.count() == 1
    assert AuditEvent.objects.filter(action="procedures.dictionary_import_refused").count() == 4


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "dictionary: not JSON (line 1"),
        (json.dumps({"version": "2027", "items": [{"name": "x", "type": "photo", "label_ja": "x", "label_en": "x"}],
                     "lists": {}}).encode(), "items[0].type: 'photo' is not one of"),
        (json.dumps(_newer(version="next")).encode(), "version: 'next' is not a version"),
        (json.dumps({"version": "2027", "items": [{"name": "r", "type": "select_one", "list": "nope",
                     "label_ja": "r", "label_en": "r"}], "lists": {}}).encode(), "items[0].list: 'nope'"),
        (json.dumps({"version": "2027", "items": [{"name": "a", "type": "text", "label_ja": "a", "label_en": "a"},
                     {"name": "a", "type": "text", "label_ja": "a"}], "lists": {}}).encode(),
         "items[1].name: 'a' appears twice"),
    ],
)  # fmt: skip
def test_a_malformed_dictionary_is_refused_naming_the_field(
    town_a: Municipality, clerk: Client, content: bytes, message: str
) -> None:
    page = clerk.post(
        STAFF.format(code=town_a.code), {"step": "dictionary", "file": _upload("d.json", content)}
    )
    assert page.status_code == 400
    assert any(problem.startswith(message) for problem in page.context["problems"])
    assert message.replace("'", "&#x27;") in page.content.decode()
    assert not ItemDictionary.objects.exists()


def _export(client: Client, town: str, code: str) -> tuple[bytes, bytes]:
    workbook = client.get(f"/procedures/{town}/{code}/form.xlsx").content
    description = client.get(f"/procedures/{town}/{code}/form.json").content
    return workbook, description


def test_round_trip_export_then_import_into_another_municipality_gives_identical_forms(
    town_a: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    load_starter_catalog(town_a, by=Actor.system("test"))
    public = Client()
    clerk_b = login(make_staff("import-b", town_b, Role.PROCEDURE_CLERK))
    for procedure in Procedure.objects.filter(municipality=town_a):
        workbook, description = _export(public, town_a.code, procedure.code)
        page = clerk_b.post(
            STAFF.format(code=town_b.code),
            {
                "step": "form",
                "workbook": _upload("f.xlsx", workbook),
                "description": _upload("f.json", description),
            },
        )
        assert page.status_code == 200, page.content.decode()
        copy = Procedure.objects.get(municipality=town_b, code=procedure.code)
        assert copy.form == procedure.form
        assert bytes(copy.xlsform) == bytes(procedure.xlsform)
        for field in ("name", "name_kana", "name_en", "legal_basis", "who_may_apply", "attachments", "fee",
                      "processing_days", "card_required", "email_allowed", "second_approval",
                      "dictionary_version", "search_text"):  # fmt: skip
            assert getattr(copy, field) == getattr(procedure, field), field
        assert _export(public, town_b.code, procedure.code) == (workbook, description)
    assert AuditEvent.objects.filter(action="procedures.form_imported", municipality=town_b).count() == 7
    # The imported form takes applications in town B like the original.
    response = public.get(f"/procedures/{town_b.code}/sodai-gomi/apply/")
    assert response.status_code == 200


def _edited(workbook: bytes, edit: Callable[[Any], None]) -> bytes:
    book = load_workbook(io.BytesIO(workbook))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def exported(town_a: Municipality) -> tuple[bytes, dict[str, Any]]:
    load_starter_catalog(town_a, by=Actor.system("test"))
    workbook, description = _export(Client(), town_a.code, "sodai-gomi")
    return workbook, json.loads(description)


def _refused(town: Municipality, workbook: bytes, description: dict[str, Any] | bytes) -> list[str]:
    data = (
        description
        if isinstance(description, bytes)
        else json.dumps(description, ensure_ascii=False).encode()
    )
    with pytest.raises(ImportRejected) as caught:
        import_form(town, workbook, data, by=Actor.system("test"))
    return caught.value.problems


def test_a_form_is_refused_naming_the_row_or_field_and_nothing_is_written(
    town_b: Municipality, exported: tuple[bytes, dict[str, Any]]
) -> None:
    workbook, description = exported

    def rename(book: Any) -> None:
        book["survey"]["B3"] = "favourite_colour"

    problems = _refused(town_b, _edited(workbook, rename), description)
    assert any("survey!A3 [favourite_colour]: not an item of the dictionary 2026.1" in p for p in problems)

    def retype(book: Any) -> None:
        book["survey"]["A2"] = "integer"
        book["survey"]["H2"] = ""

    problems = _refused(town_b, _edited(workbook, retype), description)
    assert any(
        "survey!A2 [applicant_name]: type 'integer' but the dictionary's item is 'text'" in p
        for p in problems
    )

    unknown = {**description, "items": [*description["items"], {"name": "shoe_size", "type": "integer"}]}
    assert "items[5].name: 'shoe_size' is not an item of the dictionary 2026.1" in _refused(
        town_b, workbook, unknown
    )

    mistyped = json.loads(json.dumps(description))
    mistyped["items"][0]["type"] = "date"
    assert "items[0].type: 'date' but the dictionary's applicant_name has 'text'" in _refused(
        town_b, workbook, mistyped
    )

    assert _refused(town_b, workbook, b"[1, 2")[0].startswith("form.json: not JSON")
    assert _refused(town_b, b"not a workbook", description)[0].startswith("form.xlsx")
    assert "fee_yen: -5 is not a whole number from 0 to 1000000000" in _refused(
        town_b, workbook, {**description, "fee_yen": -5}
    )
    newer = _refused(town_b, workbook, {**description, "dictionary_version": "2027.1"})
    assert "newer than the dictionary in use (2026.1)" in newer[0]

    assert not Procedure.objects.filter(municipality=town_b).exists()
    assert (
        AuditEvent.objects.filter(action="procedures.form_import_refused", municipality=town_b).count() == 8
    )


def test_an_imported_form_may_use_items_of_an_installed_newer_dictionary(
    town_a: Municipality, clerk: Client, exported: tuple[bytes, dict[str, Any]]
) -> None:
    layout = _newer()
    newer = parse_dictionary(json.dumps(layout).encode())
    spec = ProcedureSpec("contact-change", "連絡先の変更", "レンラクサキノヘンコウ", "Change of contact", "", "",
                         [], 0, 7, False, ["applicant_name", "email_address"])  # fmt: skip
    workbook = build_xlsform(spec, newer)
    description = json.dumps(describe(spec, newer), ensure_ascii=False).encode()
    refused = _refused(town_a, workbook, description)
    assert any("dictionary_version: 2026.2 is newer" in p for p in refused)
    url = STAFF.format(code=town_a.code)
    diff = clerk.post(url, {"step": "dictionary", "file": _upload("d.json", json.dumps(layout).encode())})
    clerk.post(url, {"step": "install", "content": diff.context["content"]})
    procedure = import_form(town_a, workbook, description, by=Actor.system("test"))
    assert procedure.dictionary_version == "2026.2"
    assert (
        Client().get(f"/procedures/{town_a.code}/contact-change/form.json").json()["items"][1]["name"]
        == "email_address"
    )


def test_the_command_imports_a_dictionary_and_a_form(
    town_a: Municipality, town_b: Municipality, exported: tuple[bytes, dict[str, Any]], tmp_path: Path
) -> None:
    workbook, description = exported
    (tmp_path / "f.xlsx").write_bytes(workbook)
    (tmp_path / "f.json").write_text(json.dumps(description, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    command = ("procedures_import", "--municipality", town_b.code)
    call_command(*command, "form", str(tmp_path / "f.xlsx"), str(tmp_path / "f.json"), stdout=out)
    assert (
        Procedure.objects.get(municipality=town_b, code="sodai-gomi").form
        == Procedure.objects.get(municipality=town_a, code="sodai-gomi").form
    )
    (tmp_path / "d.json").write_text(json.dumps(_newer(), ensure_ascii=False), encoding="utf-8")
    call_command(*command, "dictionary", str(tmp_path / "d.json"), stdout=out)
    assert "email_address" in out.getvalue()
    assert not ItemDictionary.objects.exists()
    call_command(*command, "dictionary", str(tmp_path / "d.json"), "--yes", stdout=out)
    assert ItemDictionary.objects.get(municipality=town_b).version == "2026.2"
    with pytest.raises(CommandError, match="not newer"):
        call_command(*command, "dictionary", str(tmp_path / "d.json"), "--yes")
