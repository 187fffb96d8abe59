"""Forms of the ledger pages: the list's filters, the item's action forms and the hand entry of an item.

Choices of units and batches come from the selectors (what the user reads), so a forged id is an invalid
choice, never a lookup outside reach.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .vocab import ItemKind, ItemState, Source, Timing

_ANY = [("", _("全部"))]


def _choices(queryset) -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in queryset.values_list("pk", "name")]


class ItemFilterForm(forms.Form):
    """整改台账's filters: every field optional; choices limited to what the user reads."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=60)
    batch = forms.TypedChoiceField(label=_("交办批次"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("台账类别"), required=False, choices=_ANY + list(ItemKind.choices))
    source = forms.ChoiceField(label=_("问题来源"), required=False, choices=_ANY + list(Source.choices))
    state = forms.ChoiceField(label=_("状态"), required=False, choices=_ANY + list(ItemState.choices))
    timing = forms.ChoiceField(label=_("时限"), required=False, choices=_ANY + list(Timing.choices))
    agency = forms.TypedChoiceField(label=_("责任单位"), required=False, coerce=int, empty_value=None)
    aspect = forms.ChoiceField(label=_("方面"), required=False)

    def __init__(self, *args, batches, agencies, aspects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].choices = _ANY + _choices(batches)
        self.fields["agency"].choices = _ANY + _choices(agencies)
        self.fields["aspect"].choices = _ANY + [(a, a) for a in aspects]


class AssignForm(forms.Form):
    """交办: the 责任单位 (from the county's units), 责任人, 整改措施 and 时限."""

    agency = forms.TypedChoiceField(label=_("责任单位"), coerce=int)
    responsible = forms.CharField(label=_("责任人"), required=False, max_length=64)
    measures = forms.CharField(label=_("整改措施"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("整改时限"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("交办说明"), required=False, max_length=500)

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "—")] + _choices(agencies)


class ProgressForm(forms.Form):
    """报送进展: what was done, the % complete (tasks and projects) and a PDF or photo."""

    note = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(label=_("完成进度（%）"), required=False, min_value=0, max_value=100)
    evidence = forms.FileField(label=_("佐证材料"), required=False,
                               help_text=_("PDF 文件或照片（JPG、PNG），不超过 20 MB。"))


class ReportForm(forms.Form):
    """办结报告: what was rectified and how, with evidence."""

    note = forms.CharField(label=_("办结情况"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("佐证材料"), required=False,
                               help_text=_("PDF 文件或照片（JPG、PNG），不超过 20 MB。"))


class ReviewForm(forms.Form):
    """复核: pass (销号) or send back with a reason."""

    decision = forms.ChoiceField(label=_("复核结论"), choices=[("pass", _("通过并销号")), ("back", _("退回"))],
                                 widget=forms.RadioSelect)
    note = forms.CharField(label=_("复核意见（退回时必填）"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新整改原因"), widget=forms.Textarea(attrs={"rows": 2}))


class ItemForm(forms.Form):
    """登记 one item by hand (the county admin): what it is, where it came from, and optionally its unit."""

    kind = forms.ChoiceField(label=_("台账类别"), choices=ItemKind.choices, initial=ItemKind.PROBLEM)
    source = forms.ChoiceField(label=_("问题来源"), choices=Source.choices, initial=Source.OTHER)
    batch = forms.TypedChoiceField(label=_("交办批次"), required=False, coerce=int, empty_value=None)
    number = forms.IntegerField(label=_("序号"), required=False, min_value=0, max_value=99999)
    aspect = forms.CharField(label=_("方面"), required=False, max_length=64)
    title = forms.CharField(label=_("问题（任务）"), widget=forms.Textarea(attrs={"rows": 2}))
    detail = forms.CharField(label=_("具体表现"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    lead_agency = forms.TypedChoiceField(label=_("牵头单位"), required=False, coerce=int, empty_value=None)
    agency = forms.TypedChoiceField(label=_("责任单位"), required=False, coerce=int, empty_value=None)
    responsible = forms.CharField(label=_("责任人"), required=False, max_length=64)
    measures = forms.CharField(label=_("整改措施"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("整改时限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    investment = forms.DecimalField(label=_("总投资（万元）"), required=False, min_value=0, max_digits=12,
                                    decimal_places=2)

    def __init__(self, *args, batches, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].choices = [("", "—")] + _choices(batches)
        self.fields["lead_agency"].choices = [("", "—")] + _choices(agencies)
        self.fields["agency"].choices = [("", "—")] + _choices(agencies)


class CountyForm(forms.Form):
    """Above a county: which county's ledger (or units) the page is about."""

    county = forms.RegexField(label=_("县"), regex=r"^\d{6}$", max_length=6,
                              error_messages={"invalid": _("请填写 6 位县级区划代码。")})


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=64)


class StaffForm(forms.Form):
    staff = forms.MultipleChoiceField(label=_("经办人员"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [(u.username, u.get_full_name() or u.username) for u in users]
