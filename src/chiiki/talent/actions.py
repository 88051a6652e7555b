"""Changes to the talent bank. Each runs in one transaction and writes its audit record.

Callers check who may do what (chiiki.talent.access); these functions check what must hold whoever calls
them (the organization is verified before it endorses, both sides accepted before contact is shown, …).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.models import Municipality, User
from chiiki.talent import skills
from chiiki.talent.access import can_act_for, can_record_hours
from chiiki.talent.hours import DEFAULT_REGIMES
from chiiki.talent.matching import PREFECTURES
from chiiki.talent.models import (
    Evidence,
    Exposure,
    Introduction,
    ManagementAgreement,
    Need,
    Organization,
    OrganizationMember,
    SideJobContract,
    TalentProfile,
    TalentSkill,
    WorkEntry,
)
from chiiki.talent.queries import engine_model
from chiiki.talent.standard import SkillLevel

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest

    Actor = AbstractBaseUser | AnonymousUser | None


class TalentActionError(ValueError):
    """A change that cannot be made; the message is for the user (Japanese first)."""


PROFILE_FIELDS = (
    "display_name", "headline", "bio", "is_digital_talent", "is_mentor", "is_management", "is_side_job",
    "primary_role", "home_prefecture", "travel_prefectures", "hours_per_month", "remote_ok", "on_site_ok",
    "available_from", "fee_min_per_hour", "fee_max_per_hour", "salary_min", "salary_max", "languages",
    "mentor_fields", "mentor_stages", "contact_email", "contact_phone", "visibility_profile",
    "visibility_skills", "visibility_availability", "visibility_fees",
)  # fmt: skip


def _full_clean(instance: Any, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise TalentActionError(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        ) from error


# --- profiles ----------------------------------------------------------------------------------------


@transaction.atomic
def register_talent(
    *, username: str, password: str, fields: Mapping[str, Any], request: HttpRequest | None = None
) -> TalentProfile:
    """Create a talent account (a `core.User` with no municipal role) and its profile."""
    if User.objects.filter(username=username).exists():
        raise TalentActionError("このユーザー名は使われています。別の名前にしてください。")
    user = User.objects.create_user(username=username, password=password, display_name=fields["display_name"])
    return create_profile(user, fields, request=request)


@transaction.atomic
def create_profile(
    user: User, fields: Mapping[str, Any], *, request: HttpRequest | None = None
) -> TalentProfile:
    """Register an existing account in the talent bank."""
    if TalentProfile.objects.filter(user=user).exists():
        raise TalentActionError("すでに人材として登録されています。")
    profile = TalentProfile(user=user, standard_tag=skills.current_standard().tag)
    for name in PROFILE_FIELDS:
        if name in fields:
            setattr(profile, name, fields[name])
    _full_clean(profile, exclude=["user"])
    profile.save()
    audit.record(
        "talent.profile_created",
        actor=user,
        object_type="talent_profile",
        object_id=profile.pk,
        request=request,
    )
    return profile


@transaction.atomic
def update_profile(
    profile: TalentProfile, fields: Mapping[str, Any], *, by: Actor, request: HttpRequest | None = None
) -> TalentProfile:
    """Change the person's own profile fields (and visibility)."""
    changed = sorted(
        name for name in PROFILE_FIELDS if name in fields and getattr(profile, name) != fields[name]
    )
    for name in changed:
        setattr(profile, name, fields[name])
    profile.updated_at = timezone.now()
    _full_clean(profile, exclude=["user"])
    profile.save()
    audit.record(
        "talent.profile_updated",
        actor=by,
        object_type="talent_profile",
        object_id=profile.pk,
        request=request,
        detail={"fields": changed},
    )
    return profile


def _reassess(profile: TalentProfile, *, as_of: dt.date | None = None) -> None:
    """Recompute what the evidence supports for each declared skill (no audit: part of a change)."""
    day = as_of or timezone.localdate()
    rows = list(profile.skills.all())
    evidence = list(profile.evidence.all())
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in={e.organization_id for e in evidence})}
    result = skills.assess_declared(
        {r.skill_id: r.declared for r in rows}, skills.engine_evidence(evidence, orgs), as_of=day
    )
    for row in rows:
        item = result.items[row.skill_id]
        row.supported, row.tier = int(item.supported), int(item.tier)
    TalentSkill.objects.bulk_update(rows, ["supported", "tier"])
    profile.standard_tag, profile.assessed_on = result.standard_tag, day
    profile.save(update_fields=["standard_tag", "assessed_on"])


@transaction.atomic
def set_skills(
    profile: TalentProfile, declared: Mapping[str, int], *, by: Actor, request: HttpRequest | None = None
) -> None:
    """Replace the self-assessment (skill id → level 1–4; 0 removes) and reassess against the evidence."""
    standard = skills.current_standard()
    for skill_id, level in declared.items():
        standard.skill(skill_id)
        if not 0 <= level <= 4:
            raise TalentActionError(f"レベルは0〜4です: {skill_id}={level}")
    profile.skills.all().delete()
    TalentSkill.objects.bulk_create(
        TalentSkill(profile=profile, skill_id=skill_id, declared=level)
        for skill_id, level in declared.items()
        if level > 0
    )
    _reassess(profile)
    audit.record(
        "talent.skills_declared",
        actor=by,
        object_type="talent_profile",
        object_id=profile.pk,
        request=request,
        detail={"skills": sum(1 for v in declared.values() if v > 0), "standard": standard.tag},
    )


@transaction.atomic
def add_evidence(
    profile: TalentProfile,
    *,
    kind: str,
    by: Actor,
    certification_id: str = "",
    itss_level: int | None = None,
    role_id: str = "",
    skill_id: str = "",
    level: int | None = None,
    description: str = "",
    obtained_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Evidence:
    """Add a certification, ITSS assessment or project to one's own profile; the levels are reassessed."""
    if kind == Evidence.Kind.ENDORSEMENT:
        raise TalentActionError("推薦は団体が行います。")
    if kind == Evidence.Kind.CERTIFICATION:
        try:
            skills.evidence_catalog().certification(certification_id)
        except KeyError as error:
            raise TalentActionError(str(error.args[0])) from None
    if kind == Evidence.Kind.ITSS:
        try:
            skills.current_standard().role(role_id)
        except KeyError as error:
            raise TalentActionError(str(error.args[0])) from None
    if kind == Evidence.Kind.PROJECT:
        try:
            skills.current_standard().skill(skill_id)
        except KeyError as error:
            raise TalentActionError(str(error.args[0])) from None
    evidence = Evidence(
        profile=profile,
        kind=kind,
        certification_id=certification_id,
        itss_level=itss_level,
        role_id=role_id,
        skill_id=skill_id,
        level=level,
        description=description,
        obtained_on=obtained_on,
    )
    _full_clean(evidence, exclude=["profile", "organization", "endorsed_by"])
    evidence.save()
    _reassess(profile)
    audit.record(
        "talent.evidence_added",
        actor=by,
        object_type="talent_evidence",
        object_id=evidence.pk,
        request=request,
        detail={"profile": profile.pk, "kind": kind},
    )
    return evidence


@transaction.atomic
def remove_evidence(evidence: Evidence, *, by: Actor, request: HttpRequest | None = None) -> None:
    """Remove one piece of evidence (the person's own, or an endorsement they do not want)."""
    profile = evidence.profile
    audit.record(
        "talent.evidence_removed",
        actor=by,
        object_type="talent_evidence",
        object_id=evidence.pk,
        request=request,
        detail={"profile": profile.pk, "kind": evidence.kind},
    )
    evidence.delete()
    _reassess(profile)


@transaction.atomic
def endorse(
    profile: TalentProfile,
    organization: Organization,
    *,
    skill_id: str,
    level: int,
    by: Actor,
    request: HttpRequest | None = None,
) -> Evidence:
    """A verified organization endorses a person's skill at a level (推薦): raises the tier to "endorsed"."""
    if by is None or not can_act_for(by, organization):
        raise TalentActionError("この団体として推薦する権限がありません。")
    if not organization.verified:
        raise TalentActionError("確認済みの団体だけが推薦できます。")
    skills.current_standard().skill(skill_id)
    if not 1 <= level <= 4:
        raise TalentActionError("レベルは d〜a です。")
    evidence = Evidence.objects.create(
        profile=profile,
        kind=Evidence.Kind.ENDORSEMENT,
        skill_id=skill_id,
        level=level,
        organization=organization,
        endorsed_by=by if isinstance(by, User) else None,
    )
    _reassess(profile)
    audit.record(
        "talent.endorsed",
        actor=by,
        municipality=organization.municipality_id,
        object_type="talent_profile",
        object_id=profile.pk,
        request=request,
        detail={"organization": organization.pk, "skill": skill_id, "level": level},
    )
    return evidence


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime | dt.time) else value


@transaction.atomic
def export_profile(
    profile: TalentProfile, *, by: Actor, request: HttpRequest | None = None
) -> dict[str, Any]:
    """Everything the platform holds about the person, as JSON-ready data (本人による開示・持ち出し)."""
    data: dict[str, Any] = {
        "format": "chiiki-talent-export/1",
        "exported_at": timezone.now().isoformat(),
        "username": profile.user.get_username(),
        "profile": {name: _iso(getattr(profile, name)) for name in PROFILE_FIELDS},
        "standard": profile.standard_tag,
        "assessed_on": _iso(profile.assessed_on),
        "skills": [
            {
                "skill_id": s.skill_id,
                "declared": SkillLevel(s.declared).code,
                "supported": SkillLevel(s.supported).code,
                "tier": skills.TIER_JA[s.tier],
            }
            for s in profile.skills.order_by("skill_id")
        ],
        "evidence": [
            {
                "kind": e.kind,
                "certification_id": e.certification_id,
                "itss_level": e.itss_level,
                "role_id": e.role_id,
                "skill_id": e.skill_id,
                "level": e.level,
                "description": e.description,
                "obtained_on": _iso(e.obtained_on),
                "organization": e.organization.name if e.organization else "",
            }
            for e in profile.evidence.select_related("organization")
        ],
        "introductions": [
            {
                "organization": i.organization.name,
                "need": i.need.title if i.need else "",
                "initiated_by": i.initiated_by,
                "message": i.message,
                "state": i.state_ja,
                "created_at": _iso(i.created_at),
            }
            for i in profile.introductions.select_related("organization", "need")
        ],
        "contracts": [
            {
                "employer": c.employer_name,
                "kind": c.kind,
                "concluded_on": _iso(c.concluded_on),
                "entries": [
                    {
                        "day": _iso(w.day),
                        "minutes": w.minutes,
                        "scheduled": w.scheduled,
                        "start": _iso(w.start),
                    }
                    for w in c.entries.all()
                ],
            }
            for c in profile.contracts.all()
        ],
        "management_models": [
            {
                "first_employer": m.first_contract.employer_name,
                "second_employer": m.second_contract.employer_name,
                "first_cap_hours": m.first_cap_hours,
                "second_cap_hours": m.second_cap_hours,
                "starts_on": _iso(m.starts_on),
                "ended_on": _iso(m.ended_on),
            }
            for m in profile.management_agreements.select_related("first_contract", "second_contract")
        ],
        # The fair-exposure ledger: how often the profile was placed near the top of a need's candidate list.
        "exposure": [
            {"need": e.need.title, "times_shown": e.times_shown, "last_shown": _iso(e.last_shown)}
            for e in Exposure.objects.filter(profile=profile).select_related("need").order_by("id")
        ],
    }
    audit.record(
        "talent.profile_exported",
        actor=by,
        object_type="talent_profile",
        object_id=profile.pk,
        request=request,
    )
    return data


@transaction.atomic
def delete_profile(profile: TalentProfile, *, by: Actor, request: HttpRequest | None = None) -> None:
    """Delete the person's data. The account is closed and anonymized (the audit log keeps who did what)."""
    user = profile.user
    audit.record(
        "talent.profile_deleted",
        actor=by,
        object_type="talent_profile",
        object_id=profile.pk,
        request=request,
        detail={"skills": profile.skills.count(), "evidence": profile.evidence.count()},
    )
    WorkEntry.objects.filter(contract__worker=profile).delete()
    profile.contracts.all().delete()
    profile.delete()
    if not user.memberships.exists() and not OrganizationMember.objects.filter(user=user).exists():
        user.username = f"deleted-{user.pk}"
        user.display_name = ""
        user.first_name = user.last_name = user.email = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()


# --- organizations -----------------------------------------------------------------------------------


@transaction.atomic
def register_organization(
    *,
    kind: str,
    name: str,
    corporate_number: str,
    prefecture: int,
    by: User,
    business_field: int | None = None,
    startup_stage: int | None = None,
    description: str = "",
    contact_email: str = "",
    request: HttpRequest | None = None,
) -> Organization:
    """Register a company or startup (法人番号 checked); the registering person becomes its member."""
    if kind == Organization.Kind.MUNICIPALITY:
        raise TalentActionError("地方公共団体は職員の役割から自動で登録されます。")
    from chiiki.talent.corporate_number import CorporateNumberError, validate

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
    _full_clean(org, exclude=["municipality", "verified_by"])
    org.save()
    OrganizationMember.objects.create(organization=org, user=by)
    audit.record(
        "talent.organization_registered",
        actor=by,
        object_type="talent_organization",
        object_id=org.pk,
        request=request,
        detail={"corporate_number": number, "kind": kind},
    )
    return org


def municipality_organization(municipality: Municipality) -> Organization:
    """The organization a municipality posts needs as (created on first use, verified by construction)."""
    existing = Organization.objects.filter(municipality=municipality).first()
    if existing is not None:
        return existing
    return Organization.objects.create(
        kind=Organization.Kind.MUNICIPALITY,
        name=municipality.display_name,
        municipality=municipality,
        prefecture=int(municipality.prefecture_code),
        verified=True,
        verified_at=timezone.now(),
    )


@transaction.atomic
def verify_organization(
    organization: Organization, municipality: Municipality, *, by: Actor, request: HttpRequest | None = None
) -> None:
    """A municipal administrator of the organization's prefecture confirms it (endorsements then count)."""
    if int(municipality.prefecture_code) != organization.prefecture:
        raise TalentActionError("所在する都道府県の地方公共団体だけが確認できます。")
    organization.verified = True
    organization.verified_at = timezone.now()
    organization.verified_by = by if isinstance(by, User) else None
    organization.save(update_fields=["verified", "verified_at", "verified_by"])
    affected = TalentProfile.objects.filter(evidence__organization=organization).distinct()
    for profile in affected:
        _reassess(profile)
    audit.record(
        "talent.organization_verified",
        actor=by,
        municipality=municipality,
        object_type="talent_organization",
        object_id=organization.pk,
        request=request,
        detail={"corporate_number": organization.corporate_number},
    )


# --- needs -------------------------------------------------------------------------------------------

NEED_FIELDS = (
    "kind", "title", "description", "role_id", "required", "hours_per_month", "work_mode", "prefecture",
    "location", "budget_per_hour", "salary_max", "start_on", "languages", "business_field", "startup_stage",
)  # fmt: skip


@transaction.atomic
def post_need(
    organization: Organization, fields: Mapping[str, Any], *, by: Actor, request: HttpRequest | None = None
) -> Need:
    """Post a need. Required skills are skill id → level code (a–d) of the current DSS-P version."""
    if by is None or not can_act_for(by, organization):
        raise TalentActionError("この団体としてニーズを投稿する権限がありません。")
    standard = skills.current_standard()
    need = Need(
        organization=organization, posted_by=by if isinstance(by, User) else None, standard_tag=standard.tag
    )
    for name in NEED_FIELDS:
        if name in fields:
            setattr(need, name, fields[name])
    for skill_id, code in need.required.items():
        try:
            standard.skill(skill_id)
            SkillLevel.from_code(code)
        except (KeyError, ValueError) as error:
            raise TalentActionError(str(error.args[0])) from None
    if need.kind == Need.Kind.MENTORING and (need.business_field is None or need.startup_stage is None):
        raise TalentActionError("メンタリング依頼には分野とステージが必要です。")
    _full_clean(need, exclude=["organization", "posted_by"])
    need.save()
    audit.record(
        "talent.need_posted",
        actor=by,
        municipality=organization.municipality_id,
        object_type="talent_need",
        object_id=need.pk,
        request=request,
        detail={"organization": organization.pk, "kind": int(need.kind)},
    )
    return need


@transaction.atomic
def close_need(need: Need, *, by: Actor, request: HttpRequest | None = None) -> None:
    """Stop a need from being matched."""
    need.status = Need.Status.CLOSED
    need.save(update_fields=["status"])
    audit.record(
        "talent.need_closed",
        actor=by,
        municipality=need.organization.municipality_id,
        object_type="talent_need",
        object_id=need.pk,
        request=request,
    )


# --- introductions -----------------------------------------------------------------------------------


@transaction.atomic
def request_introduction(
    profile: TalentProfile,
    organization: Organization,
    *,
    side: str,
    by: Actor,
    need: Need | None = None,
    message: str = "",
    request: HttpRequest | None = None,
) -> Introduction:
    """Ask for an introduction; the asking side's consent is recorded at once, the other side must accept."""
    if need is not None and need.organization_id != organization.pk:
        raise TalentActionError("ニーズと団体が一致しません。")
    if side == Introduction.Side.ORGANIZATION:
        if by is None or not can_act_for(by, organization):
            raise TalentActionError("この団体として申し込む権限がありません。")
    elif side == Introduction.Side.TALENT:
        if by is None or profile.user_id != by.pk:
            raise TalentActionError("本人だけが申し込めます。")
    else:
        raise TalentActionError(f"不明な申込側です: {side}")
    if Introduction.objects.filter(
        profile=profile, organization=organization, need=need, declined_at__isnull=True
    ).exists():
        raise TalentActionError("この組み合わせの紹介はすでに申し込まれています。")
    now = timezone.now()
    intro = Introduction.objects.create(
        profile=profile,
        organization=organization,
        need=need,
        initiated_by=side,
        requested_by=by if isinstance(by, User) else None,
        message=message,
        organization_accepted_at=now if side == Introduction.Side.ORGANIZATION else None,
        talent_accepted_at=now if side == Introduction.Side.TALENT else None,
    )
    audit.record(
        "talent.introduction_requested",
        actor=by,
        municipality=organization.municipality_id,
        object_type="talent_introduction",
        object_id=intro.pk,
        request=request,
        detail={"profile": profile.pk, "organization": organization.pk, "need": need.pk if need else None,
                "side": side},
    )  # fmt: skip
    return intro


def side_of(user: Actor, intro: Introduction) -> str | None:
    """Which side of the introduction `user` stands on (talent first when both), or None."""
    if user is None or not user.is_authenticated:
        return None
    if intro.profile.user_id == user.pk:
        return Introduction.Side.TALENT
    if can_act_for(user, intro.organization):
        return Introduction.Side.ORGANIZATION
    return None


@transaction.atomic
def respond_introduction(
    intro: Introduction, *, accept: bool, by: Actor, request: HttpRequest | None = None
) -> Introduction:
    """Accept or decline on the caller's side. Declining by either side ends it."""
    side = side_of(by, intro)
    if side is None:
        raise TalentActionError("この紹介に応答する権限がありません。")
    if intro.declined_at is not None:
        raise TalentActionError("この紹介はすでに終了しています。")
    now = timezone.now()
    if not accept:
        intro.declined_at, intro.declined_by = now, side
    elif side == Introduction.Side.TALENT:
        intro.talent_accepted_at = intro.talent_accepted_at or now
    else:
        intro.organization_accepted_at = intro.organization_accepted_at or now
    intro.save()
    audit.record(
        "talent.introduction_accepted" if accept else "talent.introduction_declined",
        actor=by,
        municipality=intro.organization.municipality_id,
        object_type="talent_introduction",
        object_id=intro.pk,
        request=request,
        detail={"side": side, "both_accepted": intro.accepted},
    )
    return intro


def contact_details(intro: Introduction, *, by: Actor, request: HttpRequest | None = None) -> dict[str, str]:
    """The other side's contact details, only once both accepted; each showing is audited."""
    side = side_of(by, intro)
    if side is None or not intro.accepted:
        raise TalentActionError("双方が承諾するまで連絡先は表示されません。")
    if side == Introduction.Side.ORGANIZATION:
        details = {
            "name": intro.profile.display_name,
            "email": intro.profile.contact_email or intro.profile.user.email,
            "phone": intro.profile.contact_phone,
        }
    else:
        details = {"name": intro.organization.name, "email": intro.organization.contact_email, "phone": ""}
    audit.record(
        "talent.contact_shown",
        actor=by,
        municipality=intro.organization.municipality_id,
        object_type="talent_introduction",
        object_id=intro.pk,
        request=request,
        detail={"side": side},
    )
    return details


# --- side-job contracts and hours --------------------------------------------------------------------


@transaction.atomic
def create_contract(
    worker: TalentProfile,
    *,
    by: Actor,
    kind: str,
    concluded_on: dt.date,
    organization: Organization | None = None,
    employer_name: str = "",
    agreement: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> SideJobContract:
    """Record a contract. An organization records its own contract only after an accepted introduction;
    the worker records contracts with employers that are not on the platform (e.g. the main job)."""
    if organization is not None:
        if by is None or not can_act_for(by, organization):
            raise TalentActionError("この団体として契約を登録する権限がありません。")
        accepted = [
            i for i in Introduction.objects.filter(profile=worker, organization=organization) if i.accepted
        ]
        if not accepted:
            raise TalentActionError("紹介が成立した人材とだけ契約を登録できます。")
        employer_name = organization.name
    elif by is None or worker.user_id != by.pk:
        raise TalentActionError("本業など、基盤外の契約は本人だけが登録できます。")
    contract = SideJobContract(
        worker=worker,
        organization=organization,
        employer_name=employer_name,
        kind=kind,
        concluded_on=concluded_on,
        created_by=by if isinstance(by, User) else None,
        **dict(agreement or {}),
    )
    _full_clean(contract, exclude=["worker", "organization", "created_by"])
    contract.save()
    audit.record(
        "talent.contract_recorded",
        actor=by,
        municipality=organization.municipality_id if organization else None,
        object_type="talent_contract",
        object_id=contract.pk,
        request=request,
        detail={"worker": worker.pk, "kind": kind},
    )
    return contract


@transaction.atomic
def record_hours(
    contract: SideJobContract,
    entries: Iterable[tuple[dt.date, int, bool, dt.time]],
    *,
    by: Actor,
    request: HttpRequest | None = None,
) -> int:
    """Record blocks of work (day, minutes, within scheduled hours?, start) under a contract."""
    if by is None or not can_record_hours(by, contract):
        raise TalentActionError("この契約の労働時間を記録する権限がありません。")
    rows = []
    for day, minutes, scheduled, start in entries:
        if not 0 < minutes <= 24 * 60:
            raise TalentActionError(f"時間は1分〜24時間です: {day} {minutes}分")
        if day < contract.concluded_on:
            raise TalentActionError(f"契約締結日より前の日付です: {day}")
        rows.append(
            WorkEntry(
                contract=contract,
                day=day,
                minutes=minutes,
                scheduled=scheduled,
                start=start,
                recorded_by=by if isinstance(by, User) else None,
            )
        )
    WorkEntry.objects.bulk_create(rows)
    audit.record(
        "talent.hours_recorded",
        actor=by,
        municipality=contract.organization.municipality_id if contract.organization else None,
        object_type="talent_contract",
        object_id=contract.pk,
        request=request,
        detail={"entries": len(rows), "minutes": sum(r.minutes for r in rows)},
    )
    return len(rows)


# --- 管理モデル ------------------------------------------------------------------------------------------


def _model_order(
    worker: TalentProfile, contracts: tuple[SideJobContract, SideJobContract]
) -> tuple[SideJobContract, SideJobContract]:
    """Check the chosen (使用者A, 使用者B): the guideline orders employers by when the contract was made."""
    a, b = contracts
    if a.pk == b.pk:
        raise TalentActionError("管理モデルには異なる2つの契約を選んでください。")
    if a.worker_id != worker.pk or b.worker_id != worker.pk:
        raise TalentActionError("この人の契約ではありません。")
    if a.concluded_on == b.concluded_on:
        raise TalentActionError(
            "2つの契約の締結日が同じため、どちらが先に契約した使用者(使用者A)か決められません。"
        )
    if a.concluded_on > b.concluded_on:
        raise TalentActionError(
            f"使用者Aには先に締結した契約を選んでください: {a.employer_name}({a.concluded_on})は"
            f"{b.employer_name}({b.concluded_on})より後に締結されています。"
        )
    return a, b


@transaction.atomic
def propose_management_model(
    worker: TalentProfile,
    *,
    contracts: tuple[SideJobContract, SideJobContract],
    first_cap_hours: int,
    second_cap_hours: int,
    starts_on: dt.date,
    by: Actor,
    request: HttpRequest | None = None,
) -> ManagementAgreement:
    """Set up a 管理モデル between the worker's two employers; the engine checks the caps (the sum under 100 h
    and within 80 h, each within its employer's 36協定). Sides the proposer records hours for are confirmed."""
    a, b = _model_order(worker, contracts)
    allowed = by is not None and (worker.user_id == by.pk or any(can_record_hours(by, c) for c in (a, b)))
    if not allowed:
        raise TalentActionError("この人の管理モデルを設定する権限がありません。")
    if ManagementAgreement.objects.filter(worker=worker, ended_on__isnull=True).exists():
        raise TalentActionError("終了していない管理モデルがあります。終了してから新しく設定してください。")
    agreement = ManagementAgreement(
        worker=worker, first_contract=a, second_contract=b, first_cap_hours=first_cap_hours,
        second_cap_hours=second_cap_hours, starts_on=starts_on, created_by=by if isinstance(by, User) else None,
    )  # fmt: skip
    try:
        regime = DEFAULT_REGIMES.for_date(starts_on)
    except ValueError:
        raise TalentActionError(f"適用開始日 {starts_on} に適用される規則がありません。") from None
    problems = engine_model(agreement).problems(regime)
    if problems:
        raise TalentActionError("管理モデルの上限が条件を満たしていません: " + "; ".join(problems))
    now = timezone.now()
    agreement.first_confirmed_at = now if by is not None and can_record_hours(by, a) else None
    agreement.second_confirmed_at = now if by is not None and can_record_hours(by, b) else None
    agreement.save()
    _audit_model("talent.management_model_proposed", agreement, by, request)
    return agreement


def _audit_model(action: str, agreement: ManagementAgreement, by: Actor, request: HttpRequest | None) -> None:
    contracts = (agreement.first_contract, agreement.second_contract)
    municipality = next((c.organization.municipality_id for c in contracts if c.organization), None)
    audit.record(
        action, actor=by, municipality=municipality, object_type="talent_management_model",
        object_id=agreement.pk, request=request,
        detail={"caps": [agreement.first_cap_hours, agreement.second_cap_hours], "worker": agreement.worker_id},
    )  # fmt: skip


@transaction.atomic
def confirm_management_model(
    agreement: ManagementAgreement, *, by: Actor, request: HttpRequest | None = None
) -> None:
    """The employer (or, for an employer not on the platform, the worker) agrees to its side's cap."""
    if agreement.ended_on is not None:
        raise TalentActionError("この管理モデルは終了しています。")
    now, changed = timezone.now(), False
    for side in ("first", "second"):
        contract = getattr(agreement, f"{side}_contract")
        if (
            by is not None
            and can_record_hours(by, contract)
            and getattr(agreement, f"{side}_confirmed_at") is None
        ):
            setattr(agreement, f"{side}_confirmed_at", now)
            changed = True
    if not changed:
        raise TalentActionError("同意できる側がありません(既に同意済みか、権限がありません)。")
    agreement.save(update_fields=["first_confirmed_at", "second_confirmed_at"])
    _audit_model("talent.management_model_confirmed", agreement, by, request)


@transaction.atomic
def end_management_model(
    agreement: ManagementAgreement, *, by: Actor, request: HttpRequest | None = None
) -> None:
    """The worker or either employer ends the agreement; from then the hours are combined as usual."""
    parties = (agreement.first_contract, agreement.second_contract)
    allowed = by is not None and (
        agreement.worker.user_id == by.pk or any(can_record_hours(by, c) for c in parties)
    )
    if not allowed:
        raise TalentActionError("この管理モデルを終了する権限がありません。")
    if agreement.ended_on is not None:
        raise TalentActionError("この管理モデルは既に終了しています。")
    agreement.ended_on = timezone.localdate()
    agreement.save(update_fields=["ended_on"])
    _audit_model("talent.management_model_ended", agreement, by, request)


def prefecture_label(code: int) -> str:
    """The prefecture's name for a JIS code (empty when out of range)."""
    return PREFECTURES[code - 1] if 1 <= code <= 47 else ""
