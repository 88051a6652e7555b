"""The JSON API: public fact-checks and intake, staff-only screening."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.test import Client

from chiiki.core.models import Municipality, Role, User
from chiiki.demo.infosafety import load_infosafety_demo
from chiiki.infosafety.models import Report, ScreenedPost


def test_published_checks_and_intake(town_a: Municipality, make_staff: Callable[..., User]) -> None:
    load_infosafety_demo(
        town_a,
        make_staff("e1", town_a, Role.INFOSAFETY_EDITOR),
        make_staff("e2", town_a, Role.INFOSAFETY_EDITOR),
    )
    checks = Client().get(f"/api/v1/infosafety/municipalities/{town_a.code}/factchecks").json()
    assert len(checks) == 2
    assert {c["rating"] for c in checks} == {"誤り"}
    assert all(c["claim_review"]["@type"] == "ClaimReview" for c in checks)
    url = f"/api/v1/infosafety/municipalities/{town_a.code}/reports"
    before = Report.objects.count()
    sent = Client().post(
        url, json.dumps({"text": "緑川の堤防がまた決壊したらしい 本町が水没"}), "application/json"
    )
    assert sent.status_code == 201, sent.content
    assert sent.json()["joined_existing"] is True
    bad = Client().post(url, json.dumps({"text": "x", "link": "javascript:alert(1)"}), "application/json")
    assert bad.status_code == 400
    assert Report.objects.count() == before + 1


def test_screening_needs_the_role(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    url = f"/api/v1/infosafety/municipalities/{town_a.code}/screen"
    body = json.dumps({"text": "受け子募集 即日即金 テレグラムで"})
    assert Client().post(url, body, "application/json").status_code == 401
    clerk = login(make_staff("clerk", town_a, Role.SURVEY_MANAGER))
    assert clerk.post(url, body, "application/json").status_code == 403
    editor = login(make_staff("ed", town_a, Role.INFOSAFETY_EDITOR))
    result = editor.post(url, body, "application/json").json()
    assert result["level"] == "flag"
    assert {m["id"] for m in result["matches"]} >= {"crime_role", "instant_cash", "secret_app"}
    assert ScreenedPost.objects.count() == 1
