"""Paradata of request letters: printing a batch or queueing requests records one `letter_sent` per case."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality
from chiiki.surveys.actions import queue_notifications
from chiiki.surveys.contact.notifier import Recipient
from chiiki.surveys.models import CaseEvent, Survey

from .answering_setup import sampled_census

TEST = Actor.system("test")


@pytest.fixture
def survey(town_a: Municipality) -> Survey:
    return sampled_census(town_a)


def letters_sent(survey: Survey) -> list[tuple[int, str, str]]:
    events = CaseEvent.objects.filter(survey=survey, kind="letter_sent").order_by("case_id", "id")
    return [(event.case_id, event.channel, event.detail["batch"]) for event in events]


def test_printing_letters_records_one_letter_sent_per_household_for_the_batch(
    survey: Survey, tmp_path: Path
) -> None:
    call_command("survey_letters", survey=str(survey.pk), out=tmp_path / "a.pdf", stdout=io.StringIO())
    batch = AuditEvent.objects.get(action="surveys.letters_write", object_id=str(survey.pk))
    case_ids = sorted(survey.cases.values_list("id", flat=True))
    assert letters_sent(survey) == [(case_id, "post", f"letters-{batch.pk}") for case_id in case_ids]
    # Reissued letters are a second batch: every household not yet answered gets a second event.
    call_command(
        "survey_letters", survey=str(survey.pk), out=tmp_path / "b.pdf", reissue=True, stdout=io.StringIO()
    )
    assert len(letters_sent(survey)) == 2 * len(case_ids)
    assert len({batch for _case, _channel, batch in letters_sent(survey)}) == 2


def test_letters_that_could_not_be_written_record_nothing(survey: Survey, tmp_path: Path) -> None:
    out = tmp_path / "letters.pdf"
    out.write_bytes(b"earlier letters")
    with pytest.raises(CommandError):
        call_command("survey_letters", survey=str(survey.pk), out=out, stdout=io.StringIO())
    assert letters_sent(survey) == []


def test_the_print_contractors_csv_is_a_batch_of_posted_letters(survey: Survey, tmp_path: Path) -> None:
    call_command("survey_issue_keys", survey=str(survey.pk), out=tmp_path / "keys.csv", stdout=io.StringIO())
    sent = letters_sent(survey)
    assert sorted(case for case, _channel, _batch in sent) == sorted(
        survey.cases.values_list("id", flat=True)
    )
    assert {(channel, batch.startswith("letters-csv-")) for _case, channel, batch in sent} == {("post", True)}


def test_requests_queued_for_the_notifier_record_their_channel_once_per_case(
    survey: Survey, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    first, second = survey.cases.order_by("id")[:2]
    recipients = [
        Recipient(first, "email", "taro@example.jp"),
        Recipient(first, "sms", "09012345678"),  # two ways to one household: still one request sent
        Recipient(second, "inbox", "MNP-1"),
    ]
    with django_capture_on_commit_callbacks(execute=False):
        queue_notifications(survey, recipients, by=TEST)
        queue_notifications(survey, [Recipient(second, "sms", "09000000000")], kind="reminder", by=TEST)
    batch = AuditEvent.objects.filter(action="surveys.notifications_queue").order_by("id").first()
    assert batch is not None
    assert letters_sent(survey) == [
        (first.pk, "email", f"notify-{batch.pk}"),
        (second.pk, "inbox", f"notify-{batch.pk}"),
    ]


def test_a_rolled_back_request_batch_records_nothing(
    survey: Survey, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    case = survey.cases.order_by("id").first()
    assert case is not None
    with django_capture_on_commit_callbacks(execute=False), pytest.raises(RuntimeError):  # noqa: PT012
        with transaction.atomic():
            queue_notifications(survey, [Recipient(case, "email", "a@example.jp")], by=TEST)
            raise RuntimeError("the caller failed")
    assert letters_sent(survey) == []
