"""Read-side queries of the surveys app. Callers write the audit record for each read of personal data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Count, Model, Q, QuerySet

from chiiki.core.models import Municipality
from chiiki.registry.models import Household, Person
from chiiki.surveys.models import (
    Answer,
    NotificationOutbox,
    QuestionnaireVersion,
    Survey,
    SurveyCase,
    SurveyExport,
    SurveyLetters,
)
from chiiki.surveys.sampling import FrameUnit, age_on
from chiiki.surveys.xlsform import Form, instance_columns

_Row = TypeVar("_Row", bound=Model)

__all__ = [
    "DeclaredFile",
    "answer_of",
    "build_frame",
    "case_by_login_id",
    "case_in",
    "cases_by_login_id",
    "declared_files",
    "electronic_contacts",
    "exports_of",
    "finished_export",
    "has_answers",
    "head_names",
    "missing_files",
    "questionnaire_form",
    "survey_by_id",
    "survey_of",
    "taken_login_ids",
]


def survey_by_id(survey_id: int) -> Survey | None:
    """A survey with its municipality (for commands, which name surveys by ID)."""
    return Survey.objects.select_related("municipality", "questionnaire_version").filter(pk=survey_id).first()


def survey_of(municipality: Municipality, survey_id: int) -> Survey | None:
    """The municipality's survey with that id (None for another municipality's)."""
    return Survey.objects.filter(pk=survey_id, municipality=municipality).first()


def build_frame(survey: Survey) -> list[FrameUnit]:
    """The survey's frame: households of its municipality with at least one resident on the reference date."""
    day = survey.reference_date
    current = (Q(registered_on__isnull=True) | Q(registered_on__lte=day)) & (
        Q(removed_on__isnull=True) | Q(removed_on__gt=day)
    )
    households = dict(
        Household.objects.filter(current, municipality=survey.municipality).values_list(
            "id", "district__code"
        )
    )
    sizes: Counter[int] = Counter()
    head_ages: dict[int, int] = {}
    members = Person.objects.filter(current, municipality=survey.municipality, household_id__in=households)
    for household_id, relationship, birth_date in members.values_list(
        "household_id", "relationship", "birth_date"
    ):
        sizes[household_id] += 1
        if relationship == "世帯主":
            head_ages[household_id] = age_on(birth_date, day)
    return [
        FrameUnit(household_id, district, sizes[household_id], head_ages.get(household_id))
        for household_id, district in households.items()
        if sizes[household_id] > 0
    ]


def taken_login_ids(candidates: Iterable[str]) -> set[str]:
    """Which of `candidates` some case of any survey already has (login IDs are unique across surveys)."""
    return set(SurveyCase.objects.filter(login_id__in=list(candidates)).values_list("login_id", flat=True))


def head_names(survey: Survey) -> dict[int, str]:
    """The current head of each sampled household, by case ID ("山田 太郎"), for the address block."""
    day = survey.reference_date
    case_of = dict(survey.cases.values_list("household_id", "id"))
    heads = Person.objects.filter(
        household__survey_cases__survey=survey,
        relationship="世帯主",
        removed_on__isnull=True,
    ).exclude(registered_on__gt=day)
    return {
        case_of[household_id]: f"{family} {given}".strip()
        for household_id, family, given in heads.values_list("household_id", "family_name", "given_name")
        if household_id in case_of
    }


def unique_row(queryset: QuerySet[_Row]) -> _Row | None:
    """The one row of a query on a unique key, or None. Unlike ``first()``, no ORDER BY is added: a case is
    ordered by its survey, whose own ordering joins further tables, and compiling that cost every request."""
    return next(iter(queryset.order_by()[:1]), None)


def case_by_login_id(login_id: str, *, municipality: Municipality | None = None) -> SurveyCase | None:
    """The case with that login ID (optionally only in one municipality), with its survey."""
    cases = SurveyCase.objects.select_related("survey").filter(login_id=login_id)
    if municipality is not None:
        cases = cases.filter(survey__municipality=municipality)
    return unique_row(cases)


def case_in(municipality: Municipality, case_id: int) -> SurveyCase | None:
    """A case of one of the municipality's surveys, with its survey and questionnaire version."""
    return unique_row(
        SurveyCase.objects.select_related("survey", "survey__questionnaire_version").filter(
            pk=case_id, survey__municipality=municipality
        )
    )


def cases_by_login_id(survey: Survey, login_ids: Iterable[str]) -> dict[str, SurveyCase]:
    """The survey's cases with those login IDs, by login ID (IDs not in the survey are absent)."""
    return {case.login_id: case for case in survey.cases.filter(login_id__in=set(login_ids))}


def answer_of(case: SurveyCase) -> Answer:
    """The case's answer; an unsaved empty one (version 1) before the first page is saved.

    When the case was read with ``select_related("answer")`` (a respondent's page views), no query is made.
    """
    if SurveyCase.answer.is_cached(case):
        try:
            return case.answer
        except Answer.DoesNotExist:
            return Answer(case=case)
    return unique_row(Answer.objects.filter(case=case)) or Answer(case=case)


def electronic_contacts(cases: Iterable[SurveyCase]) -> dict[int, tuple[str, str]]:
    """(channel, address) of the latest electronic request sent to each case, by case id (only those with one)."""
    contacts: dict[int, tuple[str, str]] = {}
    requests = (
        NotificationOutbox.objects.filter(case__in=list(cases), kind=NotificationOutbox.Kind.REQUEST)
        .exclude(recipient="")
        .order_by("created_at", "id")
        .values_list("case_id", "channel", "recipient")
    )
    for case_id, channel, to in requests:
        contacts[case_id] = (channel, to)  # the latest request wins
    return contacts


def exports_of(survey: Survey, *, limit: int = 100) -> QuerySet[SurveyExport]:
    """The survey's latest exports, newest first, with who asked."""
    return SurveyExport.objects.filter(survey=survey).select_related("requested_by")[:limit]


def finished_export(survey: Survey, export_id: int) -> SurveyExport | None:
    """One finished export of the survey (None when it is another survey's, or not done)."""
    return SurveyExport.objects.filter(pk=export_id, survey=survey, status=SurveyExport.Status.DONE).first()


def surveys_in(municipality: Municipality) -> QuerySet[Survey]:
    """The municipality's surveys, newest first, with their counts of households, keys and answers."""
    return (
        Survey.objects.filter(municipality=municipality)
        .annotate(
            households=Count("cases"),
            keyed=Count("cases", filter=~Q(cases__access_key_hash="")),
            submitted=Count("cases", filter=Q(cases__status=SurveyCase.Status.SUBMITTED)),
        )
        .select_related("questionnaire_version__questionnaire")
        .order_by("-opens_at", "-pk")
    )


def letters_of(survey: Survey, *, limit: int = 50) -> QuerySet[SurveyLetters]:
    """The survey's batches of request letters, newest first."""
    return survey.letter_batches.select_related("requested_by")[:limit]


def finished_letters(survey: Survey, job_id: int) -> SurveyLetters | None:
    """A batch of letters of the survey whose ZIP is written."""
    return (
        survey.letter_batches.filter(pk=job_id, status=SurveyLetters.Status.DONE)
        .exclude(file_name="")
        .first()
    )


# ------------------------------------------------------------------------------------------ questionnaires

_FORMS: dict[tuple[int, str, object], Form] = {}


def questionnaire_form(version: QuestionnaireVersion) -> Form:
    """A questionnaire version as a Form, parsed once per process (a version in use never changes).

    The Form is shared: callers must not change it (rebuild one with ``Form.from_json`` to change it)."""
    # The creation time too: a test database reuses primary keys, and a test may store two definitions
    # under one digest.
    key = (version.pk, version.source_sha256, version.created_at)
    form = _FORMS.get(key)
    if form is None:
        if len(_FORMS) > 64:
            _FORMS.clear()
        form = _FORMS[key] = Form.from_json(version.definition)
    return form


@dataclass(frozen=True, slots=True)
class DeclaredFile:
    """A file a questionnaire reads (select_*_from_file, instance('name'), pulldata('name', …))."""

    name: str
    """The file name the form expects ("buildings.geojson")."""
    instance: str
    """The name the form's expressions use (instance('buildings'))."""
    columns: tuple[str, ...]
    """The columns the form reads from it: what the file must hold."""
    attached: bool
    items: int
    """Items (rows, features) of the attached file; 0 when it is not attached."""


def declared_files(version: QuestionnaireVersion) -> list[DeclaredFile]:
    """Every file the questionnaire version reads, in the form's order, attached or not."""
    form = questionnaire_form(version)
    columns = instance_columns(form)
    return [
        DeclaredFile(
            name=name,
            instance=key,
            columns=tuple(columns.get(name, ())),
            attached=key in form.instances,
            items=len(form.instances.get(key, ())),
        )
        for key, name in form.attachments.items()
    ]


def missing_files(survey: Survey) -> list[str]:
    """The files the survey's questionnaire reads that are not attached yet: it cannot be answered until
    they are."""
    return questionnaire_form(survey.questionnaire_version).missing_files()


def has_answers(survey: Survey) -> bool:
    """Whether any household of the survey has saved an answer (a draft page or a submission)."""
    return Answer.objects.filter(case__survey=survey).exists()
