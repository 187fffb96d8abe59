"""归集 (services): data problems and 监测线索 gathered into ledger items, the closing rule that keeps the ledger
and the problem list in agreement, and closed items whose problems came back."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jingzhun.checks.models import CheckRun, Problem
from jingzhun.checks.services import problem_claim_exception, problem_review_exception
from jingzhun.monitoring.models import Lead
from jingzhun.monitoring.services import lead_create
from jingzhun.supervision.models import Agency, Item
from jingzhun.supervision.selectors.gather import items_with_reappeared_problems
from jingzhun.supervision.services.gather import (
    DETAIL_LINES,
    LeadFilter,
    ProblemFilter,
    item_add_leads,
    item_add_problems,
    item_gather_leads,
    item_gather_problems,
    problem_source,
    problems_to_gather,
)
from jingzhun.supervision.services.items import (
    LedgerError,
    item_assign,
    item_reopen,
    item_report,
    item_review,
    item_sign,
)
from jingzhun.supervision.vocab import EventKind, ItemState, Source

from .people import CHENGNEI, HENGDONG, XIAGAOCHI, ZHANGGUO

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)


def _problem(household, rule: str, *, person: str = "", status: str = Problem.Status.OPEN) -> Problem:
    run = CheckRun.objects.filter(org=household.code[:6]).first() or CheckRun.objects.create(
        org=household.code[:6], as_of=TODAY, status=CheckRun.Status.DONE)
    now = timezone.now()
    return Problem.objects.create(rule=rule, household=household.code, person=person, village=household.village_id,
                                  message="问题", status=status, first_run=run, last_run=run, first_seen=now,
                                  last_seen=now)


def _many(household, n: int, rule: str = "Q04") -> list[Problem]:
    """n problems of one household (one per member-like key)."""
    return [_problem(household, rule, person=f"P{i:03d}") for i in range(n)]


def _gather(world, **which) -> Item:
    return item_gather_problems(acting_user=world.county_admin, county="140826", which=ProblemFilter(**which))


def _to_doing(world, item: Item) -> Item:
    item_assign(acting_user=world.county_admin, item_id=item.pk, deadline=TODAY + datetime.timedelta(days=30))
    return item_sign(acting_user=world.village_clerk, item_id=item.pk)


def _set(problems, status: str) -> None:
    Problem.objects.filter(pk__in=[p.pk for p in problems]).update(status=status)


# --- gathering ------------------------------------------------------------------------------------------


def test_a_villages_problems_become_one_item_with_its_list_and_the_village_as_responsible_unit(world):
    problems = _many(world.home, 47)
    _problem(world.neighbour, "Q04")  # another village: not asked for

    item = _gather(world, unit=XIAGAOCHI)

    assert item.title == "下高池村 47 条问题数据整改"
    assert item.state == ItemState.DRAFT and item.source == Source.DATA_CHECK
    assert set(item.problems.values_list("pk", flat=True)) == {p.pk for p in problems}
    assert item.agency == Agency.objects.get(org_id=XIAGAOCHI)
    assert len(item.detail.splitlines()) == 47 and "户编号 " + world.home.code in item.detail
    assert list(item.affected_units.values_list("code", flat=True)) == [XIAGAOCHI]
    assert list(item.households.values_list("code", flat=True)) == [world.home.code]
    assert item.events.filter(kind=EventKind.GATHER, note__contains="47 条").exists()


def test_the_detail_names_no_id_number_and_long_lists_are_counted(world):
    daughter = world.home.members.order_by("pk").last()
    _problem(world.home, "Q04", person=daughter.id_number)
    for i in range(DETAIL_LINES + 2):
        _problem(world.home, "Q20", person=f"X{i:04d}")
    item = _gather(world, unit=XIAGAOCHI)
    assert daughter.id_number not in item.detail
    lines = item.detail.splitlines()
    assert len(lines) == DETAIL_LINES + 1 and lines[-1] == "……另有 3 条，见事项的问题数据清单。"
    assert item.problems.count() == DETAIL_LINES + 3


def test_a_township_or_county_gather_names_the_township_or_leaves_the_unit_for_assignment(world):
    _problem(world.home, "Q04")
    _problem(world.neighbour, "Q04")
    township = _gather(world, unit="140826100")
    assert township.title == "古绛镇 2 条问题数据整改"
    assert township.agency.org_id == "140826100"
    assert set(township.affected_units.values_list("code", flat=True)) == {XIAGAOCHI, CHENGNEI}

    _problem(world.other_township, "Q04")
    _problem(world.home, "Q20")
    county = _gather(world)
    assert county.agency is None and county.problems.count() == 2  # the first two are in an open item
    assert "另有 2 条已在其他未销号事项中" in county.events.get(kind=EventKind.GATHER).note


def test_the_source_is_what_the_problems_are(world):
    assert problem_source("BD03") == Source.COMPARISON
    assert problem_source("PG01") == Source.ASSESSMENT and problem_source("CC01") == Source.ASSESSMENT
    assert problem_source("Q04") == Source.DATA_CHECK
    _problem(world.home, "BD03")
    _problem(world.home, "BD04")
    _problem(world.home, "Q04")
    assert _gather(world, unit=XIAGAOCHI).source == Source.COMPARISON


def test_rule_and_kind_filters_choose_the_problems(world):
    q04, bd03, pg01 = _problem(world.home, "Q04"), _problem(world.home, "BD03"), _problem(world.home, "PG01")
    preview = problems_to_gather(world.county_admin, county="140826", which=ProblemFilter(kind="comparison"))
    assert list(preview.rows) == [bd03]
    preview = problems_to_gather(world.county_admin, county="140826", which=ProblemFilter(kind="data_check"))
    assert list(preview.rows) == [q04]
    item = _gather(world, kind="assessment")
    assert list(item.problems.all()) == [pg01] and item.source == Source.ASSESSMENT
    assert list(_gather(world, rule="Q04").problems.all()) == [q04]
    with pytest.raises(LedgerError):
        _gather(world, kind="nonsense")


def test_only_unresolved_problems_are_gathered(world):
    kept = [_problem(world.home, "Q04"), _problem(world.home, "Q05", status=Problem.Status.EXCEPTION_PENDING)]
    _problem(world.home, "Q06", status=Problem.Status.FIXED)
    _problem(world.home, "Q07", status=Problem.Status.EXCEPTION)
    assert set(_gather(world, unit=XIAGAOCHI).problems.all()) == set(kept)


def test_problems_already_in_an_open_item_are_skipped_and_nothing_left_is_refused(world):
    first = _many(world.home, 3)
    _gather(world, unit=XIAGAOCHI)
    with pytest.raises(LedgerError, match="已全部归集到未销号的台账事项中（3 条）"):
        _gather(world, unit=XIAGAOCHI)
    with pytest.raises(LedgerError, match="没有可归集的问题数据"):
        _gather(world, unit=HENGDONG)
    assert Item.objects.count() == 1
    # explicit ids of taken problems: skipped too
    with pytest.raises(LedgerError):
        _gather(world, ids=tuple(p.pk for p in first))


def test_a_problem_of_a_closed_item_may_be_gathered_again(world):
    problem = _problem(world.home, "Q04")
    item = _gather(world, unit=XIAGAOCHI)
    Item.objects.filter(pk=item.pk).update(state=ItemState.CLOSED)
    assert list(_gather(world, unit=XIAGAOCHI).problems.all()) == [problem]


def test_more_problems_join_an_open_item_and_its_list_grows(world):
    _problem(world.home, "Q04")
    item = _gather(world, unit=XIAGAOCHI)
    later = _problem(world.home, "Q20")
    item = item_add_problems(acting_user=world.county_admin, item_id=item.pk, which=ProblemFilter(unit=XIAGAOCHI))
    assert later in item.problems.all() and item.problems.count() == 2
    assert item.detail.splitlines()[-1].startswith("2. Q20")
    assert item.events.filter(kind=EventKind.GATHER).count() == 2
    Item.objects.filter(pk=item.pk).update(state=ItemState.REPORTED)
    _problem(world.home, "Q21")
    with pytest.raises(LedgerError, match="不能再追加"):
        item_add_problems(acting_user=world.county_admin, item_id=item.pk, which=ProblemFilter(unit=XIAGAOCHI))


def test_only_the_county_admin_gathers(world):
    _problem(world.home, "Q04")
    for user in (world.village_clerk, world.township_officer, world.analyst, world.evaluator, world.department,
                 world.cadre, world.outsider):
        with pytest.raises(PermissionDenied):
            item_gather_problems(acting_user=user, county="140826", which=ProblemFilter())
    assert not Item.objects.exists()
    assert item_gather_problems(acting_user=world.sysadmin, county="140826", which=ProblemFilter()).problems.count() == 1


def test_a_county_gathers_only_its_own_problems(world):
    _problem(world.other_county, "Q04")
    with pytest.raises(LedgerError):
        item_gather_problems(acting_user=world.county_admin, county="140826", which=ProblemFilter(unit=ZHANGGUO))
    with pytest.raises(LedgerError, match="没有可归集"):  # ids of another county's problems are not in reach
        _gather(world, ids=tuple(Problem.objects.values_list("pk", flat=True)))
    item = item_gather_problems(acting_user=world.outsider, county="140829", which=ProblemFilter())
    assert item.county_id == "140829" and item.agency.org_id == ZHANGGUO


def test_adding_to_another_countys_item_is_out_of_reach(world):
    _problem(world.other_county, "Q04")
    item = item_gather_problems(acting_user=world.outsider, county="140829", which=ProblemFilter())
    _problem(world.home, "Q04")
    with pytest.raises(Exception) as raised:
        item_add_problems(acting_user=world.county_admin, item_id=item.pk, which=ProblemFilter())
    assert raised.type.__name__ == "OutOfReach"
    assert item.problems.count() == 1


# --- leads ------------------------------------------------------------------------------------------------


def _lead(household, risk: str = "illness") -> Lead:
    return lead_create(channel="self_report", village=household.village, risk_type=risk, description="看病自付多",
                       household=household)


def test_pending_leads_of_a_village_become_a_monitoring_item(world):
    leads = [_lead(world.home), _lead(world.home, "disaster")]
    _lead(world.neighbour)
    item = item_gather_leads(acting_user=world.county_admin, county="140826", which=LeadFilter(unit=XIAGAOCHI))
    assert item.source == Source.MONITORING and item.title == "下高池村 2 条监测线索核实"
    assert set(item.leads.all()) == set(leads) and item.agency.org_id == XIAGAOCHI
    with pytest.raises(LedgerError, match="已全部归集"):
        item_gather_leads(acting_user=world.county_admin, county="140826", which=LeadFilter(unit=XIAGAOCHI))


def test_only_overdue_leads_when_asked(world):
    late, fresh = _lead(world.home), _lead(world.home, "disaster")
    Lead.objects.filter(pk=late.pk).update(verify_due=TODAY - datetime.timedelta(days=3))
    Lead.objects.filter(pk=fresh.pk).update(verify_due=TODAY + datetime.timedelta(days=3))
    Lead.objects.filter(pk=_lead(world.neighbour).pk).update(status="verified", verify_due=TODAY - datetime.timedelta(1))
    item = item_gather_leads(acting_user=world.county_admin, county="140826", which=LeadFilter(overdue=True),
                             today=TODAY)
    assert list(item.leads.all()) == [late]
    item = item_add_leads(acting_user=world.county_admin, item_id=item.pk, which=LeadFilter(), today=TODAY)
    assert set(item.leads.all()) == {late, fresh}


def test_only_the_county_admin_gathers_leads(world):
    _lead(world.home)
    for user in (world.village_clerk, world.township_officer, world.department, world.outsider):
        with pytest.raises(PermissionDenied):
            item_gather_leads(acting_user=user, county="140826", which=LeadFilter())
    assert not Item.objects.exists()


# --- the closing rule: the item and its problems never disagree --------------------------------------------


def test_report_is_refused_while_any_gathered_problem_is_open_or_pending(world):
    problems = _many(world.home, 3)
    item = _to_doing(world, _gather(world, unit=XIAGAOCHI))
    _set(problems[:2], Problem.Status.FIXED)
    with pytest.raises(LedgerError, match="还有 1 条未整改"):
        item_report(acting_user=world.village_clerk, item_id=item.pk, note="已整改")
    _set(problems[2:], Problem.Status.EXCEPTION_PENDING)
    with pytest.raises(LedgerError, match="还有 1 条未整改"):
        item_report(acting_user=world.village_clerk, item_id=item.pk, note="已整改")
    assert Item.objects.get(pk=item.pk).state == ItemState.DOING


def test_report_and_close_once_every_problem_is_fixed_or_an_approved_exception(world):
    problems = _many(world.home, 2)
    item = _to_doing(world, _gather(world, unit=XIAGAOCHI))
    _set(problems[:1], Problem.Status.FIXED)
    # the other through the checks' own flow: claimed by the village, approved by the township
    problem_claim_exception(problem_id=problems[1].pk, acting_user=world.village_clerk, reason="该生因病休学")
    problem_review_exception(problem_id=problems[1].pk, acting_user=world.township_officer, approve=True)
    item_report(acting_user=world.village_clerk, item_id=item.pk, note="全部整改")
    item = item_review(acting_user=world.county_admin, item_id=item.pk, passed=True, today=TODAY)
    assert item.state == ItemState.CLOSED and item.closed_on == TODAY


def test_review_is_refused_when_a_problem_reopened_after_the_report(world):
    problems = _many(world.home, 2)
    item = _to_doing(world, _gather(world, unit=XIAGAOCHI))
    _set(problems, Problem.Status.FIXED)
    item_report(acting_user=world.village_clerk, item_id=item.pk, note="全部整改")
    _set(problems[:1], Problem.Status.OPEN)  # a later check run found it again
    with pytest.raises(LedgerError, match="还有 1 条未整改"):
        item_review(acting_user=world.county_admin, item_id=item.pk, passed=True)
    assert Item.objects.get(pk=item.pk).state == ItemState.REPORTED
    # sending it back needs no resolution
    assert item_review(acting_user=world.county_admin, item_id=item.pk, passed=False,
                       note="仍有问题").state == ItemState.DOING


def test_a_pending_lead_blocks_report_and_review(world):
    lead = _lead(world.home)
    item = item_gather_leads(acting_user=world.county_admin, county="140826", which=LeadFilter(unit=XIAGAOCHI))
    item = _to_doing(world, item)
    with pytest.raises(LedgerError, match="监测线索还有 1 条未办结"):
        item_report(acting_user=world.village_clerk, item_id=item.pk, note="已核实")
    Lead.objects.filter(pk=lead.pk).update(status="verified")
    item_report(acting_user=world.village_clerk, item_id=item.pk, note="已核实")
    Lead.objects.filter(pk=lead.pk).update(status="pending")
    with pytest.raises(LedgerError, match="监测线索还有 1 条未办结"):
        item_review(acting_user=world.county_admin, item_id=item.pk, passed=True)
    Lead.objects.filter(pk=lead.pk).update(status="verified")
    assert item_review(acting_user=world.county_admin, item_id=item.pk, passed=True).state == ItemState.CLOSED


# --- reopening and reappearing ------------------------------------------------------------------------------


def _closed(world, problems) -> Item:
    item = _to_doing(world, _gather(world, unit=XIAGAOCHI))
    _set(problems, Problem.Status.FIXED)
    item_report(acting_user=world.village_clerk, item_id=item.pk, note="全部整改")
    return item_review(acting_user=world.county_admin, item_id=item.pk, passed=True, today=TODAY)


def test_reopening_an_item_leaves_its_problems_as_they_are(world):
    problems = _many(world.home, 2)
    item = _closed(world, problems)
    item_reopen(acting_user=world.county_admin, item_id=item.pk, reason="复查发现仍未整改")
    assert set(Problem.objects.values_list("status", flat=True)) == {Problem.Status.FIXED}
    assert Item.objects.get(pk=item.pk).problems.count() == 2


def test_a_closed_item_whose_problem_reappears_is_listed_for_those_who_read_it(world):
    problems = _many(world.home, 2)
    item = _closed(world, problems)
    assert not items_with_reappeared_problems(world.county_admin).exists()
    _set(problems[:1], Problem.Status.OPEN)
    for user in (world.county_admin, world.township_officer, world.village_clerk, world.analyst, world.sysadmin):
        assert list(items_with_reappeared_problems(user)) == [item], user.username
    for user in (world.outsider, world.cadre, world.work_team, world.department):
        assert not items_with_reappeared_problems(user).exists(), user.username
    _set(problems[:1], Problem.Status.EXCEPTION_PENDING)  # only 待整改 counts as back
    assert not items_with_reappeared_problems(world.county_admin).exists()
    _set(problems[:1], Problem.Status.OPEN)
    item_reopen(acting_user=world.county_admin, item_id=item.pk, reason="重新整改")  # open again: not listed
    assert not items_with_reappeared_problems(world.county_admin).exists()
