"""Infosafety endpoints of the JSON API: published fact-checks (public), report intake (public), screening (staff)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.http.request import RawPostDataException
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.core.permissions import has_permission
from chiiki.infosafety import actions, queries
from chiiki.infosafety.claimreview import claim_review
from chiiki.infosafety.engine import PostRow, Screener
from chiiki.infosafety.models import MAX_LINK, MAX_TEXT, Report
from chiiki.infosafety.throttle import report_throttle

router = Router(tags=["infosafety"])


class FactCheckOut(Schema):
    id: int
    claim: str
    rating: str
    explanation: str
    published_at: datetime
    url: str
    claim_review: dict[str, Any]


class ReportIn(Schema):
    text: str = Field(max_length=MAX_TEXT)
    link: str = Field("", max_length=MAX_LINK)
    where_seen: str = Field("", max_length=200)
    seen_at: datetime | None = None
    # a PNG, JPEG, WebP or GIF image in standard base64 (checked by its bytes, like the form's); editors only
    screenshot: str = ""


class ReportOut(Schema):
    id: int
    claim: int
    joined_existing: bool


class ScreenIn(Schema):
    text: str = Field(max_length=MAX_TEXT)
    url: str = Field("", max_length=MAX_LINK)


class MatchOut(Schema):
    id: str
    label: str
    weight: float
    tier: str
    evidence: list[str]


class ScreenOut(Schema):
    score: float
    level: str
    signal_version: str
    matches: list[MatchOut]


@router.get("/municipalities/{code}/factchecks", response=list[FactCheckOut], auth=None)
def factchecks(request: HttpRequest, code: str, limit: int = 50) -> list[FactCheckOut]:
    """Published fact-checks, newest first, each with its ClaimReview (at most 200)."""
    municipality = get_object_or_404(Municipality, code=code)
    if not 1 <= limit <= 200:
        raise HttpError(400, "limit は 1〜200 です")
    out = []
    for claim in queries.published_checks(municipality)[:limit]:
        url = request.build_absolute_uri(
            reverse("infosafety:public_detail", kwargs={"area": code, "claim_id": claim.pk})
        )
        first = queries.reports(claim).first()
        assert claim.published_at is not None  # noqa: S101 - published_checks returns published claims
        out.append(
            FactCheckOut(
                id=claim.pk,
                claim=claim.summary,
                rating=claim.rating_label,
                explanation=claim.explanation,
                published_at=claim.published_at,
                url=url,
                claim_review=claim_review(claim, url=url, first=first, appearances=[]),
            )
        )
    return out


@router.post("/municipalities/{code}/reports", response={201: ReportOut}, auth=None)
def submit(request: HttpRequest, code: str, body: ReportIn) -> Status[ReportOut]:
    """Report a rumour (residents' apps, partner tiplines); it is grouped with earlier reports of the same claim."""
    municipality = get_object_or_404(Municipality, code=code)
    wait = report_throttle(request, municipality)
    if wait:
        raise HttpError(429, wait)
    intake = actions.Intake(
        text=body.text,
        link=body.link,
        where_seen=body.where_seen,
        seen_at=body.seen_at,
        channel=Report.Channel.API,
        screenshot=_screenshot(body.screenshot),
    )
    try:
        report = actions.submit_report(
            municipality, intake, by=Actor.from_request(request, label="api intake")
        )
    except ValidationError as error:
        named = (
            [f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()]
            if hasattr(error, "error_dict")
            else error.messages
        )
        raise HttpError(400, " ".join(named)) from error
    return Status(
        201, ReportOut(id=report.pk, claim=report.claim_id, joined_existing=report.similarity is not None)
    )


def _screenshot(encoded: str) -> bytes:
    """The screenshot's bytes from base64 (b"" when none); not base64 or over the upload limit is a 400."""
    if not encoded:
        return b""
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise HttpError(400, "screenshot: base64 として読めません (not standard base64)") from error
    limit = int(settings.CHIIKI_MAX_UPLOAD_BYTES)
    if len(content) > limit:
        raise HttpError(400, f"screenshot: 大きすぎます(上限 {limit // 1024 // 1024} MB)")
    return content


@router.post("/municipalities/{code}/screen", response=ScreenOut)
def screen(request: HttpRequest, code: str) -> ScreenOut:
    """Screen one post for recruitment signals (kept and audited like a screening on the page). The JSON body
    (`{"text": …, "url": …}`) is read after the permission check."""
    municipality = get_object_or_404(Municipality, code=code)
    if not has_permission(request.user, municipality, "infosafety.screen"):
        raise PermissionDenied
    try:
        body = ScreenIn.model_validate_json(request.body or b"{}")
    except (ValueError, RawPostDataException) as error:
        raise HttpError(400, '本文が JSON として読めません (send {"text": …} as JSON)') from error
    signal_set = queries.current_signal_set(municipality)
    result = Screener(signal_set).screen(body.text)
    actions.screen_post(municipality, PostRow(0, body.text, body.url), result, by=Actor.from_request(request))
    return ScreenOut(
        score=result.score,
        level=result.level,
        signal_version=result.version,
        matches=[
            MatchOut(id=m.signal_id, label=m.label, weight=m.weight, tier=m.tier, evidence=list(m.evidence))
            for m in result.matches
        ],
    )
