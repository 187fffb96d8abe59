"""小额信贷 services: entry with its schedule, edits, repayments, settlement and the 逾期 / 不良 refresh."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from jingzhun.assistance.models import Loan, LoanInstallment
from jingzhun.assistance.services.loans import (
    LoanError,
    add_months,
    installment_pay,
    loan_create,
    loan_schedule,
    loan_settle,
    loan_update,
    loans_refresh_status,
)
from jingzhun.assistance.vocab import LoanStatus
from jingzhun.orgunits.permissions import OutOfReach, Refused, may_edit_loans

D = datetime.date


def make_loan(world, *, by=None, household=None, **changes) -> Loan:
    household = household or world.home
    terms = {"bank": "绛县农商银行", "contract_no": "JX2025-001", "amount": Decimal("30000"), "term_months": 36,
             "annual_rate": Decimal("4.35"), "disbursed_on": D(2025, 1, 10), "subsidy_percent": Decimal("100"),
             "purpose": "养牛", **changes}
    return loan_create(household=household, borrower=household.members.get(relation="户主"),
                       acting_user=by or world.village_clerk, **terms)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2025, 11, 10), 3) == D(2026, 2, 10)
    assert add_months(D(2025, 1, 10), 36) == D(2028, 1, 10)


def test_equal_principal_schedule_splits_the_principal_and_charges_the_household_share_of_interest():
    rows = loan_schedule(amount=Decimal("10000"), term_months=36, disbursed_on=D(2025, 1, 10),
                         annual_rate=Decimal("4"), subsidy_percent=Decimal("50"), period_months=12)
    assert [r.due_on for r in rows] == [D(2026, 1, 10), D(2027, 1, 10), D(2028, 1, 10)]
    assert [r.principal for r in rows] == [Decimal("3333.33"), Decimal("3333.33"), Decimal("3333.34")]
    # 2% after 50% 贴息, on the principal still owed over each year
    assert [r.interest for r in rows] == [Decimal("200.00"), Decimal("133.33"), Decimal("66.67")]


def test_bullet_schedule_is_one_installment_at_maturity():
    rows = loan_schedule(amount=Decimal("50000"), term_months=24, disbursed_on=D(2025, 3, 1),
                         annual_rate=Decimal("4"), subsidy_percent=Decimal("75"), kind="bullet")
    assert len(rows) == 1
    assert (rows[0].due_on, rows[0].principal, rows[0].interest) == (D(2027, 3, 1), Decimal("50000"), Decimal("1000.00"))


def test_schedule_period_must_divide_the_term():
    with pytest.raises(LoanError, match="整数倍"):
        loan_schedule(amount=Decimal("1000"), term_months=18, disbursed_on=D(2025, 1, 1), annual_rate=Decimal(4),
                      subsidy_percent=Decimal(100), period_months=12)


def test_record_keeper_enters_a_loan_with_its_schedule_and_history(world):
    loan = make_loan(world)
    assert loan.due_on == D(2028, 1, 10) and loan.balance == Decimal("30000") and loan.created_by == world.village_clerk
    assert list(loan.installments.values_list("due_on", "principal", "interest")) == [
        (D(2026, 1, 10), Decimal("10000.00"), Decimal("0.00")), (D(2027, 1, 10), Decimal("10000.00"), Decimal("0.00")),
        (D(2028, 1, 10), Decimal("10000.00"), Decimal("0.00"))]
    record = loan.history.earliest()
    assert record.history_user == world.village_clerk and record.history_change_reason == "登记小额信贷"


def test_given_schedule_must_add_up_to_the_loan_and_nothing_is_written_otherwise(world):
    with pytest.raises(LoanError, match="本金合计"):
        make_loan(world, schedule="given", installments=[(D(2025, 7, 10), "10000", "0"), (D(2026, 1, 10), "10000", "0")])
    assert not Loan.objects.exists() and not LoanInstallment.objects.exists()
    loan = make_loan(world, schedule="given", term_months=12,
                     installments=[(D(2025, 7, 10), "15000", "100"), (D(2026, 1, 10), "15000", "50")])
    assert loan.installments.count() == 2


def test_helpers_and_readers_may_not_enter_loans(world):
    for user in (world.cadre, world.work_team, world.analyst, world.evaluator):
        assert not may_edit_loans(user)
        with pytest.raises(Refused):
            make_loan(world, by=user)
    assert may_edit_loans(world.village_clerk) and may_edit_loans(world.county_admin)
    assert not Loan.objects.exists()


def test_village_clerk_cannot_enter_a_loan_for_another_village(world):
    with pytest.raises(OutOfReach):
        make_loan(world, household=world.neighbour)


def test_borrower_must_belong_to_the_household(world):
    with pytest.raises(LoanError, match="本户的成员"):
        loan_create(household=world.home, borrower=world.neighbour.members.first(), acting_user=world.county_admin,
                    bank="农行", contract_no="X1", amount=1000, term_months=12, annual_rate=4,
                    disbursed_on=D(2025, 1, 1))


def test_bad_terms_are_refused_with_a_chinese_message(world):
    for changes, words in (({"amount": "abc"}, "金额"), ({"amount": 0}, "大于 0"), ({"term_months": 0}, "贷款期限"),
                           ({"bank": " "}, "贷款银行"), ({"disbursed_on": D(2099, 1, 1)}, "晚于今天"),
                           ({"annual_rate": 120}, "0 到 100")):
        with pytest.raises(LoanError, match=words):
            make_loan(world, **changes)
    assert not Loan.objects.exists()


def test_the_same_contract_of_a_bank_is_entered_once(world):
    make_loan(world)
    with pytest.raises(LoanError, match="已有借款合同编号"):
        make_loan(world, amount=Decimal("1000"))
    assert Loan.objects.count() == 1


def test_repayments_add_up_pay_interest_first_and_settle_the_loan_when_all_is_paid(world):
    loan = make_loan(world, term_months=12, subsidy_percent=Decimal("0"), annual_rate=Decimal("5"),
                     schedule="bullet", amount=Decimal("10000"))
    row = loan.installments.get()
    assert row.interest == Decimal("500.00")
    installment_pay(installment_id=row.pk, acting_user=world.village_clerk, paid_on=D(2026, 1, 5), amount="2500")
    loan.refresh_from_db()
    # 500 of interest first, 2,000 of principal; the rest fell due on 2026-01-10, long before today: 不良
    assert loan.balance == Decimal("8000.00") and loan.status == LoanStatus.NON_PERFORMING
    with pytest.raises(LoanError, match="超过这一期尚欠"):
        installment_pay(installment_id=row.pk, acting_user=world.village_clerk, paid_on=D(2026, 1, 6), amount="8000.01")
    installment_pay(installment_id=row.pk, acting_user=world.village_clerk, paid_on=D(2026, 1, 10), amount="8000")
    loan.refresh_from_db()
    row.refresh_from_db()
    assert (row.paid_amount, row.paid_on) == (Decimal("10500.00"), D(2026, 1, 10))
    assert loan.balance == 0 and loan.status == LoanStatus.SETTLED
    assert loan.history.filter(history_change_reason__startswith="登记还款").count() == 2


def test_repayment_out_of_reach_is_a_404_and_a_cadre_is_refused(world):
    loan = make_loan(world, by=world.county_admin, household=world.neighbour)
    row = loan.installments.first()
    with pytest.raises(OutOfReach):
        installment_pay(installment_id=row.pk, acting_user=world.village_clerk, paid_on=D(2026, 1, 5), amount=1)
    with pytest.raises(Refused):
        installment_pay(installment_id=row.pk, acting_user=world.cadre, paid_on=D(2026, 1, 5), amount=1)
    row.refresh_from_db()
    assert row.paid_on is None


def test_update_changes_plain_fields_rebuilds_an_unpaid_schedule_and_refuses_once_paid(world):
    loan = make_loan(world)
    loan = loan_update(loan_id=loan.pk, acting_user=world.village_clerk, data={"bank": "中国农业银行", "purpose": "种植"})
    assert (loan.bank, loan.purpose, loan.installments.count()) == ("中国农业银行", "种植", 3)
    with pytest.raises(LoanError, match="请同时选择还款方式"):
        loan_update(loan_id=loan.pk, acting_user=world.village_clerk, data={"amount": Decimal("24000")})
    loan = loan_update(loan_id=loan.pk, acting_user=world.village_clerk, schedule="equal_principal",
                       data={"amount": Decimal("24000"), "term_months": 24})
    assert loan.due_on == D(2027, 1, 10) and loan.balance == Decimal("24000")
    assert list(loan.installments.values_list("principal", flat=True)) == [Decimal("12000.00")] * 2
    installment_pay(installment_id=loan.installments.first().pk, acting_user=world.village_clerk,
                    paid_on=D(2026, 1, 10), amount="12000")
    with pytest.raises(LoanError, match="已登记还款"):
        loan_update(loan_id=loan.pk, acting_user=world.village_clerk, data={"amount": Decimal("20000")})
    loan.refresh_from_db()
    assert loan.amount == Decimal("24000")


def test_settling_pays_every_open_installment_and_drops_future_interest(world):
    loan = make_loan(world, subsidy_percent=Decimal("0"), annual_rate=Decimal("4"))
    first = loan.installments.order_by("due_on").first()
    installment_pay(installment_id=first.pk, acting_user=world.village_clerk, paid_on=D(2026, 1, 10),
                    amount=first.principal + first.interest)
    loan = loan_settle(loan_id=loan.pk, acting_user=world.village_clerk, settled_on=D(2026, 3, 1))
    assert loan.status == LoanStatus.SETTLED and loan.balance == 0
    later = list(loan.installments.order_by("due_on"))[1:]
    assert all(r.interest == 0 and r.paid_amount == r.principal and r.paid_on == D(2026, 3, 1) for r in later)
    with pytest.raises(LoanError, match="已结清"):
        loan_settle(loan_id=loan.pk, acting_user=world.village_clerk, settled_on=D(2026, 3, 2))


def test_refresh_marks_overdue_and_non_performing_by_the_packs_days(world):
    on_time = make_loan(world, contract_no="A")
    late = make_loan(world, contract_no="B", by=world.county_admin, household=world.neighbour)
    bad = make_loan(world, contract_no="C", by=world.county_admin, household=world.other_township)
    settled = make_loan(world, contract_no="D")
    loan_settle(loan_id=settled.pk, acting_user=world.village_clerk, settled_on=D(2025, 6, 1))
    first = on_time.installments.order_by("due_on").first()
    installment_pay(installment_id=first.pk, acting_user=world.village_clerk, paid_on=D(2026, 1, 10), amount=first.principal)
    # the first installments fell due on 2026-01-10: 1 day late on the 11th, 90 days on 10 April, 91 on the 11th
    # entered today, long after: 不良 at once; as of the due day itself they were 正常
    assert loans_refresh_status(as_of=D(2026, 1, 10)) == {"normal": 2, "overdue": 0, "npl": 0}
    counts = loans_refresh_status(as_of=D(2026, 1, 11))
    assert counts == {"normal": 0, "overdue": 2, "npl": 0}
    assert loans_refresh_status(as_of=D(2026, 4, 10)) == {"normal": 0, "overdue": 0, "npl": 0}
    assert loans_refresh_status(as_of=D(2026, 4, 11)) == {"normal": 0, "overdue": 0, "npl": 2}
    installment_pay(installment_id=late.installments.order_by("due_on").first().pk, acting_user=world.county_admin,
                    paid_on=D(2026, 4, 20), amount=Decimal("10000"))  # recomputed at once, as of today
    statuses = dict(Loan.objects.values_list("contract_no", "status"))
    assert statuses == {"A": "normal", "B": "normal", "C": "npl", "D": "settled"}
    assert bad.history.latest().history_change_reason == "按 2026-04-11 还款情况更新贷款状态"
