"""Forms of the lead pages: the public report, 村级排查, the queue's filters, verification and routing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jingzhun.orgunits.models import Level, OrgUnit

from .services import DESCRIPTION_MAX, NAME_MAX, PHONE_MAX
from .vocab import Channel, Result, RiskType, Status

_RISK_CHOICES = [("", _("请选择"))] + list(RiskType.choices)


def village_choices(root: str) -> list:
    """Villages under `root`, grouped by township (the form's <optgroup>s)."""
    units = OrgUnit.objects.filter(code__startswith=root, level__in=(Level.TOWNSHIP, Level.VILLAGE)).order_by("code")
    townships: dict[str, tuple[str, list]] = {}
    for unit in units:
        if unit.level == Level.TOWNSHIP:
            townships[unit.code] = (unit.name, [])
        elif unit.code[:9] in townships:
            townships[unit.code[:9]][1].append((unit.code, unit.short_name))
        else:  # a village bound user: their own village only
            townships.setdefault(unit.code[:9], ("", []))[1].append((unit.code, unit.short_name))
    return [("", _("请选择村"))] + [(name, villages) if name else villages[0] for name, villages in townships.values()
                                   if villages]


class PublicReportForm(forms.Form):
    """农户自主申报: what the farmer types on a phone; bounded sizes (the service checks them again)."""

    name = forms.CharField(label=_("户主姓名"), max_length=NAME_MAX,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=_("联系电话"), max_length=PHONE_MAX,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    id_number = forms.CharField(label=_("身份证号"), max_length=18, min_length=18,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    village = forms.ChoiceField(label=_("所在村"))
    risk_type = forms.ChoiceField(label=_("风险类型"), choices=_RISK_CHOICES)
    description = forms.CharField(label=_("困难描述"), max_length=DESCRIPTION_MAX,
                                  widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, county: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = village_choices(county.code)


class VillageCheckForm(forms.Form):
    """村级排查: a clerk or cadre records a lead from routine visits; a registered household by its 户编号."""

    village = forms.ChoiceField(label=_("村"))
    household = forms.CharField(label=_("户编号"), max_length=16, required=False,
                                help_text=_("已登记的户填写户编号；未登记的填写户主姓名和身份证号。"))
    name = forms.CharField(label=_("户主姓名"), max_length=NAME_MAX, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=PHONE_MAX, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    risk_type = forms.ChoiceField(label=_("风险类型"), choices=_RISK_CHOICES)
    description = forms.CharField(label=_("困难描述"), max_length=DESCRIPTION_MAX,
                                  widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, root: str, **kwargs):
        super().__init__(*args, **kwargs)
        if len(root) >= 6:  # a county's villages fit a select box; a province's do not: the code is typed
            self.fields["village"].choices = village_choices(root)
        else:
            self.fields["village"] = forms.RegexField(label=_("村代码"), regex=r"^\d{12}$",
                                                      error_messages={"invalid": _("村代码应为 12 位数字。")})


class LeadFilterForm(forms.Form):
    channel = forms.ChoiceField(label=_("来源渠道"), required=False, choices=[("", _("全部"))] + list(Channel.choices))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + list(Status.choices))
    overdue = forms.ChoiceField(label=_("逾期"), required=False, choices=[("", _("全部")), ("1", _("已逾期"))])
    unit = forms.RegexField(label=_("单位代码"), required=False, regex=r"^\d{2,12}$",
                            error_messages={"invalid": _("单位代码应为 2 到 12 位数字。")})
    source = forms.CharField(label=_("来源记录"), required=False, max_length=120,
                             help_text=_("如部门预警的批次，列出该批次线索的去向"))


class VerifyForm(forms.Form):
    result = forms.ChoiceField(label=_("核实结果"), choices=[("", _("请选择"))] + list(Result.choices))
    reason = forms.CharField(label=_("核实说明"), max_length=DESCRIPTION_MAX, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}), help_text=_("不纳入须写明理由。"))
    letter = forms.FileField(label=_("承诺授权书照片"), required=False,
                             help_text=_("签字的《监测对象申请及承诺授权查询书》，JPG、PNG 或 WebP。"))


class EvidenceForm(forms.Form):
    letter = forms.FileField(label=_("承诺授权书照片"))


class RouteForm(forms.Form):
    """下发 (to a unit on the way to the lead's village) or 改派 (to another village, with a reason)."""

    action = forms.ChoiceField(label=_("办理"), choices=[("push", _("下发")), ("reassign", _("改派"))])
    unit = forms.RegexField(label=_("单位代码"), regex=r"^\d{9}(\d{3})?$",
                            error_messages={"invalid": _("请填写乡镇（9 位）或村（12 位）代码。")})
    note = forms.CharField(label=_("说明"), max_length=DESCRIPTION_MAX, required=False)
