"""The demo city's ready census-like survey, so that a person can go from a letter to a receipt on the web.

`chiiki demo load` calls :func:`load_demo_survey`. It imports ``forms/census_demo.xlsx``, creates a census of
the demo city open for answering from yesterday for 60 days, draws one case per household, and issues access
keys to a handful of households only: hashing a key costs tens of milliseconds, so keys for all ~8,900
households would make the demo slow to load (real rounds issue them with `chiiki survey letters`). Loading
again keeps the survey and issues fresh keys to households that have not set a password yet, since a
plaintext key is shown only once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.models import Municipality
from chiiki.surveys import actions, credentials
from chiiki.surveys.models import Survey, SurveyCase

DEMO_FORM = Path(__file__).resolve().parent / "forms" / "census_demo.xlsx"
DEMO_TITLE = "令和7年 緑川市 地域国勢調査(デモ)"


@dataclass(frozen=True, slots=True)
class DemoSurvey:
    survey: Survey
    created: bool
    keys: list[tuple[str, str]]  # (login ID, access key as printed)


def issue_keys_to(survey: Survey, cases: list[SurveyCase], *, actor_label: str) -> list[tuple[str, str]]:
    """Give the chosen cases new access keys (hashes stored); return (login ID, printed key) pairs."""
    pairs: list[tuple[str, str]] = []
    now = timezone.now()
    for case in cases:
        key = credentials.new_access_key()
        case.access_key_hash = actions.hash_access_key(key)
        case.keys_issued_at = now
        if case.status == SurveyCase.Status.SAMPLED:
            case.status = SurveyCase.Status.ISSUED
        pairs.append((case.login_id, credentials.format_access_key(key)))
    SurveyCase.objects.bulk_update(cases, ["access_key_hash", "keys_issued_at", "status"])
    audit.record(
        "surveys.keys_issue",
        actor=None,
        actor_label=actor_label,
        municipality=survey.municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={"cases": len(cases), "reissue": False, "demo": True},
    )
    return pairs


DEMO_DAYS_OPEN = 56


@transaction.atomic
def load_demo_survey(
    municipality: Municipality, *, actor_label: str, households: int = 20, shown: int = 3
) -> DemoSurvey:
    """Create (once) the demo census with keys for `households` cases; return `shown` login ID/key pairs."""
    survey = Survey.objects.filter(municipality=municipality, title=DEMO_TITLE).first()
    created = survey is None
    if survey is None:
        version = actions.import_questionnaire(
            municipality, DEMO_FORM.read_bytes(), filename=DEMO_FORM.name, by=None, actor_label=actor_label
        )
        now = timezone.now()
        # The demo's simulated field work (letters, reminders, visits; evidence.simulation) runs 7 weeks from
        # opening, so the round opened 8 weeks ago: every simulated answer and visit lies in the past, the
        # dashboard's daily chart agrees with its totals, and the round stays open for people trying the keys.
        opens_at = now - timedelta(days=DEMO_DAYS_OPEN)
        survey = actions.create_survey(
            municipality,
            questionnaire_version=version,
            title=DEMO_TITLE,
            reference_date=date(2025, 10, 1),
            opens_at=opens_at,
            closes_at=now + timedelta(days=60),
            follow_up_on=timezone.localtime(opens_at).date() + timedelta(days=21),
            seed=2025,
            by=None,
            actor_label=actor_label,
        )
        actions.draw_sample(survey, by=None, actor_label=actor_label)
        cases = list(survey.cases.order_by("id")[:households])
        pairs = issue_keys_to(survey, cases, actor_label=actor_label)
        return DemoSurvey(survey, True, pairs[:shown])
    if survey.closes_at <= timezone.now():
        # A demo loaded long ago: reopen it so that the printed keys can be used.
        Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() + timedelta(days=60))
    fresh = list(
        survey.cases.filter(password_hash="")
        .exclude(status=SurveyCase.Status.SUBMITTED)
        .exclude(access_key_hash="")
        .order_by("id")[:shown]
    )
    return DemoSurvey(survey, created, issue_keys_to(survey, fresh, actor_label=actor_label))
