"""Chaining committed audit records (see chiiki.core.audit_chain for why it happens after the commit)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from chiiki.core.audit_chain import chain_of, event_digest, genesis
from chiiki.core.models import AuditChainHead, AuditEvent

BATCH = 5000


def seal_audit_records() -> int:
    """Give every committed, not yet chained audit record its place in its chain; return how many."""
    sealed = 0
    pending = AuditEvent.objects.filter(chain_hash__isnull=True).values_list("municipality_id", flat=True)
    for chain in sorted({chain_of(m) for m in pending.distinct()}):
        while count := _seal_batch(chain):
            sealed += count
    return sealed


def _head(chain: str) -> AuditChainHead:
    """The chain's head row, locked until the transaction ends (two sealers never fork a chain)."""
    try:
        with transaction.atomic():
            AuditChainHead.objects.get_or_create(chain=chain, defaults={"last_hash": genesis(chain)})
    except IntegrityError:  # another sealer created it meanwhile
        pass
    return AuditChainHead.objects.select_for_update().get(chain=chain)


@transaction.atomic
def _seal_batch(chain: str) -> int:
    head = _head(chain)
    records = AuditEvent.objects.filter(chain_hash__isnull=True, municipality_id=chain or None).order_by("id")
    count = 0
    for event in records[:BATCH]:
        seq = head.last_seq + 1
        digest = event_digest(event, seq, head.last_hash)
        if AuditEvent.objects.filter(pk=event.pk).seal(chain_seq=seq, chain_hash=digest):
            head.last_seq, head.last_hash, count = seq, digest, count + 1
    if count:
        head.sealed_at = timezone.now()
        head.save(update_fields=["last_seq", "last_hash", "sealed_at"])
    return count
