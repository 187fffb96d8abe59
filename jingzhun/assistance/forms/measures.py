"""Forms of the measure pages: fields with Chinese labels, the type's details as fields; no writes."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jingzhun.orgunits.forms import UnitFilterForm
from jingzhun.orgunits.widgets import IsoDateInput

from ..models import Measure
from ..services.measures import FIRST_YEAR, NAME_MAX, NOTE_MAX, UNIT_MAX, detail_shown
from ..vocab import MeasureType, measure_type_choices

YES_NO_DEFAULT = [("", _("按措施类型")), ("1", _("是")), ("0", _("否"))]
DETAIL_PREFIX = "detail_"


def _years():
    this = timezone.localdate().year
    return [(y, str(y)) for y in range(this + 1, FIRST_YEAR - 1, -1)]


def type_name(mtype: MeasureType | None, code: str = "") -> str:
    """A type's name as pages show it (the Chinese name is the msgid: jingzhun/assistance/strings_i18n.py)."""
    return gettext(mtype.name) if mtype is not None else code


def _type_choices():
    return [(code, gettext(name)) for code, name in measure_type_choices()]


def _detail_field(detail):
    label = gettext(detail.label)
    if detail.kind == "int":
        return forms.IntegerField(label=label, required=False, min_value=0)
    if detail.kind == "money":
        return forms.DecimalField(label=label, required=False, min_value=0, max_digits=12, decimal_places=2)
    if detail.kind == "date":
        return forms.DateField(label=label, required=False, widget=IsoDateInput())
    if detail.kind == "bool":
        return forms.TypedChoiceField(label=label, required=False, empty_value=None,
                                      coerce=lambda v: v == "1", choices=[("", "—"), ("1", _("是")), ("0", _("否"))])
    if detail.kind == "choice":
        return forms.ChoiceField(label=label, required=False, choices=[("", "—")] + [(c, gettext(c)) for c in detail.choices])
    return forms.CharField(label=label, required=False, max_length=200)


class MeasureForm(forms.Form):
    """登记/修改帮扶措施 of one type: the common fields, the member for the types given to one person,
    and the type's details (data/measure_types.toml)."""

    member = forms.TypedChoiceField(label=_("受益人员"), coerce=int, required=False, empty_value=None)
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=_years)
    name = forms.CharField(label=_("措施名称"), max_length=NAME_MAX)
    amount = forms.DecimalField(label=_("金额（元）"), required=False, min_value=0, max_digits=12, decimal_places=2)
    start = forms.DateField(label=_("开始日期"), widget=IsoDateInput())
    end = forms.DateField(label=_("结束日期"), required=False, widget=IsoDateInput())
    responsible_unit = forms.CharField(label=_("责任单位"), required=False, max_length=UNIT_MAX)
    continues_after_exit = forms.TypedChoiceField(label=_("脱贫（风险消除）后继续享受"), required=False, empty_value=None,
                                                  coerce=lambda v: v == "1", choices=YES_NO_DEFAULT)
    note = forms.CharField(label=_("备注"), required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, mtype: MeasureType, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.mtype = mtype
        if mtype.member:
            self.fields["member"].required = True
            self.fields["member"].choices = [("", _("请选择"))] + [(m.pk, m.name) for m in members]
        else:
            del self.fields["member"]
        for detail in mtype.details:
            self.fields[DETAIL_PREFIX + detail.key] = _detail_field(detail)

    @classmethod
    def initial_of(cls, measure: Measure) -> dict:
        from ..vocab import measure_types

        mtype = measure_types()[measure.type]
        initial = {"member": measure.member_id, "year": measure.year, "name": measure.name, "amount": measure.amount,
                   "start": measure.start, "end": measure.end, "responsible_unit": measure.responsible_unit,
                   "continues_after_exit": "1" if measure.continues_after_exit else "0", "note": measure.note}
        for detail in mtype.details:
            value = measure.details.get(detail.key)
            if detail.kind == "bool" and value is not None:
                value = "1" if value else "0"
            initial[DETAIL_PREFIX + detail.key] = value
        return initial

    def service_data(self) -> dict:
        """The cleaned values as the services take them."""
        data = self.cleaned_data
        details = {d.key: data.get(DETAIL_PREFIX + d.key) for d in self.mtype.details}
        return {"type": self.mtype.code, "member_id": data.get("member"), "year": data["year"], "name": data["name"],
                "amount": data.get("amount"), "start": data["start"], "end": data.get("end"),
                "responsible_unit": data.get("responsible_unit", ""),
                "continues_after_exit": data.get("continues_after_exit"),
                "details": {k: v for k, v in details.items() if v not in (None, "")}, "note": data.get("note", "")}


class EndForm(forms.Form):
    end = forms.DateField(label=_("结束日期"), widget=IsoDateInput())
    reason = forms.CharField(label=_("说明"), required=False, max_length=200)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("佐证材料"), help_text=_("PDF 文件或照片（JPG、PNG），不超过 20 MB。"))


#: A measures file imported on the page (in the request): larger files go through `jingzhun measures import`.
IMPORT_MAX_BYTES = 10 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=_("帮扶措施文件"),
                           help_text=_("按《帮扶措施导入格式》填写的 .xlsx 工作簿（工作表“帮扶措施”）或 CSV 文件，不超过 10 MB。"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("文件超过 10 MB，请分成几个文件导入，或用命令 jingzhun measures import 导入。"))
        return upload


class MeasureFilterForm(UnitFilterForm):
    """Filters of the measure list."""

    field_order = ["year", "type", "continuing", "township", "village"]
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None,
                                  choices=lambda: [("", _("全部"))] + _years())
    type = forms.ChoiceField(label=_("措施类型"), required=False,
                             choices=lambda: [("", _("全部"))] + _type_choices())
    continuing = forms.ChoiceField(label=_("脱贫后继续享受"), required=False,
                                   choices=[("", _("全部")), ("1", _("是")), ("0", _("否"))])


def _shown(detail, value) -> str:
    if detail.kind == "bool":
        return gettext("是") if value else gettext("否")
    if detail.kind == "choice":
        return gettext(value)
    return detail_shown(detail, value)


def details_shown(measure: Measure, mtype: MeasureType | None) -> list[tuple[str, str]]:
    """(label, value) of a measure's filled-in details, for the pages (labels and choices translated)."""
    if mtype is None:
        return []
    return [(gettext(d.label), _shown(d, measure.details.get(d.key))) for d in mtype.details
            if measure.details.get(d.key) not in (None, "")]
