"""小额信贷: 扶贫小额信贷 / 脱贫人口小额信贷 loans and their repayment schedules."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..vocab import LoanStatus

MONEY = {"max_digits": 12, "decimal_places": 2}


class Loan(models.Model):
    """一笔小额信贷: a household's loan, its borrower, terms, 贴息 and state."""

    Status = LoanStatus

    household = models.ForeignKey("registry.Household", verbose_name=_("户"), on_delete=models.PROTECT,
                                  related_name="loans")
    borrower = models.ForeignKey("registry.Member", verbose_name=_("借款人"), on_delete=models.PROTECT,
                                 related_name="loans")
    bank = models.CharField(_("贷款银行"), max_length=128)
    contract_no = models.CharField(_("借款合同编号"), max_length=64)
    amount = models.DecimalField(_("贷款金额（元）"), validators=[MinValueValidator(0)], **MONEY)
    term_months = models.PositiveSmallIntegerField(_("贷款期限（月）"))
    annual_rate = models.DecimalField(_("年利率（%）"), max_digits=5, decimal_places=3)
    #: 财政贴息: the share of interest the government pays (100 = 全额贴息).
    subsidy_percent = models.DecimalField(_("贴息比例（%）"), max_digits=5, decimal_places=2, default=100)
    purpose = models.CharField(_("贷款用途"), max_length=128, blank=True)
    disbursed_on = models.DateField(_("放款日期"))
    due_on = models.DateField(_("到期日期"))
    balance = models.DecimalField(_("贷款余额（元）"), validators=[MinValueValidator(0)], **MONEY)
    status = models.CharField(_("贷款状态"), max_length=8, choices=LoanStatus.choices, default=LoanStatus.NORMAL)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("小额信贷")
        verbose_name_plural = _("小额信贷")
        ordering = ["household_id", "-disbursed_on", "id"]
        constraints = [models.UniqueConstraint(fields=["bank", "contract_no"], name="loan_unique_contract")]
        indexes = [models.Index(fields=["household"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.bank}·{self.contract_no}"


class LoanInstallment(models.Model):
    """还款计划的一期: what is due when, and what was paid."""

    loan = models.ForeignKey(Loan, verbose_name=_("小额信贷"), on_delete=models.CASCADE,
                             related_name="installments")
    due_on = models.DateField(_("应还日期"))
    principal = models.DecimalField(_("应还本金（元）"), **MONEY)
    interest = models.DecimalField(_("应还利息（元）"), default=0, **MONEY)
    paid_on = models.DateField(_("实还日期"), null=True, blank=True)
    paid_amount = models.DecimalField(_("实还金额（元）"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("还款计划")
        verbose_name_plural = _("还款计划")
        ordering = ["loan", "due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["loan", "due_on"], name="loan_one_installment_per_day")]
