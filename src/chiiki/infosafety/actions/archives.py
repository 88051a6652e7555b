"""Archived copies of the sources of a verdict: checked by their bytes, kept once on the configured storage."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.infosafety.archives import ARCHIVE_TYPES, archive_type
from chiiki.infosafety.models import Source

if TYPE_CHECKING:
    from chiiki.core.acting import Actor

NOT_AN_ARCHIVE = "PDF・PNG・JPEG・保存したウェブページ(HTML・MHTML)・WARC のどれでもありません"


class ArchiveError(ValueError):
    """The source cannot take a copy (it has one already); the message says why in plain Japanese."""


def checked_archive_type(content: bytes) -> str:
    """The media type of an archived copy, or a ValidationError on the field naming the kinds accepted."""
    kind = archive_type(content)
    if not content or kind is None:
        raise ValidationError({"archive": NOT_AN_ARCHIVE})
    return kind


def store_archive(source: Source, content: bytes, *, by: Actor) -> Source:
    """Keep `content` as the source's archived copy and audit it (inside the caller's transaction)."""
    kind = checked_archive_type(content)
    digest = hashlib.sha256(content).hexdigest()
    source.archive_type = kind
    source.archive_size = len(content)
    source.archive_sha256 = digest
    source.archived_by = by.user
    source.archived_at = timezone.now()
    # the name is ours (the editor's file name is not kept); the storage adds a suffix if it is taken
    source.archive.save(f"source-{source.pk}.{ARCHIVE_TYPES[kind]}", ContentFile(content), save=False)
    source.save(
        update_fields=[
            "archive",
            "archive_type",
            "archive_size",
            "archive_sha256",
            "archived_by",
            "archived_at",
        ]
    )
    audit.record(
        "infosafety.source_archived",
        by=by,
        municipality=source.municipality_id,
        object_type="claim",
        object_id=source.claim_id,
        detail={"source": source.pk, "type": kind, "bytes": len(content), "sha256": digest},
    )
    return source


@transaction.atomic
def archive_source(source: Source, content: bytes, *, by: Actor) -> Source:
    """Add the archived copy of a source that has none (a copy is evidence: it is never replaced)."""
    locked = Source.objects.select_for_update().select_related("claim").get(pk=source.pk)
    if locked.archive:
        raise ArchiveError(
            "この出典には保存した写しがあります(写しは差し替えられません。新しい出典として加えてください)"
        )
    return store_archive(locked, content, by=by)
