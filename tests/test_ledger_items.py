"""The ledger item's flow (supervision.services.items): 登记 → 交办 → 签收 → 进展 → 办结报告 → 复核 → 销号 /
退回 / 重新整改, who may take each step, and what a refused step leaves behind (nothing)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from jingzhun.accounts.models import Role
from jingzhun.accounts.services import user_create
from jingzhun.checks.models import CheckRun, Problem
from jingzhun.orgunits.models import OrgUnit
from jingzhun.orgunits.permissions import OutOfReach, Refused
from jingzhun.supervision.models import Item, ItemEvent
from jingzhun.supervision.services import items as services
from jingzhun.supervision.services.items import LedgerError

from .ledger_helpers import exe_upload, ledger_build, new_item, png_upload
from .people import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(world):
    return ledger_build(world)


def _problem(world, status) -> Problem:
    run = CheckRun.objects.create(org="", as_of=datetime.date(2024, 6, 30))
    now = timezone.now()
    return Problem.objects.create(rule="Q04", household=world.home.code, village=world.home.village_id,
                                  message="缺少身份证号", status=status, first_run=run, last_run=run,
                                  first_seen=now, last_seen=now)


def _events(item) -> list[str]:
    return list(ItemEvent.objects.filter(item=item).order_by("at", "pk").values_list("kind", flat=True))


# --- 登记 and 交办 ---------------------------------------------------------------------------------------------

def test_county_admin_registers_an_item_waiting_to_be_assigned(world, ledger):
    item = new_item(world, ledger.village, assign=False)
    assert item.state == Item.State.DRAFT and item.created_by == world.county_admin
    assert _events(item) == ["create"]


def test_nobody_but_the_county_registers_an_item(world, ledger):
    for user in (world.village_clerk, world.township_officer, world.department, world.analyst, world.evaluator):
        with pytest.raises(Refused):
            services.item_create(acting_user=user, county="140826", title="越权登记")
    with pytest.raises(Refused):  # the other county's admin
        services.item_create(acting_user=world.outsider, county="140826", title="越权登记")
    assert not Item.objects.exists()


def test_an_item_needs_a_title_and_a_unit_of_its_own_county(world, ledger):
    with pytest.raises(LedgerError, match="请填写"):
        services.item_create(acting_user=world.county_admin, county="140826", title="  ")
    with pytest.raises(LedgerError, match="不是本县在用的单位"):
        services.item_create(acting_user=world.county_admin, county="140826", title="问题",
                             agency_id=ledger.outsider_dept.pk)
    assert not Item.objects.exists()


def test_assigning_needs_a_unit_and_a_deadline(world, ledger):
    item = services.item_create(acting_user=world.county_admin, county="140826", title="问题")
    with pytest.raises(LedgerError, match="责任单位"):
        services.item_assign(acting_user=world.county_admin, item_id=item.pk, deadline=datetime.date(2030, 6, 30))
    with pytest.raises(LedgerError, match="整改时限"):
        services.item_assign(acting_user=world.county_admin, item_id=item.pk, agency_id=ledger.village.pk)
    item.refresh_from_db()
    assert item.state == Item.State.DRAFT and item.agency is None and item.deadline is None
    item = services.item_assign(acting_user=world.county_admin, item_id=item.pk, agency_id=ledger.village.pk,
                                deadline=datetime.date(2030, 6, 30), measures="逐户核实")
    assert item.state == Item.State.ASSIGNED and item.assigned_at is not None and item.measures == "逐户核实"
    assert _events(item) == ["create", "assign"]


def test_an_item_is_reassigned_only_until_it_is_signed(world, ledger):
    item = new_item(world, ledger.village)
    item = services.item_assign(acting_user=world.county_admin, item_id=item.pk, agency_id=ledger.township.pk)
    assert item.agency == ledger.township
    services.item_sign(acting_user=world.township_officer, item_id=item.pk)
    with pytest.raises(LedgerError, match="办理中"):
        services.item_assign(acting_user=world.county_admin, item_id=item.pk, agency_id=ledger.village.pk)
    assert Item.objects.get(pk=item.pk).agency == ledger.township


def test_another_county_cannot_touch_the_item(world, ledger):
    item = new_item(world, ledger.village)
    with pytest.raises(OutOfReach):
        services.item_assign(acting_user=world.outsider, item_id=item.pk, agency_id=ledger.village.pk)


# --- 签收, 进展, 办结报告: the 责任单位's staff only -----------------------------------------------------------------

@pytest.mark.parametrize("unit,person", [("village", "village_clerk"), ("township", "township_officer"),
                                         ("dept", "department")])
def test_the_units_own_staff_sign_for_its_item(world, ledger, unit, person):
    item = new_item(world, getattr(ledger, unit))
    item = services.item_sign(acting_user=getattr(world, person), item_id=item.pk)
    assert item.state == Item.State.DOING and item.signed_by == getattr(world, person)
    assert _events(item)[-1] == "sign"


def test_others_may_not_sign_progress_or_report_for_a_unit(world, ledger):
    item = new_item(world, ledger.village)
    # the township reads its village's item but does not act for the village; the county does not act for it
    for user in (world.township_officer, world.county_admin, world.sysadmin):
        with pytest.raises(Refused):
            services.item_sign(acting_user=user, item_id=item.pk)
    dept_item = new_item(world, ledger.dept, number=2)
    with pytest.raises(OutOfReach):  # the village clerk does not even read the department's item
        services.item_sign(acting_user=world.village_clerk, item_id=dept_item.pk)
    services.item_sign(acting_user=world.village_clerk, item_id=item.pk)
    with pytest.raises(Refused):
        services.item_progress(acting_user=world.township_officer, item_id=item.pk, note="代报")
    with pytest.raises(Refused):
        services.item_report(acting_user=world.county_admin, item_id=item.pk, note="代报")
    assert _events(item) == ["create", "assign", "sign"]


def test_a_department_user_not_on_its_staff_does_not_act_for_it(world, ledger):
    other = user_create(username="dept2", password=PASSWORD, role=Role.DEPARTMENT,
                        org_unit=OrgUnit.objects.get(code="140826"), full_name="教育局", check_password=False)
    item = new_item(world, ledger.dept)
    with pytest.raises(OutOfReach):
        services.item_sign(acting_user=other, item_id=item.pk)


def test_progress_keeps_the_percent_and_a_photo_stored_by_its_content(world, ledger):
    item = new_item(world, ledger.dept, kind="project")
    services.item_sign(acting_user=world.department, item_id=item.pk)
    event = services.item_progress(acting_user=world.department, item_id=item.pk, note="主体完工", percent=60,
                                   upload=png_upload("现场.jpg"))
    item.refresh_from_db()
    assert item.percent == 60 and event.percent == 60
    assert event.evidence.name.endswith(".png") and event.evidence_name == "现场.jpg"


def test_progress_needs_a_note_and_a_percent_within_range(world, ledger):
    item = new_item(world, ledger.dept, kind="task")
    services.item_sign(acting_user=world.department, item_id=item.pk)
    with pytest.raises(LedgerError, match="进展情况"):
        services.item_progress(acting_user=world.department, item_id=item.pk, note=" ")
    with pytest.raises(LedgerError, match="0 到 100"):
        services.item_progress(acting_user=world.department, item_id=item.pk, note="进展", percent=101)
    assert Item.objects.get(pk=item.pk).percent == 0
    assert _events(item) == ["create", "assign", "sign"]


def test_a_renamed_program_is_refused_as_evidence_and_nothing_is_kept(world, ledger):
    item = new_item(world, ledger.village)
    services.item_sign(acting_user=world.village_clerk, item_id=item.pk)
    with pytest.raises(LedgerError):
        services.item_progress(acting_user=world.village_clerk, item_id=item.pk, note="整改中",
                               upload=exe_upload("整改照片.png"))
    with pytest.raises(LedgerError):
        services.item_report(acting_user=world.village_clerk, item_id=item.pk, note="已整改",
                             upload=exe_upload("报告.pdf"))
    assert _events(item) == ["create", "assign", "sign"]
    assert Item.objects.get(pk=item.pk).state == Item.State.DOING


def test_progress_and_report_only_while_the_item_is_being_handled(world, ledger):
    item = new_item(world, ledger.village)
    with pytest.raises(LedgerError, match="待签收"):
        services.item_progress(acting_user=world.village_clerk, item_id=item.pk, note="未签收先报")
    services.item_sign(acting_user=world.village_clerk, item_id=item.pk)
    with pytest.raises(LedgerError, match="办理中"):
        services.item_sign(acting_user=world.village_clerk, item_id=item.pk)


def test_a_report_needs_a_note_and_every_gathered_problem_fixed(world, ledger):
    item = new_item(world, ledger.village)
    problem = _problem(world, Problem.Status.OPEN)
    item.problems.add(problem)
    services.item_sign(acting_user=world.village_clerk, item_id=item.pk)
    with pytest.raises(LedgerError, match="办结情况"):
        services.item_report(acting_user=world.village_clerk, item_id=item.pk, note="")
    with pytest.raises(LedgerError, match="1 条未整改"):
        services.item_report(acting_user=world.village_clerk, item_id=item.pk, note="已整改")
    Problem.objects.filter(pk=problem.pk).update(status=Problem.Status.FIXED)
    item = services.item_report(acting_user=world.village_clerk, item_id=item.pk, note="已整改")
    assert item.state == Item.State.REPORTED and item.reported_by == world.village_clerk


# --- 复核, 销号, 重新整改 --------------------------------------------------------------------------------------

def _reported(world, ledger, **kwargs) -> Item:
    item = new_item(world, ledger.village, **kwargs)
    services.item_sign(acting_user=world.village_clerk, item_id=item.pk)
    return services.item_report(acting_user=world.village_clerk, item_id=item.pk, note="已整改到位",
                                upload=png_upload())


def test_the_county_passes_the_review_and_the_item_is_closed_today(world, ledger):
    item = _reported(world, ledger)
    item = services.item_review(acting_user=world.county_admin, item_id=item.pk, passed=True,
                                today=datetime.date(2030, 1, 2))
    assert item.state == Item.State.CLOSED and item.closed_on == datetime.date(2030, 1, 2)
    assert item.closed_by == world.county_admin
    assert _events(item)[-2:] == ["report", "close"]


def test_only_the_county_reviews(world, ledger):
    item = _reported(world, ledger)
    for user in (world.village_clerk, world.township_officer, world.department):
        with pytest.raises((Refused, OutOfReach)):
            services.item_review(acting_user=user, item_id=item.pk, passed=True)
    assert Item.objects.get(pk=item.pk).state == Item.State.REPORTED


def test_the_reviewer_is_never_the_reporter(world, ledger):
    item = _reported(world, ledger)
    Item.objects.filter(pk=item.pk).update(reported_by=world.county_admin)
    with pytest.raises(LedgerError, match="报告办结以外"):
        services.item_review(acting_user=world.county_admin, item_id=item.pk, passed=True)
    assert Item.objects.get(pk=item.pk).state == Item.State.REPORTED
    services.item_review(acting_user=world.sysadmin, item_id=item.pk, passed=True)
    assert Item.objects.get(pk=item.pk).state == Item.State.CLOSED


def test_a_send_back_needs_a_reason_and_returns_the_item_to_its_unit(world, ledger):
    item = _reported(world, ledger)
    with pytest.raises(LedgerError, match="写明原因"):
        services.item_review(acting_user=world.county_admin, item_id=item.pk, passed=False, note=" ")
    assert Item.objects.get(pk=item.pk).state == Item.State.REPORTED
    item = services.item_review(acting_user=world.county_admin, item_id=item.pk, passed=False, note="照片不清晰")
    assert item.state == Item.State.DOING and item.closed_on is None
    assert ItemEvent.objects.filter(item=item).last().note == "照片不清晰"
    services.item_progress(acting_user=world.village_clerk, item_id=item.pk, note="补拍照片")  # handled again


def test_a_closed_item_is_reopened_with_a_reason(world, ledger):
    item = _reported(world, ledger)
    services.item_review(acting_user=world.county_admin, item_id=item.pk, passed=True)
    with pytest.raises(LedgerError, match="原因"):
        services.item_reopen(acting_user=world.county_admin, item_id=item.pk, reason="")
    with pytest.raises(Refused):
        services.item_reopen(acting_user=world.village_clerk, item_id=item.pk, reason="自己重开")
    item = services.item_reopen(acting_user=world.county_admin, item_id=item.pk, reason="回头看发现反弹")
    assert item.state == Item.State.DOING and item.reopened == 1 and item.closed_on is None
    assert _events(item)[-1] == "reopen"
    with pytest.raises(LedgerError, match="办理中"):
        services.item_reopen(acting_user=world.county_admin, item_id=item.pk, reason="再开一次")


def test_closing_waits_for_problems_reopened_after_the_report(world, ledger):
    item = new_item(world, ledger.village)
    problem = _problem(world, Problem.Status.FIXED)
    item.problems.add(problem)
    services.item_sign(acting_user=world.village_clerk, item_id=item.pk)
    services.item_report(acting_user=world.village_clerk, item_id=item.pk, note="已整改")
    Problem.objects.filter(pk=problem.pk).update(status=Problem.Status.OPEN)  # a later check found it again
    with pytest.raises(LedgerError, match="1 条未整改"):
        services.item_review(acting_user=world.county_admin, item_id=item.pk, passed=True)
    assert services.unresolved(item) == (1, 0)


# --- two reviewers at once ---------------------------------------------------------------------------------------

def _race(*calls):
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as exc:  # noqa: BLE001 — the test inspects what each side got
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_reviews_of_one_reported_item_at_once_only_one_passes(world):
    ledger = ledger_build(world)
    item = _reported(world, ledger)
    second = user_create(username="county_admin_2", password=PASSWORD, role=Role.COUNTY_ADMIN,
                         org_unit=OrgUnit.objects.get(code="140826"), full_name="第二管理员", check_password=False)
    today = timezone.localdate()
    results, errors = _race(
        lambda: services.item_review(acting_user=world.county_admin, item_id=item.pk, passed=True, today=today),
        lambda: services.item_review(acting_user=second, item_id=item.pk, passed=False, note="退回重改"))
    assert len(results) == 1 and len(errors) == 1, (results, errors)
    assert isinstance(errors[0], LedgerError) and "待复核" not in errors[0].message
    item.refresh_from_db()
    decided = ItemEvent.objects.filter(item=item, kind__in=["close", "review_back"])
    assert decided.count() == 1
    assert item.state == (Item.State.CLOSED if decided.get().kind == "close" else Item.State.DOING)
