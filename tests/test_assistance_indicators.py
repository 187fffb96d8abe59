"""The 帮扶 indicators on a registry counted by hand: measures, visits, 小额信贷 and projects made through the
ORM, the expected figures written out below (with how they were counted), at village, township and county.

transactional_db: the indicators read the registry through its own connection (the snapshot).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from jingzhun.assistance.models import Loan, LoanInstallment, Measure, Project, ProjectFund, ProjectSpending, Visit
from jingzhun.indicators.services import indicators_compute
from jingzhun.registry.models import Household

from .people import CHENGNEI, XIAGAOCHI, World, make_household

AS_OF = datetime.date(2025, 8, 20)  # the year 2025; the quarter from 2025-07-01
TOWNSHIP, COUNTY = "140826100", "140826"
D = datetime.date


def _measure(household, type_, *, member=None, year=2025, start=D(2025, 3, 1), **details):
    Measure.objects.create(household=household, member=member, year=year, type=type_, name=type_, start=start,
                           details=details)


def _visit(world, household, day):
    Visit.objects.create(household=household, visitor=world.cadre, visited_on=day,
                         recorded_at=datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.timezone.utc))


def _loan(household, contract, amount, disbursed, balance, status="normal", unpaid=(), paid=()):
    loan = Loan.objects.create(household=household, borrower=household.members.get(relation="户主"), bank="绛县农商银行",
                               contract_no=contract, amount=Decimal(amount), term_months=36,
                               annual_rate=Decimal("4.35"), disbursed_on=disbursed,
                               due_on=disbursed.replace(year=disbursed.year + 3), balance=Decimal(balance),
                               status=status)
    for day in unpaid:
        LoanInstallment.objects.create(loan=loan, due_on=day, principal=Decimal("10000"))
    for day in paid:
        LoanInstallment.objects.create(loan=loan, due_on=day, principal=Decimal("10000"), paid_on=day,
                                       paid_amount=Decimal("10000"))


def _project(world, county, code, state, funds, spending=(), year=2025):
    project = Project.objects.create(county_id=county, code=code, name=code, category="industry", year=year,
                                     responsible_unit="乡村振兴局", state=state)
    for source, amount in funds.items():
        ProjectFund.objects.create(project=project, source=source, amount=Decimal(amount))
    for source, amount, day in spending:
        ProjectSpending.objects.create(project=project, source=source, amount=Decimal(amount), paid_on=day,
                                       recorded_by=world.county_admin)


@pytest.fixture
def registry(transactional_db):
    """下高池村: home and h2 (cadre 李帮扶), h3 清退. 城内村: neighbour (no cadre), mon (a 监测户 with the cadre), an
    一般农户. 横东村 (横水镇): other_township (未脱贫, no cadre). 平陆县: other_county."""
    world = World()
    cadre = world.cadre_record
    home, neighbour = world.home, world.neighbour
    h2 = make_household(XIAGAOCHI, 2, "李二", cadre=cadre)
    h3 = make_household(XIAGAOCHI, 3, "张三", cadre=cadre, status="清退")
    mon = make_household(CHENGNEI, 2, "钱四", cadre=cadre)
    Household.objects.filter(pk=mon.pk).update(category="监测户", monitoring_class="脱贫不稳定户")
    ordinary = make_household(CHENGNEI, 3, "孙五")
    Household.objects.filter(pk=ordinary.pk).update(category="一般农户", status="", exit_year=None)

    head, daughter = (home.members.get(relation=r) for r in ("户主", "之女"))
    _measure(home, "employment", member=head, training="护工", job="护工")
    _measure(home, "employment", member=daughter, training="电商")
    _measure(home, "public_post", member=head, post="保洁员")
    _measure(home, "industry")
    _measure(h2, "public_post", member=h2.members.get(relation="之女"), post="护林")
    _measure(h2, "health", member=h2.members.get(relation="户主"))
    _measure(h2, "industry", year=2024, start=D(2024, 3, 1))           # last year's: not counted
    _measure(h3, "industry")                                           # 清退: receives no counted help
    _measure(mon, "industry")
    _measure(mon, "employment", member=mon.members.get(relation="户主"), job="保洁")
    _measure(neighbour, "industry", start=D(2025, 9, 1))               # starts after the day: not yet
    _measure(ordinary, "consumption")                                  # 一般农户: not in the base
    _measure(world.other_township, "safety_net", kind="低保")
    _measure(world.other_county, "industry")

    for household, day in ((home, D(2025, 7, 5)), (home, D(2025, 8, 1)), (home, D(2025, 6, 30)),
                           (home, D(2025, 8, 25)), (h2, D(2025, 7, 10)), (h3, D(2025, 7, 11)),
                           (neighbour, D(2025, 7, 15))):
        _visit(world, household, day)

    _loan(home, "L1", 50000, D(2024, 5, 1), 30000, paid=[D(2025, 5, 1)], unpaid=[D(2026, 5, 1)])
    _loan(h2, "L2", 30000, D(2025, 3, 1), 30000, unpaid=[D(2025, 6, 1)])  # an installment past due, unpaid
    _loan(mon, "L3", 20000, D(2023, 1, 10), 20000, status="npl")
    _loan(neighbour, "L4", 10000, D(2022, 1, 1), 0, status="settled")
    _loan(world.other_township, "L5", 40000, D(2025, 9, 1), 40000)        # disbursed after the day

    _project(world, COUNTY, "P1", "underway", {"central": 1_000_000, "county": 200_000, "other": 100_000},
             [("central", 400_000, D(2025, 7, 1)), ("other", 50_000, D(2025, 7, 2)),
              ("central", 100_000, D(2025, 9, 1))])                      # the last paid after the day
    _project(world, COUNTY, "P2", "accepted", {"province": 300_000}, [("province", 300_000, D(2025, 4, 1))])
    _project(world, COUNTY, "P3", "listed", {"city": 100_000})
    _project(world, COUNTY, "P4", "completed", {"central": 500_000}, year=2024)     # last year's
    _project(world, "140829", "P5", "underway", {"central": 900_000})                # another county's
    return world


def _figures(org: str, codes) -> dict:
    values = indicators_compute(org=org, as_of=AS_OF)
    return {code: (float(values[code]) if isinstance(values[code], Decimal) else values[code]) for code in codes}


# 下高池村: base home + h2 (h3 清退) = 2, both measured. Cadre households home, h2: visits in the quarter home 2
# (06-30 is Q2, 08-25 after the day) + h2 1 (h3 清退 does not count) = 3. Loans: L1 (2024) and L2 (2025); L2
# has an installment due 06-01 unpaid → overdue. 公益岗位: home's head and h2's daughter. Trained: home's head
# and daughter; employed: home's head.
VILLAGE = {
    "ASST_BASE_HH": 2, "ASST_MEASURED_HH": 2, "ASST_COVERAGE": 100.0, "ASST_NO_MEASURE_HH": 0,
    "VISIT_CADRE_HH": 2, "VISITS_Q": 3, "VISITED_Q_HH": 2, "VISITS_PER_HH_Q": 1.5, "VISITED_Q_RATE": 100.0,
    "LOAN_HH": 2, "LOAN_HH_YEAR": 1, "LOAN_COVERAGE": 100.0, "LOAN_AMOUNT": 80000.0, "LOAN_AMOUNT_YEAR": 30000.0,
    "LOAN_BALANCE": 60000.0, "LOAN_OVERDUE_N": 1, "LOAN_OVERDUE_BALANCE": 30000.0, "LOAN_NPL_N": 0,
    "PUBLIC_POST_PERSONS": 2, "EMPLOY_TRAINED": 2, "EMPLOY_EMPLOYED": 1,
    # projects are registered per county: none below it
    "PROJECTS": None, "FUND_PLANNED": None, "FUND_RATE": None,
}
# 古绛镇 = 下高池村 + 城内村. 城内村: base neighbour + mon = 2 (the 一般农户 is not), measured mon only (the
# neighbour's starts 09-01) → 3 of 4. Cadre households + mon = 3, visited 2. Loans + L3 (npl, 2023) and L4
# (settled, 2022: still "ever disbursed") → 4 households; balance 60000 + 20000; overdue L2 + L3. Employed +
# mon's head.
TOWNSHIP_FIGURES = {
    "ASST_BASE_HH": 4, "ASST_MEASURED_HH": 3, "ASST_COVERAGE": 75.0, "ASST_NO_MEASURE_HH": 1,
    "VISIT_CADRE_HH": 3, "VISITS_Q": 3, "VISITED_Q_HH": 2, "VISITS_PER_HH_Q": 1.0, "VISITED_Q_RATE": 66.67,
    "LOAN_HH": 4, "LOAN_HH_YEAR": 1, "LOAN_COVERAGE": 100.0, "LOAN_AMOUNT": 110000.0, "LOAN_AMOUNT_YEAR": 30000.0,
    "LOAN_BALANCE": 80000.0, "LOAN_OVERDUE_N": 2, "LOAN_OVERDUE_BALANCE": 50000.0, "LOAN_NPL_N": 1,
    "PUBLIC_POST_PERSONS": 2, "EMPLOY_TRAINED": 2, "EMPLOY_EMPLOYED": 2,
    "PROJECTS": None, "PROJ_UNDERWAY": None, "FUND_SPENT": None, "FUND_RATE": None,
}
# 绛县 = 古绛镇 + 横东村's other_township (未脱贫, no cadre, measured; L5 disbursed after the day). Projects of 2025:
# P1 underway, P2 accepted, P3 listed (P4 is 2024's, P5 平陆县's). 衔接资金 planned 1,000,000 + 200,000 + 300,000 +
# 100,000 (P1's 其他资金 is not 衔接资金); spent by the day 400,000 + 300,000 → 43.75%.
COUNTY_FIGURES = {
    "ASST_BASE_HH": 5, "ASST_MEASURED_HH": 4, "ASST_COVERAGE": 80.0, "ASST_NO_MEASURE_HH": 1,
    "VISIT_CADRE_HH": 3, "VISITS_Q": 3, "VISITED_Q_HH": 2, "VISITS_PER_HH_Q": 1.0, "VISITED_Q_RATE": 66.67,
    "LOAN_HH": 4, "LOAN_HH_YEAR": 1, "LOAN_COVERAGE": 80.0, "LOAN_AMOUNT": 110000.0, "LOAN_AMOUNT_YEAR": 30000.0,
    "LOAN_BALANCE": 80000.0, "LOAN_OVERDUE_N": 2, "LOAN_OVERDUE_BALANCE": 50000.0, "LOAN_NPL_N": 1,
    "PUBLIC_POST_PERSONS": 2, "EMPLOY_TRAINED": 2, "EMPLOY_EMPLOYED": 2,
    "PROJECTS": 3, "PROJ_LISTED": 1, "PROJ_PUBLICISED": 0, "PROJ_UNDERWAY": 1, "PROJ_COMPLETED": 0,
    "PROJ_ACCEPTED": 1, "PROJ_CANCELLED": 0, "FUND_PLANNED": 1_600_000.0, "FUND_SPENT": 700_000.0, "FUND_RATE": 43.75,
}


def test_village_figures_match_the_hand_count(registry):
    assert _figures(XIAGAOCHI, VILLAGE) == VILLAGE


def test_township_figures_match_the_hand_count(registry):
    assert _figures(TOWNSHIP, TOWNSHIP_FIGURES) == TOWNSHIP_FIGURES


def test_county_figures_match_the_hand_count(registry):
    assert _figures(COUNTY, COUNTY_FIGURES) == COUNTY_FIGURES


def test_coverage_per_measure_type_counts_households_of_the_base(registry):
    # 下高池村: employment home; public_post home, h2; industry home (h3 清退, h2's is 2024's); health h2 — of 2
    assert indicators_compute(org=XIAGAOCHI, as_of=AS_OF)["MEASURES"] == {
        "public_post": {"households": 2, "rate": 100.0}, "employment": {"households": 1, "rate": 50.0},
        "health": {"households": 1, "rate": 50.0}, "industry": {"households": 1, "rate": 50.0}}
    # 绛县 (base 5): + mon's industry and employment, other_township's safety_net; the 一般农户's consumption not
    assert indicators_compute(org=COUNTY, as_of=AS_OF)["MEASURES"] == {
        "employment": {"households": 2, "rate": 40.0}, "industry": {"households": 2, "rate": 40.0},
        "public_post": {"households": 2, "rate": 40.0}, "health": {"households": 1, "rate": 20.0},
        "safety_net": {"households": 1, "rate": 20.0}}


def test_fund_execution_per_source_at_county_level_only(registry):
    assert indicators_compute(org=COUNTY, as_of=AS_OF)["FUNDS"] == {
        "central": {"planned": 1_000_000.0, "spent": 400_000.0, "rate": 40.0},
        "city": {"planned": 100_000.0, "spent": 0.0, "rate": 0.0},
        "county": {"planned": 200_000.0, "spent": 0.0, "rate": 0.0},
        "other": {"planned": 100_000.0, "spent": 50_000.0, "rate": 50.0},
        "province": {"planned": 300_000.0, "spent": 300_000.0, "rate": 100.0}}
    assert indicators_compute(org=TOWNSHIP, as_of=AS_OF)["FUNDS"] == {}


def test_a_refresh_stores_the_same_figures_for_every_level(registry):
    from jingzhun.indicators.models import UnitIndicators
    from jingzhun.indicators.services import indicators_refresh

    refresh = indicators_refresh(as_of=AS_OF, reason="test")
    stored = {row.org: row.values for row in UnitIndicators.objects.filter(refresh=refresh)}
    for org, expected in ((XIAGAOCHI, VILLAGE), (TOWNSHIP, TOWNSHIP_FIGURES), (COUNTY, COUNTY_FIGURES)):
        assert {code: stored[org][code] for code in expected} == expected
    # the city and province sum their counties: 平陆县's P5 (900,000 planned, nothing spent) joins at 运城市
    assert stored["1408"]["PROJECTS"] == 4 and stored["1408"]["FUND_PLANNED"] == 2_500_000.0
    assert stored["1408"]["FUND_RATE"] == 28.0 and stored["14"]["FUND_RATE"] == 28.0


def test_a_terminated_project_counts_as_planned_only_what_it_spent(registry):
    """终止: its unpaid plan went back (as the 衔接资金执行 page counts it): 中央 500,000 planned, 120,000 paid
    before it stopped → planned and spent both grow by 120,000; the other figures stay the hand count."""
    world = registry
    _project(world, COUNTY, "P-STOP", "cancelled", {"central": 500_000},
             spending=[("central", 120_000, D(2025, 5, 1))])
    values = indicators_compute(org=COUNTY, as_of=AS_OF)
    assert (values["FUND_PLANNED"], values["FUND_SPENT"], values["PROJ_CANCELLED"]) == (1_720_000.0, 820_000.0, 1)
    assert values["FUNDS"]["central"] == {"planned": 1_120_000.0, "spent": 520_000.0, "rate": 46.43}
