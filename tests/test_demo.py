"""`jingzhun demo`: the county as it stands on the reference day, its planted problems, and work for every role.

transactional_db: the check run reads the registry through its own connection (the snapshot), which sees
committed rows only.
"""

from __future__ import annotations

import datetime
import itertools
from collections import Counter

import pytest
from django.utils import timezone

from jingzhun.accounts.models import Role, User
from jingzhun.checks.models import CheckRun, Problem
from jingzhun.checks.services import problems_for
from jingzhun.indicators.models import UnitIndicators
from jingzhun.indicators.services import indicators_refresh
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.services import divisions_load
from jingzhun.registry import vocab
from jingzhun.registry.models import Household, Member
from jingzhun.synth.demo import (DEMO_COUNTY, DEMO_VILLAGE, PLANTED_RULES, age_on, demo_registry_load,
                                 demo_users_reset)
from jingzhun.synth.demo_assistance import demo_assistance_load
from jingzhun.synth.demo_work import demo_work_load
from jingzhun.workflows.definitions import PUBLIC_TYPES, Kind
from jingzhun.workflows.models import Objection, Procedure, PublicityBatch

pytestmark = pytest.mark.slow

AS_OF = datetime.date(2026, 3, 16)
PLANTED = Counter(rule for rules in PLANTED_RULES.values() for rule in rules)
SCHOOL_BY_AGE = {12: "七年级", 13: "八年级", 14: "九年级"}


def _build(as_of=None):
    divisions_load(prefix="1408")
    summary, planted = demo_registry_load(as_of=as_of)
    demo_users_reset(cadre_households=[case.household for case in planted])
    demo_assistance_load(day=as_of or timezone.localdate())
    work = demo_work_load(as_of=as_of)
    return summary, planted, work


def _ages_fit(day: datetime.date) -> None:
    """Nobody grown up is 学龄前儿童 and every pupil is in the grade of their age, on `day`."""
    planted_overage = {p.person for p in Problem.objects.filter(rule="Q09")}
    for m in Member.objects.filter(status=vocab.MemberStatus.NORMAL).exclude(id_number__in=planted_overage):
        if len(m.id_number) != 18 or not m.id_number[:17].isdigit():
            continue
        a = age_on(m.id_number, day)
        if m.education == vocab.Education.PRESCHOOL_CHILD:
            assert a < 6, (m.id_number, a)
        if 6 <= a <= 11:
            assert m.schooling == vocab.Schooling.PRIMARY, (a, m.schooling)
        elif a in SCHOOL_BY_AGE and m.household.village_id != DEMO_VILLAGE:
            assert m.schooling == SCHOOL_BY_AGE[a], (a, m.schooling)
        elif a >= 22:
            assert m.schooling == vocab.Schooling.NOT_IN_SCHOOL


def _problem_rules() -> Counter:
    return Counter(Problem.objects.values_list("rule", flat=True))


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _steps_for(user: User) -> list[Procedure]:
    """Open procedures in the user's reach whose current step (not a 公示) is the user's role's to take."""
    access = access_for(user)
    return [p for p in Procedure.objects.filter(state=Procedure.State.OPEN)
            if access.reaches_code(p.village_id) and p.current_step.type not in PUBLIC_TYPES
            and p.current_step.role == access.role]


def _ended_batches_for(user: User, day: datetime.date) -> list[PublicityBatch]:
    access = access_for(user)
    return [b for b in PublicityBatch.objects.filter(closed_at__isnull=True, end__lt=day)
            if access.reaches_code(b.unit_id) and b.procedures.first().current_step.role == access.role]


def _dates_are_consistent() -> None:
    """Steps in order; a 公示 published no earlier than the step before it and closed only after it ran."""
    for p in Procedure.objects.all():
        records = list(p.records.order_by("pk"))
        assert [r.at for r in records] == sorted(r.at for r in records), p
        for before, record in itertools.pairwise(records):
            if record.decision == "published":
                start = datetime.date.fromisoformat(record.data["start"])
                assert timezone.localtime(before.at).date() <= start == timezone.localtime(record.at).date()
    for batch in PublicityBatch.objects.exclude(closed_at=None):
        assert timezone.localtime(batch.closed_at).date() > batch.end
    for objection in Objection.objects.select_related("batch"):
        assert objection.batch.start <= objection.received_on <= objection.batch.end


def test_demo_county_of_a_day_holds_the_planted_problems_and_work_for_every_role(transactional_db):
    summary, planted, work = _build(AS_OF)

    # the registry as it stands on the day: incomes of the last full year, 2026 statuses, ages that fit
    households = Household.objects.filter(code__startswith=DEMO_COUNTY)
    assert summary.households.created == households.count() == 3000
    assert set(households.values_list("income_year", flat=True)) == {2025}
    assert set(households.values_list("status", flat=True)) == {"已脱贫", "清退"}
    _ages_fit(AS_OF)

    # the check run finds exactly the planted problems, all in 下高池村
    assert [case.case for case in planted] == list(PLANTED_RULES)
    run = CheckRun.objects.get(org=DEMO_COUNTY)
    assert run.as_of == AS_OF and run.found == sum(PLANTED.values()) <= 10
    assert _problem_rules() == PLANTED
    assert set(Problem.objects.values_list("village", flat=True)) == {DEMO_VILLAGE}
    assert {(p.household, p.person or "") for p in Problem.objects.filter(rule__in=["Q08", "Q03", "Q11", "Q13", "Q09"])} \
        == {(c.household, c.person) for c in planted if c.person}
    claimed = Problem.objects.get(status=Problem.Status.EXCEPTION_PENDING)
    assert claimed.rule == "Q09" and claimed.exception_by == _user("village")
    assert work.problems == sum(PLANTED.values()) and work.objections == 1

    # the bulletin's figures: the one planted dropout, nobody poor
    indicators_refresh(as_of=AS_OF, reason="test")
    county = UnitIndicators.objects.filter(org=DEMO_COUNTY).latest("refresh_id").values
    assert county["DROPOUTS"] == 1 and county["HH_POOR"] == 0 and county["VILLAGE_EXIT_RATE"] == 100.0
    # 帮扶 figures for the dashboard's card and the bulletin: real ones, not zeros
    assert county["ASST_COVERAGE"] > 80 and county["LOAN_HH"] > 0 and county["LOAN_NPL_N"] == 1
    assert county["EMPLOY_TRAINED"] > 0 and county["PUBLIC_POST_PERSONS"] > 0 and 0 < county["FUND_RATE"] < 100
    assert county["VISITS_Q"] > 0 and set(county["MEASURES"]) >= {"industry", "employment", "health"}

    # every role that acts has something waiting for it
    village, township, county_admin = _user("village"), _user("township"), _user("county")
    assert [b.procedures.first().head_name for b in _ended_batches_for(village, AS_OF)] == ["吉小红"]
    assert problems_for(village).filter(status=Problem.Status.OPEN).count() == sum(PLANTED.values()) - 1
    assert Counter(p.kind for p in _steps_for(township)) == {Kind.ENTRY: 1, Kind.MEMBER_CHANGE: 1, Kind.REMOVAL: 1}
    assert [p.head_name for p in _steps_for(township) if p.kind == Kind.ENTRY] == ["段志强"]
    member_change = Procedure.objects.get(kind=Kind.MEMBER_CHANGE)
    assert member_change.payload["change"] == "birth" and member_change.village_id == DEMO_VILLAGE
    pending = Objection.objects.get(resolution="")
    assert pending.procedure.head_name == "李长青" and pending.batch.step == "township_publicity"
    assert pending.batch.start <= AS_OF <= pending.batch.end  # the 公示 is still running
    assert access_for(township).reaches_code(pending.batch.unit_id) and township.role == Role.TOWNSHIP_OFFICER
    assert problems_for(township).filter(status=Problem.Status.EXCEPTION_PENDING).exists()
    assert [(p.head_name, p.step) for p in _steps_for(county_admin)] == [("柴建民", "comparison")]
    assert problems_for(_user("admin")).filter(status=Problem.Status.EXCEPTION_PENDING).exists()
    assert problems_for(_user("cadre")).filter(status=Problem.Status.OPEN).exists()  # their own households'
    _dates_are_consistent()

    # a second `jingzhun demo` adds nothing
    counts = (Household.objects.count(), Procedure.objects.count(), PublicityBatch.objects.count(),
              Objection.objects.count(), Problem.objects.count(), CheckRun.objects.count(), User.objects.count())
    assert demo_registry_load(as_of=AS_OF) is None
    demo_users_reset()
    assert demo_assistance_load(day=AS_OF) is None
    assert demo_work_load(as_of=AS_OF) is None
    assert counts == (Household.objects.count(), Procedure.objects.count(), PublicityBatch.objects.count(),
                      Objection.objects.count(), Problem.objects.count(), CheckRun.objects.count(),
                      User.objects.count())


def test_demo_county_of_today_fits_today(transactional_db):
    """The one test on the real today: `jingzhun demo` without a date builds the county as of today."""
    today = timezone.localdate()
    _build()
    assert set(Household.objects.values_list("income_year", flat=True)) == {today.year - 1}
    _ages_fit(today)
    assert CheckRun.objects.get().as_of == today
    assert _problem_rules() == PLANTED
    _dates_are_consistent()


def test_demo_county_has_monitoring_work_from_every_channel_and_both_procedures(transactional_db):
    """防止返贫监测 in the demo (synth/demo_monitoring.py), on the real today: a lead from each channel, a
    识别纳入 at the county's 信息比对, and a household 纳入 eight months ago (entered as past work, its 公示 run
    in full) whose 风险消除 now waits for 村民主评议."""
    from jingzhun.monitoring.models import Lead
    from jingzhun.monitoring.selectors import leads_to_verify
    from jingzhun.synth.demo_monitoring import demo_monitoring_load
    from jingzhun.workflows.models import IncomeVerification, LedgerEvent

    today = timezone.localdate()
    _build()
    made = demo_monitoring_load(day=today)
    assert made.alert_hits == 1 and made.procedures == 2
    assert Counter(Lead.objects.values_list("channel", flat=True)) == {"village_check": 2, "self_report": 1,
                                                                       "department": 1}
    village, county_admin = _user("village"), _user("county")
    assert leads_to_verify(village).count() >= 2  # the clerk's 排查 and the farmer's own report
    entry = Procedure.objects.get(kind=Kind.MONITORING_ENTRY, state=Procedure.State.OPEN)
    assert entry.step == "comparison" and (entry.head_name, "comparison") in [
        (p.head_name, p.step) for p in _steps_for(county_admin)]
    included = Lead.objects.get(result="include")
    assert entry.payload["lead_id"] == included.pk
    done = Procedure.objects.get(kind=Kind.MONITORING_ENTRY, state=Procedure.State.DONE)
    household = Household.objects.get(pk=done.household_id)
    assert household.category == "监测户" and household.monitoring_since == today - datetime.timedelta(days=222)
    assert LedgerEvent.objects.get(type="monitored").effective == household.monitoring_since
    days = [r.at.date() for r in done.records.order_by("at", "id")]
    assert days == sorted(days) and days[0] == today - datetime.timedelta(days=240)
    elimination = Procedure.objects.get(kind=Kind.RISK_ELIMINATION)
    assert elimination.household_id == household.pk and elimination.step == "village_review"
    assert IncomeVerification.objects.filter(household=household).count() == 8  # 入户核实 + seven monthly
    _dates_are_consistent()
    assert demo_monitoring_load(day=today) is None  # a second `jingzhun demo` adds nothing
