"""Organizations that post needs: companies and startups register with their 法人番号; a municipality's
organization comes from its staff's roles; a municipal administrator of the prefecture verifies the others."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.talent.actions._base import TalentActionError, full_clean
from chiiki.talent.actions.skills import reassess
from chiiki.talent.corporate_number import CorporateNumberError, validate
from chiiki.talent.models import Organization, OrganizationMember, TalentProfile


@transaction.atomic
def register_organization(
    *,
    kind: str,
    name: str,
    corporate_number: str,
    prefecture: int,
    by: Actor,
    business_field: int | None = None,
    startup_stage: int | None = None,
    description: str = "",
    contact_email: str = "",
) -> Organization:
    """Register a company or startup (法人番号 checked); the registering person becomes its member."""
    if kind == Organization.Kind.MUNICIPALITY:
        raise TalentActionError("地方公共団体は職員の役割から自動で登録されます。")
    if by.user is None:
        raise TalentActionError("団体の登録にはログインが必要です。")
    try:
        number = validate(corporate_number)
    except CorporateNumberError as error:
        raise TalentActionError(str(error)) from None
    if Organization.objects.filter(corporate_number=number).exists():
        raise TalentActionError(
            "この法人番号の団体はすでに登録されています。団体の担当者に追加を依頼してください。"
        )
    org = Organization(
        kind=kind,
        name=name,
        corporate_number=number,
        prefecture=prefecture,
        business_field=business_field,
        startup_stage=startup_stage,
        description=description,
        contact_email=contact_email,
    )
    full_clean(org, exclude=["municipality", "verified_by"])
    org.save()
    OrganizationMember.objects.create(organization=org, user=by.user)
    audit.record(
        "talent.organization_registered",
        by=by,
        object_type="talent_organization",
        object_id=org.pk,
        detail={"corporate_number": number, "kind": kind},
    )
    return org


@transaction.atomic
def municipality_organization(municipality: Municipality, *, by: Actor) -> Organization:
    """The organization a municipality posts needs as (created on first use, verified by construction)."""
    existing = Organization.objects.filter(municipality=municipality).first()
    if existing is not None:
        return existing
    org = Organization.objects.create(
        kind=Organization.Kind.MUNICIPALITY,
        name=municipality.display_name,
        municipality=municipality,
        prefecture=int(municipality.prefecture_code),
        verified=True,
        verified_at=timezone.now(),
    )
    audit.record(
        "talent.organization_registered",
        by=by,
        municipality=municipality,
        object_type="talent_organization",
        object_id=org.pk,
        detail={"kind": org.kind},
    )
    return org


@transaction.atomic
def verify_organization(organization: Organization, municipality: Municipality, *, by: Actor) -> None:
    """A municipal administrator of the organization's prefecture confirms it (endorsements then count)."""
    if int(municipality.prefecture_code) != organization.prefecture:
        raise TalentActionError("所在する都道府県の地方公共団体だけが確認できます。")
    organization.verified = True
    organization.verified_at = timezone.now()
    organization.verified_by = by.user
    organization.save(update_fields=["verified", "verified_at", "verified_by"])
    for profile in TalentProfile.objects.filter(evidence__organization=organization).distinct():
        reassess(profile)
    audit.record(
        "talent.organization_verified",
        by=by,
        municipality=municipality,
        object_type="talent_organization",
        object_id=organization.pk,
        detail={"corporate_number": organization.corporate_number},
    )
