"""The walkthrough's own parts, without a browser: the route list, parameter filling and the code finder."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from tests.browser import walk


def test_routes_are_pages_and_parameters_are_filled_or_named() -> None:
    routes = walk.page_routes()
    assert "/staff/audit/" in routes
    assert "/answer/q/<str:page>/" in routes
    assert not [r for r in routes if r.endswith((".csv", ".json")) or r.startswith("/api/")]
    values = walk.DemoValues(by_name={"code": "349992"}, by_segment={"needs": "7"})
    assert walk.fill("/staff/m/<str:code>/talent/", values) == ("/staff/m/349992/talent/", "")
    assert walk.fill("/talent/needs/<int:pk>/", values) == ("/talent/needs/7/", "")
    assert walk.fill("/talent/profiles/<int:pk>/", values) == (None, "<int:pk> after 'profiles/'")


def test_a_code_standing_as_a_word_is_found_and_its_label_is_not(db: None) -> None:
    codes = walk.known_codes(
        [("probability_below_link_threshold", _("一致確率が、自動で紐付ける基準に届きません"))]
    )
    found = {c.code for c in codes}
    assert {"probability_below_link_threshold", "core.login", "linkage_officer"} <= found
    text = "理由: probability_below_link_threshold / 操作 core.login / linkage_officer"
    assert set(walk.codes_in(text, codes, language="en")) == {
        "probability_below_link_threshold",
        "core.login",
        "linkage_officer",
    }
    assert walk.codes_in("ログインした(紐付け担当者)", codes, language="ja") == []
    # part of a longer word, a path or an address is no code shown as a word
    assert walk.codes_in("/staff/core.login_x demo@core.login", codes, language="ja") == []


def test_single_word_codes_count_only_on_japanese_pages(db: None) -> None:
    codes = [walk.KnownCode("visit", frozenset({"訪問", "Visit"}))]
    assert walk.codes_in("結果: visit", codes, language="ja") == ["visit"]
    assert walk.codes_in("Plan a visit to the household", codes, language="en") == []


def test_the_cyber_pages_are_walked_with_the_prefectures_code() -> None:
    routes = walk.page_routes()
    values = walk.DemoValues(by_name={"code": "349992"}, by_route={r"/cyber/": {"code": "340006"}})
    for path in ("", "inbox/", "advisories/new/", "export/", "recovery-codes/", "two-factor/recover/"):
        route = f"/staff/m/<str:code>/cyber/{path}"
        assert route in routes, route
        assert walk.fill(route, values) == (f"/staff/m/340006/cyber/{path}", "")
