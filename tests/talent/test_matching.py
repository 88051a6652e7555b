"""Tests for chiiki.talent.matching: constraints, scoring, explanations, fairness, and exactness."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiiki.demo.talent_matching import generate_needs, generate_profiles
from chiiki.talent.matching import (
    ExposureLedger,
    FairnessPolicy,
    MatchingEngine,
    MatchingInputError,
    Need,
    NeedKind,
    NeedTable,
    Profile,
    ProfileKind,
    ProfileTable,
    RankingMode,
    StartupStage,
    WorkMode,
    brute_force_candidates,
    brute_force_needs,
    python_candidates,
    python_needs,
    tie_key,
    tie_keys,
)
from chiiki.talent.standard import (
    CertificationHeld,
    SkillLevel,
    SkillStandard,
    assess,
    load_evidence_catalog,
    load_skill_standard,
)

TODAY = dt.date(2026, 4, 1)
OKAYAMA, HIROSHIMA, TOKYO, TOTTORI = 33, 34, 13, 31
A, B, C, D = SkillLevel.A, SkillLevel.B, SkillLevel.C, SkillLevel.D


@pytest.fixture(scope="module")
def std() -> SkillStandard:
    return load_skill_standard()


def person(
    std: SkillStandard,
    pid: int,
    skills: Mapping[str, SkillLevel],
    *,
    kinds: frozenset[ProfileKind] = frozenset({ProfileKind.DIGITAL_TALENT, ProfileKind.SIDE_JOB}),
    hours: int = 40,
    remote: bool = True,
    on_site: bool = True,
    home: int = OKAYAMA,
    travel: frozenset[int] = frozenset(),
    fee: int = 3000,
    available: dt.date = TODAY,
    certs: tuple[CertificationHeld, ...] = (),
    fields: frozenset[int] = frozenset(),
    stages: frozenset[StartupStage] = frozenset(),
) -> Profile:
    assessment = assess(std, load_evidence_catalog(), skills, certs, as_of=TODAY)
    return Profile(
        pid, kinds, assessment, hours, remote, on_site, home, travel, fee, available,
        mentor_fields=fields, mentor_stages=stages,
    )  # fmt: skip


def need(
    std: SkillStandard,
    nid: int,
    required: Mapping[str, SkillLevel],
    *,
    kind: NeedKind = NeedKind.PROJECT,
    hours: int = 20,
    mode: WorkMode = WorkMode.REMOTE,
    pref: int = OKAYAMA,
    budget: int = 5000,
    start: dt.date = TODAY + dt.timedelta(days=30),
    field: int = -1,
    stage: StartupStage | None = None,
) -> Need:
    return Need(
        nid, kind, std.tag, required, hours, mode, pref, budget, start, business_field=field, stage=stage
    )


def engine(std: SkillStandard, profiles: list[Profile], needs: list[Need]) -> MatchingEngine:
    return MatchingEngine(std, ProfileTable.from_profiles(std, profiles), NeedTable.from_needs(std, needs))


CLOUD = {"cloud_infrastructure": B, "sre_process": B}


def ids_for(eng: MatchingEngine, need_id: int, **kw: object) -> list[int]:
    return [m.profile_id for m in eng.candidates_for_need(need_id, **kw)]  # type: ignore[arg-type]


def test_the_better_skilled_person_ranks_first(std: SkillStandard) -> None:
    eng = engine(
        std,
        [
            person(std, 1, {"cloud_infrastructure": C}),
            person(std, 2, {"cloud_infrastructure": A, "sre_process": B}),
        ],
        [need(std, 10, CLOUD)],
    )
    assert ids_for(eng, 10) == [2, 1]


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"hours": 10}, "hours"),
        ({"remote": False}, "remote"),
        ({"fee": 9000}, "budget"),
        ({"available": TODAY + dt.timedelta(days=60)}, "start date"),
        ({"kinds": frozenset({ProfileKind.MENTOR})}, "kind"),
    ],
)
def test_a_hard_constraint_removes_the_candidate_whatever_the_skills(
    std: SkillStandard, override: dict[str, object], reason: str
) -> None:
    good = person(std, 1, {"cloud_infrastructure": C})
    strong_but_blocked = person(std, 2, {"cloud_infrastructure": A, "sre_process": A}, **override)  # type: ignore[arg-type]
    eng = engine(std, [good, strong_but_blocked], [need(std, 10, CLOUD)])
    assert ids_for(eng, 10) == [1], reason


def test_on_site_work_needs_someone_living_there_or_willing_to_travel(std: SkillStandard) -> None:
    profiles = [
        person(std, 1, CLOUD, home=TOKYO),
        person(std, 2, CLOUD, home=TOKYO, travel=frozenset({OKAYAMA})),
        person(std, 3, CLOUD, home=OKAYAMA, on_site=False),
        person(std, 4, CLOUD, home=OKAYAMA),
    ]
    eng = engine(std, profiles, [need(std, 10, CLOUD, mode=WorkMode.ON_SITE)])
    assert ids_for(eng, 10) == [4, 2]  # local first: location is a soft score


def test_a_need_without_a_budget_accepts_any_fee(std: SkillStandard) -> None:
    eng = engine(std, [person(std, 1, CLOUD, fee=50_000)], [need(std, 10, CLOUD, budget=0)])
    assert ids_for(eng, 10) == [1]


def test_mentors_are_matched_by_stage_as_a_rule_and_by_field_as_a_preference(std: SkillStandard) -> None:
    mentor = frozenset({ProfileKind.MENTOR})
    profiles = [
        person(std, 1, {}, kinds=mentor, fields=frozenset({2}), stages=frozenset({StartupStage.SEED})),
        person(std, 2, {}, kinds=mentor, fields=frozenset({5}), stages=frozenset({StartupStage.SEED})),
        person(std, 3, {}, kinds=mentor, fields=frozenset({2}), stages=frozenset({StartupStage.LATER})),
        person(std, 4, {}, fields=frozenset({2}), stages=frozenset({StartupStage.SEED})),  # not a mentor
    ]
    request = need(std, 10, {}, kind=NeedKind.MENTORING, hours=4, field=2, stage=StartupStage.SEED)
    matches = engine(std, profiles, [request]).candidates_for_need(10)
    assert [m.profile_id for m in matches] == [1, 2]
    assert matches[0].explanation is not None
    assert matches[0].explanation.field_match is True
    assert matches[1].explanation is not None
    assert matches[1].explanation.field_match is False


def test_the_explanation_lists_skills_met_and_short_with_evidence(std: SkillStandard) -> None:
    cert = CertificationHeld("AWS-SAP", dt.date(2025, 5, 1))
    p = person(std, 1, {"cloud_infrastructure": B, "sre_process": C}, certs=(cert,), home=HIROSHIMA)
    match = engine(std, [p], [need(std, 10, CLOUD)]).candidates_for_need(10)[0]
    ex = match.explanation
    assert ex is not None
    assert [f.skill_id for f in ex.skills_met] == ["cloud_infrastructure"]
    assert [(f.skill_id, f.required, f.level) for f in ex.skills_short] == [("sre_process", B, C)]
    assert ex.evidence_strength == 1.0
    assert ex.location_fit_ja == "同じ地方に在住"
    text = ex.summary_ja()
    assert "不足するスキル: SREプロセス: 必要 b / 本人 c" in text
    assert "月20時間" in text
    assert "開始: 希望 2026-05-01 / 稼働可能 2026-04-01から" in text
    assert match.score == ex.components.total


def test_a_person_sees_the_needs_they_fit_best_first(std: SkillStandard) -> None:
    p = person(std, 1, {"backend_development": B, "cloud_infrastructure": B})
    needs = [
        need(std, 10, {"backend_development": B}),
        need(std, 11, {"backend_development": A, "machine_learning": A}),
        need(std, 12, {"backend_development": B}, hours=80),  # more hours than available
    ]
    assert [m.need_id for m in engine(std, [p], needs).needs_for_profile(1)] == [10, 11]


def test_no_feasible_candidate_gives_an_empty_list_and_k_caps_the_length(std: SkillStandard) -> None:
    profiles = [person(std, i, CLOUD) for i in range(1, 6)]
    eng = engine(std, profiles, [need(std, 10, CLOUD), need(std, 11, CLOUD, hours=500)])
    assert eng.candidates_for_need(11) == []
    assert len(eng.candidates_for_need(10, k=3)) == 3
    assert len(eng.candidates_for_need(10, k=50)) == 5
    with pytest.raises(MatchingInputError, match="k must be at least 1"):
        eng.candidates_for_need(10, k=0)
    with pytest.raises(MatchingInputError, match="no such need"):
        eng.candidates_for_need(99)


def test_a_need_with_no_required_skills_ranks_by_the_other_components(std: SkillStandard) -> None:
    profiles = [
        person(std, 1, {}, home=TOKYO),
        person(std, 2, {}, home=OKAYAMA),
        person(std, 3, {}, home=TOTTORI),
    ]
    eng = engine(std, profiles, [need(std, 10, {})])
    assert ids_for(eng, 10) == [2, 3, 1]  # same prefecture, same region (中国), elsewhere


def test_profiles_and_needs_of_another_version_are_refused(std: SkillStandard) -> None:
    old = Need(1, NeedKind.PROJECT, "DSS-P 1.0", CLOUD, 10, WorkMode.REMOTE, OKAYAMA)
    with pytest.raises(MatchingInputError, match=r"DSS-P 1\.0"):
        NeedTable.from_needs(std, [old])


def test_fair_mode_without_a_ledger_is_refused(std: SkillStandard) -> None:
    eng = engine(std, [person(std, 1, CLOUD)], [need(std, 10, CLOUD)])
    with pytest.raises(MatchingInputError, match="ledger"):
        eng.candidates_for_need(10, mode=RankingMode.FAIR)


def test_equal_scores_are_rotated_across_needs_and_epochs_not_won_by_the_lowest_id(
    std: SkillStandard,
) -> None:
    twins = [person(std, i, CLOUD) for i in range(1, 41)]
    needs = [need(std, 100 + j, CLOUD) for j in range(200)]
    eng = engine(std, twins, needs)
    first = Counter(ids_for(eng, 100 + j, k=1)[0] for j in range(200))
    assert len(first) >= 30  # 40 equal profiles share the first slot
    assert max(first.values()) <= 20
    assert ids_for(eng, 100, epoch=3) == ids_for(eng, 100, epoch=3)  # reproducible
    assert ids_for(eng, 100, epoch=3) != ids_for(eng, 100, epoch=4)  # rotates


def test_fair_mode_spreads_exposure_among_equal_fits_but_keeps_a_clearly_better_one_first(
    std: SkillStandard,
) -> None:
    star = person(std, 1, CLOUD, certs=(CertificationHeld("AWS-DOP", TODAY),))
    equals = [person(std, i, {"cloud_infrastructure": B, "sre_process": C}) for i in range(2, 42)]
    eng = engine(std, [star, *equals], [need(std, 10, CLOUD)])
    ledger = ExposureLedger.for_size(41)
    exact_top = ids_for(eng, 10, k=5)
    shown: Counter[int] = Counter()
    for _ in range(40):
        top = ids_for(eng, 10, k=5, mode=RankingMode.FAIR, ledger=ledger)
        assert top[0] == 1  # better by more than the tolerance: never displaced
        shown.update(top[1:])
    assert len(shown) == 40  # every equal profile got shown
    assert max(shown.values()) - min(shown.values()) <= 1
    assert ids_for(eng, 10, k=5) == exact_top  # EXACT mode is unaffected by the ledger


def test_exposure_penalty_is_bounded_by_the_policy_tolerance(std: SkillStandard) -> None:
    eng = engine(std, [person(std, 1, CLOUD)], [need(std, 10, CLOUD)])
    ledger = ExposureLedger.for_size(1)
    ledger.counts[:] = 1000
    policy = FairnessPolicy(tolerance=20_000, cap=10)
    match = eng.candidates_for_need(10, mode=RankingMode.FAIR, ledger=ledger, policy=policy)[0]
    assert match.score - match.adjusted_score == 20_000
    ledger.decay()
    assert ledger.counts[0] == 500  # recorded once (1001), then halved


@pytest.fixture(scope="module")
def generated(std: SkillStandard) -> MatchingEngine:
    return MatchingEngine(
        std, generate_profiles(std, 1500, seed=7, today=TODAY), generate_needs(std, 300, seed=8, today=TODAY)
    )


def test_exact_top_20_for_needs_equals_brute_force_and_the_plain_definition(
    generated: MatchingEngine,
) -> None:
    profiles, needs = generated.profiles, generated.needs
    levels_rows, tiers_rows = profiles.with_levels_row_major(), np.ascontiguousarray(profiles.tiers.T)
    for need_id in range(1, 301, 10):
        for epoch in (0, 5):
            engine_top = [
                (m.profile_id, m.score) for m in generated.candidates_for_need(need_id, epoch=epoch)
            ]
            brute = brute_force_candidates(profiles, levels_rows, tiers_rows, needs, need_id, epoch=epoch)
            assert engine_top == brute
            assert engine_top == python_candidates(profiles, needs, need_id, epoch=epoch)


def test_pages_of_candidates_continue_the_order_and_reach_every_feasible_profile(
    generated: MatchingEngine,
) -> None:
    for need_id in range(1, 301, 37):
        total = generated.count_candidates(need_id)
        whole = generated.candidates_for_need(need_id, k=max(total, 1), explain=False)
        assert len(whole) == total  # every feasible profile has a place in the order
        pages = [
            m
            for offset in range(0, total, 20)
            for m in generated.candidates_for_need(need_id, k=20, offset=offset, explain=False)
        ]
        assert [(m.rank, m.profile_id) for m in pages] == [(m.rank, m.profile_id) for m in whole]
        assert [m.rank for m in whole] == list(range(1, total + 1))
    with pytest.raises(MatchingInputError):
        generated.candidates_for_need(1, offset=-1)


def test_exact_top_20_for_people_equals_brute_force_and_the_plain_definition(
    generated: MatchingEngine,
) -> None:
    profiles, needs = generated.profiles, generated.needs
    dense = needs.dense_required()
    for profile_id in range(1, 1501, 50):
        engine_top = [(m.need_id, m.score) for m in generated.needs_for_profile(profile_id, explain=False)]
        assert engine_top == brute_force_needs(profiles, needs, dense, profile_id)
        assert engine_top == python_needs(profiles, needs, profile_id)


def test_polars_input_builds_the_same_table(std: SkillStandard) -> None:
    table = generate_profiles(std, 50, seed=3, today=TODAY)
    frame = pl.DataFrame(
        {
            "id": table.ids,
            "kinds": table.kinds,
            "levels": table.levels.T.tolist(),
            "tiers": table.tiers.T.tolist(),
            "hours": table.hours,
            "remote_ok": table.remote_ok,
            "on_site_ok": table.on_site_ok,
            "home_prefecture": table.home_prefecture,
            "travel_mask": table.travel_mask,
            "min_fee": table.min_fee,
            "available_from": [dt.date(1970, 1, 1) + dt.timedelta(days=int(d)) for d in table.available_from],
            "languages": table.languages,
            "mentor_fields": table.mentor_fields,
            "mentor_stages": table.mentor_stages,
        }
    )
    again = ProfileTable.from_polars(std, frame)
    assert np.array_equal(again.levels, table.levels)
    assert np.array_equal(again.travel_mask, table.travel_mask)
    assert np.array_equal(again.available_from, table.available_from)
    with pytest.raises(MatchingInputError, match="列がありません"):
        ProfileTable.from_polars(std, frame.drop("hours"))


def test_polars_input_builds_the_same_need_table(std: SkillStandard) -> None:
    table = generate_needs(std, 40, seed=4, today=TODAY)
    spans = list(zip(table.req_ptr[:-1].tolist(), table.req_ptr[1:].tolist(), strict=True))
    frame = pl.DataFrame(
        {
            "id": table.ids,
            "kind": table.kind,
            "req_skill": [table.req_skill[lo:hi].tolist() for lo, hi in spans],
            "req_level": [table.req_level[lo:hi].tolist() for lo, hi in spans],
            "hours": table.hours,
            "mode": table.mode,
            "prefecture": table.prefecture,
            "budget": table.budget,
            "start": [dt.date(1970, 1, 1) + dt.timedelta(days=int(d)) for d in table.start],
            "languages": table.languages,
            "business_field": table.business_field,
            "stage": table.stage,
        }
    )
    again = NeedTable.from_polars(std, frame)
    assert np.array_equal(again.pad_skill, table.pad_skill)
    assert np.array_equal(again.served_by_mask, table.served_by_mask)
    assert np.array_equal(again.start, table.start)
    with pytest.raises(MatchingInputError, match="skill index out of range"):
        NeedTable.from_polars(
            std, frame.with_columns(pl.lit([99]).alias("req_skill"), pl.lit([1]).alias("req_level"))
        )


@given(st.integers(0, 2**40), st.integers(0, 2**40), st.integers(0, 2**20))
def test_the_vectorised_rotation_key_equals_the_plain_one(pid: int, nid: int, epoch: int) -> None:
    vec = tie_keys(np.array([pid], dtype=np.int64), np.array([nid], dtype=np.int64), epoch)
    assert int(vec[0]) == tie_key(pid, nid, epoch)
