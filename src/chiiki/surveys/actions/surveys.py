"""Survey rounds: importing questionnaires, creating surveys and drawing their households.

Staff callers must hold "surveys.manage" in the survey's municipality; commands act as `Actor.system(...)`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.surveys import queries
from chiiki.surveys.actions.checks import SurveyError, require_permission
from chiiki.surveys.contact import credentials
from chiiki.surveys.models import Questionnaire, QuestionnaireVersion, Survey, SurveyCase
from chiiki.surveys.sampling import (
    STRATUM_VARIABLES,
    FrameUnit,
    SampledUnit,
    SampleError,
    census,
    parse_variables,
    stratified_sample,
)
from chiiki.surveys.xlsform import load_form

__all__ = [
    "NewSurvey",
    "SampleSummary",
    "SurveyRound",
    "create_survey",
    "create_survey_round",
    "draw_sample",
    "extend_answering",
    "import_questionnaire",
]


@dataclass(frozen=True, slots=True)
class SampleSummary:
    """What draw_sample created."""

    frame: int
    cases: int
    strata: dict[str, int]


@dataclass(frozen=True, slots=True)
class NewSurvey:
    """What a new survey round is: its title, dates and design (a census when `sample_size` is None)."""

    title: str
    reference_date: date
    opens_at: datetime
    closes_at: datetime
    follow_up_on: date | None = None
    sample_size: int | None = None
    seed: int | None = None
    minimum_per_stratum: int = 2
    strata_variables: str = ",".join(STRATUM_VARIABLES)


@dataclass(frozen=True, slots=True)
class SurveyRound:
    """What create_survey_round wrote: the questionnaire version, the survey and its sample."""

    version: QuestionnaireVersion
    survey: Survey
    sample: SampleSummary


def _digest(source: bytes, files: Mapping[str, bytes]) -> str:
    """The SHA-256 of the form, and of its attached files when it has some (by name, in name order)."""
    digest = hashlib.sha256(source)
    for name in sorted(files):
        digest.update(b"\0" + name.encode("utf-8") + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


@transaction.atomic
def import_questionnaire(
    municipality: Municipality,
    source: bytes,
    *,
    filename: str,
    by: Actor,
    files: Mapping[str, bytes] | None = None,
) -> QuestionnaireVersion:
    """Store an XLSForm as a new questionnaire version (or return the version already holding the same file).

    ``files`` are the files attached to the form by name (the choice files of ``select_one_from_file``, what
    ``instance()`` and ``pulldata()`` read); their items are stored with the form's definition. A file the
    form reads may be missing: the version is stored, and a survey using it cannot be answered until the file
    is attached (`attach_questionnaire_files`). Raises chiiki.surveys.xlsform.FormRejected listing every
    problem when the form does not import or a file cannot be read.
    """
    require_permission(by, municipality)
    files = dict(files or {})
    form = load_form(source, filename=filename, files=files, require_files=False)
    digest = _digest(source, files)
    questionnaire, _ = Questionnaire.objects.get_or_create(
        municipality=municipality, form_id=form.form_id, defaults={"title": form.title}
    )
    existing = QuestionnaireVersion.objects.filter(questionnaire=questionnaire, source_sha256=digest).first()
    if existing is not None:
        return existing
    last = questionnaire.versions.aggregate(last=Max("number"))["last"] or 0
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=last + 1,
        form_version=form.version,
        definition=form.to_json(),
        source_name=Path(filename).name[:255],
        source_sha256=digest,
        created_by=by.user,
    )
    audit.record(
        "surveys.questionnaire_import",
        by=by,
        municipality=municipality,
        object_type="questionnaire_version",
        object_id=version.pk,
        detail={
            "form_id": form.form_id,
            "number": version.number,
            "sha256": digest,
            **({"files": sorted(files)} if files else {}),
        },
    )
    return version


def _check_new_survey(
    municipality: Municipality, questionnaire_version: QuestionnaireVersion, new: NewSurvey
) -> tuple[str, ...]:
    """The survey's checked stratification variables; raises SurveyError naming what is wrong."""
    if questionnaire_version.questionnaire.municipality_id != municipality.code:
        raise SurveyError("調査票が別の団体のものです (questionnaire belongs to another municipality)")
    if not new.title.strip():
        raise SurveyError("調査名を入力してください (title is empty)")
    if new.closes_at <= new.opens_at:
        raise SurveyError("回答受付の終了は開始より後にしてください (answering must close after it opens)")
    if new.follow_up_on is not None and new.follow_up_on < new.reference_date:
        raise SurveyError("訪問開始日は調査期日以降にしてください (follow-up before the reference date)")
    if new.sample_size is not None and new.sample_size < 1:
        raise SurveyError(
            f"標本の大きさは1以上にしてください (sample size must be positive: {new.sample_size})"
        )
    try:
        return parse_variables(new.strata_variables)
    except SampleError as error:
        raise SurveyError(str(error)) from error


@transaction.atomic
def create_survey(
    municipality: Municipality,
    *,
    questionnaire_version: QuestionnaireVersion,
    title: str,
    reference_date: date,
    opens_at: datetime,
    closes_at: datetime,
    follow_up_on: date | None = None,
    sample_size: int | None = None,
    seed: int | None = None,
    minimum_per_stratum: int = 2,
    strata_variables: str = ",".join(STRATUM_VARIABLES),
    by: Actor,
) -> Survey:
    """Create a survey round: a census when `sample_size` is None, else a stratified sample of that size."""
    new = NewSurvey(
        title,
        reference_date,
        opens_at,
        closes_at,
        follow_up_on,
        sample_size,
        seed,
        minimum_per_stratum,
        strata_variables,
    )
    return _create_survey(municipality, questionnaire_version, new, by=by)


def _create_survey(
    municipality: Municipality, questionnaire_version: QuestionnaireVersion, new: NewSurvey, *, by: Actor
) -> Survey:
    require_permission(by, municipality)
    variables = _check_new_survey(municipality, questionnaire_version, new)
    survey = Survey.objects.create(
        municipality=municipality,
        title=new.title.strip(),
        reference_date=new.reference_date,
        opens_at=new.opens_at,
        closes_at=new.closes_at,
        follow_up_on=new.follow_up_on,
        questionnaire_version=questionnaire_version,
        design=Survey.Design.CENSUS if new.sample_size is None else Survey.Design.STRATIFIED,
        sample_size=new.sample_size,
        minimum_per_stratum=new.minimum_per_stratum,
        strata_variables=",".join(variables),
        seed=secrets.randbelow(2**31) if new.seed is None else new.seed,
        created_by=by.user,
    )
    audit.record(
        "surveys.survey_create",
        by=by,
        municipality=municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={
            "title": survey.title,
            "reference_date": new.reference_date.isoformat(),
            "design": survey.design,
            "sample_size": new.sample_size,
            "seed": survey.seed,
            "strata_variables": survey.strata_variables,
            "questionnaire_version": questionnaire_version.pk,
        },
    )
    return survey


def _new_login_ids(count: int) -> list[str]:
    """`count` fresh login IDs unused by any survey (IDs are unique across all surveys)."""
    chosen: set[str] = set()
    while len(chosen) < count:
        batch = {credentials.new_login_id() for _ in range(count - len(chosen))} - chosen
        chosen |= batch - queries.taken_login_ids(batch)
    return list(chosen)


def _select(survey: Survey, frame: list[FrameUnit]) -> list[SampledUnit]:
    """The survey's households: the whole frame for a census, else its stratified sample."""
    variables = parse_variables(survey.strata_variables)
    if survey.design == Survey.Design.CENSUS:
        return census(frame, variables)
    assert survey.sample_size is not None  # noqa: S101 - guaranteed by survey_sample_size_matches_design
    try:
        return stratified_sample(
            frame,
            survey.sample_size,
            seed=survey.seed,
            minimum=survey.minimum_per_stratum,
            variables=variables,
        )
    except SampleError as error:
        raise SurveyError(str(error)) from error


@transaction.atomic
def draw_sample(survey: Survey, *, by: Actor) -> SampleSummary:
    """Build the frame and create one case per selected household, with a login ID each. Only once per survey."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    require_permission(by, survey.municipality)
    if survey.sampled_at is not None or survey.cases.exists():
        raise SurveyError(f"調査 {survey.pk} の対象世帯は抽出済みです (sample already drawn)")
    frame = queries.build_frame(survey)
    if not frame:
        raise SurveyError(
            f"{survey.reference_date} 時点の世帯が住民基本台帳にありません (no households on the reference date)"
        )
    selected = _select(survey, frame)
    login_ids = _new_login_ids(len(selected))
    SurveyCase.objects.bulk_create(
        (
            SurveyCase(
                survey=survey,
                household_id=unit.household_id,
                stratum=unit.stratum,
                selection_probability=unit.probability,
                login_id=login_id,
            )
            for unit, login_id in zip(selected, login_ids, strict=True)
        ),
        batch_size=1000,
    )
    survey.sampled_at = timezone.now()
    survey.save(update_fields=["sampled_at"])
    audit.record(
        "surveys.sample_draw",
        by=by,
        municipality=survey.municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={"design": survey.design, "seed": survey.seed, "frame": len(frame), "cases": len(selected)},
    )
    strata = dict(sorted(Counter(unit.stratum for unit in selected).items()))
    return SampleSummary(frame=len(frame), cases=len(selected), strata=strata)


@transaction.atomic
def create_survey_round(
    municipality: Municipality,
    form_source: bytes,
    new: NewSurvey,
    *,
    form_filename: str,
    by: Actor,
    files: Mapping[str, bytes] | None = None,
) -> SurveyRound:
    """Import the questionnaire (with its attached ``files``), create the survey and draw its households, all
    or nothing (`chiiki survey create`; a page can do the same)."""
    version = import_questionnaire(municipality, form_source, filename=form_filename, by=by, files=files)
    survey = _create_survey(municipality, version, new, by=by)
    return SurveyRound(version, survey, draw_sample(survey, by=by))


@transaction.atomic
def extend_answering(survey: Survey, *, closes_at: datetime, by: Actor) -> Survey:
    """Move the end of the survey's answering period (to reopen a closed round, or to give more time)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    require_permission(by, survey.municipality)
    if closes_at <= survey.opens_at:
        raise SurveyError("回答受付の終了は開始より後にしてください (answering must close after it opens)")
    previous = survey.closes_at
    survey.closes_at = closes_at
    survey.save(update_fields=["closes_at"])
    audit.record(
        "surveys.answering_extended",
        by=by,
        municipality=survey.municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={"from": previous.isoformat(), "to": closes_at.isoformat()},
    )
    return survey
