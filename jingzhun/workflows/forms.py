"""Forms of the workflow pages: validation with Chinese messages, no writes (services write)."""

from __future__ import annotations

import datetime
from pathlib import Path

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingzhun.orgunits.widgets import IsoDateInput
from jingzhun.registry.forms import HouseholdForm, MemberForm

from .definitions import ChangeType, RemovalReason
from .models import LedgerEvent, Objection
from .services import HOUSEHOLD_FIELDS, MEMBER_FIELDS

EVIDENCE_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".txt")
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


def _clean_evidence(upload):
    if not upload:
        return None
    if Path(upload.name).suffix.lower() not in EVIDENCE_SUFFIXES:
        raise forms.ValidationError(_("佐证材料应为 PDF、图片、Word、Excel 或文本文件（%(s)s）。")
                                    % {"s": _("、").join(EVIDENCE_SUFFIXES)})
    if upload.size > EVIDENCE_MAX_BYTES:
        raise forms.ValidationError(_("佐证材料不能超过 20 MB。"))
    return upload


def _year_choices():
    this = timezone.localdate().year
    return [(y, str(y)) for y in range(this, 2013, -1)]


class CandidateForm(HouseholdForm):
    """精准识别 application: the candidate household (its status and years are set by the procedure)."""

    class Meta(HouseholdForm.Meta):
        fields = HOUSEHOLD_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Added after the registry form has turned the model's yes/no fields into selects (it walks
        # every field and expects each to be a Household field).
        self.fields["year"] = forms.TypedChoiceField(label=_("识别年度"), coerce=int, choices=_year_choices)
        self.fields["note"] = forms.CharField(label=_("申请说明"), required=False,
                                              widget=forms.Textarea(attrs={"rows": 2}))
        self.fields["evidence"] = forms.FileField(label=_("申请书等佐证材料"), required=False)

    def clean_evidence(self):
        return _clean_evidence(self.cleaned_data.get("evidence"))


class CandidateMemberForm(MemberForm):
    class Meta(MemberForm.Meta):
        fields = MEMBER_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An untouched extra row must look unchanged, so the required yes/no starts at 是 (what the
        # select shows first).
        self.initial["medical_insurance"] = "true"


CandidateMemberFormSet = forms.formset_factory(CandidateMemberForm, extra=4, min_num=1, validate_min=True,
                                               max_num=20, validate_max=True)


class StepForm(forms.Form):
    step = forms.CharField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", _("通过")), ("reject", _("不通过"))], widget=forms.HiddenInput,
                                 required=False)
    note = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    evidence = forms.FileField(label=_("佐证材料"), required=False)
    food_clothing = forms.TypedChoiceField(label=_("是否做到不愁吃、不愁穿"), required=False,
                                           choices=[("", _("请选择")), ("true", _("是")), ("false", _("否"))],
                                           coerce=lambda v: v == "true", empty_value=None)
    comparison = forms.CharField(label=_("部门比对结果"), required=False, max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text=_("车辆、房产、工商注册、财政供养人员、村干部、死亡等比对情况"))
    #: 人员变更's approval: the 申报年人均纯收入 after the change, confirmed or corrected (member_change.py).
    declared_per_capita_income = forms.DecimalField(
        label=_("变更后申报年人均纯收入（元）"), required=False, min_value=0, max_digits=12, decimal_places=2,
        help_text=_("已按变更后的家庭人口计算填好；请核对，如有不同请更正。审批通过时与人员变更一并写入。"))

    def clean_evidence(self):
        return _clean_evidence(self.cleaned_data.get("evidence"))


class OpenForm(forms.Form):
    """户退出 / 返贫 / 清退 / 人员变更 on a registered household."""

    year = forms.TypedChoiceField(label=_("脱贫年度"), coerce=int, choices=_year_choices, required=False)
    reason_category = forms.ChoiceField(label=_("清退原因类别"), required=False,
                                        choices=[("", _("请选择"))] + RemovalReason.choices)
    change = forms.ChoiceField(label=_("变更类型"), required=False, choices=[("", _("请选择"))] + ChangeType.choices)
    member_id = forms.TypedChoiceField(label=_("减少的成员"), required=False, coerce=int, empty_value=None)
    note = forms.CharField(label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=2000)
    evidence = forms.FileField(label=_("佐证材料"), required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_id"].choices = [("", _("请选择"))] + [(m.pk, _("%(text)s（%(note)s）") % {"text": m.name, "note": m.get_relation_display()}) for m in members]

    def clean_evidence(self):
        return _clean_evidence(self.cleaned_data.get("evidence"))


class NewMemberForm(MemberForm):
    """A person joining a household through 人员变更 (出生, 婚入, 成员加入)."""

    class Meta(MemberForm.Meta):
        fields = MEMBER_FIELDS


def _risk_choices():
    from jingzhun.registry import vocab

    return vocab.risk_type_choices()


class MonitoringEntryForm(forms.Form):
    """入户核实 of 识别纳入: the proposed class, risk types, 12-month income and the signed 承诺授权书."""

    monitoring_class = forms.ChoiceField(label=_("拟纳入监测对象类别"), choices=())
    risk_types = forms.MultipleChoiceField(label=_("风险类型（最多三项，第一项为主要风险类型）"), choices=_risk_choices,
                                           widget=forms.CheckboxSelectMultiple)
    income_12m = forms.DecimalField(label=_("近 12 个月家庭纯收入（元）"), max_digits=12, decimal_places=2)
    compliant_out_of_pocket_12m = forms.DecimalField(label=_("近 12 个月合规自付支出（元）"), max_digits=12,
                                                     decimal_places=2, min_value=0, initial=0)
    lead_id = forms.IntegerField(label=_("线索编号"), required=False, min_value=1)
    lead_reported_on = forms.DateField(label=_("线索日期（办结时限从此日起算，无线索则为今天）"), required=False,
                                       widget=IsoDateInput())
    note = forms.CharField(label=_("入户核实情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=2000)
    evidence = forms.FileField(label=_("《监测对象申请及承诺授权查询书》（农户签字）"))

    def __init__(self, *args, classes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["monitoring_class"].choices = [(c, c.label) for c in classes]

    def clean_evidence(self):
        return _clean_evidence(self.cleaned_data.get("evidence"))


class IncomeVerificationForm(forms.Form):
    verified_on = forms.DateField(label=_("核实日期"), widget=IsoDateInput())
    income_12m = forms.DecimalField(label=_("近 12 个月家庭纯收入（元）"), max_digits=12, decimal_places=2)
    compliant_out_of_pocket_12m = forms.DecimalField(label=_("近 12 个月合规自付支出（元）"), max_digits=12,
                                                     decimal_places=2, min_value=0, initial=0)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class GreenChannelForm(forms.Form):
    reason = forms.CharField(label=_("绿色通道理由"), widget=forms.Textarea(attrs={"rows": 3}), min_length=10,
                             max_length=2000)


class OverrideForm(forms.Form):
    reason = forms.CharField(label=_("特批理由"), widget=forms.Textarea(attrs={"rows": 3}), min_length=10,
                             max_length=2000)


class BatchForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput)
    step = forms.CharField(widget=forms.HiddenInput)
    procedures = forms.TypedMultipleChoiceField(label=_("公示户"), coerce=int, widget=forms.CheckboxSelectMultiple)
    start = forms.DateField(label=_("公示开始日期"), widget=IsoDateInput())
    title = forms.CharField(label=_("标题"), required=False, max_length=200)

    def __init__(self, *args, choices=(), earliest=None, latest=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedures"].choices = choices
        # The first day the period may start (publicity.earliest_start): the date picker offers no earlier one.
        earliest = earliest or timezone.localdate()
        self.fields["start"].initial = earliest
        self.fields["start"].widget.attrs["min"] = earliest.isoformat()
        if latest is not None:
            self.fields["start"].widget.attrs["max"] = latest.isoformat()


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("公示现场照片"), widget=forms.ClearableFileInput(
        attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("张贴公示后拍照上传，作为已公示的佐证：JPG、PNG 或 WebP 格式，不超过 10 MB。"))


class ObjectionForm(forms.Form):
    procedure = forms.TypedChoiceField(label=_("异议针对的户"), coerce=int)
    received_on = forms.DateField(label=_("收到日期"), widget=IsoDateInput())
    content = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = choices


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("处理结果"), choices=[
        (Objection.Resolution.DISMISSED, _("异议不成立（继续办理）")),
        (Objection.Resolution.UPHELD, _("异议成立（终止该户程序）"))])
    note = forms.CharField(label=_("核实情况"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class LedgerFilterForm(forms.Form):
    org = forms.RegexField(label=_("区划代码"), regex=r"^\d{2,12}$", required=False,
                           error_messages={"invalid": _("区划代码应为 2 到 12 位数字。")})
    start = forms.DateField(label=_("起始日期"), required=False, widget=IsoDateInput())
    end = forms.DateField(label=_("截止日期"), required=False, widget=IsoDateInput())
    type = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部"))] + LedgerEvent.Type.choices)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data


class EvaluationForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=_year_choices, required=False)


def default_period() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    return datetime.date(today.year, 1, 1), today
