"""The rate limit of public rumour reports (the web form and the API), per client address per period."""

from __future__ import annotations

import math

from django.http import HttpRequest
from django.utils.translation import ngettext

from chiiki.core import audit
from chiiki.core.acting import Actor, client_address
from chiiki.core.models import Municipality
from chiiki.infosafety import actions, queries


def report_throttle(request: HttpRequest, municipality: Municipality) -> str:
    """Count one public sending from the client's address; when it is over the limit, the message saying how
    long to wait (the sending is refused, audited and not counted), else ""."""
    address = client_address(request)
    wait = queries.report_wait_seconds(address)
    if wait <= 0:
        actions.note_report_attempt(address)
        return ""
    minutes = max(1, math.ceil(wait / 60))
    audit.record(
        "infosafety.report_throttled",
        by=Actor.from_request(request, label="resident (public report)"),
        municipality=municipality,
        detail={"wait_seconds": round(wait)},
    )
    return ngettext(
        "この場所からの送信が続いたため、しばらく受け付けられません。%(minutes)d分ほど待ってからもう一度送ってください。",
        "この場所からの送信が続いたため、しばらく受け付けられません。%(minutes)d分ほど待ってからもう一度送ってください。",
        minutes,
    ) % {"minutes": minutes}
