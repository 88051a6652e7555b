"""E-mail-verified accounts for residents without the My Number card: ask for a one-time link, use it.

A link is signed with the site's key (`django.core.signing`, with a time stamp), expires after
`CHIIKI_PROCEDURES_EMAIL_LINK_SECONDS`, and works once (a conditional UPDATE). Asking never says whether an
account exists: every address gets the same answer, and an account is made only when its link is used.
Sending is limited per address and per client address (per hour); a refused request is audited, not sent.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.models import Municipality
from chiiki.procedures.models import EmailLink, ResidentAccount

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase

    from chiiki.core.acting import Actor

SESSION_ACCOUNT = "procedures.email_account"
_SALT = "chiiki.procedures.email_link"
_HOUR = timedelta(hours=1)


class LinkRefused(Exception):
    """The link cannot be used; `reason` says why in plain Japanese with a short English code."""

    def __init__(self, reason: str, code: str) -> None:
        self.reason = reason
        self.code = code
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class LinkToSend:
    """A link to put in the mail (the token exists only here and in the mail)."""

    email: str
    token: str


def normalize_email(address: str) -> str:
    """One spelling per address: trimmed, the domain in lower case (the local part is kept as typed)."""
    local, _, domain = address.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else address.strip()


def address_hash(email: str) -> str:
    """What the audit log keeps of an address asked for (a link request names no account)."""
    return hashlib.sha256(email.lower().encode()).hexdigest()[:16]


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def request_email_link(
    municipality: Municipality, email: str, *, next_url: str, by: Actor
) -> LinkToSend | None:
    """A new one-time link for `email`, or None when the address or the client has asked too often this hour.

    The caller answers the same in both cases (nothing tells whether an address has an account or was limited).
    """
    email = normalize_email(email)
    since = timezone.now() - _HOUR
    recent = EmailLink.objects.filter(created_at__gte=since)
    per_address = recent.filter(municipality=municipality, email__iexact=email).count()
    per_client = recent.filter(requested_from=by.address).count() if by.address else 0
    if (
        per_address >= settings.CHIIKI_PROCEDURES_EMAIL_LINKS_PER_ADDRESS
        or per_client >= settings.CHIIKI_PROCEDURES_EMAIL_LINKS_PER_CLIENT
    ):
        audit.record(
            "procedures.email_link_limited",
            by=by,
            municipality=municipality,
            object_type="email_link",
            detail={"address": address_hash(email), "per_address": per_address, "per_client": per_client},
        )
        return None
    secret = secrets.token_urlsafe(24)
    link = EmailLink.objects.create(
        municipality=municipality,
        email=email,
        secret_hash=_secret_hash(secret),
        next_url=next_url[:200],
        requested_from=by.address,
        expires_at=timezone.now() + timedelta(seconds=settings.CHIIKI_PROCEDURES_EMAIL_LINK_SECONDS),
    )
    audit.record(
        "procedures.email_link_sent",
        by=by,
        municipality=municipality,
        object_type="email_link",
        object_id=link.pk,
        detail={"address": address_hash(email)},
    )
    return LinkToSend(email, signing.dumps({"l": link.pk, "s": secret}, salt=_SALT, compress=True))


def _refuse(reason: str, code: str, *, by: Actor, link: EmailLink | None) -> LinkRefused:
    """Audit a refused link and return the refusal to raise (outside any transaction that would undo the record)."""
    audit.record(
        "procedures.email_link_refused",
        by=by,
        municipality=link.municipality_id if link else None,
        object_type="email_link",
        object_id=link.pk if link else "",
        detail={"reason": code},
    )
    return LinkRefused(reason, code)


_EXPIRED = "このリンクは有効期限が切れています。もう一度メールアドレスを入力してください。"
_BAD = "このリンクは正しくありません。メールのリンクをそのまま開いてください。"
_USED = (
    "このリンクはもう使われています。リンクは一度しか使えません。もう一度メールアドレスを入力してください。"
)


def use_email_link(token: str, *, by: Actor, session: SessionBase) -> tuple[ResidentAccount, str]:
    """Sign in with a link: check signature, age and single use; make or find the account; (account, next)."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.CHIIKI_PROCEDURES_EMAIL_LINK_SECONDS)
    except signing.SignatureExpired:
        raise _refuse(_EXPIRED, "expired", by=by, link=None) from None
    except signing.BadSignature:
        raise _refuse(_BAD, "bad_signature", by=by, link=None) from None
    used = _use(data if isinstance(data, dict) else {}, by=by)
    if isinstance(used, LinkRefused):
        raise used  # raised after the transaction, so the audit record of the refusal stays
    account, next_url = used
    session.cycle_key()
    session[SESSION_ACCOUNT] = account.pk
    return account, next_url


@transaction.atomic
def _use(data: dict[str, object], *, by: Actor) -> tuple[ResidentAccount, str] | LinkRefused:
    """Mark the link used (once: a conditional UPDATE) and find or make its account, or say why not."""
    link_id = data.get("l")
    link = (
        EmailLink.objects.filter(pk=link_id, secret_hash=_secret_hash(str(data.get("s")))).first()
        if isinstance(link_id, int)
        else None
    )
    if link is None:
        return _refuse(_BAD, "unknown_link", by=by, link=None)
    now = timezone.now()
    fresh = EmailLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now)
    if fresh.update(used_at=now) != 1:
        if link.used_at is None:
            return _refuse(_EXPIRED, "expired", by=by, link=link)
        return _refuse(_USED, "used", by=by, link=link)
    account, created = ResidentAccount.objects.get_or_create(
        municipality_id=link.municipality_id, email=link.email, defaults={"verified_at": now}
    )
    account.last_signed_in_at = now
    account.save(update_fields=["last_signed_in_at"])
    audit.record(
        "procedures.email_signed_in",
        by=by,
        municipality=link.municipality_id,
        object_type="resident_account",
        object_id=account.pk,
        detail={"new_account": created, "link": link.pk},
    )
    return account, link.next_url


def sign_out_email(session: SessionBase, *, account: ResidentAccount, by: Actor) -> None:
    """End the account's session."""
    session.pop(SESSION_ACCOUNT, None)
    session.cycle_key()
    audit.record(
        "procedures.email_signed_out",
        by=by,
        municipality=account.municipality_id,
        object_type="resident_account",
        object_id=account.pk,
    )
