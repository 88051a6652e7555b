"""schema.org ClaimReview for a published fact-check: one JSON-LD block per page, safe inside <script>."""

from __future__ import annotations

import json
from typing import Any

from chiiki.infosafety.engine import SCALES
from chiiki.infosafety.models import Claim, Report

# Inside <script> the HTML parser ends the block at "</script>" whatever JSON says, and "<!--" changes how
# it reads on: so <, > and & are written as JSON escapes, which every JSON reader turns back into the text.
_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def claim_review(
    claim: Claim, *, url: str, first: Report | None, appearances: list[dict[str, str]]
) -> dict[str, Any]:
    """The ClaimReview of a published claim (url: the absolute address of its public page)."""
    scale = SCALES[claim.scale]
    rating = scale.rating(claim.rating)
    review_rating: dict[str, Any] = {"@type": "Rating", "alternateName": rating.label}
    if rating.value is not None:
        review_rating |= {"ratingValue": rating.value, "bestRating": scale.best, "worstRating": scale.worst}
    item: dict[str, Any] = {"@type": "Claim", "appearance": appearances}
    if first is not None:
        item["datePublished"] = (first.seen_at or first.received_at).date().isoformat()
        item["firstAppearance"] = {"@type": "CreativeWork", "url": first.link} if first.link else None
        if item["firstAppearance"] is None:
            del item["firstAppearance"]
    author = {"@type": "GovernmentOrganization", "name": claim.municipality.display_name}
    if claim.published_at is None:
        raise ValueError("claim_review needs a published claim")
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim.summary,
        "reviewRating": review_rating,
        "itemReviewed": item | {"author": {"@type": "Person", "name": "SNS上の投稿者"}},
        "author": author,
        "datePublished": claim.published_at.date().isoformat(),
        "inLanguage": "ja",
    }


def script_json(data: dict[str, Any]) -> str:
    """JSON text that can stand between <script type="application/ld+json"> and </script>."""
    return json.dumps(data, ensure_ascii=False, indent=1).translate(_SCRIPT_SAFE)
