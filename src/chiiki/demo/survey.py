"""The demo city's ready census-like survey, so that a person can go from a letter to a receipt on the web.

`chiiki demo load` (`chiiki.demo.city.load_demo`) calls :func:`load_demo_survey`. It imports
``demo/forms/census_demo.xlsx``, creates a census of the demo city open for answering, draws one case per
household, and issues access keys to a handful of households only: hashing a key costs tens of milliseconds,
so keys for all ~8,900 households would make the demo slow to load (real rounds issue them with
`chiiki survey letters`). Loading again keeps the survey and issues fresh keys to households that have not set
a password yet, since a plaintext key is shown only once. Everything is written through the surveys actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.surveys import actions
from chiiki.surveys.contact import credentials
from chiiki.surveys.models import Survey, SurveyCase

__all__ = ["DEMO_DAYS_OPEN", "DEMO_FORM", "DEMO_TITLE", "DemoSurvey", "issue_keys_to", "load_demo_survey"]

DEMO_FORM = Path(__file__).resolve().parent / "forms" / "census_demo.xlsx"
DEMO_TITLE = "令和7年 緑川市 地域国勢調査(デモ)"
# The demo's simulated field work (letters, reminders, visits; evidence.simulation) runs 7 weeks from opening,
# so the round opened 8 weeks ago: every simulated answer and visit lies in the past, the dashboard's daily
# chart agrees with its totals, and the round stays open for people trying the keys.
DEMO_DAYS_OPEN = 56
DEMO_DAYS_LEFT = 60


@dataclass(frozen=True, slots=True)
class DemoSurvey:
    survey: Survey
    created: bool
    keys: list[tuple[str, str]]  # (login ID, access key as printed)


def issue_keys_to(survey: Survey, cases: list[SurveyCase], *, by: Actor) -> list[tuple[str, str]]:
    """Give the chosen cases new access keys (hashes stored); return (login ID, printed key) pairs."""
    issued = actions.issue_access_keys_to(survey, cases, by=by)
    return [(key.login_id, credentials.format_access_key(key.access_key)) for key in issued]


@transaction.atomic
def load_demo_survey(
    municipality: Municipality, *, by: Actor, households: int = 20, shown: int = 3
) -> DemoSurvey:
    """Create (once) the demo census with keys for `households` cases; return `shown` login ID/key pairs."""
    survey = Survey.objects.filter(municipality=municipality, title=DEMO_TITLE).first()
    if survey is None:
        survey = _create_demo_census(municipality, by=by)
        cases = list(survey.cases.order_by("id")[:households])
        return DemoSurvey(survey, True, issue_keys_to(survey, cases, by=by)[:shown])
    if survey.closes_at <= timezone.now():
        # A demo loaded long ago: reopen it so that the printed keys can be used.
        survey = actions.extend_answering(
            survey, closes_at=timezone.now() + timedelta(days=DEMO_DAYS_LEFT), by=by
        )
    fresh = list(
        survey.cases.filter(password_hash="")
        .exclude(status=SurveyCase.Status.SUBMITTED)
        .exclude(access_key_hash="")
        .order_by("id")[:shown]
    )
    return DemoSurvey(survey, False, issue_keys_to(survey, fresh, by=by))


def _create_demo_census(municipality: Municipality, *, by: Actor) -> Survey:
    now = timezone.now()
    opens_at = now - timedelta(days=DEMO_DAYS_OPEN)
    new = actions.NewSurvey(
        title=DEMO_TITLE,
        reference_date=date(2025, 10, 1),
        opens_at=opens_at,
        closes_at=now + timedelta(days=DEMO_DAYS_LEFT),
        follow_up_on=timezone.localtime(opens_at).date() + timedelta(days=21),
        seed=2025,
    )
    created = actions.create_survey_round(
        municipality, DEMO_FORM.read_bytes(), new, form_filename=DEMO_FORM.name, by=by
    )
    return created.survey
