"""The published fact-checks as a dataset of the municipality's open-data catalog, read through the CKAN API."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, Role, User
from chiiki.infosafety import actions
from chiiki.infosafety.models import Claim

LION = "地震で動物園からライオンが逃げた！近所を歩いてるって"
LEVEE = "台風で緑川の堤防が決壊した！本町はもう水没してるらしい"


def _publish(claim: Claim, drafter: User, approver: User, rating: str) -> None:
    actions.add_source(
        claim, title="市の発表", url="https://city.example.jp/1", published_on=None, note="",
        by=Actor.for_user(drafter),
    )  # fmt: skip
    actions.draft_verdict(
        claim, scale="jfc", rating=rating, explanation="確認しました。", by=Actor.for_user(drafter)
    )
    actions.publish_verdict(claim, by=Actor.for_user(approver))


def _package(code: str) -> dict[str, Any]:
    answer = Client().get("/api/3/action/package_show", {"id": f"factchecks-{code}"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["success"] is True
    result: dict[str, Any] = body["result"]
    return result


def test_publishing_and_correcting_keep_the_catalog_entry_up_to_date(
    town_a: Municipality, make_staff: Callable[..., User]
) -> None:
    drafter = make_staff("ed1", town_a, Role.INFOSAFETY_EDITOR)
    approver = make_staff("ed2", town_a, Role.INFOSAFETY_EDITOR)
    resident = Actor.system("resident (test)")
    missing = Client().get("/api/3/action/package_show", {"id": f"factchecks-{town_a.code}"})
    assert missing.status_code == 404  # nothing is in the catalog before a fact-check is published

    lion = actions.submit_report(town_a, actions.Intake(text=LION), by=resident).claim
    _publish(lion, drafter, approver, "false")
    package = _package(town_a.code)
    assert package["private"] is False
    assert package["state"] == "active"
    assert package["organization"]["name"] == f"lg-{town_a.code}"
    assert {t["name"] for t in package["tags"]} >= {"ファクトチェック", "ClaimReview"}
    assert f"#{lion.pk} 「{LION}」: 誤り" in package["notes"]
    extras = {e["key"]: e["value"] for e in package["extras"]}
    assert extras["factchecks"] == "1"
    assert extras["factcheck_ids"] == str(lion.pk)
    urls = [r["url"] for r in package["resources"]]
    page = f"/factcheck/{town_a.code}/{lion.pk}/"
    assert any(url.endswith(page) for url in urls)
    assert any(f"/api/v1/infosafety/municipalities/{town_a.code}/factchecks" in url for url in urls)
    assert any(url.endswith(f"/factcheck/{town_a.code}/feed.atom") for url in urls)
    first_version = package["version"]

    # A second fact-check joins the list; a correction rewrites the verdict shown and counts the correction.
    levee = actions.submit_report(town_a, actions.Intake(text=LEVEE), by=resident).claim
    _publish(levee, drafter, approver, "mostly_accurate")
    actions.correct_verdict(
        lion, rating="inaccurate", explanation="一部の動物は移送中でした。", note="判定を変えました",
        by=Actor.for_user(approver),
    )  # fmt: skip
    package = _package(town_a.code)
    assert package["version"] != first_version
    assert f"#{lion.pk} 「{LION}」: 不正確" in package["notes"]
    assert "訂正 1 回" in package["notes"]
    assert f"#{levee.pk} 「{LEVEE}」: ほぼ正確" in package["notes"]
    extras = {e["key"]: e["value"] for e in package["extras"]}
    assert extras["factchecks"] == "2"
    assert extras["corrected"] == "1"
    pages = [r["url"] for r in package["resources"] if re.search(r"/factcheck/\d+/\d+/$", r["url"])]
    assert len(pages) == 2  # one link per fact-check, not one per refresh

    # The catalog's search finds it as well.
    found = Client().get("/api/3/action/package_search", {"q": "ファクトチェック"}).json()["result"]
    assert f"factchecks-{town_a.code}" in [p["name"] for p in found["results"]]
