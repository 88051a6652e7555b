"""The demo municipality: a fictional rural city in the Chugoku region, with a registry and staff for each role.

Everything is deterministic, so two machines that run `chiiki demo load` show the same town.
Demo passwords are printed and documented: never load the demo into a production database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from chiiki.core.acting import Actor
from chiiki.core.actions import grant_role
from chiiki.core.models import Municipality, Role, User
from chiiki.demo import residents as synthetic
from chiiki.jp import check_digit
from chiiki.registry.actions import ImportSummary, import_registry

DEMO_CODE5 = "34999"  # no real municipality uses it
DEMO_CODE = DEMO_CODE5 + str(check_digit(DEMO_CODE5))
ACTOR = "chiiki demo load"

STAFF: tuple[tuple[str, str, Role], ...] = (
    ("demo-admin", "管理者 デモ", Role.ADMINISTRATOR),
    ("demo-survey", "調査担当 デモ", Role.SURVEY_MANAGER),
    ("demo-enumerator", "調査員 デモ", Role.ENUMERATOR),
    ("demo-helpdesk", "推進委員 デモ", Role.HELPDESK),
    ("demo-linkage", "紐付け担当 デモ", Role.LINKAGE_OFFICER),
    ("demo-opendata", "オープンデータ担当 デモ", Role.OPENDATA_EDITOR),
    ("demo-auditor", "監査担当 デモ", Role.AUDITOR),
    ("demo-coverage", "通信環境担当 デモ", Role.COVERAGE_OFFICER),
    ("demo-procedures", "手続担当 デモ", Role.PROCEDURE_CLERK),
    ("demo-benefits", "給付制度担当 デモ", Role.BENEFIT_POLICY),
    # Two editors: a fact-check is drafted by one and approved by the other.
    ("demo-infosafety", "情報安全担当 デモ", Role.INFOSAFETY_EDITOR),
    ("demo-infosafety2", "情報安全担当2 デモ", Role.INFOSAFETY_EDITOR),
)


def demo_password(username: str) -> str:
    """The printed demo password of a demo account."""
    return f"{username}-pass"


@dataclass(frozen=True, slots=True)
class DemoSummary:
    municipality: Municipality
    registry: ImportSummary | None
    staff: list[tuple[str, str, str]]
    survey: Any = None  # chiiki.demo.survey.DemoSurvey: the census a person can answer on the web
    talent: Any = None  # chiiki.demo.talent.TalentDemoSummary: the Chugoku talent bank
    infosafety: Any = (
        None  # chiiki.demo.infosafety.InfosafetyDemoSummary: rumours, fact-checks, screened posts
    )
    evidence: Any = None  # chiiki.demo.census_responses.SimulationSummary: simulated answers to the census
    cyber: Any = (
        None  # chiiki.demo.cyber.CyberDemoSummary: 広島県's cyber service for the city and its hospital
    )
    procedures: Any = None  # chiiki.demo.procedures.ProceduresDemo: catalog, tax facts, the push-type benefit
    opendata: Any = (
        None  # list[chiiki.opendata.models.Dataset]: standard datasets and census tables published
    )


@transaction.atomic
def load_demo(*, persons: int = 20_000, seed: int = 2025) -> DemoSummary:
    """Create (or refresh) the demo municipality, its registry and one staff account per role."""
    municipality, _ = Municipality.objects.update_or_create(
        code=DEMO_CODE,
        defaults={
            "prefecture_code": DEMO_CODE[:2],
            "prefecture": synthetic.PREFECTURE,
            "county": "",
            "name": synthetic.CITY,
            "name_kana": "ミドリカワシ",
            "prefecture_en": "Hiroshima",
            "name_en": "Midorikawa City",
            "kind": Municipality.Kind.CITY,
            "is_demo": True,
        },
    )
    registry = None
    if not municipality.persons.exists():
        registry = import_registry(
            municipality, synthetic.generate(persons=persons, seed=seed), by=Actor.system(ACTOR)
        )
    staff = []
    for username, display_name, role in STAFF:
        user, created = User.objects.get_or_create(username=username, defaults={"display_name": display_name})
        if created:
            user.set_password(demo_password(username))
            user.save()
        grant_role(user, municipality, role, by=Actor.system(ACTOR))
        staff.append((username, demo_password(username), str(role.label)))
    from chiiki.demo.survey import load_demo_survey

    survey = load_demo_survey(municipality, by=Actor.system(ACTOR))
    from chiiki.demo.census_responses import simulate_demo

    evidence = simulate_demo(survey, by=Actor.system(ACTOR))
    from chiiki.demo.talent import load_talent_demo

    talent = load_talent_demo(municipality, seed=seed)
    from chiiki.demo.coverage import load_coverage_demo

    load_coverage_demo(municipality, seed=seed)
    from chiiki.demo.cyber import load_cyber_demo

    cyber = load_cyber_demo(municipality, password_of=demo_password)
    from chiiki.demo.procedures import load_procedures_demo

    procedures = load_procedures_demo(municipality, seed=seed)
    from chiiki.demo.opendata import load_opendata_demo, publish_census_tables

    opendata = load_opendata_demo(municipality)
    if survey is not None:
        opendata += publish_census_tables(survey.survey)
    from chiiki.demo.infosafety import load_infosafety_demo

    infosafety = load_infosafety_demo(
        municipality,
        User.objects.get(username="demo-infosafety"),
        User.objects.get(username="demo-infosafety2"),
    )
    refresh_planner_statistics()
    return DemoSummary(
        municipality,
        registry,
        staff,
        survey=survey,
        talent=talent,
        evidence=evidence,
        cyber=cyber,
        procedures=procedures,
        infosafety=infosafety,
        opendata=opendata,
    )


def refresh_planner_statistics() -> None:
    """ANALYZE after a bulk load, so the query planner knows the tables are no longer empty.

    PostgreSQL's autovacuum would get there later; SQLite never gathers statistics on its own, and without them
    it picks poor plans for the catalog's and dashboard's joins.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
