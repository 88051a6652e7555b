"""What the side-job app adds to the talent bank's pages and to a person's export, through the talent bank's
signals (chiiki.talent.signals), so that the talent bank never imports this app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chiiki.core.models import Municipality
from chiiki.sidejob import queries
from chiiki.talent import signals
from chiiki.talent.models import Introduction, Organization, TalentProfile
from chiiki.talent.queries import accepted_introductions


def own_page_card(*, profile: TalentProfile, **_: Any) -> signals.PageSection:
    """The person's own page links to their side-job hours."""
    return signals.PageSection("sidejob/_me_card.html", {"profile": profile})


def organization_contracts(*, organization: Organization, **_: Any) -> signals.PageSection:
    """An organization's page: its contracts (marked when under a 管理モデル) and whom it may record one with."""
    return signals.PageSection(
        "sidejob/_organization_contracts.html",
        {
            "org": organization,
            "contracts": queries.contracts_of_organization(organization),
            "accepted": accepted_introductions(organization),
        },
    )


def contract_link(*, introduction: Introduction, side: str, **_: Any) -> signals.PageSection | None:
    """An accepted introduction, seen by the organization: record the side-job contract that follows."""
    if side != Introduction.Side.ORGANIZATION:
        return None
    return signals.PageSection("sidejob/_introduction_contract_link.html", {"intro": introduction})


def dashboard_hours(
    *, municipality: Municipality, prefectures: list[int], as_of: dt.date, **_: Any
) -> signals.PageSection:
    """The regional dashboard: side-job hours employers of the region recorded, and the workers warned."""
    return signals.PageSection(
        "sidejob/_dashboard_hours.html",
        {
            "hours": queries.regional_hours(prefectures, as_of=as_of),
            "own_prefecture": int(municipality.prefecture_code),
        },
    )


def export(*, profile: TalentProfile, **_: Any) -> dict[str, Any]:
    """A person's export includes their contracts, recorded hours and 管理モデル."""
    return queries.export_sections(profile)


def connect() -> None:
    """Connect every receiver (called once from the app's ready())."""
    signals.own_page_sections.connect(own_page_card, dispatch_uid="sidejob.own_page_card")
    signals.organization_page_sections.connect(organization_contracts, dispatch_uid="sidejob.organization")
    signals.accepted_introduction_sections.connect(contract_link, dispatch_uid="sidejob.introduction")
    signals.dashboard_sections.connect(dashboard_hours, dispatch_uid="sidejob.dashboard")
    signals.profile_export.connect(export, dispatch_uid="sidejob.export")
