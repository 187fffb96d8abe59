"""Forms of the 项目库 pages: a project's entry, its funds, a state change, progress, a payment, the filters."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhun.monitoring.forms import village_choices
from jingzhun.orgunits.widgets import IsoDateInput

from ..vocab import FundSource, ProjectCategory, ProjectState

_ALL = [("", _("全部"))]


def codes_of(text: str) -> list[str]:
    """户编号 typed one per line, or separated by spaces, commas or 、."""
    return [c for c in re.split(r"[\s,，、;；]+", text or "") if c]


class ProjectForm(forms.Form):
    """入库 and 修改: the entry of a project. The villages are those of the project's county."""

    code = forms.CharField(label=_("项目编号"), max_length=32)
    name = forms.CharField(label=_("项目名称"), max_length=200)
    category = forms.ChoiceField(label=_("项目类别"), choices=[("", _("请选择"))] + list(ProjectCategory.choices))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    villages = forms.MultipleChoiceField(label=_("实施村"), required=False,
                                         widget=forms.SelectMultiple(attrs={"size": 8}),
                                         help_text=_("按住 Ctrl 可选多个村。"))
    planned_start = forms.DateField(label=_("计划开工日期"), required=False, widget=IsoDateInput())
    planned_end = forms.DateField(label=_("计划完工日期"), required=False, widget=IsoDateInput())
    responsible_unit = forms.CharField(label=_("项目主管单位"), max_length=128)
    contact_phone = forms.CharField(label=_("监督电话"), max_length=20, required=False,
                                    help_text=_("印在公示和公告上，供群众反映意见。"))
    output_target = forms.CharField(label=_("产出指标"), required=False, max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    benefit_target = forms.CharField(label=_("效益指标"), required=False, max_length=2000,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    mechanism = forms.CharField(label=_("带贫减贫机制"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("如资产收益分红、务工就业、土地流转租金等。"))
    beneficiaries = forms.CharField(label=_("受益户（户编号）"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text=_("每行一个户编号，须是实施村的户。"))

    def __init__(self, *args, county: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["villages"].choices = village_choices(county)[1:]
        if not self.is_bound and "year" not in self.initial:
            self.initial["year"] = timezone.localdate().year


class CountyForm(forms.Form):
    """Which county a project is entered for (for a user above a county)."""

    county = forms.RegexField(label=_("县级代码"), regex=r"^\d{6}$",
                              error_messages={"invalid": _("县级代码应为 6 位数字。")})


class FundForm(forms.Form):
    """资金计划: one amount per source (empty: unchanged, 0: no money from it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for source, label in FundSource.choices:
            self.fields[source] = forms.DecimalField(label=label, required=False, min_value=0, max_digits=14,
                                                     decimal_places=2)


class AdvanceForm(forms.Form):
    to_state = forms.ChoiceField(label=_("项目状态"), choices=ProjectState.choices, widget=forms.HiddenInput)
    note = forms.CharField(label=_("说明"), required=False, max_length=1000)


class ProgressForm(forms.Form):
    percent = forms.IntegerField(label=_("形象进度（%）"), min_value=0, max_value=100)


class SpendingForm(forms.Form):
    source = forms.ChoiceField(label=_("资金来源"), choices=[("", _("请选择"))] + list(FundSource.choices))
    paid_on = forms.DateField(label=_("支出日期"), widget=IsoDateInput())
    amount = forms.DecimalField(label=_("支出金额（元）"), min_value=0, max_digits=14, decimal_places=2)
    note = forms.CharField(label=_("摘要"), required=False, max_length=200)


class ProjectFilterForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    state = forms.ChoiceField(label=_("项目状态"), required=False, choices=_ALL + list(ProjectState.choices))
    category = forms.ChoiceField(label=_("项目类别"), required=False, choices=_ALL + list(ProjectCategory.choices))
    village = forms.ChoiceField(label=_("实施村"), required=False)

    def __init__(self, *args, villages: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = _ALL + villages


class FundFilterForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    unit = forms.RegexField(label=_("单位代码"), required=False, regex=r"^\d{2,12}$",
                            error_messages={"invalid": _("单位代码应为 2 到 12 位数字。")})
