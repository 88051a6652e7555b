"""The fact-check desk end to end over HTTP: a resident reports, editors check, a second editor publishes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from django.test import Client

from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.infosafety.models import Claim, Report, Verdict

LION = "地震で動物園からライオンが逃げた！近所を歩いてるって"


def _ld_blocks(html: str) -> list[dict[str, object]]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S)
    return [json.loads(block) for block in blocks]


@pytest.fixture
def editors(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> tuple[Client, Client]:
    first = login(make_staff("ed1", town_a, Role.INFOSAFETY_EDITOR))
    second = login(make_staff("ed2", town_a, Role.INFOSAFETY_EDITOR))
    return first, second


def test_report_check_and_publish_through_the_pages(
    town_a: Municipality, editors: tuple[Client, Client]
) -> None:
    first, second = editors
    resident = Client()
    form = f"/factcheck/{town_a.code}/report/"
    assert resident.get(form).status_code == 200
    sent = resident.post(form, {"text": LION, "link": "https://x.example/post/1", "where_seen": "X"})
    assert sent.status_code == 302
    assert "受け付けました" in resident.get(sent["Location"]).content.decode()
    # A retelling joins the same claim; an unrelated rumour opens another one.
    resident.post(form, {"text": "【拡散希望】地震で動物園からライオンが逃げたらしい 近所を歩いてる"})
    resident.post(form, {"text": "投票用紙は鉛筆で書くと書き換えられるので、ボールペンを持参して"})
    assert Report.objects.filter(municipality=town_a).count() == 3
    lion = Claim.objects.get(reports__link="https://x.example/post/1")
    assert lion.reports.count() == 2
    assert Claim.objects.filter(municipality=town_a).count() == 2

    base = f"/staff/m/{town_a.code}/infosafety/claims/{lion.pk}"
    assert "ライオン" in first.get(f"/staff/m/{town_a.code}/infosafety/").content.decode()
    assert first.post(f"{base}/assign/").status_code == 302
    source = {"title": "市動物園の発表", "url": "https://zoo.example.jp/news/1", "published_on": "2026-12-04"}
    assert first.post(f"{base}/source/", source).status_code == 302
    draft = {"rating": "jfc:false", "explanation": "動物園は全ての動物の無事を確認しています。"}
    assert first.post(f"{base}/draft/", draft).status_code == 302
    # The editor who drafted cannot publish it alone.
    first.post(f"{base}/publish/")
    lion.refresh_from_db()
    assert lion.status == Claim.Status.DRAFTED
    assert second.post(f"{base}/publish/").status_code == 302
    lion.refresh_from_db()
    assert lion.status == Claim.Status.PUBLISHED
    verdict = Verdict.objects.get(claim=lion)
    assert verdict.approved_by is not None
    assert verdict.approved_by.username == "ed2"
    assert verdict.drafted_by is not None
    assert verdict.drafted_by.username == "ed1"

    listing = resident.get(f"/factcheck/{town_a.code}/").content.decode()
    assert "ライオン" in listing
    assert "誤り" in listing
    assert "鉛筆" not in listing  # not published
    page = resident.get(f"/factcheck/{town_a.code}/{lion.pk}/").content.decode()
    (review,) = _ld_blocks(page)
    assert review["@type"] == "ClaimReview"
    assert review["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "誤り",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert review["itemReviewed"]["firstAppearance"]["url"] == "https://x.example/post/1"  # type: ignore[index]
    assert review["url"].endswith(f"/factcheck/{town_a.code}/{lion.pk}/")  # type: ignore[union-attr]
    assert 'href="https://zoo.example.jp/news/1"' in page
    actions = set(AuditEvent.objects.filter(municipality=town_a).values_list("action", flat=True))
    assert {
        "infosafety.report_received",
        "infosafety.verdict_drafted",
        "infosafety.verdict_published",
    } <= actions


def test_a_correction_keeps_the_history(town_a: Municipality, editors: tuple[Client, Client]) -> None:
    first, second = editors
    first.post(f"/staff/m/{town_a.code}/infosafety/report/", {"text": "市役所が明日から閉鎖されるそうです"})
    claim = Claim.objects.get()
    base = f"/staff/m/{town_a.code}/infosafety/claims/{claim.pk}"
    first.post(f"{base}/source/", {"title": "市の発表"})
    first.post(f"{base}/draft/", {"rating": "jfc:false", "explanation": "閉鎖の予定はありません。"})
    second.post(f"{base}/publish/")
    fix = {
        "rating": "jfc:inaccurate",
        "explanation": "一部の窓口は休みます。",
        "note": "一部窓口の休止を追記",
    }
    assert second.post(f"{base}/correct/", fix).status_code == 302
    assert list(Verdict.objects.filter(claim=claim).values_list("rating", flat=True)) == [
        "false",
        "inaccurate",
    ]
    page = Client().get(f"/factcheck/{town_a.code}/{claim.pk}/").content.decode()
    assert "一部窓口の休止を追記" in page
    assert "不正確" in page
    history = page[page.index("<ol>") : page.index("</ol>")]
    assert "誤り" in history  # the first verdict, in words, stays listed
    assert "false" not in history
    assert "inaccurate" not in history


def test_hostile_text_and_links_are_inert(town_a: Municipality, editors: tuple[Client, Client]) -> None:
    first, second = editors
    hostile = "</script><script>alert(1)</script><img src=x onerror=alert(2)> ライオンが逃げた"
    refused = Client().post(f"/factcheck/{town_a.code}/report/", {"text": "x", "link": "javascript:alert(1)"})
    assert refused.status_code == 400  # the form comes back with the reason next to the field
    assert "javascript" in refused.content.decode()
    assert not Report.objects.exists()
    Client().post(f"/factcheck/{town_a.code}/report/", {"text": hostile})
    claim = Claim.objects.get()
    base = f"/staff/m/{town_a.code}/infosafety/claims/{claim.pk}"
    assert first.post(f"{base}/source/", {"title": "t", "url": "data:text/html,x"}).status_code == 400
    first.post(f"{base}/source/", {"title": "市の発表", "url": "https://city.example.jp/"})
    first.post(f"{base}/draft/", {"rating": "fij:fabricated", "explanation": "<b>作り話</b>です"})
    second.post(f"{base}/publish/")
    page = Client().get(f"/factcheck/{town_a.code}/{claim.pk}/").content.decode()
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "<b>作り話" not in page
    (review,) = _ld_blocks(page)  # the JSON-LD block was not broken out of
    assert review["claimReviewed"] == hostile
    assert review["reviewRating"]["alternateName"] == "虚偽"  # type: ignore[index]
    assert "javascript:" not in first.get(base).content.decode()


def test_other_roles_and_towns_cannot_use_the_desk(
    town_a: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    clerk = login(make_staff("clerk", town_a, Role.SURVEY_MANAGER))
    assert clerk.get(f"/staff/m/{town_a.code}/infosafety/").status_code == 403
    editor_b = login(make_staff("edb", town_b, Role.INFOSAFETY_EDITOR))
    Client().post(f"/factcheck/{town_a.code}/report/", {"text": "うわさ"})
    claim = Claim.objects.get()
    assert editor_b.get(f"/staff/m/{town_b.code}/infosafety/claims/{claim.pk}/").status_code == 404
    assert editor_b.post(f"/staff/m/{town_a.code}/infosafety/claims/{claim.pk}/assign/").status_code == 403
    assert Client().get(f"/factcheck/{town_a.code}/{claim.pk}/").status_code == 404  # not published


def test_reading_what_residents_reported_is_audited(
    town_a: Municipality, editors: tuple[Client, Client]
) -> None:
    first, _second = editors
    Client().post(f"/factcheck/{town_a.code}/report/", {"text": "駅前の道路が陥没したそうです"})
    claim = Claim.objects.get()
    assert first.get(f"/staff/m/{town_a.code}/infosafety/").status_code == 200
    assert first.get(f"/staff/m/{town_a.code}/infosafety/claims/{claim.pk}/").status_code == 200
    viewed = AuditEvent.objects.filter(actor__username="ed1").values_list("action", "object_id")
    assert ("infosafety.claim_viewed", str(claim.pk)) in set(viewed)
    desk = AuditEvent.objects.get(actor__username="ed1", action="infosafety.desk_viewed")
    assert desk.detail == {"ids": [claim.pk]}


def test_the_prevention_page_says_where_to_call(town_a: Municipality) -> None:
    page = Client().get(f"/yamibaito/{town_a.code}/").content.decode()
    assert "#9110" in page
    assert "ホワイト案件" in page
    assert 'lang="ja"' in page
    assert f'href="/yamibaito/{town_a.code}/"' in Client().get(f"/factcheck/{town_a.code}/").content.decode()


def test_disaster_mode_flags_known_rumours_and_the_dashboard_counts(
    town_a: Municipality, editors: tuple[Client, Client]
) -> None:
    first, second = editors
    board = f"/staff/m/{town_a.code}/infosafety/dashboard/"
    mode = {
        "kind": "disaster",
        "title": "台風10号",
        "starts_at": "2026-01-01 00:00",
        "ends_at": "2099-01-01 00:00",
    }
    assert first.post(board, mode).status_code == 302
    resident = Client()
    resident.post(f"/factcheck/{town_a.code}/report/", {"text": "動物園からﾗｲｵﾝが逃げた！"})
    resident.post(f"/factcheck/{town_a.code}/report/", {"text": "駅前のスーパーは今日も開いています"})
    hit = Report.objects.get(text__contains="動物園")
    assert hit.watch_hit == "台風10号: 動物園+ライオン"
    assert Report.objects.get(text__contains="スーパー").watch_hit == ""
    claim = hit.claim
    base = f"/staff/m/{town_a.code}/infosafety/claims/{claim.pk}"
    first.post(f"{base}/source/", {"title": "動物園の発表"})
    first.post(f"{base}/draft/", {"rating": "jfc:false", "explanation": "逃げていません"})
    second.post(f"{base}/publish/")
    html = first.get(board).content.decode()
    assert "台風10号" in html
    assert "動物園+ライオン" in html
    assert "分" in html  # time from the first report to the published verdict
    bad = first.post(board, {**mode, "ends_at": "2025-01-01 00:00"})
    assert bad.status_code == 400
