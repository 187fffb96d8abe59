"""小额信贷: entering a household's loan with its repayment schedule, repayments, settlement, the loans'
逾期 / 不良 state, and overdue repayments as 防止返贫监测 leads.

Repayment schedules (还款计划) come in three kinds, chosen when the loan is entered:

- ``equal_principal`` 等额本金 (the default): the principal in equal parts every `period_months` months
  (12 = once a year; the last part takes the cents left over), each with the interest on the principal
  still owed over the period;
- ``bullet`` 到期一次还本付息: one installment on the due date with all the principal and interest;
- ``given`` 按合同录入: the installments as the bank's contract lists them (dates, principal, interest);
  their principal must add up to the loan.

Interest is the household's share: the annual rate less the 财政贴息 share (100% 贴息 leaves none).

An installment is unpaid while less than its principal and interest has been paid; a repayment is applied
to interest first, and the loan's 余额 is what is left of its principal. A loan is 逾期 when an installment
is unpaid more than the policy pack's `loans.overdue_grace_days` after it fell due, 不良 beyond
`loans.npl_days` (90 days in the national pack); `loans_refresh_status` decides that for all loans at once.
The limits of the pack (amount, term, age) are not enforced on entry — a loan recorded from the bank's
books is recorded as it is — but checked by the data-quality rules Q39–Q41.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, DecimalField, Exists, F, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from jingzhun.monitoring.models import LeadReport
from jingzhun.monitoring.services import LeadError, lead_create
from jingzhun.monitoring.vocab import Channel, RiskType
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import subtree_q
from jingzhun.orgunits.permissions import get_in_reach, may_edit_loans, require
from jingzhun.policy import LoanRules, PolicyPackError, policy_pack_for
from jingzhun.registry.models import Household, Member

from ..models import Loan, LoanInstallment
from ..vocab import LoanStatus

CENT = Decimal("0.01")
MAX_TERM_MONTHS = 360  # a sanity bound for input; the pack's limit (36) is a check, not an entry refusal
PERIODS = (1, 3, 6, 12)
SCHEDULE_KINDS = ("equal_principal", "bullet", "given")
#: LeadReport.source_ref of an overdue installment's lead: running twice finds it and adds nothing.
SOURCE_REF = "loan-installment:{pk}"
#: Fields of a loan that change nothing in its schedule.
PLAIN_FIELDS = ("bank", "contract_no", "purpose")
SCHEDULE_FIELDS = ("amount", "term_months", "annual_rate", "subsidy_percent", "disbursed_on")


class LoanError(Exception):
    """Input a loan service refuses; `message` (Chinese) says what to correct. Nothing was written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Planned:
    """One installment of a schedule before it is stored."""

    due_on: datetime.date
    principal: Decimal
    interest: Decimal


# --- schedules ----------------------------------------------------------------------------------------

def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan + 1 month = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _money(value, label: str, *, positive: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        raise LoanError(_("%(label)s应为金额（元）。") % {"label": label}) from None
    if amount < 0 or (positive and amount == 0) or not amount.is_finite() or amount >= Decimal("1e10"):
        raise LoanError(_("%(label)s应为大于 0 的金额（元）。") % {"label": label} if positive
                        else _("%(label)s不能为负数。") % {"label": label})
    return amount


def _household_rate(annual_rate: Decimal, subsidy_percent: Decimal) -> Decimal:
    """The annual rate (a fraction) the household pays after 财政贴息."""
    return annual_rate / 100 * (1 - subsidy_percent / 100)


def loan_schedule(*, amount: Decimal, term_months: int, disbursed_on: datetime.date, annual_rate: Decimal,
                  subsidy_percent: Decimal, kind: str = "equal_principal", period_months: int = 12,
                  given: Iterable[tuple[datetime.date, Any, Any]] | None = None) -> list[Planned]:
    """The repayment schedule of a loan (see the module's docstring); LoanError for a schedule that cannot be."""
    due_on = add_months(disbursed_on, term_months)
    rate = _household_rate(Decimal(annual_rate), Decimal(subsidy_percent))
    if kind == "bullet":
        interest = (amount * rate * term_months / 12).quantize(CENT, rounding=ROUND_HALF_UP)
        return [Planned(due_on, amount, interest)]
    if kind == "equal_principal":
        if period_months not in PERIODS:
            raise LoanError(_("还款周期应为 1、3、6 或 12 个月。"))
        if term_months % period_months:
            raise LoanError(_("贷款期限（%(term)d 个月）应为还款周期（%(period)d 个月）的整数倍。")
                            % {"term": term_months, "period": period_months})
        count = term_months // period_months
        part = (amount / count).quantize(CENT, rounding=ROUND_HALF_UP)
        rows, owed = [], amount
        for index in range(1, count + 1):
            principal = owed if index == count else part
            interest = (owed * rate * period_months / 12).quantize(CENT, rounding=ROUND_HALF_UP)
            rows.append(Planned(add_months(disbursed_on, index * period_months), principal, interest))
            owed -= principal
        return rows
    if kind == "given":
        rows = []
        for due, principal, interest in given or ():
            if not isinstance(due, datetime.date):
                raise LoanError(_("还款计划的应还日期应为日期。"))
            rows.append(Planned(due, _money(principal, _("应还本金")), _money(interest or 0, _("应还利息"))))
        if not rows:
            raise LoanError(_("请填写还款计划（每期的应还日期、本金和利息）。"))
        rows.sort(key=lambda r: r.due_on)
        if len({r.due_on for r in rows}) != len(rows):
            raise LoanError(_("还款计划中有两期的应还日期相同。"))
        if rows[0].due_on <= disbursed_on or rows[-1].due_on > due_on:
            raise LoanError(_("还款计划的应还日期应在放款日期之后、到期日期（%(due)s）之前或当天。")
                            % {"due": due_on.isoformat()})
        total = sum((r.principal for r in rows), Decimal(0))
        if total != amount:
            raise LoanError(_("还款计划的本金合计 %(total)s 元，与贷款金额 %(amount)s 元不符。")
                            % {"total": total, "amount": amount})
        return rows
    raise LoanError(_("不认识的还款方式：%(kind)s") % {"kind": kind})


# --- entry and edits ----------------------------------------------------------------------------------

def _household_for_update(acting_user, household) -> Household:
    access = access_for(acting_user)
    require(may_edit_loans(access), _("你的角色不能登记小额信贷。"))
    code = household.code if isinstance(household, Household) else str(household)
    # select_for_update: two clerks entering loans of the same household at once are serialised here.
    return get_in_reach(access.filter_households(Household.objects.select_for_update()), code=code)


def _loan_for_update(acting_user, loan_id: int) -> Loan:
    access = access_for(acting_user)
    require(may_edit_loans(access), _("你的角色不能登记小额信贷。"))
    # select_for_update: a repayment and an edit of the same loan at once would each recompute the balance.
    return get_in_reach(Loan.objects.select_for_update().filter(access.household_q("household__")), pk=loan_id)


def _terms(data: dict[str, Any]) -> dict[str, Any]:
    """Validated loan terms (LoanError with the first problem)."""
    bank, contract_no = (data.get("bank") or "").strip(), (data.get("contract_no") or "").strip()
    if not bank or len(bank) > 128:
        raise LoanError(_("请填写贷款银行（不超过 128 个字）。"))
    if not contract_no or len(contract_no) > 64:
        raise LoanError(_("请填写借款合同编号（不超过 64 个字）。"))
    purpose = (data.get("purpose") or "").strip()
    if len(purpose) > 128:
        raise LoanError(_("贷款用途不能超过 128 个字。"))
    amount = _money(data.get("amount"), _("贷款金额"), positive=True)
    term = data.get("term_months")
    if isinstance(term, bool) or not isinstance(term, int) or not 1 <= term <= MAX_TERM_MONTHS:
        raise LoanError(_("贷款期限应为 1 到 %(n)d 个月。") % {"n": MAX_TERM_MONTHS})
    rate = _money(data.get("annual_rate"), _("年利率"))
    subsidy = _money(data.get("subsidy_percent", 100), _("贴息比例"))
    if rate > 100 or subsidy > 100:
        raise LoanError(_("年利率和贴息比例应在 0 到 100（%）之间。"))
    disbursed = data.get("disbursed_on")
    if not isinstance(disbursed, datetime.date):
        raise LoanError(_("请填写放款日期。"))
    if disbursed > timezone.localdate():
        raise LoanError(_("放款日期不能晚于今天。"))
    return {"bank": bank, "contract_no": contract_no, "purpose": purpose, "amount": amount, "term_months": term,
            "annual_rate": rate, "subsidy_percent": subsidy, "disbursed_on": disbursed}


def _borrower(household: Household, borrower) -> Member:
    pk = borrower.pk if isinstance(borrower, Member) else borrower
    member = Member.objects.filter(pk=pk, household=household).first() if pk else None
    if member is None:
        raise LoanError(_("借款人应为本户的成员。"))
    return member


def _store_schedule(loan: Loan, planned: list[Planned]) -> None:
    LoanInstallment.objects.bulk_create([LoanInstallment(loan=loan, due_on=p.due_on, principal=p.principal,
                                                         interest=p.interest) for p in planned])


@transaction.atomic
def loan_create(*, household, borrower, acting_user, bank: str, contract_no: str, amount, term_months: int,
                annual_rate, disbursed_on: datetime.date, subsidy_percent=100, purpose: str = "",
                schedule: str = "equal_principal", period_months: int = 12,
                installments: Iterable[tuple[datetime.date, Any, Any]] | None = None) -> Loan:
    """Record a household's 小额信贷 with its repayment schedule (`schedule`: see the module's docstring)."""
    household = _household_for_update(acting_user, household)
    terms = _terms({"bank": bank, "contract_no": contract_no, "purpose": purpose, "amount": amount,
                    "term_months": term_months, "annual_rate": annual_rate, "subsidy_percent": subsidy_percent,
                    "disbursed_on": disbursed_on})
    member = _borrower(household, borrower)
    planned = loan_schedule(amount=terms["amount"], term_months=terms["term_months"],
                            disbursed_on=terms["disbursed_on"], annual_rate=terms["annual_rate"],
                            subsidy_percent=terms["subsidy_percent"], kind=schedule, period_months=period_months,
                            given=installments)
    loan = Loan(household=household, borrower=member, due_on=add_months(terms["disbursed_on"], terms["term_months"]),
                balance=terms["amount"], created_by=acting_user, **terms)
    loan._history_user = acting_user
    loan._change_reason = _("登记小额信贷")
    _save_unique(loan)
    _store_schedule(loan, planned)
    _refresh(Loan.objects.filter(pk=loan.pk), timezone.localdate(), acting_user=acting_user)
    loan.refresh_from_db()
    return loan


def _save_unique(loan: Loan, **kwargs) -> None:
    if Loan.objects.filter(bank=loan.bank, contract_no=loan.contract_no).exclude(pk=loan.pk).exists():
        raise LoanError(_("贷款银行“%(bank)s”已有借款合同编号为 %(no)s 的贷款。") % {"bank": loan.bank, "no": loan.contract_no})
    try:
        with transaction.atomic():
            loan.save(**kwargs)
    except IntegrityError:  # the same contract entered by someone else at this moment
        raise LoanError(_("贷款银行“%(bank)s”已有借款合同编号为 %(no)s 的贷款。")
                        % {"bank": loan.bank, "no": loan.contract_no}) from None


@transaction.atomic
def loan_update(*, loan_id: int, acting_user, data: dict[str, Any], schedule: str = "",
                period_months: int = 12, installments: Iterable[tuple[datetime.date, Any, Any]] | None = None) -> Loan:
    """Change a loan's terms. Bank, contract number, purpose and borrower change at any time; a change of the
    amount, term, rate, 贴息 or disbursement date needs a `schedule` kind, and the schedule is rebuilt — refused
    once a repayment has been recorded (the bank's books would no longer match)."""
    loan = _loan_for_update(acting_user, loan_id)
    if loan.status == LoanStatus.SETTLED:
        raise LoanError(_("已结清的贷款不能修改。"))
    current = {name: getattr(loan, name) for name in (*PLAIN_FIELDS, *SCHEDULE_FIELDS)}
    terms = _terms({**current, **{k: v for k, v in data.items() if k in current}})
    changed = [name for name in current if terms[name] != current[name]]
    member = loan.borrower
    if "borrower" in data and data["borrower"] is not None:
        member = _borrower(loan.household, data["borrower"])
        if member.pk != loan.borrower_id:
            changed.append("borrower")
    rebuild = bool(schedule) or any(name in SCHEDULE_FIELDS for name in changed)
    if rebuild:
        if loan.installments.filter(paid_on__isnull=False).exists():
            raise LoanError(_("已登记还款的贷款不能修改金额、期限、利率、放款日期或还款计划。"))
        if not schedule:  # the kind of the old schedule is not stored: never guess it
            raise LoanError(_("修改金额、期限、利率或放款日期时，请同时选择还款方式，以重新生成还款计划。"))
        planned = loan_schedule(amount=terms["amount"], term_months=terms["term_months"],
                                disbursed_on=terms["disbursed_on"], annual_rate=terms["annual_rate"],
                                subsidy_percent=terms["subsidy_percent"], kind=schedule,
                                period_months=period_months, given=installments)
    if not changed and not rebuild:
        return loan
    for name in changed:
        if name != "borrower":
            setattr(loan, name, terms[name])
    loan.borrower = member
    loan.due_on = add_months(loan.disbursed_on, loan.term_months)
    if rebuild:
        loan.balance = loan.amount
        loan.installments.all().delete()
        _store_schedule(loan, planned)
    loan._history_user = acting_user
    loan._change_reason = _("修改小额信贷：%(fields)s") % {
        "fields": "、".join(str(Loan._meta.get_field(n).verbose_name) for n in changed) or _("还款计划")}
    _save_unique(loan)
    _refresh(Loan.objects.filter(pk=loan.pk), timezone.localdate(), acting_user=acting_user)
    loan.refresh_from_db()
    return loan


def _owed(installment: LoanInstallment) -> Decimal:
    return installment.principal + installment.interest - (installment.paid_amount or 0)


def _recompute_balance(loan: Loan) -> None:
    """余额 = the principal not yet repaid; a repayment pays an installment's interest first."""
    repaid = (loan.installments.filter(paid_amount__isnull=False)
              .aggregate(p=Sum(Greatest(F("paid_amount") - F("interest"), Value(Decimal(0)),
                                        output_field=DecimalField(max_digits=12, decimal_places=2))))["p"])
    loan.balance = max(loan.amount - Decimal(repaid or 0), Decimal(0)).quantize(CENT)


@transaction.atomic
def installment_pay(*, installment_id: int, acting_user, paid_on: datetime.date, amount) -> LoanInstallment:
    """Record a repayment of one installment (实还日期, 实还金额); several repayments of one installment add up,
    the last one's date is kept. The loan's 余额 and state follow; a loan repaid in full is 结清."""
    access = access_for(acting_user)
    require(may_edit_loans(access), _("你的角色不能登记小额信贷。"))
    installment = get_in_reach(LoanInstallment.objects.select_related("loan").filter(
        access.household_q("loan__household__")), pk=installment_id)
    loan = _loan_for_update(acting_user, installment.loan_id)
    installment = LoanInstallment.objects.select_for_update().get(pk=installment_id)
    if loan.status == LoanStatus.SETTLED:
        raise LoanError(_("贷款已结清，不能再登记还款。"))
    amount = _money(amount, _("实还金额"), positive=True)
    if not isinstance(paid_on, datetime.date):
        raise LoanError(_("请填写实还日期。"))
    if paid_on > timezone.localdate() or paid_on < loan.disbursed_on:
        raise LoanError(_("实还日期应在放款日期之后，且不晚于今天。"))
    owed = _owed(installment)
    if owed <= 0:
        raise LoanError(_("这一期已还清。"))
    if amount > owed:
        raise LoanError(_("实还金额 %(amount)s 元超过这一期尚欠的 %(owed)s 元。") % {"amount": amount, "owed": owed})
    installment.paid_amount = (installment.paid_amount or 0) + amount
    installment.paid_on = paid_on
    installment.save(update_fields=["paid_amount", "paid_on"])
    _recompute_balance(loan)
    open_left = any(_owed(i) > 0 for i in loan.installments.all())
    loan._history_user = acting_user
    loan._change_reason = _("登记还款：%(day)s 应还的一期，%(paid)s 还 %(amount)s 元") % {
        "day": installment.due_on.isoformat(), "paid": paid_on.isoformat(), "amount": amount}
    fields = ["balance", "updated_at"]
    if not open_left:
        loan.status = LoanStatus.SETTLED
        fields.append("status")
    loan.save(update_fields=fields)
    if open_left:
        _refresh(Loan.objects.filter(pk=loan.pk), timezone.localdate(), acting_user=acting_user)
    return installment


@transaction.atomic
def loan_settle(*, loan_id: int, acting_user, settled_on: datetime.date) -> Loan:
    """结清 a loan repaid early (or in full) on `settled_on`: every open installment is paid that day; those
    not yet due carry no interest any more (interest stops with the principal)."""
    loan = _loan_for_update(acting_user, loan_id)
    if loan.status == LoanStatus.SETTLED:
        raise LoanError(_("贷款已结清。"))
    if not isinstance(settled_on, datetime.date) or settled_on > timezone.localdate() or settled_on < loan.disbursed_on:
        raise LoanError(_("结清日期应在放款日期之后，且不晚于今天。"))
    rows = list(loan.installments.select_for_update())
    for row in rows:
        if _owed(row) <= 0:
            continue
        if row.due_on > settled_on:
            row.interest = Decimal(0)
        row.paid_amount, row.paid_on = row.principal + row.interest, settled_on
    LoanInstallment.objects.bulk_update(rows, ["interest", "paid_amount", "paid_on"])
    loan.balance, loan.status = Decimal(0), LoanStatus.SETTLED
    loan._history_user = acting_user
    loan._change_reason = _("结清：%(day)s") % {"day": settled_on.isoformat()}
    loan.save(update_fields=["balance", "status", "updated_at"])
    return loan


# --- 逾期 and 不良 ----------------------------------------------------------------------------------------

def loan_rules_for(code: str, year: int) -> LoanRules | None:
    """The pack's 小额信贷 limits for a household or unit code (None when the pack states none)."""
    try:
        return policy_pack_for(code[:6], year).loans
    except PolicyPackError:
        return None


def unpaid_q(as_of: datetime.date, prefix: str = "") -> Q:
    """Q over LoanInstallment: unpaid at `as_of` (nothing paid by then, or less than principal and interest)."""
    return (Q(**{f"{prefix}paid_on__isnull": True}) | Q(**{f"{prefix}paid_on__gt": as_of})
            | Q(**{f"{prefix}paid_amount__lt": F(f"{prefix}principal") + F(f"{prefix}interest")}))


def _late(as_of: datetime.date, days: int):
    """Exists: the loan has an installment unpaid at `as_of` more than `days` days after it fell due."""
    return Exists(LoanInstallment.objects.filter(unpaid_q(as_of), loan=OuterRef("pk"),
                                                 due_on__lt=as_of - datetime.timedelta(days=days)))


def _refresh(loans: QuerySet, as_of: datetime.date, *, acting_user=None) -> dict[str, int]:
    """Set 正常 / 逾期 / 不良 on the loans not 结清, grouped by the counties' limits: one UPDATE per group
    (bulk_update with history: the changed loans' rows, written in batches, and their history rows)."""
    loans = loans.exclude(status=LoanStatus.SETTLED)
    counties = sorted({code[:6] for code in loans.values_list("household_id", flat=True).distinct()})
    groups: dict[tuple[int, int], list[str]] = {}
    for county in counties:
        rules = loan_rules_for(county, as_of.year)
        if rules is not None:
            groups.setdefault((rules.overdue_grace_days, rules.npl_days), []).append(county)
    counts = {LoanStatus.NORMAL: 0, LoanStatus.OVERDUE: 0, LoanStatus.NON_PERFORMING: 0}
    for (grace, npl), codes in groups.items():
        in_counties = Q()
        for county in codes:
            in_counties |= subtree_q("household_id", county)  # a code range: a FK has no startswith
        state = Case(When(_late(as_of, npl), then=Value(LoanStatus.NON_PERFORMING)),
                     When(_late(as_of, grace), then=Value(LoanStatus.OVERDUE)), default=Value(LoanStatus.NORMAL))
        changed = list(loans.filter(in_counties).annotate(new_status=state).exclude(status=F("new_status")))
        for loan in changed:
            loan.status = loan.new_status
            counts[loan.status] += 1
        bulk_update_with_history(changed, Loan, ["status"], batch_size=1000, default_user=acting_user,
                                 default_change_reason=_("按 %(day)s 还款情况更新贷款状态") % {"day": as_of.isoformat()})
    return counts


@transaction.atomic
def loans_refresh_status(*, as_of: datetime.date | None = None, acting_user=None) -> dict[str, int]:
    """Mark every loan not 结清 正常, 逾期 or 不良 by its installments at `as_of` (today by default) and the
    county's pack; returns how many loans changed to each state."""
    return _refresh(Loan.objects.all(), as_of or timezone.localdate(), acting_user=acting_user)


# --- overdue repayments as 防止返贫监测 leads ---------------------------------------------------------------

@dataclass
class LeadsMade:
    created: int = 0
    merged: int = 0
    already: int = 0
    refused: list[str] | None = None


def overdue_installments(as_of: datetime.date, loans: QuerySet | None = None) -> QuerySet:
    """Installments unpaid at `as_of` past their county's grace days, on loans not 结清."""
    loans = Loan.objects.all() if loans is None else loans
    counties = sorted({code[:6] for code in loans.exclude(status=LoanStatus.SETTLED)
                       .values_list("household_id", flat=True).distinct()})
    late = Q(pk__in=[])
    for county in counties:
        rules = loan_rules_for(county, as_of.year)
        if rules is not None:
            late |= subtree_q("loan__household_id", county) & Q(
                due_on__lt=as_of - datetime.timedelta(days=rules.overdue_grace_days))
    return (LoanInstallment.objects.filter(unpaid_q(as_of), late, loan__in=loans.exclude(status=LoanStatus.SETTLED))
            .select_related("loan__household", "loan__borrower").order_by("loan__household_id", "loan_id", "due_on"))


def loans_overdue_to_leads(*, as_of: datetime.date | None = None, acting_user=None) -> LeadsMade:
    """Bring every overdue installment in as a 部门预警 lead of the borrower's household (risk type 其他: the
    monitoring vocabulary has no debt risk; the description names the bank, contract, days overdue and the
    amount unpaid). Idempotent: an installment already reported (its LeadReport.source_ref) is skipped.
    `acting_user` None is the system (the CLI); a user reports only the loans in reach."""
    as_of = as_of or timezone.localdate()
    loans = Loan.objects.all()
    if acting_user is not None:
        loans = loans.filter(access_for(acting_user).household_q("household__"))
    result = LeadsMade(refused=[])
    for installment in overdue_installments(as_of, loans).iterator(500):
        ref = SOURCE_REF.format(pk=installment.pk)
        loan = installment.loan
        days = (as_of - installment.due_on).days
        owed = installment.principal + installment.interest - (
            installment.paid_amount or 0 if installment.paid_on and installment.paid_on <= as_of else 0)
        description = _("小额信贷逾期：%(bank)s，合同 %(no)s，%(due)s 应还的一期已逾期 %(days)d 天，未还 %(owed)s 元"
                        "（贷款 %(amount)s 元，余额 %(balance)s 元）。") % {
            "bank": loan.bank, "no": loan.contract_no, "due": installment.due_on.isoformat(), "days": days,
            "owed": owed, "amount": loan.amount, "balance": loan.balance}
        try:
            with transaction.atomic():
                # Two runs at once (the CLI and a page): the loan's row lock orders them, so the second sees
                # the first's report and adds none.
                Loan.objects.select_for_update().filter(pk=loan.pk).first()
                if LeadReport.objects.filter(source_ref=ref).exists():
                    result.already += 1
                    continue
                lead = lead_create(
                    channel=Channel.DEPARTMENT, village=loan.household.village_id, risk_type=RiskType.OTHER,
                    description=description, household=loan.household, member=loan.borrower, source_ref=ref,
                    details={"bank": loan.bank, "contract_no": loan.contract_no, "due_on": installment.due_on.isoformat(),
                             "days_overdue": days, "owed": str(owed), "loan": loan.pk},
                    acting_user=acting_user)
        except LeadError as exc:
            result.refused.append(f"{loan.household_id} {loan.bank} {loan.contract_no}: {exc.message}")
            continue
        if lead.merged:
            result.merged += 1
        else:
            result.created += 1
    return result
