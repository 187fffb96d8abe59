"""Overdue 小额信贷 repayments become 防止返贫监测 leads (部门预警), once per installment."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from jingzhun.assistance.services.loans import installment_pay, loans_overdue_to_leads
from jingzhun.cli import main as jingzhun
from jingzhun.monitoring.models import Lead, LeadReport
from jingzhun.monitoring.vocab import Channel, RiskType

from .test_loan_services import make_loan

D = datetime.date


def test_an_overdue_installment_becomes_one_department_lead_of_the_borrowers_household(world):
    loan = make_loan(world)  # installments due 2026-01-10, 2027-01-10, 2028-01-10
    made = loans_overdue_to_leads(as_of=D(2026, 3, 1))
    assert (made.created, made.merged, made.already, made.refused) == (1, 0, 0, [])
    lead = Lead.objects.get()
    assert (lead.channel, lead.risk_type, lead.household_id, lead.member_id) == (
        Channel.DEPARTMENT, RiskType.OTHER, world.home.code, loan.borrower_id)
    assert lead.unit_id == "140826"  # a department's lead arrives at the county, which pushes it down
    report = lead.report_rows.get()
    first = loan.installments.order_by("due_on").first()
    assert report.source_ref == f"loan-installment:{first.pk}"
    for words in ("绛县农商银行", "JX2025-001", "已逾期 50 天", "未还 10000.00 元"):
        assert words in report.description
    assert report.details["days_overdue"] == 50


def test_running_twice_adds_no_second_report_for_the_same_installment(world):
    make_loan(world)
    loans_overdue_to_leads(as_of=D(2026, 3, 1))
    again = loans_overdue_to_leads(as_of=D(2026, 4, 1))
    assert (again.created, again.merged, again.already) == (0, 0, 1)
    assert LeadReport.objects.count() == 1 and Lead.objects.get().reports == 1


def test_a_second_overdue_installment_joins_the_households_open_lead(world):
    make_loan(world)
    loans_overdue_to_leads(as_of=D(2026, 3, 1))
    made = loans_overdue_to_leads(as_of=D(2027, 2, 1))  # the 2027-01-10 installment is now overdue too
    assert (made.created, made.merged, made.already) == (0, 1, 1)
    assert Lead.objects.get().reports == 2


def test_paid_not_yet_due_and_settled_installments_raise_no_lead(world):
    loan = make_loan(world)
    first = loan.installments.order_by("due_on").first()
    installment_pay(installment_id=first.pk, acting_user=world.village_clerk, paid_on=D(2026, 1, 10),
                    amount=Decimal("10000"))
    assert loans_overdue_to_leads(as_of=D(2026, 3, 1)).created == 0
    assert loans_overdue_to_leads(as_of=D(2026, 1, 10)).created == 0
    assert not Lead.objects.exists()


def test_a_user_reports_only_the_loans_in_reach(world):
    make_loan(world, by=world.county_admin, household=world.neighbour)
    made = loans_overdue_to_leads(as_of=D(2026, 3, 1), acting_user=world.village_clerk)
    assert made.created == 0 and not Lead.objects.exists()
    assert loans_overdue_to_leads(as_of=D(2026, 3, 1), acting_user=world.county_admin).created == 1


@pytest.mark.django_db
def test_cli_refreshes_states_and_makes_the_leads_once(world, capsys):
    loan = make_loan(world)
    assert jingzhun(["loans", "overdue", "--as-of", "2026-03-01"]) == 0
    out = capsys.readouterr().out
    assert "逾期 1 笔" in out and "新建 1 条" in out
    loan.refresh_from_db()
    assert loan.status == "overdue"
    assert jingzhun(["loans", "overdue", "--as-of", "2026-03-01"]) == 0
    assert "新建 0 条" in capsys.readouterr().out and Lead.objects.count() == 1
    assert jingzhun(["loans", "overdue", "--as-of", "3月1日"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
