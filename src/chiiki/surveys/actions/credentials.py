"""Access keys for the request letters: issued once, stored as hashes, shown only on the letter."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.surveys.actions.checks import SurveyError, require_files_attached, require_permission
from chiiki.surveys.contact import credentials
from chiiki.surveys.contact.letters import IssuedKey
from chiiki.surveys.models import Survey, SurveyCase

__all__ = ["issue_access_keys", "issue_access_keys_to"]


@transaction.atomic
def issue_access_keys(survey: Survey, *, by: Actor, reissue: bool = False) -> list[IssuedKey]:
    """Give each case without a key a new access key; return the plaintext keys once, store only hashes.

    With `reissue`, every case not yet submitted gets a new key (the old letters stop working). The
    returned list holds names of places (addresses), so this is audited as a read of personal data.
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    require_permission(by, survey.municipality)
    if survey.sampled_at is None:
        raise SurveyError(f"調査 {survey.pk} の対象世帯がまだ抽出されていません (sample not drawn yet)")
    require_files_attached(survey)
    cases = survey.cases.select_related("household").order_by(
        "household__postal_code", "household__address", "id"
    )
    cases = cases.exclude(status=SurveyCase.Status.SUBMITTED) if reissue else cases.filter(access_key_hash="")
    issued = _new_keys(cases)
    audit.record(
        "surveys.keys_issue",
        by=by,
        municipality=survey.municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={"cases": len(issued), "reissue": reissue},
    )
    return issued


@transaction.atomic
def issue_access_keys_to(survey: Survey, cases: list[SurveyCase], *, by: Actor) -> list[IssuedKey]:
    """Give the chosen cases of `survey` new access keys (the demo keys a handful of households, not all)."""
    require_permission(by, survey.municipality)
    if any(case.survey_id != survey.pk for case in cases):
        raise SurveyError("別の調査の世帯が含まれています (a case belongs to another survey)")
    require_files_attached(survey)
    issued = _new_keys(
        SurveyCase.objects.filter(pk__in=[case.pk for case in cases]).select_related("household")
    )
    by_id = {key.case_id: key for key in issued}
    audit.record(
        "surveys.keys_issue",
        by=by,
        municipality=survey.municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={"cases": len(issued), "reissue": False, "chosen": True},
    )
    return [by_id[case.pk] for case in cases if case.pk in by_id]


def _new_keys(cases: Iterable[SurveyCase]) -> list[IssuedKey]:
    """A fresh key for each case, its hash stored and its status moved on to issued; the plaintext keys."""
    issued: list[IssuedKey] = []
    now = timezone.now()
    updated: list[SurveyCase] = []
    for case in cases:
        key = credentials.new_access_key()
        case.access_key_hash = credentials.hash_access_key(key)
        case.keys_issued_at = now
        if case.status == SurveyCase.Status.SAMPLED:
            case.status = SurveyCase.Status.ISSUED
        updated.append(case)
        issued.append(
            IssuedKey(case.pk, case.login_id, key, case.household.postal_code, case.household.address)
        )
    SurveyCase.objects.bulk_update(updated, ["access_key_hash", "keys_issued_at", "status"], batch_size=1000)
    return issued
