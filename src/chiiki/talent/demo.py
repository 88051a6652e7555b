"""A demo talent bank for the Chugoku region: organizations in 鳥取・島根・岡山・広島・山口, their needs, and
people (many from the region, a share of city professionals working remotely or on side jobs).

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
from chiiki.core.models import Municipality, User
from chiiki.jp import find_municipality
from chiiki.talent import skills
from chiiki.talent.corporate_number import check_digit
from chiiki.talent.models import (
    Evidence,
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
from chiiki.talent.standard import SkillLevel

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


@transaction.atomic
def load_talent_demo(  # noqa: C901, PLR0912, PLR0915
    demo_town: Municipality, *, profiles: int = 500, needs: int = 60, seed: int = 2025
) -> TalentDemoSummary:
    """Create the Chugoku talent bank once; a second call leaves it as it is."""
    accounts = [(u, _password(u), label) for u, label in (DEMO_TALENT, DEMO_COMPANY)]
    if TalentProfile.objects.filter(is_demo=True).exists():
        return TalentDemoSummary(0, 0, 0, 0, 0, accounts, already_loaded=True)
    rng = random.Random(seed)  # noqa: S311  # reproducible demo data, not secrets
    standard = skills.current_standard()
    catalog = skills.evidence_catalog()
    today = timezone.localdate()
    base_day = today.replace(day=1)

    # Organizations: the five prefectures and the demo town, then companies and startups.
    orgs: list[Organization] = []
    town_org = Organization.objects.filter(municipality=demo_town).first()
    for municipality in [*(_prefecture_municipality(p) for p in CHUGOKU), demo_town]:
        if Organization.objects.filter(municipality=municipality).exists():
            continue
        orgs.append(
            Organization(
                kind=Organization.Kind.MUNICIPALITY, name=municipality.display_name, municipality=municipality,
                prefecture=int(municipality.prefecture_code), verified=True, verified_at=timezone.now(),
            )
        )  # fmt: skip
    serial = 0
    for pref, places in PLACES.items():
        for i, place in enumerate(places):
            for kind, suffixes in ((Organization.Kind.COMPANY, None), (Organization.Kind.STARTUP, STARTUPS)):
                if kind == Organization.Kind.STARTUP and i % 2:
                    continue
                serial += 1
                base = f"9{pref:02d}{serial:09d}"  # fictional: 9xx… bases are not assigned to real companies
                if suffixes is None:
                    name_part, field = INDUSTRIES[(serial + pref) % len(INDUSTRIES)]
                    name = f"株式会社{place}{name_part}"
                else:
                    name_part, field = suffixes[serial % len(suffixes)], 0
                    name = f"{place}{name_part}株式会社"
                orgs.append(
                    Organization(
                        kind=kind, name=name, corporate_number=f"{check_digit(base)}{base}", prefecture=pref,
                        business_field=field, startup_stage=rng.randrange(3) if suffixes else None,
                        contact_email=f"contact{serial}@example.jp", verified=rng.random() < 0.8,
                        description="デモ用の架空の団体です。",
                    )
                )  # fmt: skip
    Organization.objects.bulk_create(orgs)
    all_orgs = list(Organization.objects.filter(prefecture__in=list(CHUGOKU)).order_by("id"))
    if town_org is None:
        town_org = next(o for o in all_orgs if o.municipality_id == demo_town.code)
    companies = [o for o in all_orgs if o.kind == Organization.Kind.COMPANY]
    verified = [o for o in all_orgs if o.verified]

    # Accounts: two with printed passwords, the rest cannot log in.
    company_user, created = User.objects.get_or_create(
        username=DEMO_COMPANY[0], defaults={"display_name": DEMO_COMPANY[1]}
    )
    if created:
        company_user.set_password(_password(DEMO_COMPANY[0]))
        company_user.save()
    demo_company = next(o for o in companies if o.prefecture == 34)
    OrganizationMember.objects.get_or_create(organization=demo_company, user=company_user)
    talent_user, created = User.objects.get_or_create(
        username=DEMO_TALENT[0], defaults={"display_name": DEMO_TALENT[1]}
    )
    if created:
        talent_user.set_password(_password(DEMO_TALENT[0]))
        talent_user.save()
    unusable = make_password(None)
    users = [User(username=f"demo-talent-{i:04d}", password=unusable) for i in range(1, profiles)]
    User.objects.bulk_create(users)
    users = [talent_user, *User.objects.filter(username__startswith="demo-talent-0").order_by("username")]

    # Profiles.
    homes, weights = list(HOME_WEIGHTS), list(HOME_WEIGHTS.values())
    roles = standard.roles
    rows: list[TalentProfile] = []
    for i, user in enumerate(users):
        home = rng.choices(homes, weights)[0]
        city = home not in CHUGOKU
        kinds = {
            "is_digital_talent": rng.random() < 0.65,
            "is_mentor": rng.random() < 0.18,
            "is_management": rng.random() < 0.15,
            "is_side_job": city or rng.random() < 0.35,
        }
        if not any(kinds.values()) or i == 0:
            kinds["is_digital_talent"] = kinds["is_side_job"] = True
        role = roles[rng.randrange(len(roles))]
        name = f"{FAMILY[rng.randrange(len(FAMILY))]} {GIVEN[rng.randrange(len(GIVEN))]}"
        travel = sorted(rng.sample(list(CHUGOKU), rng.randrange(0, 4)))
        fee = rng.choice((0, 2500, 3000, 4000, 5000, 6000, 8000))
        rows.append(
            TalentProfile(
                user=user, display_name=DEMO_TALENT[1] if i == 0 else name,
                headline=f"{role.name_ja}として{rng.randrange(3, 25)}年", primary_role=role.id,
                home_prefecture=home, travel_prefectures=travel,
                hours_per_month=rng.choice((10, 20, 20, 30, 40, 60, 80, 160)),
                remote_ok=rng.random() < 0.9, on_site_ok=not city or rng.random() < 0.4,
                available_from=base_day + dt.timedelta(days=rng.randrange(0, 90)),
                fee_min_per_hour=fee, fee_max_per_hour=fee * 2 if fee else None,
                salary_min=rng.choice((None, 500, 600, 800)),
                languages=["ja"] + (["en"] if rng.random() < 0.3 else []),
                mentor_fields=sorted(rng.sample(range(14), 2)) if kinds["is_mentor"] else [],
                mentor_stages=sorted(rng.sample(range(4), 2)) if kinds["is_mentor"] else [],
                contact_email=f"{user.username}@example.jp",
                visibility_profile=rng.choices(("public", "organizations", "private"), (35, 60, 5))[0],
                visibility_skills=rng.choices(("public", "organizations"), (30, 70))[0],
                visibility_availability="organizations", visibility_fees=rng.choice(("organizations", "private")),
                standard_tag=standard.tag, assessed_on=today, is_demo=True, **kinds,
            )
        )  # fmt: skip
    TalentProfile.objects.bulk_create(rows)
    people = list(TalentProfile.objects.filter(is_demo=True).order_by("id"))

    # Skills and evidence, then the assessment of each person through the standard engine.
    certs_for_role = {
        r.id: [
            c.id
            for c in catalog.certifications.values()
            if any(r.required[s] >= SkillLevel.C for s in c.evidence)
        ]
        for r in roles
    }
    evidence_rows: list[Evidence] = []
    skill_rows: list[TalentSkill] = []
    org_by_id = {o.pk: o for o in all_orgs}
    for person in people:
        role = standard.role(person.primary_role)
        declared = {
            s: max(1, min(4, int(level) + rng.choice((-1, 0, 0, 1))))
            for s, level in role.required.items()
            if level >= SkillLevel.C and rng.random() < 0.8
        }
        mine: list[Evidence] = []
        if certs_for_role[role.id] and rng.random() < 0.45:
            cert = rng.choice(certs_for_role[role.id])
            mine.append(Evidence(profile=person, kind="certification", certification_id=cert,
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
        result = skills.assess_declared(declared, skills.engine_evidence(mine, org_by_id), as_of=today)
        skill_rows += [
            TalentSkill(profile=person, skill_id=s, declared=level, supported=int(result.items[s].supported),
                        tier=int(result.items[s].tier))
            for s, level in declared.items()
        ]  # fmt: skip
        evidence_rows += mine
    TalentSkill.objects.bulk_create(skill_rows, batch_size=2000)
    Evidence.objects.bulk_create(evidence_rows, batch_size=2000)

    # Needs: projects, side-job roles, full-time roles and mentoring requests across the region.
    posters = [o for o in all_orgs if o.pk != town_org.pk] + [town_org] * 3
    need_rows: list[Need] = []
    for i in range(needs):
        org = posters[i % len(posters)] if i < len(posters) else rng.choice(posters)
        need_kind = (0, 1, 1, 2, 3)[i % 5] if org.kind != Organization.Kind.STARTUP else rng.choice((1, 3))
        role = roles[rng.randrange(len(roles))]
        place = PLACES[org.prefecture][rng.randrange(5)]
        title = NEED_TITLES[need_kind][rng.randrange(3)].format(place=place, role=role.name_ja)
        mentoring = need_kind == Need.Kind.MENTORING
        cap = SkillLevel(rng.choice((2, 3, 3, 4)))
        need_rows.append(
            Need(
                organization=org, kind=need_kind, title=title, description="デモ用の架空のニーズです。",
                role_id="" if mentoring else role.id,
                required={} if mentoring else skills.required_for_role(role.id, cap),
                standard_tag=standard.tag, hours_per_month=rng.choice((4, 10, 20, 30, 40)) if need_kind != 2 else 160,
                work_mode=rng.choice((0, 0, 1, 2)), prefecture=org.prefecture, location=place,
                budget_per_hour=rng.choice((0, 3000, 4000, 5000, 6000, 8000)),
                start_on=base_day + dt.timedelta(days=rng.randrange(30, 150)), languages=["ja"],
                business_field=(org.business_field or 0) if mentoring else None,
                startup_stage=(org.startup_stage or 0) if mentoring else None,
            )
        )  # fmt: skip
    Need.objects.bulk_create(need_rows)
    open_needs = list(Need.objects.filter(organization__in=all_orgs).order_by("id"))

    # Introductions: some accepted by both sides (matches made), some waiting.
    now = timezone.now()
    intro_rows: list[Introduction] = []
    seen: set[tuple[int, int]] = set()
    for n in range(min(45, len(open_needs) * 2)):
        need = open_needs[n % len(open_needs)]
        person = people[rng.randrange(1, len(people))]
        if (person.pk, need.pk) in seen:
            continue
        seen.add((person.pk, need.pk))
        both = n % 3 != 2
        intro_rows.append(
            Introduction(
                profile=person, organization=need.organization, need=need, initiated_by="organization",
                message="ご経験を生かしていただけないでしょうか。", organization_accepted_at=now,
                talent_accepted_at=now if both else None,
            )
        )  # fmt: skip
    Introduction.objects.bulk_create(intro_rows)

    # Side-job workers: the main job (recorded by the worker) and a side job with a regional employer.
    contracts: list[SideJobContract] = []
    side_workers = [p for p in people if p.is_side_job][:12]
    side_workers = [people[0], *[p for p in side_workers if p.pk != people[0].pk]][:12]
    for k, worker in enumerate(side_workers):
        employer = demo_company if k < 4 else companies[k % len(companies)]
        contracts.append(SideJobContract(worker=worker, employer_name="本業(東京の会社)", kind="employment",
                                         concluded_on=dt.date(2018, 4, 1)))  # fmt: skip
        contracts.append(
            SideJobContract(
                worker=worker, organization=employer, employer_name=employer.name,
                kind="mandate" if k % 4 == 3 else "employment", concluded_on=base_day - dt.timedelta(days=120),
                monthly_limit_hours=30, annual_limit_hours=300,
            )
        )  # fmt: skip
        Introduction.objects.get_or_create(
            profile=worker, organization=employer, need=None,
            defaults={"initiated_by": "talent", "organization_accepted_at": now, "talent_accepted_at": now},
        )  # fmt: skip
    SideJobContract.objects.bulk_create(contracts)
    entries: list[WorkEntry] = []
    for k, (main, side) in enumerate(zip(contracts[::2], contracts[1::2], strict=True)):
        day = base_day - dt.timedelta(days=90)
        while day < today:
            if day.weekday() < 5:
                entries.append(
                    WorkEntry(contract=main, day=day, minutes=600 - 30 * (k % 4), start=dt.time(9))
                )
            elif day.weekday() == 5 and (k % 3 != 1 or day.day < 15):
                entries.append(
                    WorkEntry(contract=side, day=day, minutes=360 - 60 * (k % 3), start=dt.time(10))
                )
            day += dt.timedelta(days=1)
    WorkEntry.objects.bulk_create(entries, batch_size=2000)
    # Two workers run the 管理モデル (main job 使用者A: 45 h of 法定外; side job 使用者B: 30 h in all; 75 h ≤ 80 h),
    # both sides confirmed, so the worker's and the employer's pages show their own hours against their caps.
    ManagementAgreement.objects.bulk_create(
        ManagementAgreement(
            worker=main.worker,
            first_contract=main,
            second_contract=side,
            first_cap_hours=45,
            second_cap_hours=30,
            starts_on=(base_day - dt.timedelta(days=90)).replace(day=1),
            first_confirmed_at=now,
            second_confirmed_at=now,
        )
        for main, side in list(zip(contracts[::2], contracts[1::2], strict=True))[:2]
    )

    summary = TalentDemoSummary(
        organizations=len(orgs), needs=len(need_rows), profiles=len(people), introductions=len(intro_rows),
        contracts=len(contracts), accounts=accounts,
    )  # fmt: skip
    audit.record(
        "talent.demo_loaded",
        actor=None,
        actor_label=ACTOR,
        object_type="talent",
        detail={"organizations": summary.organizations, "needs": summary.needs, "profiles": summary.profiles},
    )
    return summary
