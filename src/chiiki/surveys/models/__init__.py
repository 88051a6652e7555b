"""The surveys app's models, one module per part of a survey round; import them from here.

- `questionnaires`: Questionnaire, QuestionnaireVersion (immutable once a survey uses it)
- `rounds`: Survey, SurveyCase (one per sampled household, with its login ID and hashed key)
- `answers`: Answer (the draft and the submitted record of a case)
- `paradata`: CaseEvent (what happened to a case), DeviceClass, VisitOutcome
- `notifications`: NotificationOutbox (messages to households, queued then delivered)
- `exports`: SurveyExport (a staff-requested export of the answers: a background job)
- `letters`: SurveyLetters (request letters asked for from the staff pages: a background job)
"""

from chiiki.surveys.models.answers import Answer
from chiiki.surveys.models.exports import SurveyExport
from chiiki.surveys.models.letters import SurveyLetters
from chiiki.surveys.models.notifications import NotificationOutbox
from chiiki.surveys.models.paradata import CaseEvent, DeviceClass, VisitOutcome
from chiiki.surveys.models.questionnaires import (
    Questionnaire,
    QuestionnaireInUseError,
    QuestionnaireVersion,
    QuestionnaireVersionQuerySet,
)
from chiiki.surveys.models.rounds import Survey, SurveyCase

__all__ = [
    "Answer",
    "CaseEvent",
    "DeviceClass",
    "NotificationOutbox",
    "Questionnaire",
    "QuestionnaireInUseError",
    "QuestionnaireVersion",
    "QuestionnaireVersionQuerySet",
    "Survey",
    "SurveyCase",
    "SurveyExport",
    "SurveyLetters",
    "VisitOutcome",
]
