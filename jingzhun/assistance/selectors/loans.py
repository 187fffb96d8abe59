"""小额信贷 reads, already limited to what the user may see (a cadre: their households; a work team: its village)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import QuerySet, Sum

from jingzhun.orgunits.access import Access, access_for
from jingzhun.orgunits.permissions import get_in_reach, may_edit_loans

from ..models import Loan, LoanInstallment
from ..vocab import LoanStatus


def loans_for(user) -> QuerySet[Loan]:
    """The loans of the households in the user's reach."""
    access = user if isinstance(user, Access) else access_for(user)
    return Loan.objects.filter(access.household_q("household__")).select_related("household", "borrower")


def todo_overdue_loans(user) -> QuerySet[Loan]:
    """The to-do of a record keeper: loans in reach marked 逾期 or 不良 (oldest disbursement first)."""
    if not may_edit_loans(user):
        return Loan.objects.none()
    return loans_for(user).filter(status__in=[Loan.Status.OVERDUE, Loan.Status.NON_PERFORMING]).order_by(
        "disbursed_on", "pk")


def loan_get(user, loan_id: int) -> Loan:
    """One loan in reach; 404 (OutOfReach) otherwise."""
    return get_in_reach(loans_for(user), pk=loan_id)


def owed(installment: LoanInstallment) -> Decimal:
    """What is still to pay of an installment (principal and interest less what was paid)."""
    return max(installment.principal + installment.interest - (installment.paid_amount or 0), Decimal(0))


def schedule_of(loan: Loan, today: datetime.date) -> list[LoanInstallment]:
    """The loan's installments with `owed`, `open` and `late` (unpaid and past its due date) set."""
    rows = list(loan.installments.all())
    for row in rows:
        row.owed = owed(row)
        row.open = row.owed > 0 and loan.status != LoanStatus.SETTLED
        row.late = row.open and row.due_on < today
    return rows


def household_loans(household, access: Access, today: datetime.date) -> dict:
    """What the household page's 小额信贷 section shows: each loan with its next installment due and whether it
    is overdue, and the household's total balance of loans not 结清."""
    loans = list(loans_for(access).filter(household=household).prefetch_related("installments"))
    for loan in loans:
        rows = schedule_of(loan, today)
        upcoming = [r for r in rows if r.open]
        loan.next_due = upcoming[0] if upcoming else None
        loan.late = any(r.late for r in rows)
    balance = (Loan.objects.filter(pk__in=[loan.pk for loan in loans]).exclude(status=LoanStatus.SETTLED)
               .aggregate(total=Sum("balance"))["total"]) or Decimal(0)
    return {"loans": loans, "balance": Decimal(balance).quantize(Decimal("0.01")), "late": any(loan.late for loan in loans)}
