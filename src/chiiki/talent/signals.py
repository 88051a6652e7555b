"""Where the apps built on the talent bank add to its pages and to a person's export, so that the talent bank
never imports them (the side-job app depends on talent, never the reverse).

These are Django signals. An app connects its receivers in its `AppConfig.ready()`; each receiver returns a
`PageSection` (a template and its context) or None for the page signals, and a dict of export sections for
`profile_export`. Receivers run in the order they were connected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.dispatch import Signal

if TYPE_CHECKING:
    from chiiki.talent.models import TalentProfile

#: The person's own page (`talent:me`); sent with `profile` and `user`.
own_page_sections = Signal()
#: An organization's page for the people acting for it; sent with `organization` and `user`.
organization_page_sections = Signal()
#: An introduction both sides accepted, as one side sees it; sent with `introduction`, `side` and `user`.
accepted_introduction_sections = Signal()
#: The regional dashboard of municipal staff; sent with `municipality`, `prefectures` (JIS codes of the
#: region) and `as_of`. Receivers show aggregates only.
dashboard_sections = Signal()
#: A person's export (本人による開示); sent with `profile`. Receivers return {section name: JSON-ready data}.
profile_export = Signal()


@dataclass(frozen=True, slots=True)
class PageSection:
    """A part of a talent page drawn by another app: its template and that template's context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


def page_sections(signal: Signal, **kwargs: Any) -> list[PageSection]:
    """The sections the connected receivers contribute to one page, in connection order."""
    responses: list[tuple[Any, Any]] = signal.send(sender=PageSection, **kwargs)
    return [section for _receiver, section in responses if isinstance(section, PageSection)]


def export_sections(profile: TalentProfile) -> dict[str, Any]:
    """The export sections the connected receivers hold about `profile`."""
    out: dict[str, Any] = {}
    responses: list[tuple[Any, Any]] = profile_export.send(sender=PageSection, profile=profile)
    for _receiver, sections in responses:
        out.update(sections or {})
    return out
