"""Forms of the problem-ledger pages: validation with Chinese messages, no writes (services write)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jingzhun.orgunits.models import Level, OrgUnit

from .catalog import Rule
from .models import Problem


class ProblemFilterForm(forms.Form):
    """Filters of the problem list and its export; unit choices are the townships and villages in reach."""

    rule = forms.ChoiceField(label=_("规则"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + Problem.Status.choices)
    township = forms.ChoiceField(label=_("乡镇"), required=False)
    village = forms.ChoiceField(label=_("村"), required=False)
    q = forms.CharField(label=_("户编号 / 身份证号"), required=False, max_length=40)

    def __init__(self, *args, rules: dict[str, Rule], units: list[OrgUnit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("全部"))] + [(code, f"{code} {r.name}") for code, r in rules.items()]
        townships = [u for u in units if u.level == Level.TOWNSHIP]
        villages = [u for u in units if u.level == Level.VILLAGE]
        self.fields["township"].choices = [("", _("全部"))] + [(u.code, u.name) for u in townships]
        selected = self.data.get("township") or ""
        self.fields["village"].choices = [("", _("全部"))] + [
            (u.code, u.short_name) for u in villages if u.code.startswith(selected)]

    @property
    def unit(self) -> str:
        if not self.is_valid():
            return ""
        return self.cleaned_data.get("village") or self.cleaned_data.get("township") or ""


class ExceptionClaimForm(forms.Form):
    """申报情况属实: why the finding is true and needs no correction."""

    reason = forms.CharField(
        label=_("情况说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        error_messages={"required": _("请写明情况属实的理由。")},
        help_text=_("写明为什么数据无误、无需整改，以及可查的证明材料，例如“该生因病休学，有医院证明”。"))


class ExceptionReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("通过")), ("reject", _("退回"))])
