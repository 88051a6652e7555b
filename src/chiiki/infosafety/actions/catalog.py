"""The municipality's published fact-checks as one dataset of its open-data catalog (CKAN API, DCAT feeds).

The dataset `factchecks-<code>` is created, published and given its fixed links (the Atom feed, the API with
every ClaimReview, the public list) at the first publication; every publication or correction then rewrites
its description and extras (the list of fact-checks with their current verdicts, so the catalog's version
and modification time move) and adds a link to each new fact-check's page. An operator who makes the dataset
private again keeps it private: later refreshes do not publish it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse

from chiiki.core.models import Municipality
from chiiki.infosafety.models import Claim, Verdict
from chiiki.opendata import actions as opendata_actions
from chiiki.opendata.models import Dataset

if TYPE_CHECKING:
    from chiiki.core.acting import Actor

TAGS = ["ファクトチェック", "ClaimReview", "防災"]


def dataset_name(municipality: Municipality) -> str:
    """The catalog name of a municipality's fact-check dataset."""
    return f"factchecks-{municipality.code}"


def _page(claim: Claim) -> str:
    return reverse("infosafety:public_detail", kwargs={"area": claim.municipality.code, "claim_id": claim.pk})


def _listing(checks: list[Claim], corrections: dict[int, int]) -> str:
    lines = []
    for claim in checks:
        published = claim.published_at.date().isoformat() if claim.published_at else ""
        corrected = f"、訂正 {corrections[claim.pk]} 回" if corrections.get(claim.pk) else ""
        lines.append(
            f"- #{claim.pk} 「{claim.summary[:120]}」: {claim.rating_label}({published} 公開{corrected})"
        )
    return "\n".join(lines)


@transaction.atomic
def refresh_factcheck_dataset(municipality: Municipality, *, by: Actor) -> Dataset:
    """Create or bring up to date the catalog dataset that lists the municipality's published fact-checks."""
    checks = list(
        Claim.objects.filter(municipality=municipality, status=Claim.Status.PUBLISHED)
        .select_related("municipality")
        .order_by("-published_at", "-pk")
    )
    corrections: dict[int, int] = {}
    for claim_id in Verdict.objects.filter(
        claim__in=[c.pk for c in checks], correction_note__gt=""
    ).values_list("claim_id", flat=True):
        corrections[claim_id] = corrections.get(claim_id, 0) + 1
    notes = (
        f"{municipality.display_name}が確かめて公開したうわさ・情報の確認結果(ファクトチェック)の一覧です。"
        "各ページには schema.org の ClaimReview(JSON-LD)があり、API は全件の ClaimReview を返します。"
        "判定は日本ファクトチェックセンター(JFC)または FIJ の尺度によります。\n\n"
        + _listing(checks, corrections)
    )
    extras = {
        "factchecks": len(checks),
        "corrected": len(corrections),
        "latest_published": checks[0].published_at.isoformat() if checks and checks[0].published_at else "",
        "factcheck_ids": ",".join(str(c.pk) for c in checks),
    }
    dataset = Dataset.objects.filter(name=dataset_name(municipality)).first()
    linked = set(dataset.resources.values_list("url", flat=True)) if dataset is not None else set()
    pages = [
        opendata_actions.Link(
            name=f"#{claim.pk} {claim.summary[:80]}",
            fmt="HTML",
            url=_page(claim),
            description="確認結果のページ(ClaimReview JSON-LD 付き)",
        )
        for claim in reversed(checks)
        if _page(claim) not in linked
    ]
    if dataset is not None:
        return opendata_actions.update_dataset(dataset, by=by, notes=notes, extras=extras, links=pages)
    code = municipality.code
    fixed = [
        opendata_actions.Link(
            name="ClaimReview (JSON)",
            fmt="JSON",
            url=f"/api/v1/infosafety/municipalities/{code}/factchecks?limit=200",
            description="公開した確認結果と schema.org ClaimReview(新しい順、最大200件)",
        ),
        opendata_actions.Link(
            name="Atom",
            fmt="ATOM",
            url=reverse("infosafety:feed", kwargs={"area": code}),
            description="新しい確認結果のフィード",
        ),
        opendata_actions.Link(
            name="確認結果の一覧",
            fmt="HTML",
            url=reverse("infosafety:public_list", kwargs={"area": code}),
            description="公開した確認結果のページ",
        ),
    ]
    dataset = opendata_actions.create_dataset(
        opendata_actions.organization_for(municipality, by=by),
        name=dataset_name(municipality),
        title=f"{municipality.display_name} 情報の確認結果(ファクトチェック)",
        by=by,
        notes=notes,
        tags=TAGS,
        extras=extras,
        links=fixed + pages,
    )
    opendata_actions.publish(dataset, by=by)
    return dataset
