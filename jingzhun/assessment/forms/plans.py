"""Forms of the plan pages: a new plan (its design), a person added to the staff."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Assessment, Staff
from ..services.plans import DEFAULT_DESIGN, SEED_MAX


class PlanForm(forms.Form):
    """制定评估方案: the county (for a user above one), the year and kind, and the design."""

    county = forms.RegexField(label=_("被评估县（县级代码）"), regex=r"^\d{6}$",
                              error_messages={"invalid": _("县级代码应为 6 位数字。")})
    year = forms.IntegerField(label=_("评估年度"), min_value=2014, max_value=2100)
    kind = forms.ChoiceField(label=_("评估类型"), choices=Assessment.Kind.choices)
    title = forms.CharField(label=_("评估名称"), max_length=200, required=False,
                            help_text=_("不填则为“县名 + 年度 + 评估类型”。"))
    strata = forms.ChoiceField(label=_("分层依据"), choices=[("poor_village", _("贫困村 / 非贫困村")),
                                                          ("township", _("乡镇"))])
    villages_per_stratum = forms.IntegerField(label=_("每层抽取村数"), min_value=1, max_value=500,
                                              help_text=_("按户数规模成比例概率抽取（PPS）；某层村数不足时全部入样。"))
    exited = forms.IntegerField(label=_("每村抽取已脱贫户"), min_value=0, max_value=500)
    not_exited = forms.IntegerField(label=_("每村抽取未脱贫户"), min_value=0, max_value=500)
    monitored = forms.IntegerField(label=_("每村抽取监测对象"), min_value=0, max_value=500,
                                   help_text=_("监测对象可多抽（过度抽样），估计时按权数还原。"))
    screen = forms.BooleanField(label=_("筛查高风险未建档户（漏评）"), required=False,
                                help_text=_("部门数据中未匹配到登记户的低保、特困、危房、大病、残疾人员；立意样本，不作推断。"))
    screen_per_village = forms.IntegerField(label=_("每村筛查户数上限"), min_value=0, max_value=500,
                                            help_text=_("0 表示样本村中筛查到的全部入户。"))
    margin = forms.DecimalField(label=_("目标误差（±百分点）"), min_value=0.1, max_value=49, decimal_places=2)
    expected_rate = forms.DecimalField(label=_("预期比率（%）"), min_value=0.1, max_value=99.9, decimal_places=2,
                                       help_text=_("如预期错退率 3%。"))
    deff = forms.DecimalField(label=_("设计效应"), min_value=1, max_value=20, decimal_places=2,
                              help_text=_("整群抽样使方差增大的倍数，一般取 1.5–3。"))
    seed = forms.IntegerField(label=_("随机种子"), required=False, min_value=0, max_value=SEED_MAX,
                              help_text=_("不填则随机生成；种子和抽样框一起保存，任何人可据此重抽出同一样本。"))

    def __init__(self, *args, county: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if county:  # a county's own planner plans their county
            self.fields["county"].initial = county
            self.fields["county"].disabled = True
        if not self.is_bound:
            d = DEFAULT_DESIGN
            self.initial.update({"year": timezone.localdate().year, "kind": Assessment.Kind.POST, "strata": d["strata"],
                                 "villages_per_stratum": d["villages_per_stratum"], **d["per_village"],
                                 "screen": d["screen"], "screen_per_village": d["screen_per_village"],
                                 "margin": d["margin"] * 100, "expected_rate": d["expected_rate"] * 100,
                                 "deff": d["deff"]})

    def design(self) -> dict:
        data = self.cleaned_data
        return {"strata": data["strata"], "villages_per_stratum": data["villages_per_stratum"],
                "per_village": {f: data[f] for f in ("exited", "not_exited", "monitored")},
                "screen": data["screen"], "screen_per_village": data["screen_per_village"],
                "margin": float(data["margin"]) / 100, "expected_rate": float(data["expected_rate"]) / 100,
                "deff": float(data["deff"])}


class StaffForm(forms.Form):
    """安排评估人员: a third-party evaluator's account, their duty and the county they come from."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    duty = forms.ChoiceField(label=_("职责"), choices=Staff.Duty.choices)
    home_county = forms.RegexField(label=_("来源县（县级代码）"), regex=r"^\d{6}$", required=False,
                                   error_messages={"invalid": _("县级代码应为 6 位数字。")},
                                   help_text=_("户籍或工作单位所在县；调查员不得来自被评估县（三回避）。"))
