"""Two reports of one household at the same moment join one lead; two clerks verifying at once: one wins.

Real threads with their own connections against a committed database (transaction=True): the village
row's lock (`SELECT … FOR UPDATE` on PostgreSQL, the write lock on SQLite) orders the reports.
"""

from __future__ import annotations

import pytest

from jingzhun.accounts.models import Role
from jingzhun.accounts.services import user_create
from jingzhun.monitoring.models import Lead, LeadReport
from jingzhun.monitoring.services import LeadError, lead_create, lead_verify
from jingzhun.orgunits.models import OrgUnit

from .people import PASSWORD, XIAGAOCHI
from .test_workflow_concurrency import _race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_two_reports_of_one_household_at_once_make_one_lead(world):
    def report(channel):
        return lambda: lead_create(channel=channel, village=XIAGAOCHI, risk_type="illness", description=channel,
                                   household=world.home)

    results, errors = _race(report("self_report"), report("department"))
    assert not errors, errors
    lead = Lead.objects.get()
    assert lead.reports == 2 and LeadReport.objects.filter(lead=lead).count() == 2
    assert sorted(r.merged for r in results) == [False, True]


def test_two_clerks_verifying_at_once_one_is_told_it_is_done(world):
    second = user_create(username="village_clerk_2", password=PASSWORD, role=Role.VILLAGE_CLERK,
                         org_unit=OrgUnit.objects.get(code=XIAGAOCHI), full_name="第二信息员", check_password=False)
    lead = lead_create(channel="self_report", village=XIAGAOCHI, risk_type="illness", description="x",
                       household=world.home)
    results, errors = _race(
        lambda: lead_verify(lead_id=lead.pk, result="include", acting_user=world.village_clerk),
        lambda: lead_verify(lead_id=lead.pk, result="exclude", reason="收入高", acting_user=second))
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], LeadError)
    assert Lead.objects.get().result == results[0].result
