"""Tamper evidence for the audit log: each record is chained to the one before it by a SHA-256 hash.

The database triggers stop the application from changing or deleting audit records, but not a database
superuser. So every record gets a place in a chain — one chain per municipality, one for the platform's own
records (no municipality) — and a hash of its content together with the previous record's hash. Changing a
record, deleting one, or moving one to another chain breaks the chain at that record, and `chiiki audit verify`
names the first broken link.

Records are chained shortly after they are committed (`chiiki.core.actions.seal_audit_records`, run by the
worker every CHIIKI_AUDIT_SEAL_SECONDS, by `chiiki audit seal`, and before a backup), not inside the
transaction that writes them: a chain head locked for the length of a long import would stall every audited
page of that municipality. A record is therefore open to an undetected edit for that short while.

A superuser who rewrites a whole chain, recomputing every hash, leaves a consistent chain behind. What catches
that is a copy of the chain heads kept elsewhere: every backup's manifest records them, and
`chiiki audit verify --against MANIFEST` checks that the chain still passes through each of them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from chiiki.core.models import AuditChainHead, AuditEvent

__all__ = ["Break", "chain_of", "event_digest", "genesis", "heads", "verify"]


def chain_of(municipality_id: str | None) -> str:
    """The chain a record belongs to: its municipality's code, or "" for the platform."""
    return municipality_id or ""


def genesis(chain: str) -> str:
    """The "previous hash" of a chain's first record."""
    return hashlib.sha256(f"chiiki audit chain {chain or 'platform'}".encode()).hexdigest()


def event_digest(event: AuditEvent, seq: int, previous: str) -> str:
    """SHA-256 of the previous hash and the record's content, as stored (the same on SQLite and PostgreSQL)."""
    content = [
        seq,
        event.pk,
        event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        event.actor_id,
        event.actor_label,
        chain_of(event.municipality_id),
        event.action,
        event.object_type,
        event.object_id,
        event.ip_address or "",
        event.user_agent,
        event.detail,
    ]
    payload = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{previous}\n{payload}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Break:
    """The first broken link of a chain."""

    chain: str
    seq: int
    event_id: int | None
    reason: str

    def describe(self) -> str:
        where = f"chain {self.chain or 'platform'}, link {self.seq}"
        return (
            f"{where} (audit record {self.event_id}): {self.reason}"
            if self.event_id
            else f"{where}: {self.reason}"
        )


def heads() -> dict[str, dict[str, Any]]:
    """Every chain's last link, for a manifest kept elsewhere: {chain: {"seq": n, "hash": h}}."""
    return {
        head.chain: {"seq": head.last_seq, "hash": head.last_hash} for head in AuditChainHead.objects.all()
    }


def verify(against: dict[str, dict[str, Any]] | None = None) -> tuple[list[Break], dict[str, int]]:
    """Walk every chain; return the first break of each broken chain and the number of links checked per chain.

    `against`: chain heads recorded earlier (a backup manifest); the chain must still pass through each one.
    """
    chains = set(AuditChainHead.objects.values_list("chain", flat=True))
    chains |= {chain_of(m) for m in AuditEvent.objects.filter(chain_seq__isnull=False).values_list(
        "municipality_id", flat=True).distinct()}  # fmt: skip
    breaks: list[Break] = []
    checked: dict[str, int] = {}
    for chain in sorted(chains):
        anchor = (against or {}).get(chain)
        found, count = _walk(chain, anchor)
        checked[chain] = count
        if found is not None:
            breaks.append(found)
    return breaks, checked


def _walk(chain: str, anchor: dict[str, Any] | None) -> tuple[Break | None, int]:
    records = AuditEvent.objects.filter(chain_seq__isnull=False, municipality_id=chain or None).order_by(
        "chain_seq", "id"
    )
    previous, expected = genesis(chain), 1
    for event in records.iterator(chunk_size=2000):
        problem = _link_problem(event, expected, previous)
        if problem:
            return Break(chain, expected, event.pk, problem), expected - 1
        if anchor and expected == anchor["seq"] and event.chain_hash != anchor["hash"]:
            return Break(
                chain, expected, event.pk, "differs from the recorded chain head (history rewritten)"
            ), expected
        previous, expected = str(event.chain_hash), expected + 1
    return _end_problem(chain, expected - 1, previous, anchor), expected - 1


def _link_problem(event: AuditEvent, expected: int, previous: str) -> str:
    if event.chain_seq != expected:
        missing = "missing" if (event.chain_seq or 0) > expected else "repeated"
        return f"link {expected} is {missing} (next record found is link {event.chain_seq}): records removed or copied"
    if event.chain_hash != event_digest(event, expected, previous):
        return "content or order changed after it was chained"
    return ""


def _end_problem(chain: str, last: int, last_hash: str, anchor: dict[str, Any] | None) -> Break | None:
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head is not None and (head.last_seq != last or (last and head.last_hash != last_hash)):
        return Break(
            chain,
            last + 1,
            None,
            f"the chain ends at link {last} but its head says {head.last_seq}: records removed from the end",
        )
    if anchor and anchor["seq"] > last:
        return Break(
            chain, last + 1, None, f"the recorded head is link {anchor['seq']}, the chain ends at {last}"
        )
    return None
