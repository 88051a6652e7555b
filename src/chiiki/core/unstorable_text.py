"""Refuse, before any view runs, text that no database can store: NUL characters and lone UTF-16 surrogates.

PostgreSQL refuses NUL in text ("cannot contain NUL (0x00) bytes") and neither database driver can encode a
lone surrogate (``"\\ud800"`` in JSON), so such a value reaching a query or a save is a server error, and any
search box, id in a URL or API body can send one. Checking every view would miss the next one; this middleware
answers 400 with the name of the field, the same on SQLite and PostgreSQL. Form bodies cannot carry
surrogates (Django decodes them with replacement characters), JSON bodies can, whatever Content-Type they
are sent with: CKAN clients post JSON as text/plain or with no type at all, so every body that is not a form
is read as JSON when it parses as JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A JSON body is parsed only when its bytes could hold such a character: an escape, a raw NUL, or a surrogate
# encoded as UTF-8 bytes (ED A0..BF), which json.loads decodes with "surrogatepass" instead of refusing.
_MAYBE_IN_JSON = re.compile(rb"\x00|\\u0000|\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RefuseUnstorableText:
    """Middleware: a request whose path, query, form or JSON body holds NUL or a lone surrogate gets a 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = unstorable_field(request)
        if field is not None:
            return _refusal(request, field)
        return self.get_response(request)


def unstorable_field(request: HttpRequest) -> str | None:
    """The name of the first parameter or JSON member holding unstorable text ("URL" for the path), or None."""
    # The path and the query string too: a read with NUL in a filter or an id fails on PostgreSQL as well.
    if _UNSTORABLE.search(request.path):
        return "URL"
    sources: list[Iterator[tuple[str, Any]]] = [_pairs(request.GET)]
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        sources.append(_pairs(request.POST))
    elif request.content_type not in _FORM_TYPES and _MAYBE_IN_JSON.search(request.body):
        try:
            sources.append(_json_pairs("", json.loads(request.body)))
        except (ValueError, RecursionError):
            pass  # not JSON at all, or nested too deep to read: the view says so in its own words
    try:
        for source in sources:
            for name, value in source:
                if _UNSTORABLE.search(name) or (isinstance(value, str) and _UNSTORABLE.search(value)):
                    return _UNSTORABLE.sub("?", name)[:100]
    except RecursionError:
        return "(body)"  # deep enough to parse, too deep to walk: refused as it is
    return None


def _pairs(data: Any) -> Iterator[tuple[str, Any]]:
    for name, values in data.lists():
        for value in values:
            yield name, value


def _json_pairs(path: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _json_pairs(f"{path}.{key}" if path else str(key), item)
            yield (f"{path}.{key}" if path else str(key)), key  # a member's name can be unstorable too
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_pairs(f"{path}[{index}]", item)
    else:
        yield path or "(body)", value


def _refusal(request: HttpRequest, field: str) -> HttpResponse:
    message = _(
        "「%(field)s」に使えない文字(NUL文字または不正なUnicode)が含まれています。取り除いてください。"
    ) % {"field": field}
    if request.path.startswith(("/api/3/", "/api/action/")):  # CKAN's envelope and error type
        error = {"__type": "Validation Error", "message": message, field: [message]}
        return JsonResponse({"help": "", "success": False, "error": error}, status=409,
                            json_dumps_params={"ensure_ascii": False})  # fmt: skip
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
    return render(request, "core/refused_input.html", {"message": message}, status=400)
