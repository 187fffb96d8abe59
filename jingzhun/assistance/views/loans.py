"""小额信贷 pages: the household page's section, loan entry and edits, repayments, settlement and the list.

Reads go through `selectors.loans` (a loan out of reach is a 404); writes through `services.loans`, whose
refusals (LoanError) come back as messages on the form. Buttons show exactly when `may_edit_loans` allows.
No bank account number is stored; the borrower is named, never shown with an ID number.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jingzhun import cells
from jingzhun.accounts.audit import audit
from jingzhun.accounts.models import AuditEvent
from jingzhun.listing import Column, Listing
from jingzhun.orgunits.access import access_for
from jingzhun.orgunits.models import subtree_q
from jingzhun.orgunits.permissions import get_in_reach, may_edit_loans, require
from jingzhun.orgunits.selectors import unit_label
from jingzhun.registry.models import Household
from jingzhun.workflows.common import attempt

from ..selectors import loans as selectors
from ..services import loans as services
from ..services.loans import LoanError
from ..vocab import LoanStatus
from .loan_forms import LoanFilterForm, LoanForm, PayForm, SettleForm

SECTION_ORDER = 30


def household_section(sender, *, household, user, access, **kwargs) -> list[dict]:
    """The household page's 小额信贷 section (a `registry.signals.household_sections` receiver)."""
    context = selectors.household_loans(household, access, timezone.localdate())
    context.update(household=household, can_edit=may_edit_loans(access))
    return [{"id": "loans", "template": "assistance/loans_section.html", "context": context, "order": SECTION_ORDER}]


def _household(request, code: str) -> Household:
    access = access_for(request.user)
    household = get_in_reach(access.filter_households(Household.objects.all()), code=code)
    require(may_edit_loans(access), _("你的角色不能登记小额信贷。"))
    return household


def _members(household: Household):
    return household.members.filter(status__in=("", "正常")).order_by("id")


@login_required
@require_http_methods(["GET", "POST"])
def loan_new(request, code: str):
    household = _household(request, code)
    form = LoanForm(request.POST or None, members=_members(household))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, loan = attempt(request, lambda: services.loan_create(
            household=household, borrower=data["borrower"], acting_user=request.user, bank=data["bank"],
            contract_no=data["contract_no"], amount=data["amount"], term_months=data["term_months"],
            annual_rate=data["annual_rate"], subsidy_percent=data["subsidy_percent"], purpose=data["purpose"],
            disbursed_on=data["disbursed_on"], schedule=data["schedule"], period_months=data["period_months"],
            installments=data["installments"]), _("已登记小额信贷。"), form=form, errors=LoanError)
        if ok:
            return redirect("assistance:loan_detail", loan_id=loan.pk)
    return render(request, "assistance/loan_form.html", {"form": form, "household": household, "loan": None},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def loan_edit(request, loan_id: int):
    loan = selectors.loan_get(request.user, loan_id)
    require(may_edit_loans(request.user), _("你的角色不能登记小额信贷。"))
    initial = {name: getattr(loan, name) for name in ("bank", "contract_no", "amount", "term_months", "annual_rate",
                                                      "subsidy_percent", "purpose", "disbursed_on")}
    form = LoanForm(request.POST or None, members=_members(loan.household), editing=True,
                    initial={**initial, "borrower": loan.borrower_id, "schedule": ""})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        schedule, period, given = data.pop("schedule"), data.pop("period_months"), data.pop("installments")
        ok, _loan = attempt(request, lambda: services.loan_update(
            loan_id=loan.pk, acting_user=request.user, data=data, schedule=schedule, period_months=period,
            installments=given), _("已保存。"), form=form, errors=LoanError)
        if ok:
            return redirect("assistance:loan_detail", loan_id=loan.pk)
    return render(request, "assistance/loan_form.html", {"form": form, "household": loan.household, "loan": loan},
                  status=400 if form.errors else 200)


@login_required
def loan_detail(request, loan_id: int):
    loan = selectors.loan_get(request.user, loan_id)
    access = access_for(request.user)
    can_edit = may_edit_loans(access) and loan.status != LoanStatus.SETTLED
    return render(request, "assistance/loan_detail.html", {
        "loan": loan, "schedule": selectors.schedule_of(loan, timezone.localdate()), "can_edit": can_edit,
        "pay_form": PayForm(initial={"paid_on": timezone.localdate()}),
        "settle_form": SettleForm(initial={"settled_on": timezone.localdate()}),
        "history": loan.history.select_related("history_user").order_by("-history_date")[:50]})


@login_required
def installment_pay(request, loan_id: int, installment_id: int):
    loan = selectors.loan_get(request.user, loan_id)
    require(may_edit_loans(request.user), _("你的角色不能登记小额信贷。"))
    installment = get_in_reach(loan.installments.all(), pk=installment_id)
    if request.method != "POST":  # after the lookups: out of reach is a 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    form = PayForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: services.installment_pay(
            installment_id=installment.pk, acting_user=request.user, paid_on=form.cleaned_data["paid_on"],
            amount=form.cleaned_data["amount"]), _("已登记还款。"), errors=LoanError)
    else:
        messages.error(request, _("请填写实还日期和大于 0 的实还金额。"))
    return redirect("assistance:loan_detail", loan_id=loan.pk)


@login_required
def loan_settle(request, loan_id: int):
    loan = selectors.loan_get(request.user, loan_id)
    require(may_edit_loans(request.user), _("你的角色不能登记小额信贷。"))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = SettleForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: services.loan_settle(loan_id=loan.pk, acting_user=request.user,
                                                      settled_on=form.cleaned_data["settled_on"]),
                _("贷款已结清。"), errors=LoanError)
    else:
        messages.error(request, _("请填写结清日期。"))
    return redirect("assistance:loan_detail", loan_id=loan.pk)


# --- the list ----------------------------------------------------------------------------------------------

def _columns() -> list[Column]:
    return [Column(_("户编号"), "household", ("household_id",)), Column(_("户主姓名")), Column(_("借款人")),
            Column(_("贷款银行"), "bank"), Column(_("借款合同编号"), "contract", ("contract_no",)),
            Column(_("贷款金额（元）"), "amount", num=True), Column(_("贷款期限（月）"), "term", ("term_months",), num=True),
            Column(_("放款日期"), "disbursed", ("disbursed_on",)), Column(_("到期日期"), "due", ("due_on",)),
            Column(_("贷款余额（元）"), "balance", num=True), Column(_("贷款状态"), "status")]


@login_required
def loan_list(request):
    form = LoanFilterForm(request.GET or None)
    data = form.cleaned_data if request.GET and form.is_valid() else {}
    loans = selectors.loans_for(request.user)
    if data.get("unit"):  # a code range (a FK has no startswith); the selector already limits to the reach
        loans = loans.filter(subtree_q("household_id", data["unit"]))
    if data.get("status"):
        loans = loans.filter(status=data["status"])
    if data.get("bank"):
        loans = loans.filter(bank__contains=data["bank"].strip())
    if data.get("year"):
        loans = loans.filter(disbursed_on__year=data["year"])
    listing = Listing(request.GET, loans, _columns(), default_sort="household", tiebreak=("id",),
                      title=_("小额信贷"), unit=unit_label(request.user, data.get("unit", "")), exportable=True)
    if listing.exporting:
        return listing.export_refusal(request) or _loans_xlsx(request, listing)
    listing.chips_from_form(form)
    if listing.printing:
        audit(request, AuditEvent.Action.DOWNLOAD, listing.title, count=len(listing.page.object_list),
              what="loan_list_print", filter=listing.filter_query)
    return render(request, "assistance/loan_list.html", {"form": form, "listing": listing, "page": listing.page})


def _loans_xlsx(request, listing: Listing):
    access = access_for(request.user)
    columns = [cells.SheetColumn(title, kind) for title, kind in (
        (_("户编号"), cells.TEXT), (_("户主姓名"), cells.TEXT), (_("借款人"), cells.TEXT), (_("贷款银行"), cells.TEXT),
        (_("借款合同编号"), cells.TEXT), (_("贷款金额（元）"), cells.DECIMAL), (_("贷款期限（月）"), cells.INT),
        (_("年利率（%）"), cells.DECIMAL), (_("贴息比例（%）"), cells.DECIMAL), (_("贷款用途"), cells.TEXT),
        (_("放款日期"), cells.DATE), (_("到期日期"), cells.DATE), (_("贷款余额（元）"), cells.DECIMAL),
        (_("贷款状态"), cells.TEXT))]
    rows = ((loan.household_id, loan.household.head_name, loan.borrower.name, loan.bank, loan.contract_no, loan.amount,
             loan.term_months, loan.annual_rate, loan.subsidy_percent, loan.purpose, loan.disbursed_on, loan.due_on,
             loan.balance, loan.get_status_display()) for loan in listing.rows.iterator(2000))
    name = f"{_('小额信贷')}-{access.prefix or _('全国')}-{timezone.localdate():%Y%m%d}.xlsx"
    response, count = cells.xlsx_response(name, _("小额信贷"), columns, rows)
    audit(request, AuditEvent.Action.EXPORT, name, count=count, what="loans", filter=listing.filter_query,
          format="xlsx", source="web")
    return response
