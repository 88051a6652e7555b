"""Changes to surveys. Each runs in one transaction and writes its audit record.

Staff callers pass themselves as `by` and must hold "surveys.manage" in the survey's municipality; commands
pass `by=None` with an `actor_label`.
"""

from __future__ import annotations

import csv
import hashlib
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.models import Municipality
from chiiki.core.permissions import has_permission
from chiiki.registry.models import Household, Person
from chiiki.surveys import credentials
from chiiki.surveys.models import Questionnaire, QuestionnaireVersion, Survey, SurveyCase
from chiiki.surveys.sampling import (
    STRATUM_VARIABLES,
    FrameUnit,
    SampledUnit,
    SampleError,
    age_on,
    census,
    parse_variables,
    stratified_sample,
)
from chiiki.surveys.xlsform import load_form
from chiiki.tables import excel_safe_row

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    Actor = AbstractBaseUser | AnonymousUser | None

LETTER_COLUMNS = ("login_id", "access_key", "postal_code", "address", "url")

# Access keys are random (8 of 19 symbols, about 34 bits) and valid only until the respondent sets a password,
# so they need a salted slow hash but not the memory-hard Argon2 used for passwords: at Argon2's cost a
# 100,000-household census would take hours to issue. PBKDF2-SHA256 at this count costs a few tens of
# milliseconds per key and still makes a leaked table expensive to search key by key.
ACCESS_KEY_HASH_ITERATIONS = 30_000
_KEY_HASHER = PBKDF2PasswordHasher()


class SurveyError(ValueError):
    """A survey action that cannot be done as asked (message in Japanese, then English)."""


@dataclass(frozen=True, slots=True)
class SampleSummary:
    """What draw_sample created."""

    frame: int
    cases: int
    strata: dict[str, int]


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A plaintext access key for one letter. It exists only in memory and on the letter."""

    case_id: int
    login_id: str
    access_key: str
    postal_code: str
    address: str


def _require(by: Actor, municipality: Municipality) -> None:
    """Staff must hold surveys.manage; `by=None` means a command run by the operator."""
    if by is not None and not has_permission(by, municipality, "surveys.manage"):
        raise PermissionDenied("この操作には調査担当者の権限が必要です (surveys.manage required)")


def _user_id(by: Actor) -> int | None:
    return int(by.pk) if by is not None and by.is_authenticated else None


@transaction.atomic
def import_questionnaire(
    municipality: Municipality,
    source: bytes,
    *,
    filename: str,
    by: Actor,
    actor_label: str = "",
) -> QuestionnaireVersion:
    """Store an XLSForm as a new questionnaire version (or return the version already holding the same file).

    Raises chiiki.surveys.xlsform.FormRejected listing every problem when the form does not import.
    """
    _require(by, municipality)
    form = load_form(source, filename=filename)
    digest = hashlib.sha256(source).hexdigest()
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
        created_by_id=_user_id(by),
    )
    audit.record(
        "surveys.questionnaire_import",
        actor=by,
        municipality=municipality,
        object_type="questionnaire_version",
        object_id=version.pk,
        detail={"form_id": form.form_id, "number": version.number, "sha256": digest},
        actor_label=actor_label,
    )
    return version


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
    actor_label: str = "",
) -> Survey:
    """Create a survey round: a census when `sample_size` is None, else a stratified sample of that size."""
    _require(by, municipality)
    if questionnaire_version.questionnaire.municipality_id != municipality.code:
        raise SurveyError("調査票が別の団体のものです (questionnaire belongs to another municipality)")
    if not title.strip():
        raise SurveyError("調査名を入力してください (title is empty)")
    if closes_at <= opens_at:
        raise SurveyError("回答受付の終了は開始より後にしてください (answering must close after it opens)")
    if follow_up_on is not None and follow_up_on < reference_date:
        raise SurveyError("訪問開始日は調査期日以降にしてください (follow-up before the reference date)")
    if sample_size is not None and sample_size < 1:
        raise SurveyError(f"標本の大きさは1以上にしてください (sample size must be positive: {sample_size})")
    try:
        variables = parse_variables(strata_variables)
    except SampleError as error:
        raise SurveyError(str(error)) from error
    survey = Survey.objects.create(
        municipality=municipality,
        title=title.strip(),
        reference_date=reference_date,
        opens_at=opens_at,
        closes_at=closes_at,
        follow_up_on=follow_up_on,
        questionnaire_version=questionnaire_version,
        design=Survey.Design.CENSUS if sample_size is None else Survey.Design.STRATIFIED,
        sample_size=sample_size,
        minimum_per_stratum=minimum_per_stratum,
        strata_variables=",".join(variables),
        seed=secrets.randbelow(2**31) if seed is None else seed,
        created_by_id=_user_id(by),
    )
    audit.record(
        "surveys.survey_create",
        actor=by,
        municipality=municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={
            "title": survey.title,
            "reference_date": reference_date.isoformat(),
            "design": survey.design,
            "sample_size": sample_size,
            "seed": survey.seed,
            "strata_variables": survey.strata_variables,
            "questionnaire_version": questionnaire_version.pk,
        },
        actor_label=actor_label,
    )
    return survey


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


def _new_login_ids(count: int) -> list[str]:
    """`count` fresh login IDs unused by any survey (IDs are unique across all surveys)."""
    chosen: set[str] = set()
    while len(chosen) < count:
        batch = {credentials.new_login_id() for _ in range(count - len(chosen))} - chosen
        taken = set(SurveyCase.objects.filter(login_id__in=batch).values_list("login_id", flat=True))
        chosen |= batch - taken
    return list(chosen)


@transaction.atomic
def draw_sample(survey: Survey, *, by: Actor, actor_label: str = "") -> SampleSummary:
    """Build the frame and create one case per selected household, with a login ID each. Only once per survey."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _require(by, survey.municipality)
    if survey.sampled_at is not None or survey.cases.exists():
        raise SurveyError(f"調査 {survey.pk} の対象世帯は抽出済みです (sample already drawn)")
    frame = build_frame(survey)
    if not frame:
        raise SurveyError(
            f"{survey.reference_date} 時点の世帯が住民基本台帳にありません (no households on the reference date)"
        )
    selected: list[SampledUnit]
    variables = parse_variables(survey.strata_variables)
    if survey.design == Survey.Design.CENSUS:
        selected = census(frame, variables)
    else:
        assert survey.sample_size is not None  # noqa: S101 - guaranteed by survey_sample_size_matches_design
        try:
            selected = stratified_sample(
                frame,
                survey.sample_size,
                seed=survey.seed,
                minimum=survey.minimum_per_stratum,
                variables=variables,
            )
        except SampleError as error:
            raise SurveyError(str(error)) from error
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
    strata = dict(sorted(Counter(unit.stratum for unit in selected).items()))
    audit.record(
        "surveys.sample_draw",
        actor=by,
        municipality=survey.municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={"design": survey.design, "seed": survey.seed, "frame": len(frame), "cases": len(selected)},
        actor_label=actor_label,
    )
    return SampleSummary(frame=len(frame), cases=len(selected), strata=strata)


@transaction.atomic
def issue_access_keys(
    survey: Survey, *, by: Actor, reissue: bool = False, actor_label: str = ""
) -> list[IssuedKey]:
    """Give each case without a key a new access key; return the plaintext keys once, store only hashes.

    With `reissue`, every case not yet submitted gets a new key (the old letters stop working). The
    returned list holds names of places (addresses), so this is audited as a read of personal data.
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _require(by, survey.municipality)
    if survey.sampled_at is None:
        raise SurveyError(f"調査 {survey.pk} の対象世帯がまだ抽出されていません (sample not drawn yet)")
    cases = survey.cases.select_related("household").order_by(
        "household__postal_code", "household__address", "id"
    )
    cases = cases.exclude(status=SurveyCase.Status.SUBMITTED) if reissue else cases.filter(access_key_hash="")
    issued: list[IssuedKey] = []
    now = timezone.now()
    updated: list[SurveyCase] = []
    for case in cases:
        key = credentials.new_access_key()
        case.access_key_hash = hash_access_key(key)
        case.keys_issued_at = now
        if case.status == SurveyCase.Status.SAMPLED:
            case.status = SurveyCase.Status.ISSUED
        updated.append(case)
        issued.append(
            IssuedKey(case.pk, case.login_id, key, case.household.postal_code, case.household.address)
        )
    SurveyCase.objects.bulk_update(updated, ["access_key_hash", "keys_issued_at", "status"], batch_size=1000)
    audit.record(
        "surveys.keys_issue",
        actor=by,
        municipality=survey.municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={"cases": len(issued), "reissue": reissue},
        actor_label=actor_label,
    )
    return issued


def hash_access_key(key: str) -> str:
    """The stored form of an access key: salted PBKDF2-SHA256 in Django's encoding."""
    return _KEY_HASHER.encode(key, _KEY_HASHER.salt(), iterations=ACCESS_KEY_HASH_ITERATIONS)


def verify_access_key(case: SurveyCase, typed: str) -> bool:
    """True when `typed` (as the respondent typed it) is the case's access key (constant-time comparison)."""
    if not case.access_key_hash.startswith(f"{_KEY_HASHER.algorithm}$"):
        return False
    return bool(_KEY_HASHER.verify(credentials.normalize_access_key(typed), case.access_key_hash))


def write_letters_csv(issued: list[IssuedKey], stream: TextIO, *, url: str) -> int:
    """Write the print contractor's CSV (UTF-8 with BOM so Excel reads it); return the number of letters.

    Open `stream` with encoding="utf-8" and newline="". The access key is printed as on the letter ("ACEF-HK34").
    """
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(LETTER_COLUMNS)
    for key in issued:
        row = [key.login_id, credentials.format_access_key(key.access_key), key.postal_code, key.address, url]
        writer.writerow(excel_safe_row(row))  # opened in Excel: no address may run as a formula
    return len(issued)
