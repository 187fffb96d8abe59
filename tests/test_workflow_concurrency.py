"""Two officers acting on one household at the same moment: one succeeds, the other is told why.

Real threads with their own database connections against a committed database (transaction=True), so
the row locks are the database's own: `SELECT … FOR UPDATE` on PostgreSQL, the write lock of a
`BEGIN IMMEDIATE` transaction on SQLite.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from jingzhun.accounts.models import Role
from jingzhun.accounts.services import user_create
from jingzhun.orgunits.models import OrgUnit
from jingzhun.workflows import publicity, services
from jingzhun.workflows.definitions import Kind
from jingzhun.workflows.models import LedgerEvent, Procedure
from jingzhun.workflows.services import WorkflowError

from .people import PASSWORD, XIAGAOCHI, make_household
from .workflow_helpers import publish_and_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(autouse=True)
def _no_indicator_refresh(settings):
    settings.JINGZHUN_INDICATOR_AUTO_REFRESH = False


def _race(*calls):
    """Run the calls at once (released together by a barrier); returns (results, errors)."""
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


def _second_officer():
    return user_create(username="township_officer_2", password=PASSWORD, role=Role.TOWNSHIP_OFFICER,
                       org_unit=OrgUnit.objects.get(code="140826100"), full_name="第二专干", check_password=False)


def _exit_at_announcement(world) -> Procedure:
    household = make_household(XIAGAOCHI, 3, "周满仓", status="未脱贫")
    p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.EXIT, household_code=household.code,
                                year=2020)
    for step, data in (("village_review", {}), ("team_verification", {"food_clothing": True}),
                       ("household_consent", {})):
        services.procedure_act(acting_user=world.village_clerk, procedure_id=p.pk, step=step, approve=True, data=data)
    publish_and_run(world.village_clerk, p, "village_publicity", Kind.EXIT)
    return p


def test_two_concurrent_exits_of_one_household_leave_exactly_one_event(world):
    p = _exit_at_announcement(world)
    other = _second_officer()
    today = timezone.localdate()
    results, errors = _race(
        lambda: publicity.batch_open(acting_user=world.township_officer, kind=Kind.EXIT, step="announcement",
                                     procedure_ids=[p.pk], start=today),
        lambda: publicity.batch_open(acting_user=other, kind=Kind.EXIT, step="announcement",
                                     procedure_ids=[p.pk], start=today),
    )
    assert len(results) == 1 and len(errors) == 1, errors
    assert isinstance(errors[0], WorkflowError) and "已不在“乡镇审核公告”待公示状态" in errors[0].message
    assert LedgerEvent.objects.filter(household=p.household_id, type="exit").count() == 1
    assert Procedure.objects.get(pk=p.pk).state == Procedure.State.DONE


def test_two_officers_approving_one_step_at_once_the_loser_is_told_who_won(world):
    p = services.procedure_open(acting_user=world.village_clerk, kind=Kind.RETURN, household_code=world.home.code,
                                note="因病返贫")
    other = _second_officer()
    results, errors = _race(
        lambda: services.procedure_act(acting_user=world.township_officer, procedure_id=p.pk,
                                       step="township_approval", approve=True),
        lambda: services.procedure_act(acting_user=other, procedure_id=p.pk, step="township_approval",
                                       approve=True),
    )
    assert len(results) == 1 and len(errors) == 1, errors
    assert isinstance(errors[0], WorkflowError) and "该程序已由" in errors[0].message
    winner = results[0].records.get(step="township_approval").actor
    assert str(winner) in errors[0].message
    assert LedgerEvent.objects.filter(procedure=p).count() == 1


def test_two_exits_opened_at_once_on_one_household_only_one_opens(world):
    household = make_household(XIAGAOCHI, 4, "吴丰年", status="未脱贫")
    results, errors = _race(*[
        (lambda: services.procedure_open(acting_user=world.village_clerk, kind=Kind.EXIT,
                                         household_code=household.code, year=2020))
        for _ in range(2)])
    assert len(results) == 1 and len(errors) == 1, errors
    assert isinstance(errors[0], WorkflowError) and "已有办理中的" in errors[0].message
    assert Procedure.objects.filter(household=household, state="open").count() == 1


def test_two_announcements_in_one_village_at_once_get_different_household_codes(world):
    from .workflow_helpers import candidate

    second_admin = user_create(username="county_admin_2", password=PASSWORD, role=Role.COUNTY_ADMIN,
                               org_unit=OrgUnit.objects.get(code="140826"), full_name="第二管理员",
                               check_password=False)
    procedures = []
    for head, seq in (("孙有田", 701), ("郑满囤", 711)):
        household, members = candidate(head, seq)
        p = services.entry_open(acting_user=world.village_clerk, village_code=XIAGAOCHI, household=household,
                                members=members, year=2018)
        Procedure.objects.filter(pk=p.pk).update(step="county_announcement")
        procedures.append(p)
    today = timezone.localdate()
    results, errors = _race(
        lambda: publicity.batch_open(acting_user=world.county_admin, kind=Kind.ENTRY, step="county_announcement",
                                     procedure_ids=[procedures[0].pk], start=today),
        lambda: publicity.batch_open(acting_user=second_admin, kind=Kind.ENTRY, step="county_announcement",
                                     procedure_ids=[procedures[1].pk], start=today),
    )
    assert not errors and len(results) == 2
    codes = {Procedure.objects.get(pk=p.pk).household_id for p in procedures}
    assert len(codes) == 2 and all(c.startswith(XIAGAOCHI) for c in codes)
    assert LedgerEvent.objects.filter(type="new").count() == 2
