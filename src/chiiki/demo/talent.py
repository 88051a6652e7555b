"""A demo talent bank for the Chugoku region: organizations in 鳥取・島根・岡山・広島・山口, their needs, and
people (many from the region, a share of city professionals working remotely or on side jobs); the side-job
contracts and hours of some of them come from chiiki.demo.sidejob.

Deterministic for a given seed and day: names, skills, evidence and needs come from a seeded generator;
recorded side-job hours are placed in the months before the day of loading so the dashboard shows them.
Organization names and 法人番号 are fictional (the numbers have valid check digits; none is a real company).
Everything is inserted in bulk so the whole bank loads in a few seconds.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, User
from chiiki.demo.sidejob import load_sidejob_demo
from chiiki.jp import find_municipality
from chiiki.talent import skills
from chiiki.talent.corporate_number import check_digit
from chiiki.talent.models import (
    Evidence,
    Introduction,
    Need,
    Organization,
    OrganizationMember,
    TalentProfile,
    TalentSkill,
)
from chiiki.talent.standard import Role, SkillLevel, SkillStandard

CHUGOKU = {31: "310000", 32: "320005", 33: "330001", 34: "340006", 35: "350001"}
PLACES = {
    31: ("鳥取", "米子", "倉吉", "境港", "大山"),
    32: ("松江", "出雲", "浜田", "益田", "隠岐"),
    33: ("岡山", "倉敷", "津山", "玉野", "備前"),
    34: ("広島", "呉", "福山", "尾道", "三次"),
    35: ("下関", "宇部", "山口", "周南", "萩"),
}
# Where people live: mostly the region, by rough population share, and a share of big-city professionals.
HOME_WEIGHTS = {34: 26, 33: 18, 35: 12, 32: 6, 31: 5, 13: 15, 27: 8, 28: 4, 40: 4, 26: 2}
INDUSTRIES = (
    ("製作所", 1), ("精工", 1), ("水産", 2), ("観光", 3), ("物産", 5), ("運輸", 9), ("建設", 10),
    ("酒造", 11), ("食品", 11), ("メディカル", 4), ("エナジー", 6), ("商事", 7),
)  # fmt: skip
STARTUPS = ("テック", "ラボ", "AI", "ロボティクス", "アグリ", "ヘルスケア")
FAMILY = ("佐藤", "田中", "山本", "中村", "小林", "藤原", "岡田", "石井", "松本", "井上", "木村", "林", "清水",
          "山崎", "森", "池田", "橋本", "山下", "石川", "前田", "藤井", "岡本", "村上", "原田", "三宅", "河野")  # fmt: skip
GIVEN = ("翔", "陽菜", "蓮", "結衣", "大輝", "美咲", "健太", "彩", "拓也", "由美", "直樹", "真理", "亮", "千尋",
         "誠", "舞", "航", "葵", "隆", "恵")  # fmt: skip
NEED_TITLES = {
    0: ("{place}のデータ活用プロジェクト", "業務のデジタル化プロジェクト", "観光データ分析の立ち上げ"),
    1: ("週末の{role}(副業)", "リモートで関わる{role}", "月20時間の{role}"),
    2: ("{role}(正社員)", "DX推進リーダー(常勤)", "情報システム責任者候補"),
    3: ("創業期の経営メンター", "資金調達の相談相手", "事業計画を一緒に考えるメンター"),
}
DEMO_TALENT = ("demo-talent", "デモ 人材")
DEMO_COMPANY = ("demo-company", "デモ 企業担当")
ACTOR = "chiiki demo load"


@dataclass(frozen=True, slots=True)
class _Day:
    """The day of loading and the first of its month: needs, availability and hours are placed around them."""

    today: dt.date
    month: dt.date


@dataclass(frozen=True, slots=True)
class _Organizations:
    created: int
    all: list[Organization]
    town: Organization

    @property
    def companies(self) -> list[Organization]:
        return [o for o in self.all if o.kind == Organization.Kind.COMPANY]

    @property
    def verified(self) -> list[Organization]:
        return [o for o in self.all if o.verified]


@dataclass(frozen=True, slots=True)
class TalentDemoSummary:
    organizations: int
    needs: int
    profiles: int
    introductions: int
    contracts: int
    accounts: list[tuple[str, str, str]]
    already_loaded: bool = False


def _password(username: str) -> str:
    return f"{username}-pass"


def _prefecture_municipality(pref: int) -> Municipality:
    record = find_municipality(CHUGOKU[pref])
    if record is None:  # pragma: no cover - the shipped list has every prefecture
        raise LookupError(CHUGOKU[pref])
    municipality, _ = Municipality.objects.get_or_create(
        code=record.code,
        defaults={
            "prefecture_code": record.prefecture_code,
            "prefecture": record.prefecture,
            "county": record.county,
            "name": record.name,
            "name_kana": record.name_kana,
            "kind": record.kind,
        },
    )
    return municipality


def load_talent_demo(
    demo_town: Municipality, *, profiles: int = 500, needs: int = 60, seed: int = 2025
) -> TalentDemoSummary:
    """Create the Chugoku talent bank once; a second call leaves it as it is."""
    accounts = [(u, _password(u), label) for u, label in (DEMO_TALENT, DEMO_COMPANY)]
    if TalentProfile.objects.filter(is_demo=True).exists():
        return TalentDemoSummary(0, 0, 0, 0, 0, accounts, already_loaded=True)
    return _load(demo_town, profiles=profiles, needs=needs, seed=seed, accounts=accounts)


@transaction.atomic
def _load(
    demo_town: Municipality, *, profiles: int, needs: int, seed: int, accounts: list[tuple[str, str, str]]
) -> TalentDemoSummary:
    rng = random.Random(seed)  # noqa: S311  # reproducible demo data, not secrets
    today = timezone.localdate()
    day = _Day(today, today.replace(day=1))
    orgs = _create_organizations(demo_town, rng)
    demo_company = next(o for o in orgs.companies if o.prefecture == 34)
    OrganizationMember.objects.get_or_create(organization=demo_company, user=_demo_account(DEMO_COMPANY))
    people = _create_people(_people_accounts(profiles), rng, day)
    _create_skills_and_evidence(people, orgs, rng, day)
    need_rows = _create_needs(needs, orgs, rng, day)
    introductions = _create_introductions(people, orgs, rng)
    contracts = load_sidejob_demo(people, orgs.companies, demo_company, today=day.today)
    summary = TalentDemoSummary(
        organizations=orgs.created, needs=len(need_rows), profiles=len(people), introductions=introductions,
        contracts=contracts, accounts=accounts,
    )  # fmt: skip
    audit.record(
        "talent.demo_loaded",
        by=Actor.system(ACTOR),
        object_type="talent",
        detail={"organizations": summary.organizations, "needs": summary.needs, "profiles": summary.profiles},
    )
    return summary


def _create_organizations(demo_town: Municipality, rng: random.Random) -> _Organizations:
    """The five prefectures and the demo town, then companies and startups in each prefecture's places."""
    town_org = Organization.objects.filter(municipality=demo_town).first()
    rows: list[Organization] = []
    for municipality in [*(_prefecture_municipality(p) for p in CHUGOKU), demo_town]:
        if Organization.objects.filter(municipality=municipality).exists():
            continue
        rows.append(
            Organization(
                kind=Organization.Kind.MUNICIPALITY, name=municipality.display_name, municipality=municipality,
                prefecture=int(municipality.prefecture_code), verified=True, verified_at=timezone.now(),
            )
        )  # fmt: skip
    rows += _companies_and_startups(rng)
    Organization.objects.bulk_create(rows)
    all_orgs = list(Organization.objects.filter(prefecture__in=list(CHUGOKU)).order_by("id"))
    if town_org is None:
        town_org = next(o for o in all_orgs if o.municipality_id == demo_town.code)
    return _Organizations(len(rows), all_orgs, town_org)


def _companies_and_startups(rng: random.Random) -> list[Organization]:
    """A company in every place and a startup in every other one, with fictional 法人番号."""
    rows: list[Organization] = []
    serial = 0
    for pref, places in PLACES.items():
        for i, place in enumerate(places):
            for kind in (Organization.Kind.COMPANY, Organization.Kind.STARTUP):
                if kind == Organization.Kind.STARTUP and i % 2:
                    continue
                serial += 1
                rows.append(_organization(kind, serial, pref, place, rng))
    return rows


def _organization(kind: str, serial: int, pref: int, place: str, rng: random.Random) -> Organization:
    base = f"9{pref:02d}{serial:09d}"  # fictional: 9xx… bases are not assigned to real companies
    startup = kind == Organization.Kind.STARTUP
    if startup:
        name_part, field = STARTUPS[serial % len(STARTUPS)], 0
        name = f"{place}{name_part}株式会社"
    else:
        name_part, field = INDUSTRIES[(serial + pref) % len(INDUSTRIES)]
        name = f"株式会社{place}{name_part}"
    return Organization(
        kind=kind, name=name, corporate_number=f"{check_digit(base)}{base}", prefecture=pref,
        business_field=field, startup_stage=rng.randrange(3) if startup else None,
        contact_email=f"contact{serial}@example.jp", verified=rng.random() < 0.8,
        description="デモ用の架空の団体です。",
    )  # fmt: skip


def _demo_account(account: tuple[str, str]) -> User:
    """One of the two demo accounts with a printed password."""
    username, display_name = account
    user, created = User.objects.get_or_create(username=username, defaults={"display_name": display_name})
    if created:
        user.set_password(_password(username))
        user.save()
    return user


def _people_accounts(profiles: int) -> list[User]:
    """The demo talent account and `profiles - 1` accounts that cannot log in."""
    talent_user = _demo_account(DEMO_TALENT)
    unusable = make_password(None)
    User.objects.bulk_create(
        User(username=f"demo-talent-{i:04d}", password=unusable) for i in range(1, profiles)
    )
    return [talent_user, *User.objects.filter(username__startswith="demo-talent-0").order_by("username")]


def _create_people(users: list[User], rng: random.Random, day: _Day) -> list[TalentProfile]:
    """One profile per account: mostly from the region, a share of big-city professionals."""
    standard = skills.current_standard()
    homes, weights = list(HOME_WEIGHTS), list(HOME_WEIGHTS.values())
    rows = [
        _profile(i, user, rng.choices(homes, weights)[0], rng, day, standard) for i, user in enumerate(users)
    ]
    TalentProfile.objects.bulk_create(rows)
    return list(TalentProfile.objects.filter(is_demo=True).order_by("id"))


def _kinds(i: int, city: bool, rng: random.Random) -> dict[str, bool]:
    kinds = {
        "is_digital_talent": rng.random() < 0.65,
        "is_mentor": rng.random() < 0.18,
        "is_management": rng.random() < 0.15,
        "is_side_job": city or rng.random() < 0.35,
    }
    if not any(kinds.values()) or i == 0:
        kinds["is_digital_talent"] = kinds["is_side_job"] = True
    return kinds


def _profile(
    i: int, user: User, home: int, rng: random.Random, day: _Day, standard: SkillStandard
) -> TalentProfile:
    city = home not in CHUGOKU
    kinds = _kinds(i, city, rng)
    role = standard.roles[rng.randrange(len(standard.roles))]
    name = f"{FAMILY[rng.randrange(len(FAMILY))]} {GIVEN[rng.randrange(len(GIVEN))]}"
    travel = sorted(rng.sample(list(CHUGOKU), rng.randrange(0, 4)))
    fee = rng.choice((0, 2500, 3000, 4000, 5000, 6000, 8000))
    return TalentProfile(
        user=user, display_name=DEMO_TALENT[1] if i == 0 else name,
        headline=f"{role.name_ja}として{rng.randrange(3, 25)}年", primary_role=role.id,
        home_prefecture=home, travel_prefectures=travel,
        hours_per_month=rng.choice((10, 20, 20, 30, 40, 60, 80, 160)),
        remote_ok=rng.random() < 0.9, on_site_ok=not city or rng.random() < 0.4,
        available_from=day.month + dt.timedelta(days=rng.randrange(0, 90)),
        fee_min_per_hour=fee, fee_max_per_hour=fee * 2 if fee else None,
        salary_min=rng.choice((None, 500, 600, 800)),
        languages=["ja"] + (["en"] if rng.random() < 0.3 else []),
        mentor_fields=sorted(rng.sample(range(14), 2)) if kinds["is_mentor"] else [],
        mentor_stages=sorted(rng.sample(range(4), 2)) if kinds["is_mentor"] else [],
        contact_email=f"{user.username}@example.jp",
        visibility_profile=rng.choices(("public", "organizations", "private"), (35, 60, 5))[0],
        visibility_skills=rng.choices(("public", "organizations"), (30, 70))[0],
        visibility_availability="organizations", visibility_fees=rng.choice(("organizations", "private")),
        standard_tag=standard.tag, assessed_on=day.today, is_demo=True, **kinds,
    )  # fmt: skip


def _create_skills_and_evidence(
    people: list[TalentProfile], orgs: _Organizations, rng: random.Random, day: _Day
) -> None:
    """Declared skills around each person's role and some evidence, assessed through the standard engine."""
    standard = skills.current_standard()
    catalog = skills.evidence_catalog()
    certs_for_role = {
        r.id: [
            c.id
            for c in catalog.certifications.values()
            if any(r.required[s] >= SkillLevel.C for s in c.evidence)
        ]
        for r in standard.roles
    }
    evidence_rows: list[Evidence] = []
    skill_rows: list[TalentSkill] = []
    org_by_id = {o.pk: o for o in orgs.all}
    for person in people:
        role = standard.role(person.primary_role)
        declared = _declared(role, rng)
        mine = _evidence(person, role, declared, certs_for_role[role.id], orgs.verified, rng, day.today)
        result = skills.assess_declared(declared, skills.engine_evidence(mine, org_by_id), as_of=day.today)
        skill_rows += [
            TalentSkill(profile=person, skill_id=s, declared=level, supported=int(result.items[s].supported),
                        tier=int(result.items[s].tier))
            for s, level in declared.items()
        ]  # fmt: skip
        evidence_rows += mine
    TalentSkill.objects.bulk_create(skill_rows, batch_size=2000)
    Evidence.objects.bulk_create(evidence_rows, batch_size=2000)


def _declared(role: Role, rng: random.Random) -> dict[str, int]:
    """Levels near the role's own for most of its main skills."""
    return {
        s: max(1, min(4, int(level) + rng.choice((-1, 0, 0, 1))))
        for s, level in role.required.items()
        if level >= SkillLevel.C and rng.random() < 0.8
    }


def _evidence(
    person: TalentProfile, role: Role, declared: dict[str, int], certs: list[str], verified: list[Organization],
    rng: random.Random, today: dt.date,
) -> list[Evidence]:  # fmt: skip
    """A certification, an ITSS assessment, a project and an endorsement, each for some of the people."""
    mine: list[Evidence] = []
    if certs and rng.random() < 0.45:
        mine.append(Evidence(profile=person, kind="certification", certification_id=rng.choice(certs),
                             obtained_on=today - dt.timedelta(days=rng.randrange(30, 900))))  # fmt: skip
    if rng.random() < 0.15:
        mine.append(Evidence(profile=person, kind="itss", itss_level=rng.randrange(2, 6), role_id=role.id,
                             obtained_on=today - dt.timedelta(days=rng.randrange(30, 700))))  # fmt: skip
    if declared and rng.random() < 0.3:
        skill_id = rng.choice(sorted(declared))
        mine.append(Evidence(profile=person, kind="project", skill_id=skill_id, level=declared[skill_id],
                             description="地域企業の業務改善プロジェクト"))  # fmt: skip
    if declared and rng.random() < 0.12:
        skill_id = rng.choice(sorted(declared))
        mine.append(Evidence(profile=person, kind="endorsement", skill_id=skill_id, level=declared[skill_id],
                             organization=rng.choice(verified)))  # fmt: skip
    return mine


def _create_needs(count: int, orgs: _Organizations, rng: random.Random, day: _Day) -> list[Need]:
    """Projects, side-job roles, full-time roles and mentoring requests across the region."""
    posters = [o for o in orgs.all if o.pk != orgs.town.pk] + [orgs.town] * 3
    rows = [
        _need(posters[i % len(posters)] if i < len(posters) else rng.choice(posters), i, rng, day)
        for i in range(count)
    ]
    Need.objects.bulk_create(rows)
    return rows


def _need(org: Organization, i: int, rng: random.Random, day: _Day) -> Need:
    standard = skills.current_standard()
    need_kind = (0, 1, 1, 2, 3)[i % 5] if org.kind != Organization.Kind.STARTUP else rng.choice((1, 3))
    role = standard.roles[rng.randrange(len(standard.roles))]
    place = PLACES[org.prefecture][rng.randrange(5)]
    title = NEED_TITLES[need_kind][rng.randrange(3)].format(place=place, role=role.name_ja)
    mentoring = need_kind == Need.Kind.MENTORING
    cap = SkillLevel(rng.choice((2, 3, 3, 4)))
    return Need(
        organization=org, kind=need_kind, title=title, description="デモ用の架空のニーズです。",
        role_id="" if mentoring else role.id,
        required={} if mentoring else skills.required_for_role(role.id, cap),
        standard_tag=standard.tag, hours_per_month=rng.choice((4, 10, 20, 30, 40)) if need_kind != 2 else 160,
        work_mode=rng.choice((0, 0, 1, 2)), prefecture=org.prefecture, location=place,
        budget_per_hour=rng.choice((0, 3000, 4000, 5000, 6000, 8000)),
        start_on=day.month + dt.timedelta(days=rng.randrange(30, 150)), languages=["ja"],
        business_field=(org.business_field or 0) if mentoring else None,
        startup_stage=(org.startup_stage or 0) if mentoring else None,
    )  # fmt: skip


def _create_introductions(people: list[TalentProfile], orgs: _Organizations, rng: random.Random) -> int:
    """Introductions asked by organizations: two in three accepted by both sides (matches made)."""
    open_needs = list(Need.objects.filter(organization__in=orgs.all).order_by("id"))
    now = timezone.now()
    rows: list[Introduction] = []
    seen: set[tuple[int, int]] = set()
    for n in range(min(45, len(open_needs) * 2)):
        need = open_needs[n % len(open_needs)]
        person = people[rng.randrange(1, len(people))]
        if (person.pk, need.pk) in seen:
            continue
        seen.add((person.pk, need.pk))
        rows.append(
            Introduction(
                profile=person, organization=need.organization, need=need, initiated_by="organization",
                message="ご経験を生かしていただけないでしょうか。", organization_accepted_at=now,
                talent_accepted_at=now if n % 3 != 2 else None,
            )
        )  # fmt: skip
    Introduction.objects.bulk_create(rows)
    return len(rows)
