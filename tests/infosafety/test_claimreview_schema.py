"""The ClaimReview of each public page, extracted from the rendered HTML and checked against schema.org offline.

extruct reads the JSON-LD out of the page as a search engine's crawler would; pyld expands it with schema.org's
own context (shipped in data/schemaorg, no network); every type and property is then looked up in schema.org's
vocabulary with its domain and range, and the fields Google's fact-check markup asks for are checked one by one.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import extruct
import lxml.html
import pytest
from django.test import Client
from pyld import jsonld
from tests.infosafety.schemaorg import ancestors, expand, problems, vocabulary

from chiiki.core.models import Municipality, Role, User
from chiiki.infosafety.models import Claim

LION = "地震で動物園からライオンが逃げた！近所を歩いてるって"
HOSTILE = (
    '</script><script>alert(1)</script><!-- <script> "quoted" & \\ \u2028 ]]> '
    "<img src=x onerror=alert(2)> 動物園からライオンが逃げた"
)


@pytest.fixture
def editors(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> tuple[Client, Client]:
    first = login(make_staff("ed1", town_a, Role.INFOSAFETY_EDITOR))
    second = login(make_staff("ed2", town_a, Role.INFOSAFETY_EDITOR))
    return first, second


def _publish(
    town: Municipality, editors: tuple[Client, Client], text: str, rating: str, **report: str
) -> Claim:
    first, second = editors
    assert Client().post(f"/factcheck/{town.code}/report/", {"text": text, **report}).status_code == 302
    claim = Claim.objects.get(reports__text=text)
    base = f"/staff/m/{town.code}/infosafety/claims/{claim.pk}"
    first.post(f"{base}/source/", {"title": "市動物園の発表", "url": "https://zoo.example.jp/news/1"})
    first.post(
        f"{base}/draft/", {"rating": rating, "explanation": "動物園は全ての動物の無事を確認しています。"}
    )
    assert second.post(f"{base}/publish/").status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PUBLISHED
    return claim


def _page(town: Municipality, claim: Claim) -> tuple[str, str]:
    path = f"/factcheck/{town.code}/{claim.pk}/"
    response = Client().get(path)
    assert response.status_code == 200
    return response.content.decode(), f"http://testserver{path}"


def _claim_reviews(html: str, url: str) -> list[dict[str, Any]]:
    """The JSON-LD blocks of the page as extruct reads them, and exactly one <script> holding them."""
    tree = lxml.html.fromstring(html)
    scripts = tree.xpath('//script[@type="application/ld+json"]')
    assert len(scripts) == 1
    blocks: list[dict[str, Any]] = extruct.extract(html, base_url=url, syntaxes=["json-ld"])["json-ld"]
    return blocks


def _check_fields(review: dict[str, Any], url: str) -> None:
    """The fields Google's ClaimReview markup asks for, with values that make sense together."""
    assert review["@context"] == "https://schema.org"
    assert review["url"] == url
    assert isinstance(review["claimReviewed"], str)
    assert review["claimReviewed"].strip()
    datetime.date.fromisoformat(review["datePublished"])
    assert review["author"]["@type"] == "GovernmentOrganization"
    assert review["author"]["name"]
    rating = review["reviewRating"]
    assert rating["@type"] == "Rating"
    assert rating["alternateName"]
    if "ratingValue" in rating:
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    datetime.date.fromisoformat(item["datePublished"])
    for appearance in [*item["appearance"], item.get("firstAppearance", {"url": "https://x"})]:
        assert appearance.get("@type", "CreativeWork") == "CreativeWork"
        assert appearance["url"].startswith("https://")


def test_the_public_page_has_one_claimreview_that_schema_org_defines(
    town_a: Municipality, editors: tuple[Client, Client]
) -> None:
    claim = _publish(town_a, editors, LION, "jfc:false", link="https://x.example/post/1", where_seen="X")
    html, url = _page(town_a, claim)
    (review,) = _claim_reviews(html, url)
    assert problems(review) == []
    _check_fields(review, url)
    assert review["reviewRating"] | {} == {
        "@type": "Rating",
        "alternateName": "誤り",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert review["itemReviewed"]["firstAppearance"] == {
        "@type": "CreativeWork",
        "url": "https://x.example/post/1",
    }
    # pyld read every key as a schema.org term: the expanded graph holds one ClaimReview with all of them.
    (node,) = expand(review)
    assert node["@type"] == ["http://schema.org/ClaimReview"]
    terms = {key.rsplit("/", 1)[-1] for key in node if not key.startswith("@")}
    assert terms == {key for key in review if not key.startswith("@")}


def test_a_verdict_without_a_value_is_still_valid(
    town_a: Municipality, editors: tuple[Client, Client]
) -> None:
    claim = _publish(town_a, editors, "投票用紙は鉛筆で書くと書き換えられる", "fij:pending")
    html, url = _page(town_a, claim)
    (review,) = _claim_reviews(html, url)
    assert problems(review) == []
    _check_fields(review, url)
    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "判定留保"}
    assert "firstAppearance" not in review["itemReviewed"]


def test_hostile_text_stays_inside_the_one_block(
    town_a: Municipality, editors: tuple[Client, Client]
) -> None:
    claim = _publish(town_a, editors, HOSTILE, "fij:fabricated")
    html, url = _page(town_a, claim)
    (review,) = _claim_reviews(html, url)  # still one <script type="application/ld+json">, and it parses
    assert review["claimReviewed"] == HOSTILE
    assert problems(review) == []
    _check_fields(review, url)
    tree = lxml.html.fromstring(html)
    assert not [
        s
        for s in tree.xpath("//script")
        if "alert" in (s.text or "") and s.get("type") != "application/ld+json"
    ]
    assert not tree.xpath("//img[@onerror]")
    raw = tree.xpath('//script[@type="application/ld+json"]')[0].text
    assert "<" not in raw
    assert ">" not in raw


def test_the_api_claim_reviews_check_out_too(town_a: Municipality, editors: tuple[Client, Client]) -> None:
    _publish(town_a, editors, LION, "jfc:false", link="https://x.example/post/1")
    answer = Client().get(f"/api/v1/infosafety/municipalities/{town_a.code}/factchecks").json()
    reviews = [item["claim_review"] for item in answer]
    assert len(reviews) == 1
    assert problems(reviews[0]) == []


def test_the_check_fails_on_what_schema_org_does_not_define() -> None:
    good: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": "x",
        "reviewRating": {"@type": "Rating", "ratingValue": 1, "alternateName": "誤り"},
        "datePublished": "2026-12-05",
    }
    assert problems(good) == []
    assert any(
        "claimReviewd is not a schema.org property" in p for p in problems(good | {"claimReviewd": "x"})
    )
    assert any(
        "ClaimReveiw is not a schema.org class" in p for p in problems(good | {"@type": "ClaimReveiw"})
    )
    # ratingValue is a property of Rating, not of ClaimReview (domain)
    assert "[0]: ratingValue is not a property of ClaimReview" in problems(good | {"ratingValue": 1})
    # reviewRating expects a Rating (range); a date must look like one
    wrong = problems(good | {"reviewRating": {"@type": "Person", "name": "x"}, "datePublished": "昨日"})
    assert any("a http://schema.org/Person where Rating is expected" in p for p in wrong)
    assert any("'昨日' is not a Date/DateTime" in p for p in wrong)
    assert any(
        "is not a Number/Text" in p
        for p in problems(good | {"reviewRating": {"@type": "Rating", "ratingValue": True}})
    )


def test_the_vocabulary_is_schema_orgs_and_nothing_is_fetched() -> None:
    vocab = vocabulary()
    assert vocab["release"] == "30.0"
    assert "CC BY-SA 3.0" in vocab["licence"]
    assert "Review" in ancestors("ClaimReview")
    assert "CreativeWork" in ancestors("Claim")
    assert vocab["properties"]["claimReviewed"]["domain"] == ["ClaimReview"]
    with pytest.raises(jsonld.JsonLdError):
        expand({"@context": "https://example.org/context.jsonld", "@type": "Thing"})
