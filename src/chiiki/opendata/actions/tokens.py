"""API tokens of the CKAN API: issue, revoke, and resolve a presented token to its user."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import User
from chiiki.opendata.models import ApiToken


def _digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.strip().encode()).hexdigest()


@transaction.atomic
def create_token(user: User, name: str, *, by: Actor) -> tuple[ApiToken, str]:
    """Issue an API token for `user`; the plaintext is returned once and only its SHA-256 is stored."""
    plaintext = "chiiki_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100] or "token", token_hash=_digest(plaintext), prefix=plaintext[7:13]
    )
    audit.record("opendata.token_created", by=by, object_type="api_token", object_id=token.pk)
    return token, plaintext


@transaction.atomic
def revoke_token(token: ApiToken, *, by: Actor) -> None:
    """Revoke a token (kept for the record, refused from now on)."""
    token.revoked = True
    token.save(update_fields=["revoked"])
    audit.record("opendata.token_revoked", by=by, object_type="api_token", object_id=token.pk)


def user_for_token(plaintext: str) -> User | None:
    """The active user holding this unrevoked token, or None; notes when the token was last used.

    Takes no `by`: this is how the API finds out who is calling.
    """
    token = (
        ApiToken.objects.select_related("user").filter(token_hash=_digest(plaintext), revoked=False).first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return token.user
