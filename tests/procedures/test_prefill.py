"""Prefill after card sign-in: the card's four facts are matched to the registry by the linkage engine's rule;
only `linked` fills the form, `review` and `unmatched` never do."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.demo import residents as synthetic
from chiiki.linkage import queries as linkage_queries
from chiiki.linkage.engine import RECORD_COLUMNS, link
from chiiki.procedures import oidc, prefill
from chiiki.procedures.actions import load_starter_catalog
from chiiki.procedures.prefill import SESSION_PREFILL, match_claims, prefill_for, reference_for
from chiiki.registry.actions import import_registry
from chiiki.registry.models import Person


@pytest.fixture
def town(db: None) -> Municipality:
    """A town with a registry large enough for the engine's estimates (a few dozen persons give too little)."""
    town = Municipality.objects.create(
        code="343099",
        prefecture_code="34",
        prefecture="広島県",
        name="緑川市",
        name_kana="ミドリカワシ",
        kind="city",
    )
    import_registry(town, synthetic.generate(persons=1500, seed=7), by=Actor.system("test"))
    return town


def _person(town: Municipality) -> Person:
    return Person.objects.filter(municipality=town).select_related("household").order_by("id").first()


def _claims(person: Person, **changes: str) -> dict[str, Any]:
    claims = {
        "sub": "card-1",
        "name": f"{person.family_name} {person.given_name}",
        "birthdate": person.birth_date.isoformat(),
        "gender": "female" if person.sex == "2" else "male",
        "address": person.household.address,
        "postal_code": person.household.postal_code,
    }
    return {**claims, **changes}


def test_the_card_holder_found_in_the_registry_is_linked_and_prefilled(town: Municipality) -> None:
    person = _person(town)
    match = match_claims(town, _claims(person))
    assert (match.decision, match.person_code) == ("linked", person.person_code)
    prefill = prefill_for(town, {"decision": match.decision, "person_code": match.person_code})
    assert prefill.answers["applicant_name"] == f"{person.family_name} {person.given_name}"
    assert prefill.answers["address"] == person.household.address
    assert prefill.answers["birth_date"] == person.birth_date.isoformat()
    members = Person.objects.filter(household=person.household).count()
    assert len(prefill.household) == members


def test_name_birth_date_and_sex_alone_go_to_review_and_never_prefill(town: Municipality) -> None:
    person = _person(town)
    match = match_claims(town, _claims(person, address="北海道夕張市本町99-99", postal_code="0680000"))
    assert match.decision == "review"
    assert match.person_code == ""
    assert prefill_for(town, {"decision": "review", "person_code": person.person_code}).answers == {}


def test_a_stranger_is_unmatched_and_never_prefilled(town: Municipality) -> None:
    stranger = {
        "name": "鬼頭 龍之介",
        "birthdate": "1901-01-01",
        "gender": "male",
        "address": "北海道夕張市本町1-1",
    }
    assert match_claims(town, stranger).decision == "unmatched"
    assert prefill_for(town, {"decision": "unmatched"}).answers == {}


@pytest.mark.parametrize(
    ("decision", "prefilled"), [("linked", True), ("review", False), ("unmatched", False)]
)
def test_the_form_starts_filled_only_for_a_linked_match(
    town: Municipality, decision: str, prefilled: bool
) -> None:
    load_starter_catalog(town, by=Actor.system("test"))
    person = _person(town)
    client = Client()
    session = client.session
    session[oidc.SESSION_CLAIMS] = _claims(person)
    session[SESSION_PREFILL] = {"decision": decision, "person_code": person.person_code}
    session.save()
    page = client.get(f"/procedures/{town.code}/kaigo-nintei/apply/").content.decode()
    assert (f'value="{person.family_name} {person.given_name}"' in page) is prefilled
    assert (person.household.address in page) is prefilled


@pytest.fixture
def city(db: None) -> Municipality:
    """A registry larger than what one sign-in reads (the engine's sample and the candidates)."""
    city = Municipality.objects.create(
        code="343102",
        prefecture_code="34",
        prefecture="広島県",
        name="青葉台市",
        name_kana="アオバダイシ",
        kind="city",
    )
    import_registry(city, synthetic.generate(persons=4000, seed=11), by=Actor.system("test"))
    return city


def _records(claims: dict[str, Any]) -> pl.DataFrame:
    row = {
        "record_id": "card",
        "name_kanji": claims["name"].replace(" ", "\u3000"),
        "name_kana": None,
        "birth_date": claims["birthdate"],
        "sex": "2" if claims["gender"] == "female" else "1",
        "address": claims["address"],
        "postal_code": claims.get("postal_code"),
    }
    return pl.DataFrame(
        {c: [row.get(c)] for c in RECORD_COLUMNS}, schema=dict.fromkeys(RECORD_COLUMNS, pl.String)
    )


def test_a_sign_in_reads_candidates_and_a_sample_not_the_whole_registry(city: Municipality) -> None:
    person = _person(city)
    size = Person.objects.filter(municipality=city, removed_on__isnull=True).count()
    same_day = Person.objects.filter(
        municipality=city, removed_on__isnull=True, birth_date=person.birth_date
    ).count()
    with CaptureQueriesContext(connection) as queries:
        reference = reference_for(city, _claims(person))
    # Rows read: the candidates (same birth date, day and month swapped, or the same name) and the sample.
    assert reference.registry_size == size
    assert same_day <= reference.candidates < 100
    assert reference.frame.height <= prefill.SAMPLE_SIZE + reference.candidates < size
    assert person.person_code in reference.frame["person_id"].to_list()
    # A handful of queries, each restricted by an indexed column (birth date, name or primary key) or an
    # aggregate: none reads the registry row by row.
    assert len(queries.captured_queries) <= 8
    for query in queries.captured_queries:
        sql = query["sql"].upper()
        if '"REGISTRY_PERSON"' in sql and "COUNT(" not in sql:
            assert '"BIRTH_DATE" IN' in sql or '"REGISTRY_PERSON"."ID" IN' in sql, sql


def test_the_bounded_match_decides_as_the_whole_registry_did(city: Municipality) -> None:
    """linked, review and unmatched as when the engine was given the whole registry (the old way)."""
    people = list(
        Person.objects.filter(municipality=city, removed_on__isnull=True).select_related("household")[
            :400:100
        ]
    )
    cases = [_claims(p) for p in people]
    cases.append(_claims(people[0], address="北海道夕張市本町99-99", postal_code="0680000"))
    cases.append(
        {"name": "鬼頭 龍之介", "birthdate": "1901-01-01", "gender": "male", "address": "北海道夕張市本町1-1"}
    )
    whole = linkage_queries.registry_frame(city)
    decisions = []
    for claims in cases:
        before = link(whole, _records(claims)).links.row(0, named=True)
        now = match_claims(city, claims)
        expected_code = before["person_id"] if before["decision"] == "linked" else ""
        assert (now.decision, now.person_code) == (before["decision"], expected_code), claims
        decisions.append(now.decision)
    assert {"linked", "review", "unmatched"} <= set(decisions)
