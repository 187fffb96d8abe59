"""Synthetic 帮扶 (synth/assistance.py): deterministic by seed and day, plausible in its counts and shares,
every project state there, loans within the rules, and the demo's users of the help side.

transactional_db: the loader reads the registry through its own connection (the snapshot).
"""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from jingzhun.accounts.models import Role, User
from jingzhun.assistance.models import (CadreAssignment, HelpUnit, Loan, LoanInstallment, Measure, Project,
                                        ProjectSpending, Visit, WorkTeam, WorkTeamMember)
from jingzhun.indicators.services import indicators_compute
from jingzhun.orgunits.services import divisions_load
from jingzhun.registry.models import Household
from jingzhun.synth.demo import DEMO_COUNTY, DEMO_VILLAGE, age_on, demo_registry_load, demo_users_reset
from jingzhun.synth.demo_assistance import demo_assistance_load

pytestmark = pytest.mark.slow

AS_OF = datetime.date(2026, 5, 20)


def _sorted(rows) -> list[str]:
    return sorted(map(repr, rows))


def _fingerprint() -> tuple:
    return (
        _sorted(Measure.objects.values_list("household_id", "member_id", "year", "type", "amount", "start")),
        _sorted(Visit.objects.values_list("household_id", "visited_on")),
        _sorted(Loan.objects.values_list("household_id", "borrower_id", "amount", "disbursed_on", "balance", "status")),
        _sorted(Project.objects.values_list("code", "name", "state", "year")),
        _sorted(ProjectSpending.objects.values_list("project__code", "source", "amount", "paid_on")),
        _sorted(WorkTeamMember.objects.values_list("team__village_id", "name", "role")),
    )


def _wipe() -> None:
    ProjectSpending.objects.all().delete()
    Project.objects.all().delete()
    Loan.objects.all().delete()
    for model in (Visit, Measure, CadreAssignment, WorkTeamMember, WorkTeam, HelpUnit):
        model.objects.all().delete()


@pytest.fixture
def county(transactional_db):
    divisions_load(prefix="1408")
    _summary, planted = demo_registry_load(households=800, seed=7, as_of=AS_OF)
    demo_users_reset(cadre_households=[case.household for case in planted])
    return demo_assistance_load(day=AS_OF, seed=7)


def test_the_same_seed_and_day_give_the_same_rows(county):
    first = _fingerprint()
    _wipe()
    assert demo_assistance_load(day=AS_OF, seed=7) == county
    assert _fingerprint() == first
    assert demo_assistance_load(day=AS_OF, seed=7) is None  # a county with help already gets none added


def test_counts_and_shares_are_plausible(county):
    base = Household.objects.filter(code__startswith=DEMO_COUNTY).exclude(status="清退").filter(
        category__in=["脱贫户", "监测户"])
    values = indicators_compute(org=DEMO_COUNTY, as_of=AS_OF)
    assert values["ASST_BASE_HH"] == base.count() > 700
    assert 85 <= values["ASST_COVERAGE"] < 100                           # most households have help this year
    assert values["MEASURES"]["industry"]["households"] > values["MEASURES"]["health"]["households"] > 0
    assert {"industry", "employment", "public_post", "education", "health", "microcredit"} <= set(values["MEASURES"])
    assert values["EMPLOY_TRAINED"] > 0 and values["EMPLOY_EMPLOYED"] > 0 and values["PUBLIC_POST_PERSONS"] > 0
    assert 0.5 <= values["VISITS_PER_HH_Q"] <= 1.6 and values["VISITED_Q_RATE"] >= 60  # mid-quarter
    assert 8 <= values["LOAN_COVERAGE"] <= 22 and values["LOAN_BALANCE"] > 0
    assert values["LOAN_OVERDUE_N"] >= 1 and values["LOAN_NPL_N"] == 1
    assert values["PROJECTS"] >= 6 and 0 < values["FUND_RATE"] < 100
    # every state of a project this year, funds on every project, spending only where work began
    states = Counter(Project.objects.filter(year=2026).values_list("state", flat=True))
    assert set(states) == {"listed", "publicised", "underway", "completed", "accepted", "cancelled"}
    assert not Project.objects.filter(funds__isnull=True).exists()
    assert not ProjectSpending.objects.filter(project__state__in=["listed", "publicised", "cancelled"]).exists()
    assert not ProjectSpending.objects.filter(paid_on__gt=AS_OF).exists()
    # teams: one per village with a household, 3–4 members, a 第一书记 in nearly all
    teams = WorkTeam.objects.count()
    assert teams == len({code[:12] for code in base.values_list("code", flat=True)} | set(
        Household.objects.values_list("village_id", flat=True)))
    sizes = Counter(WorkTeamMember.objects.values_list("team", flat=True))
    assert set(sizes.values()) <= {3, 4} and county.first_secretaries >= 0.8 * teams
    # 帮扶结对: one current per household with a cadre
    assert CadreAssignment.objects.filter(end__isnull=True).count() == \
        Household.objects.filter(cadre__isnull=False).count()


def test_loans_keep_the_rules(county):
    loans = list(Loan.objects.select_related("borrower"))
    assert loans
    for loan in loans:
        assert loan.amount <= 50000 and loan.term_months <= 36 and loan.disbursed_on <= AS_OF
        assert 18 <= age_on(loan.borrower.id_number, loan.disbursed_on) <= 65
        paid = sum(i.principal for i in loan.installments.all() if i.paid_on)
        assert loan.balance == loan.amount - paid
    assert Counter(loan.status for loan in loans)["npl"] == 1
    assert LoanInstallment.objects.filter(paid_on__isnull=True, due_on__lt=AS_OF).exists()  # the overdue ones


def test_measures_follow_the_household(county):
    # education for pupils only, health for the ill only, employment for working age, and nothing of 清退
    for m in Measure.objects.filter(type="education").select_related("member"):
        assert m.member.schooling not in ("", "非在校生")
    for m in Measure.objects.filter(type="health").select_related("member"):
        assert m.member.health in ("长期慢性病", "患有大病")
    for m in Measure.objects.filter(type="employment", year=2026).select_related("member"):
        assert 18 <= age_on(m.member.id_number, AS_OF) <= 56 and (m.details.get("training") or m.details.get("job"))
    assert not Measure.objects.filter(household__status="清退").exists()
    assert not Measure.objects.filter(year=2026, start__gt=AS_OF).exists()


def test_the_demo_has_a_cadre_and_a_work_team_member_who_can_sign_in(county):
    cadre, team = User.objects.get(username="cadre"), User.objects.get(username="workteam")
    assert team.role == Role.WORK_TEAM and team.org_unit_id == DEMO_VILLAGE and team.is_active
    member = WorkTeamMember.objects.get(user=team)
    assert member.team.village_id == DEMO_VILLAGE and member.role == "secretary" and team.full_name == member.name
    # the demo cadre's households were visited by the demo cadre
    own = Household.objects.filter(cadre__user=cadre)
    assert own.exists() and Visit.objects.filter(household__in=own, visitor=cadre).exists()
    assert not Visit.objects.filter(household__in=own).exclude(visitor=cadre).exists()
    assert not User.objects.get(username="synth-visits").is_active
