"""Files a questionnaire reads, attached after the form was uploaded (as ODK Central attaches a form's files).

A questionnaire version never changes once a survey uses it, so attaching files makes a new version (the
form's definition with the files' items) and moves the survey onto it. That is safe only before anyone
answered: the survey cannot be answered while a file is missing, and files are refused once answers exist.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath

from django.db import transaction
from django.db.models import Max

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.surveys import queries
from chiiki.surveys.actions.checks import SurveyError, require_permission
from chiiki.surveys.models import QuestionnaireVersion, Survey
from chiiki.surveys.xlsform import Form, FormRejected, Problem, add_files

__all__ = ["FilesAttached", "attach_questionnaire_files"]


@dataclass(frozen=True, slots=True)
class FilesAttached:
    """What attach_questionnaire_files did: the survey's new version, the files taken, those still missing."""

    version: QuestionnaireVersion
    attached: tuple[str, ...]
    missing: tuple[str, ...]
    warnings: tuple[Problem, ...]


def _digest(previous: str, files: Mapping[str, bytes]) -> str:
    """The new version's digest: the previous one's and each file's SHA-256, by name in name order."""
    digest = hashlib.sha256(previous.encode("ascii"))
    for name in sorted(files):
        digest.update(b"\0" + name.encode("utf-8") + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def _version_with(old: QuestionnaireVersion, form: Form, digest: str, by: Actor) -> QuestionnaireVersion:
    """The questionnaire's version holding `form` (an existing one with the same digest is reused)."""
    existing = QuestionnaireVersion.objects.filter(
        questionnaire=old.questionnaire, source_sha256=digest
    ).first()
    if existing is not None:
        return existing
    last = old.questionnaire.versions.aggregate(last=Max("number"))["last"] or 0
    return QuestionnaireVersion.objects.create(
        questionnaire=old.questionnaire,
        number=last + 1,
        form_version=old.form_version,
        definition=form.to_json(),
        source_name=old.source_name,
        source_sha256=digest,
        created_by=by.user,
    )


@transaction.atomic
def attach_questionnaire_files(survey: Survey, files: Mapping[str, bytes], *, by: Actor) -> FilesAttached:
    """Attach files the survey's questionnaire reads (CSV, XML, GeoJSON, read as at upload) and move the survey
    onto the questionnaire version holding them; all or nothing.

    Raises SurveyError when nothing is given or answers exist, FormRejected listing every problem (file, row,
    column) when a file cannot be read or the form does not read it: then nothing is written."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    require_permission(by, survey.municipality)
    files = {PurePath(name).name: data for name, data in files.items()}
    if not files:
        raise SurveyError("添付するファイルを選んでください (no file given)")
    if queries.has_answers(survey):
        raise SurveyError(
            "回答が始まっているため、調査票のファイルは変えられません (households have answered: the "
            "questionnaire's files can no longer change)"
        )
    old = QuestionnaireVersion.objects.select_related("questionnaire").get(pk=survey.questionnaire_version_id)
    form = Form.from_json(old.definition)  # a fresh copy: the parsed forms are shared
    problems = add_files(form, files)
    if any(p.severity == "error" for p in problems):
        raise FormRejected(problems)
    digest = _digest(old.source_sha256, files)
    version = _version_with(old, form, digest, by)
    survey.questionnaire_version = version
    survey.save(update_fields=["questionnaire_version"])
    missing = tuple(form.missing_files())
    audit.record(
        "surveys.questionnaire_files_attached",
        by=by,
        municipality=survey.municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={
            "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
            "from_version": old.pk,
            "to_version": version.pk,
            "missing": list(missing),
        },
    )
    return FilesAttached(version, tuple(sorted(files)), missing, tuple(problems))
