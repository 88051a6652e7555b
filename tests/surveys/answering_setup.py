"""Shared set-up for the answering tests: an open census-like survey with access keys, and page helpers."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.test import Client
from django.utils import timezone

from chiiki.core.models import Municipality
from chiiki.surveys import actions
from chiiki.surveys.actions import IssuedKey
from chiiki.surveys.models import Survey

DEMO_FORM = Path(__file__).resolve().parents[2] / "src/chiiki/surveys/forms/census_demo.xlsx"


def open_survey(
    town: Municipality, *, closes_in: timedelta = timedelta(days=20)
) -> tuple[Survey, list[IssuedKey]]:
    """A census of `town` open for answering now, with access keys issued to every household."""
    version = actions.import_questionnaire(
        town, DEMO_FORM.read_bytes(), filename=DEMO_FORM.name, by=None, actor_label="test"
    )
    now = timezone.now()
    survey = actions.create_survey(
        town,
        questionnaire_version=version,
        title="府中町 生活実態調査",
        reference_date=date(2025, 10, 1),
        opens_at=now - timedelta(days=1),
        closes_at=now + closes_in,
        by=None,
        actor_label="test",
    )
    actions.draw_sample(survey, by=None, actor_label="test")
    keys = actions.issue_access_keys(survey, by=None, actor_label="test")
    return survey, keys


def hidden(html: str, name: str) -> str:
    """The value of the hidden input `name` in a page."""
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert match is not None, f"no hidden input {name!r}"
    return match.group(1)


def shown_keys(html: str) -> list[str]:
    """The field keys a page declares it shows."""
    return re.findall(r'name="shown" value="([^"]*)"', html)


def post_page(
    client: Client, url: str, values: dict[str, Any], *, action: str = "next", page_html: str | None = None
) -> Any:
    """Open `url` (unless its HTML is given), fill `values` into the fields it shows, and press `action`."""
    html = page_html if page_html is not None else client.get(url).content.decode()
    data: dict[str, Any] = {
        "version": hidden(html, "version"),
        "digest": hidden(html, "digest"),
        "shown": shown_keys(html),
        "action": action,
    }
    for key in shown_keys(html):
        if key in values:
            data[key] = values[key]
    return client.post(url, data)


def sign_in(client: Client, login_id: str, secret: str, *, password: str | None = "midori-2025") -> Any:  # noqa: S107 - a test password
    """Sign in with the access key and (first time) set `password`."""
    response = client.post("/answer/", {"login_id": login_id, "secret": secret})
    if password is not None and response.status_code == 302 and response["Location"] == "/answer/password/":
        response = client.post("/answer/password/", {"password": password, "confirmation": password})
    return response
