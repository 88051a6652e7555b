"""Worked examples for chiiki.sidejob.hours, in the style of the examples in MHLW's
「副業・兼業の促進に関するガイドライン」 and its Q&A. Each test's docstring states the case.

Calendar used: 2026-04-05 is a Sunday, so the week of 5–11 April runs Sunday to Saturday.
A = 本業 (contract concluded first), B = 副業先 (contract concluded later).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiiki.sidejob.hours import (
    DEFAULT_REGIMES,
    HOUR,
    REGIME_2019,
    REGIME_2020_09,
    WORKER,
    Agreement36,
    CombinedHours,
    Contract,
    ContractKind,
    EmployerMonth,
    HoursInputError,
    ManagementModel,
    ModelCap,
    Rule,
    Severity,
    WarningPolicy,
    WorkRecord,
    check_limits,
    combine_hours,
    proposed_regime_without_premium_combination,
)

SUN, MON, TUE, WED, THU, FRI, SAT = (dt.date(2026, 4, d) for d in range(5, 12))
APRIL = dt.date(2026, 4, 1)
STANDARD_36 = Agreement36(monthly_limit=45 * HOUR, annual_limit=360 * HOUR)
SPECIAL_36 = Agreement36(
    monthly_limit=45 * HOUR,
    annual_limit=360 * HOUR,
    special_clause=True,
    special_monthly_limit=80 * HOUR,
    special_annual_limit=720 * HOUR,
    special_months=6,
)
A = Contract("A", "本業株式会社", ContractKind.EMPLOYMENT, dt.date(2020, 4, 1), STANDARD_36)
B = Contract("B", "副業合同会社", ContractKind.EMPLOYMENT, dt.date(2025, 10, 1), STANDARD_36)


def work(employer: str, day: dt.date, hours: float, *, at: int = 9, scheduled: bool = True) -> WorkRecord:
    return WorkRecord(employer, day, round(hours * HOUR), scheduled, dt.time(at, 0))


def month_cell(result: CombinedHours, employer: str, month: dt.date = APRIL) -> EmployerMonth:
    return result.employer_months[(employer, month)]


# --- combination (38条1項) ---------------------------------------------------------------------------


def test_scheduled_hours_are_combined_in_contract_order() -> None:
    """例: A の所定労働時間 5時間、B の所定労働時間 4時間（同じ日）。通算 9時間のうち法定の 8時間を超える
    1時間は、後から契約した B の時間外労働になる。"""
    result = combine_hours([A, B], [work("A", MON, 5), work("B", MON, 4, at=18)], REGIME_2020_09)
    assert month_cell(result, "A").overtime_combined == 0
    assert month_cell(result, "B").overtime_combined == 1 * HOUR


def test_the_later_contract_takes_the_overtime_even_when_its_work_comes_first_in_the_day() -> None:
    """例: B（後契約）で朝 7時から 4時間、A（先契約）で午後 5時間。所定労働時間は契約の順に通算するので、
    時刻に関係なく超える 1時間は B の時間外労働。"""
    result = combine_hours([A, B], [work("B", MON, 4, at=7), work("A", MON, 5, at=13)], REGIME_2020_09)
    assert month_cell(result, "B").overtime_combined == 1 * HOUR
    assert month_cell(result, "A").overtime_combined == 0


def test_unscheduled_hours_are_combined_in_the_order_they_happen() -> None:
    """例: 所定は A 3時間・B 3時間（計 6時間）。その後 A で所定外 2時間（12時）、B で所定外 1時間（18時）。
    所定 6時間 → A の所定外で 8時間に達し、最後の B の所定外 1時間が B の時間外労働。"""
    records = [
        work("A", MON, 3, at=9),
        work("B", MON, 3, at=15),
        work("A", MON, 2, at=12, scheduled=False),
        work("B", MON, 1, at=18, scheduled=False),
    ]
    result = combine_hours([A, B], records, REGIME_2020_09)
    assert (month_cell(result, "A").overtime_combined, month_cell(result, "B").overtime_combined) == (0, HOUR)


def test_when_the_later_employers_unscheduled_work_comes_first_the_first_employer_takes_the_overtime() -> (
    None
):
    """例: 上と同じ所定。ただし B の所定外 1時間（11時）が先、A の所定外 2時間（19時）が後。
    6 + 1 = 7時間、A の 2時間のうち 1時間が法定内、残り 1時間が A の時間外労働。"""
    records = [
        work("A", MON, 3, at=9),
        work("B", MON, 3, at=15),
        work("B", MON, 1, at=11, scheduled=False),
        work("A", MON, 2, at=19, scheduled=False),
    ]
    result = combine_hours([A, B], records, REGIME_2020_09)
    assert (month_cell(result, "A").overtime_combined, month_cell(result, "B").overtime_combined) == (HOUR, 0)


def test_weekly_hours_are_combined_too() -> None:
    """例: A で月〜金に 1日 7時間（週 35時間）、B で土曜に 6時間。どの日も 8時間以内だが、
    週の通算 41時間のうち 40時間を超える 1時間は B の時間外労働。"""
    records = [work("A", d, 7) for d in (MON, TUE, WED, THU, FRI)] + [work("B", SAT, 6)]
    result = combine_hours([A, B], records, REGIME_2020_09)
    assert month_cell(result, "B").overtime_combined == HOUR
    assert month_cell(result, "B").overtime_own == 0  # alone, B's 6 hours are within the limits


def test_daily_overtime_is_not_counted_again_in_the_week() -> None:
    """例: A で月〜金に 8時間（週 40時間）、B で月曜に 2時間。B の 2時間は 1日の法定を超える時間外労働
    で、週 40時間の計算には重ねて数えない（B の時間外は 2時間）。"""
    records = [work("A", d, 8) for d in (MON, TUE, WED, THU, FRI)] + [work("B", MON, 2, at=18)]
    result = combine_hours([A, B], records, REGIME_2020_09)
    assert month_cell(result, "B").overtime_combined == 2 * HOUR
    assert month_cell(result, "A").overtime_combined == 0


def test_work_on_an_employers_legal_holiday_is_holiday_work_and_is_not_combined_into_the_week() -> None:
    """例: A で月〜金に 8時間（週 40時間）、B の法定休日（日曜）に B で 5時間。B の 5時間は休日労働で、
    週 40時間の通算には入らない。100時間・80時間の上限では時間外と合わせて数える。"""
    records = [work("A", d, 8) for d in (MON, TUE, WED, THU, FRI)] + [work("B", SUN, 5)]
    result = combine_hours([A, B], records, REGIME_2020_09)
    assert month_cell(result, "B").holiday == 5 * HOUR
    assert month_cell(result, "B").overtime_combined == 0
    assert result.worker_overtime_and_holiday(APRIL) == 5 * HOUR


def test_mandate_and_work_for_hire_are_recorded_but_not_combined() -> None:
    """例: A で 8時間働いた日に、業務委託（請負）で 4時間。労働基準法の労働時間規制が適用されない働き方
    なので通算せず、記録だけ残す（健康管理のため）。"""
    client = Contract("C", "個人事業の発注者", ContractKind.WORK_FOR_HIRE, dt.date(2026, 1, 1))
    result = combine_hours([A, client], [work("A", MON, 8), work("C", MON, 4, at=18)], REGIME_2020_09)
    assert month_cell(result, "A").overtime_combined == 0
    assert result.non_employment[("C", APRIL)] == 4 * HOUR
    assert ("C", APRIL) not in result.employer_months


def test_bad_records_are_reported_not_guessed() -> None:
    with pytest.raises(HoursInputError, match="契約のない記録"):
        combine_hours([A], [work("Z", MON, 1)], REGIME_2020_09)
    with pytest.raises(HoursInputError, match="契約前"):
        combine_hours([A, B], [work("B", dt.date(2025, 9, 1), 1)], REGIME_2020_09)
    with pytest.raises(ValueError, match="0〜24時間"):
        WorkRecord("A", MON, 25 * HOUR)


# --- limits ---------------------------------------------------------------------------------------------


def totals(*cells: tuple[str, dt.date, float, float]) -> CombinedHours:
    """Monthly totals (employer, month, overtime hours, holiday hours) without day records."""
    out = {}
    for employer, month, overtime, holiday in cells:
        minutes = round(overtime * HOUR)
        out[(employer, month)] = EmployerMonth(employer, month, 0, minutes, minutes, round(holiday * HOUR))
    return CombinedHours(out)


def of(warnings: list, rule: Rule, recipient: str = WORKER) -> list:  # type: ignore[type-arg]
    return [w for w in warnings if w.rule is rule and w.recipient == recipient]


def test_combined_overtime_and_holiday_work_must_stay_under_100_hours_a_month() -> None:
    """例: 4月に A で時間外 40時間、B で時間外 40時間と休日労働 20時間。通算 100時間は「100時間未満」を
    満たさない。本人・A・B の全員に警告する。"""
    special = [Contract("A", "A社", ContractKind.EMPLOYMENT, A.concluded_on, SPECIAL_36),
               Contract("B", "B社", ContractKind.EMPLOYMENT, B.concluded_on, SPECIAL_36)]  # fmt: skip
    warnings = check_limits(special, totals(("A", APRIL, 40, 0), ("B", APRIL, 40, 20)), DEFAULT_REGIMES)
    for who in (WORKER, "A", "B"):
        [w] = of(warnings, Rule.COMBINED_MONTHLY, who)
        assert w.severity is Severity.EXCEEDED
    assert "100時間未満" in of(warnings, Rule.COMBINED_MONTHLY)[0].message_ja()


def test_a_warning_comes_before_the_100_hour_limit_is_reached() -> None:
    """例: 通算 92時間。上限の 10時間前（設定可能）から「近づいています」と警告する。余裕を 5時間にすると
    警告しない。"""
    special = [Contract("A", "A社", ContractKind.EMPLOYMENT, A.concluded_on, SPECIAL_36),
               Contract("B", "B社", ContractKind.EMPLOYMENT, B.concluded_on, SPECIAL_36)]  # fmt: skip
    hours = totals(("A", APRIL, 50, 0), ("B", APRIL, 42, 0))
    [w] = of(check_limits(special, hours, DEFAULT_REGIMES), Rule.COMBINED_MONTHLY)
    assert w.severity is Severity.APPROACHING
    assert "92時間／100時間" in w.message_ja()
    narrow = check_limits(special, hours, DEFAULT_REGIMES, WarningPolicy(margin_minutes=5 * HOUR))
    assert of(narrow, Rule.COMBINED_MONTHLY) == []


def test_the_average_over_every_two_to_six_month_window_must_be_at_most_80_hours() -> None:
    """例: 通算の時間外＋休日労働が 2月 90時間、3月 75時間。3月時点の 2か月平均は 82.5時間で 80時間を
    超える。4月に 70時間なら 2か月平均 72.5時間、3か月平均 78.3時間で、上限に近づいている警告になる。"""
    special = [Contract("A", "A社", ContractKind.EMPLOYMENT, A.concluded_on, SPECIAL_36)]
    hours = totals(
        ("A", dt.date(2026, 2, 1), 90, 0), ("A", dt.date(2026, 3, 1), 75, 0), ("A", APRIL, 70, 0)
    )  # fmt: skip
    warnings = check_limits(special, hours, DEFAULT_REGIMES)
    march = [w for w in of(warnings, Rule.COMBINED_AVERAGE) if w.month == dt.date(2026, 3, 1)]
    assert [(w.severity, w.detail) for w in march] == [(Severity.EXCEEDED, "直近2か月平均")]
    april = [w for w in of(warnings, Rule.COMBINED_AVERAGE) if w.month == APRIL]
    assert [w.severity for w in april] == [Severity.APPROACHING]


def test_exactly_80_hours_on_average_is_allowed() -> None:
    """例: 2か月続けて 80時間ちょうど。「80時間以内」なので違反ではない（近づいている警告のみ）。"""
    special = [Contract("A", "A社", ContractKind.EMPLOYMENT, A.concluded_on, SPECIAL_36)]
    hours = totals(("A", dt.date(2026, 3, 1), 80, 0), ("A", APRIL, 80, 0))
    severities = {
        w.severity for w in of(check_limits(special, hours, DEFAULT_REGIMES), Rule.COMBINED_AVERAGE)
    }
    assert severities == {Severity.APPROACHING}


def test_each_employers_36_agreement_limits_its_own_overtime_and_is_not_combined() -> None:
    """例: A で時間外 40時間、B で時間外 40時間。通算 80時間だが、36協定の月 45時間はそれぞれの事業場の
    時間外労働で見るので、どちらも違反ではない。"""
    warnings = check_limits([A, B], totals(("A", APRIL, 40, 0), ("B", APRIL, 40, 0)), DEFAULT_REGIMES)
    assert not [w for w in warnings if w.severity is Severity.EXCEEDED]
    assert [w.severity for w in of(warnings, Rule.AGREEMENT_MONTHLY, "A")] == [Severity.APPROACHING]


def test_over_45_hours_a_month_without_a_special_clause_breaks_the_agreement() -> None:
    """例: 特別条項のない 36協定（月 45時間）で、A の時間外が 46時間。A と本人に違反を知らせる。"""
    warnings = check_limits([A], totals(("A", APRIL, 46, 0)), DEFAULT_REGIMES)
    assert {w.recipient for w in warnings if w.rule is Rule.AGREEMENT_MONTHLY} == {"A", WORKER}
    assert all(w.severity is Severity.EXCEEDED for w in warnings if w.rule is Rule.AGREEMENT_MONTHLY)


def test_under_a_special_clause_at_most_six_months_a_year_may_exceed_45_hours() -> None:
    """例: 特別条項（月 80時間・年 720時間・6か月）で、4月から毎月 50時間。9月が 6か月目（最後）で警告、
    10月が 7か月目で違反。"""
    a = Contract("A", "A社", ContractKind.EMPLOYMENT, A.concluded_on, SPECIAL_36)
    months = [dt.date(2026, m, 1) for m in range(4, 11)]
    warnings = of(
        check_limits([a], totals(*[("A", m, 50, 0) for m in months]), DEFAULT_REGIMES), Rule.SPECIAL_MONTHS
    )
    assert [(w.month.month, w.value, w.severity) for w in warnings] == [
        (9, 6, Severity.APPROACHING),
        (10, 7, Severity.EXCEEDED),
    ]


def test_the_annual_limit_counts_from_the_agreements_start_month() -> None:
    """例: 特別条項なし（年 360時間、4月起算）で毎月 40時間。12月で累計 360時間（以内、警告）、1月で
    400時間（違反）。翌年度の4月は累計が 40時間に戻る。"""
    months = [dt.date(2026, m, 1) for m in range(4, 13)] + [dt.date(2027, m, 1) for m in range(1, 5)]
    warnings = of(
        check_limits([A], totals(*[("A", m, 40, 0) for m in months]), DEFAULT_REGIMES), Rule.AGREEMENT_ANNUAL
    )
    by_month = {(w.month.year, w.month.month): w for w in warnings}
    assert by_month[(2026, 12)].severity is Severity.APPROACHING
    assert by_month[(2027, 1)].severity is Severity.EXCEEDED
    assert by_month[(2027, 1)].value == 400 * HOUR
    assert (2027, 4) not in by_month


def test_overtime_without_a_36_agreement_is_flagged() -> None:
    """例: 36協定のない B で、通算により時間外労働が 1時間生じた。B と本人に知らせる。"""
    b = Contract("B", "B社", ContractKind.EMPLOYMENT, B.concluded_on, agreement=None)
    result = combine_hours([A, b], [work("A", MON, 5), work("B", MON, 4, at=18)], REGIME_2020_09)
    warnings = check_limits([A, b], result, DEFAULT_REGIMES)
    assert {(w.recipient, w.rule) for w in warnings} == {
        ("B", Rule.NO_AGREEMENT),
        (WORKER, Rule.NO_AGREEMENT),
    }


def test_an_agreement_beyond_the_legal_maxima_is_reported() -> None:
    bad = Agreement36(monthly_limit=50 * HOUR, annual_limit=360 * HOUR, special_clause=True,
                      special_monthly_limit=100 * HOUR, special_annual_limit=800 * HOUR, special_months=7)  # fmt: skip
    assert len(bad.problems(REGIME_2020_09)) == 4
    assert STANDARD_36.problems(REGIME_2020_09) == []


# --- regimes --------------------------------------------------------------------------------------------


def test_an_announced_revision_is_switched_in_by_date() -> None:
    """例: 所定 A 5時間・B 4時間の日。現行では B が 1時間分の割増賃金を払う（通算）。割増賃金の通算を
    やめる改正案を 2027年4月から入れた規則集では、2027年5月の同じ働き方で B の時間外は 0、ただし
    健康確保のための通算（100時間・80時間）には 1時間が残る。"""
    proposal = proposed_regime_without_premium_combination(dt.date(2027, 4, 1))
    book = DEFAULT_REGIMES.with_regime(proposal)
    assert book.for_date(APRIL) is REGIME_2020_09
    may_2027 = dt.date(2027, 5, 1)
    assert book.for_date(may_2027) is proposal
    monday = dt.date(2027, 5, 10)
    result = combine_hours([A, B], [work("A", monday, 5), work("B", monday, 4, at=18)], book.for_date(monday))
    b_month = month_cell(result, "B", may_2027)
    assert b_month.overtime(REGIME_2020_09) == HOUR
    assert b_month.overtime(proposal) == 0
    assert result.worker_overtime_and_holiday(may_2027) == HOUR


def test_months_before_the_first_regime_are_refused() -> None:
    with pytest.raises(ValueError, match="適用される規則がありません"):
        DEFAULT_REGIMES.for_date(dt.date(2018, 1, 1))


# --- 管理モデル ------------------------------------------------------------------------------------------


def test_management_model_caps_must_add_up_to_at_most_80_hours() -> None:
    """例: A（先契約）の法定外労働の上限 30時間、B（後契約）の労働時間の上限 40時間。合計 70時間で
    単月 100時間未満・複数月平均 80時間以内を満たす。A を 45時間にすると合計 85時間で平均の上限を超える。"""
    special_b = Contract("B", "B社", ContractKind.EMPLOYMENT, B.concluded_on, SPECIAL_36)
    ok = ManagementModel((ModelCap(A, 30 * HOUR), ModelCap(special_b, 40 * HOUR)))
    assert ok.problems(REGIME_2020_09) == []
    too_much = ManagementModel((ModelCap(A, 45 * HOUR), ModelCap(special_b, 40 * HOUR)))
    assert any("80時間以内" in p for p in too_much.problems(REGIME_2020_09))


def test_the_later_employers_whole_hours_must_fit_its_36_agreement() -> None:
    """例: B の上限を 50時間とした。管理モデルでは B の労働時間はすべて時間外労働なので、特別条項のない
    36協定（月 45時間）では足りない。"""
    model = ManagementModel((ModelCap(A, 20 * HOUR), ModelCap(B, 50 * HOUR)))
    assert any("副業合同会社" in p and "36協定" in p for p in model.problems(REGIME_2020_09))


def test_the_management_model_did_not_exist_before_the_2020_revision() -> None:
    model = ManagementModel((ModelCap(A, 20 * HOUR), ModelCap(B, 20 * HOUR)))
    assert model.problems(REGIME_2019)
    assert model.problems(REGIME_2020_09) == []


def test_each_employer_checks_only_its_own_hours_against_its_own_cap() -> None:
    """例: 上限 A 30時間（法定外）、B 40時間（労働時間）。B は自社の 32時間だけを見て「近づいている」、
    41時間で「超えている」と本人と B に警告する。A の実労働時間は不要。"""
    model = ManagementModel((ModelCap(A, 30 * HOUR), ModelCap(B, 40 * HOUR)))
    assert model.check_month("B", APRIL, 20 * HOUR) == []
    [to_b, to_worker] = model.check_month("B", APRIL, 32 * HOUR)
    assert (to_b.recipient, to_worker.recipient, to_b.severity) == ("B", WORKER, Severity.APPROACHING)
    assert model.check_month("B", APRIL, 41 * HOUR)[0].severity is Severity.EXCEEDED
    with pytest.raises(ValueError, match="管理モデルに含まれない"):
        model.check_month("Z", APRIL, 0)


# --- properties -----------------------------------------------------------------------------------------

_blocks = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C"]),
        st.integers(0, 13),  # day offset from Sunday 5 April (two weeks)
        st.integers(0, 10 * HOUR),
        st.booleans(),
        st.integers(0, 23),
    ),
    max_size=25,
)


@given(_blocks)
def test_the_total_overtime_does_not_depend_on_who_takes_it(
    blocks: list[tuple[str, int, int, bool, int]],
) -> None:
    """Contract order only decides attribution: the combined overtime equals that of one employer doing all of
    it, and no employer's own overtime exceeds the combined total."""
    contracts = [
        Contract(e, e, ContractKind.EMPLOYMENT, dt.date(2020 + i, 1, 1), STANDARD_36, legal_holiday_weekday=7)
        for i, e in enumerate("ABC")
    ]  # weekday 7 never occurs: no holiday work in this property
    records = [
        WorkRecord(e, SUN + dt.timedelta(days=d), m, s, dt.time(h, 0)) for e, d, m, s, h in blocks
    ]  # fmt: skip
    split = combine_hours(contracts, records, REGIME_2020_09)
    single = combine_hours(
        contracts[:1],
        [WorkRecord("A", r.day, r.minutes, r.scheduled, r.start) for r in records],
        REGIME_2020_09,
    )
    split_total = sum(em.overtime_combined for em in split.employer_months.values())
    assert split_total == sum(em.overtime_combined for em in single.employer_months.values())
    for employer in "ABC":
        own = sum(em.overtime_own for (e, _), em in split.employer_months.items() if e == employer)
        assert own <= split_total
