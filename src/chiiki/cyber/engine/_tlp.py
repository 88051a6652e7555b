"""FIRST TLP 2.0 labels and who may see what is marked with one."""

from __future__ import annotations

from dataclasses import dataclass

CLEAR = "CLEAR"
GREEN = "GREEN"
AMBER = "AMBER"
AMBER_STRICT = "AMBER+STRICT"
RED = "RED"

TLP_LABELS: tuple[str, ...] = (CLEAR, GREEN, AMBER, AMBER_STRICT, RED)

# TLP 1.0 (used by CSAF 2.0 documents) names CLEAR "WHITE"; TLP 2.0 replaced it.
_ALIASES = {"WHITE": CLEAR}


class TlpError(ValueError):
    """A label that is not one of FIRST TLP 2.0's five."""


def normalize_tlp(text: str) -> str:
    """'TLP:AMBER+STRICT', 'amber+strict', 'WHITE' → the TLP 2.0 label; anything else raises TlpError."""
    label = text.strip().upper()
    label = label.removeprefix("TLP:").strip()
    label = _ALIASES.get(label, label)
    if label not in TLP_LABELS:
        raise TlpError(
            f"TLP ラベル「{text}」は FIRST TLP 2.0 のラベルではありません(CLEAR, GREEN, AMBER, AMBER+STRICT, RED)"
        )
    return label


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who looks at an alert: an analyst of the operator, a contact of the alerted body, named or not."""

    is_analyst: bool = False
    is_contact_of_body: bool = False  # a security contact of the body the alert is for
    body_is_named: bool = False  # the body is a named recipient of the advisory
    person_is_named: bool = False  # this person is a named recipient of the advisory


def may_see(label: str, viewer: Viewer) -> bool:
    """True when `viewer` may see an alert or advisory marked `label` (FIRST TLP 2.0, as the operator applies it).

    CLEAR, GREEN and AMBER alerts reach the analysts and the alerted body's contacts (an alert is only ever shown
    to its own body, so AMBER stays in the organization). AMBER+STRICT reaches a body only when the advisory names
    it. RED reaches named persons only, analysts included.
    """
    if label == RED:
        return viewer.person_is_named
    if label == AMBER_STRICT:
        return viewer.is_analyst or (viewer.is_contact_of_body and viewer.body_is_named)
    return viewer.is_analyst or viewer.is_contact_of_body
