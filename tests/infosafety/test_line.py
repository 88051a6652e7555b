"""The LINE webhook: signed events become reports once, replies and verdicts go out from the worker."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.test import Client
from tests.inline_worker import run_due_tasks

from chiiki.core.acting import Actor
from chiiki.core.models import Job, Municipality, Role, User
from chiiki.infosafety import actions
from chiiki.infosafety.models import Claim, LineChannel, LineEvent, LineMessage, Report
from chiiki.infosafety.tasks import send_line_message

SECRET = "test-channel-secret"


class StandIn:
    """A local stand-in for the Messaging API: records every request; answers 500 to the first `fail` ones."""

    def __init__(self, fail: int = 0) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail = fail
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stand_in.requests.append(
                    {"path": self.path, "auth": self.headers["Authorization"], "body": body}
                )
                status = 500 if len(stand_in.requests) <= stand_in.fail else 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    server = StandIn()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()


@pytest.fixture
def channel(town_a: Municipality, stand_in: StandIn) -> LineChannel:
    return LineChannel.objects.create(
        municipality=town_a, channel_secret=SECRET, access_token="token-a", api_base=stand_in.url
    )


def _signed(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _event(event_id: str, text: str, user: str = "U1") -> dict[str, Any]:
    return {
        "type": "message",
        "webhookEventId": event_id,
        "replyToken": f"reply-{event_id}",
        "source": {"type": "user", "userId": user},
        "message": {"type": "text", "id": "m1", "text": text},
    }


def _post(town: Municipality, events: list[dict[str, Any]], signature: str | None = None) -> Any:
    body = json.dumps({"destination": "x", "events": events}).encode()
    return Client().post(
        f"/line/{town.code}/webhook",
        body,
        content_type="application/json",
        headers={"X-Line-Signature": signature if signature is not None else _signed(body)},
    )


def test_signed_events_become_reports_once_and_get_a_reply(
    town_a: Municipality, channel: LineChannel, stand_in: StandIn
) -> None:
    event = _event("01EV1", "地震で動物園からライオンが逃げたって本当？")
    assert _post(town_a, [event]).status_code == 200
    assert _post(town_a, [event]).status_code == 200  # redelivered: ignored
    assert Report.objects.filter(channel=Report.Channel.LINE).count() == 1
    assert LineEvent.objects.count() == 1
    run_due_tasks("default")
    assert LineMessage.objects.get().status == Job.Status.DONE
    (sent,) = stand_in.requests
    assert sent["path"] == "/v2/bot/message/reply"
    assert sent["auth"] == "Bearer token-a"
    assert sent["body"]["replyToken"] == "reply-01EV1"


def test_a_bad_signature_is_refused_and_nothing_is_stored(town_a: Municipality, channel: LineChannel) -> None:
    event = _event("01EV2", "うわさ")
    body = json.dumps({"events": [event]}).encode()
    assert _post(town_a, [event], signature=_signed(body, "wrong-secret")).status_code == 401
    assert _post(town_a, [event], signature="").status_code == 401
    assert not Report.objects.exists()
    assert not LineEvent.objects.exists()
    assert not LineMessage.objects.exists()


def test_a_failed_reply_is_retried_as_a_push_and_requesters_hear_the_verdict(
    town_a: Municipality,
    channel: LineChannel,
    stand_in: StandIn,
    make_staff: Callable[..., User],
) -> None:
    stand_in.fail = 1
    _post(town_a, [_event("01EV3", "緑川の堤防が決壊したらしい", user="U3")])
    run_due_tasks("default")
    message = LineMessage.objects.get()
    assert message.status == Job.Status.QUEUED  # LINE answered 500: queued again, 30 s later
    assert "もう一度" in message.message
    assert send_line_message.call(message.pk) == Job.Status.DONE  # the retry, as the worker runs it then
    assert [r["path"] for r in stand_in.requests] == ["/v2/bot/message/reply", "/v2/bot/message/push"]
    assert stand_in.requests[1]["body"]["to"] == "U3"
    first = make_staff("e1", town_a, Role.INFOSAFETY_EDITOR)
    second = make_staff("e2", town_a, Role.INFOSAFETY_EDITOR)
    claim = Claim.objects.get()
    actions.add_source(
        claim, title="河川事務所", url="", published_on=None, note="", by=Actor.for_user(first)
    )
    actions.draft_verdict(
        claim, scale="jfc", rating="false", explanation="決壊していません", by=Actor.for_user(first)
    )
    actions.publish_verdict(claim, by=Actor.for_user(second))
    run_due_tasks("default")
    told = stand_in.requests[-1]
    assert told["path"] == "/v2/bot/message/push"
    assert told["body"]["to"] == "U3"
    assert "誤り" in told["body"]["messages"][0]["text"]
