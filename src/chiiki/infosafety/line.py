"""LINE Messaging API: checking a webhook's signature and sending messages (no Django; stdlib HTTP only)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.request

TIMEOUT = 10


class LineSendError(RuntimeError):
    """LINE did not accept a message (the worker retries the job)."""


def signature_is_valid(channel_secret: str, body: bytes, signature: str) -> bool:
    """True when X-Line-Signature is the Base64 HMAC-SHA256 of the body under the channel secret."""
    expected = base64.b64encode(hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()).decode()
    return bool(signature) and hmac.compare_digest(expected, signature)


def send(api_base: str, access_token: str, path: str, payload: dict[str, object]) -> None:
    """POST a JSON payload to the Messaging API (reply or push); raise LineSendError when refused."""
    if not api_base.startswith(("https://", "http://")):
        raise LineSendError(f"LINE の API の URL が http(s) ではありません: {api_base!r}")
    request = urllib.request.Request(  # noqa: S310 - scheme checked just above
        api_base.rstrip("/") + path,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Authorization": f"Bearer {access_token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - scheme checked above
            response.read()
    except OSError as error:  # HTTPError, URLError and timeouts are all OSErrors
        raise LineSendError(f"LINE に送れませんでした ({error})") from error


def reply(api_base: str, access_token: str, reply_token: str, text: str) -> None:
    """Answer a resident's message with its reply token (valid for a short time only)."""
    send(
        api_base,
        access_token,
        "/v2/bot/message/reply",
        {"replyToken": reply_token, "messages": [_text(text)]},
    )


def push(api_base: str, access_token: str, to: str, text: str) -> None:
    """Send a message to a resident by user ID (later answers, and replies whose token has expired)."""
    send(api_base, access_token, "/v2/bot/message/push", {"to": to, "messages": [_text(text)]})


def _text(text: str) -> dict[str, str]:
    return {"type": "text", "text": text[:5000]}
