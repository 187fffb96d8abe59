"""Forms of the 小额信贷 pages: a loan with its schedule, a repayment, settlement, the list's filters."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from ..vocab import LoanStatus

SCHEDULE_CHOICES = [("equal_principal", _("等额本金（按还款周期分期还本）")), ("bullet", _("到期一次还本付息")),
                    ("given", _("按合同录入每期"))]
PERIOD_CHOICES = [(12, _("每年")), (6, _("每半年")), (3, _("每季度")), (1, _("每月"))]
DATE = forms.DateInput(attrs={"type": "date"})


class LoanForm(forms.Form):
    """A household's loan; `installments` (one line per period: 应还日期 本金 利息) when the schedule is given."""

    borrower = forms.TypedChoiceField(label=_("借款人"), coerce=int)
    bank = forms.CharField(label=_("贷款银行"), max_length=128)
    contract_no = forms.CharField(label=_("借款合同编号"), max_length=64)
    amount = forms.DecimalField(label=_("贷款金额（元）"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    term_months = forms.IntegerField(label=_("贷款期限（月）"), min_value=1, max_value=360)
    annual_rate = forms.DecimalField(label=_("年利率（%）"), min_value=0, max_value=100, max_digits=6, decimal_places=3)
    subsidy_percent = forms.DecimalField(label=_("贴息比例（%）"), min_value=0, max_value=100, max_digits=5,
                                         decimal_places=2, initial=100)
    purpose = forms.CharField(label=_("贷款用途"), max_length=128, required=False)
    disbursed_on = forms.DateField(label=_("放款日期"), widget=DATE)
    schedule = forms.ChoiceField(label=_("还款方式"), choices=SCHEDULE_CHOICES, initial="equal_principal")
    period_months = forms.TypedChoiceField(label=_("还款周期"), choices=PERIOD_CHOICES, coerce=int, initial=12)
    installments = forms.CharField(
        label=_("还款计划"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("还款方式为“按合同录入每期”时填写：每行一期，依次为应还日期、本金、利息，如 2026-03-20 10000 150"))

    def __init__(self, *args, members, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["borrower"].choices = [(m.pk, f"{m.name} ({m.get_relation_display()})") for m in members]
        if editing:
            self.fields["schedule"].choices = [("", _("不变"))] + SCHEDULE_CHOICES
            self.fields["schedule"].required = False
            self.fields["schedule"].help_text = _("已登记还款的贷款不能改变还款计划。")

    def clean_installments(self):
        rows = []
        for number, line in enumerate(self.cleaned_data["installments"].splitlines(), start=1):
            parts = line.replace("，", " ").replace(",", " ").split()
            if not parts:
                continue
            if len(parts) not in (2, 3):
                raise forms.ValidationError(_("第 %(n)d 行应为：应还日期 本金 利息") % {"n": number})
            try:
                due = datetime.date.fromisoformat(parts[0])
                principal, interest = Decimal(parts[1]), Decimal(parts[2] if len(parts) == 3 else "0")
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(_("第 %(n)d 行应为：应还日期（YYYY-MM-DD） 本金 利息") % {"n": number}) from None
            rows.append((due, principal, interest))
        return rows

    def clean(self):
        data = super().clean()
        if data.get("schedule") == "given" and not data.get("installments"):
            self.add_error("installments", _("请按合同逐行填写还款计划。"))
        return data


class PayForm(forms.Form):
    paid_on = forms.DateField(label=_("实还日期"), widget=DATE)
    amount = forms.DecimalField(label=_("实还金额（元）"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2)


class SettleForm(forms.Form):
    settled_on = forms.DateField(label=_("结清日期"), widget=DATE)


class LoanFilterForm(forms.Form):
    unit = forms.RegexField(label=_("区划代码"), required=False, regex=r"^\d{6,12}$",
                            error_messages={"invalid": _("区划代码应为 6 到 12 位数字。")})
    status = forms.ChoiceField(label=_("贷款状态"), required=False, choices=[("", _("全部"))] + list(LoanStatus.choices))
    bank = forms.CharField(label=_("贷款银行"), required=False, max_length=128)
    year = forms.IntegerField(label=_("放款年度"), required=False, min_value=2000, max_value=2100)
