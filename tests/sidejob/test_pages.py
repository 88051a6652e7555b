"""Side-job pages: an employer records its contract and the hours worked, and both the worker and the employer
are warned before a limit, each on their own page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django.test import Client
from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, Role, User
from chiiki.sidejob import actions as sidejob_actions
from chiiki.sidejob.models import SideJobContract
from chiiki.talent import actions
from chiiki.talent.models import Organization, TalentProfile


def test_worker_and_employer_see_hours_warnings(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User,
    login: Callable[[User], Client],
) -> None:  # fmt: skip
    worker = make_talent("hanako")
    intro = actions.request_introduction(worker, company, side="talent", by=Actor.for_user(worker.user))
    actions.respond_introduction(intro, accept=True, by=Actor.for_user(company_user))
    company_client = login(company_user)
    response = company_client.post(
        f"/talent/organizations/{company.pk}/contracts/new/",
        {"profile": worker.pk, "kind": "employment", "concluded_on": "2026-01-05", "has_agreement": "on",
         "monthly_limit_hours": "20", "annual_limit_hours": "200", "special_monthly_hours": "0",
         "special_annual_hours": "0", "special_months": "0", "year_start_month": "4", "legal_holiday_weekday": "6"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    contract = worker.contracts.get()
    for day in (dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)):
        company_client.post(
            f"/talent/contracts/{contract.pk}/", {"day": day.isoformat(), "hours": "12", "start": "08:00"}
        )
    # 3 × 4 h past 8 h a day = 12 h of overtime: within 10 h of the agreed 20 h, so both are warned
    assert contract.entries.count() == 3
    employer_page = company_client.get(f"/talent/contracts/{contract.pk}/").content.decode()
    assert "上限に近づいています" in employer_page
    assert "2026年3月" in employer_page
    assert "12 時間 / 20 時間" in employer_page
    company_client.cookies["django_language"] = "en"
    employer_page_en = company_client.get(f"/talent/contracts/{contract.pk}/").content.decode()
    assert "approaching the limit" in employer_page_en
    assert "上限に近づいています" not in employer_page_en
    company_client.cookies["django_language"] = "ja"
    worker_page = login(worker.user).get("/talent/me/hours/").content.decode()
    assert "上限に近づいています" in worker_page
    # The employer records these hours: the worker's page names the contract without a link to a 403 page.
    assert f"/talent/contracts/{contract.pk}/" not in worker_page
    assert "勤め先が記録" in worker_page
    assert login(worker.user).post(f"/talent/contracts/{contract.pk}/", {}).status_code == 403


def _employed_worker(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User
) -> tuple[TalentProfile, SideJobContract]:
    """A worker the company was introduced to and employs, with 10 hours recorded last week."""
    worker = make_talent("hanako")
    intro = actions.request_introduction(worker, company, side="talent", by=Actor.for_user(worker.user))
    actions.respond_introduction(intro, accept=True, by=Actor.for_user(company_user))
    today = timezone.localdate()
    contract = sidejob_actions.create_contract(
        worker, by=Actor.for_user(company_user), kind="employment", organization=company,
        concluded_on=today - dt.timedelta(days=60),
    )  # fmt: skip
    sidejob_actions.record_hours(
        contract, [(today - dt.timedelta(days=7), 600, True, dt.time(9))], by=Actor.for_user(company_user)
    )
    return worker, contract


def test_the_talent_pages_show_what_the_sidejob_app_adds(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User,
    login: Callable[[User], Client],
) -> None:  # fmt: skip
    # The talent bank never imports the side-job app: these parts come through chiiki.talent.signals.
    worker, contract = _employed_worker(make_talent, company, company_user)
    employer = login(company_user)
    org_page = employer.get(f"/talent/organizations/{company.pk}/").content.decode()
    assert f'href="/talent/contracts/{contract.pk}/"' in org_page
    assert f'href="/talent/organizations/{company.pk}/contracts/new/?profile={worker.pk}"' in org_page
    intro = worker.introductions.get()
    assert "/contracts/new/" in employer.get(f"/talent/introductions/{intro.pk}/").content.decode()
    person = login(worker.user)
    assert "/contracts/new/" not in person.get(f"/talent/introductions/{intro.pk}/").content.decode()
    assert 'href="/talent/me/hours/"' in person.get("/talent/me/").content.decode()


def test_the_regional_dashboard_shows_side_job_hours_on_the_page_and_in_the_api(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User,
    town_a: Municipality, town_b: Municipality, admin_a: User, make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:  # fmt: skip
    _employed_worker(make_talent, company, company_user)
    staff = login(admin_a)
    page = staff.get(f"/staff/m/{town_a.code}/talent/").content.decode()
    assert "副業・兼業の労働時間(地域の雇用主の記録)" in page
    assert '<th scope="row">広島県</th><td class="number">10</td>' in page
    figures = staff.get(f"/api/v1/sidejob/dashboard/{town_a.code}").json()
    hiroshima = next(p for p in figures["prefectures"] if p["prefecture"] == 34)
    assert hiroshima["side_job_hours"] == 10
    assert sum(m["hours"] for m in figures["months"]) == 10
    assert {p["name"] for p in figures["prefectures"]} == {"鳥取県", "島根県", "岡山県", "広島県", "山口県"}
    assert staff.get(f"/api/v1/sidejob/dashboard/{town_b.code}").status_code == 403
    enumerator = login(make_staff("a-enum", town_a, Role.ENUMERATOR))
    assert enumerator.get(f"/api/v1/sidejob/dashboard/{town_a.code}").status_code == 403


def test_the_contract_form_names_the_weekday_and_prompts_for_the_kind(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User,
    login: Callable[[User], Client],
) -> None:  # fmt: skip
    worker = make_talent("hanako")
    client = login(worker.user)
    page = client.get("/talent/me/hours/").content.decode()
    assert "---------" not in page
    assert "月0〜日6" not in page
    weekdays = re.search(r'<select[^>]*name="c-legal_holiday_weekday"[^>]*>(.*?)</select>', page, re.S)
    assert weekdays
    assert re.findall(r">([^<]+)</option>", weekdays.group(1)) == [
        "月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日",
    ]  # fmt: skip
    assert '<option value="6" selected>日曜日</option>' in weekdays.group(1)
    kinds = re.search(r'<select[^>]*name="c-kind"[^>]*>(.*?)</select>', page, re.S)
    assert kinds
    assert kinds.group(1).lstrip().startswith('<option value="" selected>選んでください</option>')
    model_form = client.get("/talent/me/hours/model/").content.decode()
    assert "---------" not in model_form
    assert "選んでください" in model_form
