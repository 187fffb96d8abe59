"""Forms of the registry pages: validation with Chinese messages, no writes (services write)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jingzhun.orgunits.forms import UnitFilterForm
from jingzhun.orgunits.widgets import IsoDateInput

from . import vocab
from .idnumbers import id_number_problem, sex_of
from .models import PHONE_VALIDATOR, Household, Member
from .services import HOUSEHOLD_EDITABLE, MEMBER_EDITABLE

_YES_NO_UNKNOWN = [("", _("未填")), ("true", _("是")), ("false", _("否"))]
_YES_NO = [("true", _("是")), ("false", _("否"))]


def _to_bool(value):
    return {"true": True, "false": False, True: True, False: False}.get(value)


def check_id_number(value: str) -> str:
    """The GB 11643 check of a resident ID number typed by a person; returns it normalised."""
    value = (value or "").strip().upper()
    problem = id_number_problem(value)
    if problem:
        raise forms.ValidationError(problem)
    return value


def _nullable_bool_fields(form: forms.ModelForm) -> None:
    """Show yes/no fields as 是/否 selects (nullable ones with 未填)."""
    for name, field in list(form.fields.items()):
        model_field = form._meta.model._meta.get_field(name)
        if model_field.get_internal_type() == "BooleanField":
            choices = _YES_NO_UNKNOWN if model_field.null else _YES_NO
            form.fields[name] = forms.TypedChoiceField(
                label=field.label, choices=choices, coerce=_to_bool, empty_value=None,
                required=not model_field.null, help_text=field.help_text)
            initial = form.initial.get(name)
            form.initial[name] = "" if initial is None else ("true" if initial else "false")


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = HOUSEHOLD_EDITABLE
        widgets = {"income_12m_verified_on": IsoDateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _nullable_bool_fields(self)
        if self.instance._state.adding:  # a new household (精准识别) is a 脱贫户: its 建档立卡 fields are required
            for name in Household.REGISTERED_REQUIRED:
                if name in self.fields:
                    self.fields[name].required = True

    def _update_errors(self, errors):
        """Household.clean may name a field this form does not edit (脱贫状态, 识别年度: procedures change
        them); such an error is shown above the form with the field's name — unless the household is new
        (精准识别), whose procedure sets them and validates the whole household when it completes."""
        if hasattr(errors, "error_dict"):
            remapped: dict[str, list] = {}
            for name, messages in errors.error_dict.items():
                if name != NON_FIELD_ERRORS and name not in self.fields and self.instance._state.adding:
                    continue  # a new household's 脱贫状态 and 识别年度 are set by the procedure that creates it
                if name != NON_FIELD_ERRORS and name not in self.fields:
                    label = Household._meta.get_field(name).verbose_name
                    remapped.setdefault(NON_FIELD_ERRORS, []).extend(
                        ValidationError(gettext("%(field)s：%(message)s") % {"field": label, "message": m})
                        for error in messages for m in error.messages)
                else:
                    remapped.setdefault(name, []).extend(messages)
            errors = ValidationError(remapped)
        super()._update_errors(errors)

    def clean_head_id_number(self):
        value = self.cleaned_data["head_id_number"]
        if "head_id_number" in self.changed_data:
            return check_id_number(value)
        return value

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        if value:
            PHONE_VALIDATOR(value)
        return value

    def clean(self):
        data = super().clean()
        for name in ("wage_income", "business_income", "property_income", "transfer_income", "business_expense",
                     "housing_area", "compliant_out_of_pocket_12m", "dearest_vehicle_value"):
            value = data.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("金额不能为负数。"))
        main, others = data.get("main_cause"), [data.get("other_cause_1"), data.get("other_cause_2")]
        others = [c for c in others if c]
        if main in others:
            self.add_error("other_cause_1", _("其他致贫原因不能与主要致贫原因相同。"))
        if len(others) == 2 and others[0] == others[1]:
            self.add_error("other_cause_2", _("两个其他致贫原因不能相同。"))
        return data


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = MEMBER_EDITABLE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _nullable_bool_fields(self)
        self.fields["migrant_months"].widget.attrs.update(min=0, max=12)

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        if "id_number" in self.changed_data:
            value = check_id_number(value)
            clash = Member.objects.filter(household_id=self.instance.household_id, id_number=value)
            if clash.exclude(pk=self.instance.pk).exists():
                raise forms.ValidationError(_("本户已有身份证号相同的成员。"))
        return value

    def clean_migrant_months(self):
        value = self.cleaned_data["migrant_months"]
        if value is not None and not 0 <= value <= 12:
            raise forms.ValidationError(_("务工时间应为 0–12 个月。"))
        return value

    def clean(self):
        data = super().clean()
        id_number, sex = data.get("id_number"), data.get("sex")
        if id_number and sex and id_number_problem(id_number) is None:
            expected = sex_of(id_number)
            if sex != expected:
                self.add_error("sex", _("性别与身份证号第 17 位不符（应为“%(sex)s”）。") % {"sex": expected})
        if data.get("migrant_work") and not data.get("migrant_months"):
            self.add_error("migrant_months", _("填写了务工状况时，务工时间应为 1–12 个月。"))
        if not data.get("migrant_work") and data.get("migrant_months"):
            self.add_error("migrant_work", _("填写了务工时间时，请选择务工状况。"))
        return data


class HouseholdFilterForm(UnitFilterForm):
    """Filters of the household list."""

    field_order = ["category", "monitoring_class", "status", "attribute", "main_cause", "township", "village", "q"]
    category = forms.ChoiceField(label=_("户类别"), required=False,
                                 choices=[("", _("全部"))] + vocab.HouseholdCategory.choices)
    monitoring_class = forms.ChoiceField(label=_("监测对象类别"), required=False,
                                         choices=[("", _("全部"))] + vocab.MonitoringClass.choices)
    status = forms.ChoiceField(label=_("脱贫状态"), required=False,
                               choices=[("", _("全部"))] + vocab.PovertyStatus.choices
                               + [(vocab.REMAINING_POOR, _("剩余贫困（未脱贫和返贫）"))])
    attribute = forms.ChoiceField(label=_("贫困户属性"), required=False,
                                  choices=[("", _("全部"))] + vocab.HouseholdAttribute.choices)
    main_cause = forms.ChoiceField(label=_("主要致贫原因"), required=False,
                                   choices=[("", _("全部"))] + vocab.PovertyCause.choices)
    q = forms.CharField(label=_("姓名 / 身份证号 / 户编号"), required=False, max_length=40)
