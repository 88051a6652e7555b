"""record_case_event (surveys.actions.paradata): the one writer of paradata."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.test import Client, RequestFactory

from chiiki.core.acting import Actor
from chiiki.fieldwork import queries
from chiiki.surveys import actions as survey_actions
from chiiki.surveys import paradata
from chiiki.surveys.actions import record_case_event, record_letters_sent
from chiiki.surveys.models import CaseEvent, Survey
from chiiki.surveys.paradata import (
    SHOWN_FIELD,
    page_shown_token,
    request_session_tag,
    seconds_on_page,
    session_tag,
)

TEST = Actor.system("test")
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148 Safari/604.1"


class _Session:
    session_key = "abcdefghijklmnopqrstuvwxyz012345"

    def get(self, _key: str) -> None:
        return None  # a session without a tag of its own (a staff database session)


def test_an_event_from_a_request_keeps_the_device_class_and_a_session_tag_not_the_key(
    survey_a: Survey,
) -> None:
    case = survey_a.cases.first()
    assert case is not None
    request = RequestFactory().get("/answer/", HTTP_USER_AGENT=PHONE)
    request.session = _Session()  # type: ignore[assignment]
    request.user = AnonymousUser()
    event = record_case_event(
        case,
        "page_view",
        by=Actor.from_request(request),
        session=request_session_tag(request),
        page="household",
        seconds=42.4,
    )
    event.refresh_from_db()
    assert (event.device_class, event.page, event.seconds) == ("mobile", "household", 42)
    assert event.session == session_tag(_Session.session_key)
    assert _Session.session_key not in event.session
    assert event.municipality_id == survey_a.municipality_id
    assert event.survey_id == survey_a.pk


def test_an_overnight_page_view_is_capped(survey_a: Survey) -> None:
    case = survey_a.cases.first()
    assert case is not None
    event = record_case_event(case, "page_view", by=TEST, page="p", seconds=10**7)
    assert event.seconds == 6 * 60 * 60


def test_an_unknown_kind_is_a_programming_error(survey_a: Survey) -> None:
    case = survey_a.cases.first()
    assert case is not None
    with pytest.raises(ValueError, match="unknown case event kind"):
        record_case_event(case, "logni", by=TEST)
    assert not CaseEvent.objects.exists()


def test_seconds_on_page_counts_from_when_that_page_was_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([1000.0, 1042.5, 1050.0])
    monkeypatch.setattr(paradata, "time", SimpleNamespace(time=lambda: next(clock)))
    factory = RequestFactory()
    assert seconds_on_page(factory.post("/answer/q/household/", {}), "household") is None
    token = page_shown_token("household")
    posted = factory.post("/answer/q/household/", {SHOWN_FIELD: token})
    assert seconds_on_page(posted, "household") == 42.5
    assert seconds_on_page(posted, "persons") is None  # another page's token says nothing about this one


def test_a_forged_or_garbled_page_time_is_ignored() -> None:
    factory = RequestFactory()
    forged = signing.dumps(["household", 0.0], salt="another purpose")
    for token in (forged, "garbage", page_shown_token("household") + "x"):
        assert seconds_on_page(factory.post("/", {SHOWN_FIELD: token}), "household") is None


def test_a_respondent_login_on_the_answering_site_is_recorded_with_its_device(survey_a: Survey) -> None:
    issued = survey_actions.issue_access_keys(survey_a, by=Actor.system("test"), reissue=True)[0]
    client = Client(HTTP_USER_AGENT=PHONE)
    response = client.post("/answer/", {"login_id": issued.login_id, "secret": issued.access_key})
    assert response.status_code == 302
    event = CaseEvent.objects.get(kind="login")
    assert (event.case_id, event.device_class) == (issued.case_id, "mobile")
    # The respondent's session is a signed cookie whose value changes with it: the tag is its own random one.
    assert re.fullmatch(r"[0-9a-f]{16}", event.session)
    assert event.session not in client.cookies["chiiki_answer"].value


def test_letters_sent_are_recorded_once_per_case_and_batch_and_counted_on_the_dashboard(
    survey_a: Survey,
) -> None:
    ids = list(survey_a.cases.order_by("id").values_list("id", flat=True)[:3])
    sent_at = datetime(2025, 9, 19, 1, tzinfo=UTC)  # 10:00 on the 19th in Japan
    channels = {ids[0]: "post", ids[1]: "post", ids[2]: "email"}
    assert record_letters_sent(survey_a, channels, batch="letters-1", at=sent_at, by=TEST) == 3
    # The same batch again (a retried run) adds nothing; a new batch (reissued letters) adds its own.
    assert record_letters_sent(survey_a, channels, batch="letters-1", at=sent_at, by=TEST) == 0
    assert record_letters_sent(survey_a, {ids[0]: "post"}, batch="letters-2", at=sent_at, by=TEST) == 1
    events = CaseEvent.objects.filter(kind="letter_sent").order_by("case_id", "id")
    assert [(e.case_id, e.channel, e.detail["batch"]) for e in events] == [
        (ids[0], "post", "letters-1"),
        (ids[0], "post", "letters-2"),
        (ids[1], "post", "letters-1"),
        (ids[2], "email", "letters-1"),
    ]
    assert {e.survey_id for e in events} == {survey_a.pk}
    assert queries.dashboard(survey_a, today=date(2025, 9, 19)).today_figures["letter_sent"] == 4
    assert queries.dashboard(survey_a, today=date(2025, 9, 20)).today_figures["letter_sent"] == 0
