"""Forms of the problem-ledger pages: validation with Chinese messages, no writes (services write)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jingzhun.orgunits.forms import UnitFilterForm
from jingzhun.orgunits.models import OrgUnit

from .catalog import Rule
from .models import Problem


class ProblemFilterForm(UnitFilterForm):
    """Filters of the problem list and its export."""

    field_order = ["rule", "status", "township", "village", "q"]
    rule = forms.ChoiceField(label=_("规则"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + Problem.Status.choices)
    q = forms.CharField(label=_("户编号 / 身份证号"), required=False, max_length=40)

    def __init__(self, *args, rules: dict[str, Rule], units: list[OrgUnit], **kwargs):
        super().__init__(*args, units=units, **kwargs)
        self.fields["rule"].choices = [("", _("全部"))] + [(code, f"{code} {r.name_shown}") for code, r in rules.items()]


class ExceptionClaimForm(forms.Form):
    """申报情况属实: why the finding is true and needs no correction."""

    reason = forms.CharField(
        label=_("情况说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        error_messages={"required": _("请写明情况属实的理由。")},
        help_text=_("写明为什么数据无误、无需整改，以及可查的证明材料，例如“该生因病休学，有医院证明”。"))


class ExceptionReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("通过")), ("reject", _("退回"))])
