"""The bulletin (通报/简报): Chinese prose in the register of the county papers, from the indicators.

"全县贫困发生率降至 0.73%，贫困村退出率达 95.9%，行政村卫生室达标率 100% …" (seed 003). Every number in
the text is an indicator value as computed, so the bulletin and the dashboard cannot disagree.
"""

from __future__ import annotations

import datetime
from pathlib import Path

LEVEL_WORD = {2: "全省", 4: "全市", 6: "全县", 9: "全乡（镇）", 12: "全村"}


def _pct(value) -> str:
    if value is None:
        return "—"
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _n(value) -> str:
    return "—" if value is None else f"{int(value):,}".replace(",", "")


def bulletin_paragraphs(*, unit_name: str, code: str, as_of: datetime.date, values: dict,
                        earlier: dict | None = None, earlier_date: datetime.date | None = None) -> list[str]:
    """The bulletin's paragraphs for one unit (`values` as stored by a refresh or from indicators_compute),
    with the change since `earlier` (the values of an earlier refresh, as of `earlier_date`) when given."""
    area = LEVEL_WORD.get(len(code), "全辖区")
    v = values
    paragraphs = [
        f"截至 {as_of.year} 年 {as_of.month} 月 {as_of.day} 日，{unit_name}{area}建档立卡贫困户 {_n(v['HH_REG'])} 户 "
        f"{_n(v['POP_REG'])} 人，其中已脱贫 {_n(v['HH_EXITED'])} 户 {_n(v['POP_EXITED'])} 人，"
        f"剩余贫困人口 {_n(v['POP_POOR'])} 人（含返贫 {_n(v['HH_RETURNED'])} 户 {_n(v['POP_RETURNED'])} 人），"
        f"贫困发生率降至 {_pct(v['INCIDENCE'])}。",
        f"{area}{_n(v['VILLAGES'])} 个行政村中，贫困村 {_n(v['POOR_VILLAGES'])} 个，已退出 "
        f"{_n(v['POOR_VILLAGES_EXITED'])} 个，贫困村退出率达 {_pct(v['VILLAGE_EXIT_RATE'])}；"
        f"通村公路硬化率 {_pct(v['ROAD_RATE'])}，客运班车开通率 {_pct(v['BUS_RATE'])}，"
        f"光纤宽带覆盖率 {_pct(v['BROADBAND_RATE'])}，行政村卫生室达标率 {_pct(v['CLINIC_RATE'])}，"
        f"文化活动场所覆盖率 {_pct(v['CULTURE_RATE'])}。",
        f"建档立卡贫困人口基本医疗保险参保率 {_pct(v['MED_INS_RATE'])}，城乡居民基本养老保险参保率 "
        f"{_pct(v['PENSION_RATE'])}；义务教育阶段失学辍学 {_n(v['DROPOUTS'])} 人，住房不安全 "
        f"{_n(v['UNSAFE_HOUSING_HH'])} 户，饮水不安全 {_n(v['UNSAFE_WATER_HH'])} 户；建档立卡户人均纯收入 "
        f"{float(v['AVG_INCOME_PC'] or 0):.0f} 元，帮扶责任人覆盖率 {_pct(v['HELPER_COVERAGE'])}。",
    ]
    causes = sorted((values.get("CAUSES") or {}).items(), key=lambda kv: -kv[1])[:3]
    if causes:
        paragraphs.append("主要致贫原因中，" + "、".join(f"{cause} {n} 户" for cause, n in causes)
                          + {3: " 居前三位。", 2: " 居前两位。", 1: " 居首位。"}[len(causes)])
    monitoring = bulletin_monitoring_paragraph(area=area, values=values)
    if monitoring:
        paragraphs.append(monitoring)
    assistance = bulletin_assistance_paragraph(area=area, values=values)
    if assistance:
        paragraphs.append(assistance)
    if earlier and earlier_date:
        change = bulletin_change_paragraph(values=values, earlier=earlier, earlier_date=earlier_date)
        if change:
            paragraphs.append(change)
    return paragraphs


def bulletin_monitoring_paragraph(*, area: str, values: dict) -> str | None:
    """防止返贫监测 in the papers' words: objects by class, 风险消除, the leading risk types; None when the
    unit has no monitoring object (a refresh made before template v2 has no such figures either)."""
    v = values
    if not v.get("MON_HH"):
        return None
    text = (f"{area}共有防止返贫监测对象 {_n(v['MON_HH'])} 户 {_n(v.get('MON_POP'))} 人，其中脱贫不稳定户 "
            f"{_n(v.get('MON_UNSTABLE_HH'))} 户、边缘易致贫户 {_n(v.get('MON_EDGE_HH'))} 户、突发严重困难户 "
            f"{_n(v.get('MON_SUDDEN_HH'))} 户；已消除风险 {_n(v.get('MON_ELIMINATED_HH'))} 户，风险消除率 "
            f"{_pct(v.get('MON_ELIMINATED_RATE'))}。")
    risks = sorted((v.get("RISKS") or {}).items(), key=lambda kv: -kv[1])[:3]
    if risks:
        text += ("尚未消除风险的监测对象中，" + "、".join(f"{risk} {n} 户" for risk, n in risks)
                 + {3: " 居前三位。", 2: " 居前两位。", 1: " 居首位。"}[len(risks)])
    return text


def _wan(value, measure: str) -> str:
    """A count as the papers write it: "6.1 万户" from ten thousand up, else "612 户"."""
    if value is None:
        return "—"
    if value >= 10_000:
        return f"{value / 10_000:.2f}".rstrip("0").rstrip(".") + f" 万{measure}"
    return f"{_n(value)} {measure}"


def _yuan(value) -> str:
    """Money as the papers write it: "11.9 亿元", "356.5 万元", "800 元"."""
    if value is None:
        return "—"
    value = float(value)
    for size, word in ((100_000_000, "亿元"), (10_000, "万元")):
        if value >= size:
            return f"{value / size:.2f}".rstrip("0").rstrip(".") + f" {word}"
    return f"{value:.0f} 元"


def bulletin_assistance_paragraph(*, area: str, values: dict) -> str | None:
    """帮扶 in the seeds' words: "小额信贷覆盖脱贫户 x 万户 … 培训 x 人，实现就业 y 人；公益岗位 z 人；衔接资金执行率
    r%". None when the unit has no household that receives help (or the refresh predates these figures).
    衔接资金 is a county's: the clause is there for counties and above only."""
    v = values
    if not v.get("ASST_BASE_HH"):
        return None
    text = (f"{area}脱贫户和监测户 {_n(v['ASST_BASE_HH'])} 户，本年度落实帮扶措施 {_n(v.get('ASST_MEASURED_HH'))} 户，"
            f"措施覆盖率 {_pct(v.get('ASST_COVERAGE'))}，尚无措施 {_n(v.get('ASST_NO_MEASURE_HH'))} 户；本季度帮扶责任人"
            f"走访 {_n(v.get('VISITED_Q_HH'))} 户 {_n(v.get('VISITS_Q'))} 次，户均 "
            f"{float(v.get('VISITS_PER_HH_Q') or 0):.2f} 次。")
    if v.get("LOAN_HH"):
        text += (f"累计发放小额信贷 {_yuan(v.get('LOAN_AMOUNT'))}，覆盖脱贫户 {_wan(v['LOAN_HH'], '户')}，其中本年度发放 "
                 f"{_yuan(v.get('LOAN_AMOUNT_YEAR'))}，覆盖 {_wan(v.get('LOAN_HH_YEAR'), '户')}；贷款余额 "
                 f"{_yuan(v.get('LOAN_BALANCE'))}，逾期 {_n(v.get('LOAN_OVERDUE_N'))} 笔 "
                 f"{_yuan(v.get('LOAN_OVERDUE_BALANCE'))}（其中不良 {_n(v.get('LOAN_NPL_N'))} 笔）。")
    parts = [f"就业帮扶培训 {_wan(v.get('EMPLOY_TRAINED'), '人')}，实现就业 {_wan(v.get('EMPLOY_EMPLOYED'), '人')}",
             f"公益岗位 {_wan(v.get('PUBLIC_POST_PERSONS'), '人')}"]
    if v.get("FUND_PLANNED"):
        parts.append(f"本年度项目 {_n(v.get('PROJECTS'))} 个，衔接资金计划 {_yuan(v['FUND_PLANNED'])}、已支出 "
                     f"{_yuan(v.get('FUND_SPENT'))}，衔接资金执行率 {_pct(v.get('FUND_RATE'))}")
    return text + "；".join(parts) + "。"


#: What the change paragraph reports, in order: (indicator, words, measure word); rates change in 个百分点.
CHANGES = (("POP_POOR", "剩余贫困人口", "人"), ("INCIDENCE", "贫困发生率", None), ("HH_EXITED", "已脱贫户", "户"),
           ("POP_EXITED", "已脱贫人口", "人"), ("HH_RETURNED", "返贫户", "户"),
           ("VILLAGE_EXIT_RATE", "贫困村退出率", None), ("MED_INS_RATE", "基本医疗保险参保率", None),
           ("PENSION_RATE", "城乡居民基本养老保险参保率", None), ("AVG_INCOME_PC", "人均纯收入", "元"),
           ("HELPER_COVERAGE", "帮扶责任人覆盖率", None), ("MON_HH", "防止返贫监测对象", "户"),
           ("MON_ELIMINATED_RATE", "风险消除率", None), ("ASST_COVERAGE", "帮扶措施覆盖率", None),
           ("LOAN_HH", "小额信贷覆盖户", "户"))


def _change(now, before, measure: str | None) -> str | None:
    """"减少 12 人" / "提高 0.35 个百分点" / "持平"; None when either side is unknown."""
    if now is None or before is None:
        return None
    delta = round(float(now) - float(before), 2)
    if delta == 0:
        return "持平"
    if measure is None:
        amount = f"{abs(delta):.2f}".rstrip("0").rstrip(".")
        return f"{'提高' if delta > 0 else '下降'} {amount} 个百分点"
    amount = f"{abs(delta):.0f}"
    return f"{'增加' if delta > 0 else '减少'} {amount} {measure}"


def bulletin_change_paragraph(*, values: dict, earlier: dict, earlier_date: datetime.date) -> str | None:
    """The change since an earlier refresh, as "与 … 相比，剩余贫困人口减少 x 人，贫困发生率下降 y 个百分点 …"."""
    parts = []
    for code, words, measure in CHANGES:
        change = _change(values.get(code), earlier.get(code), measure)
        if change is not None:
            parts.append(f"{words}{change}")
    if not parts:
        return None
    return f"与 {earlier_date.year} 年 {earlier_date.month} 月 {earlier_date.day} 日相比，" + "，".join(parts) + "。"


def bulletin_docx(paragraphs: list[str], *, title: str, path: Path, issuer: str = "") -> None:
    """The bulletin as a Word document in the 公文 layout (GB/T 9704: A4, its margins and fonts, page
    numbers); with `issuer`, under a 红头 (the issuing organ in red over a red line)."""
    from .gongwen import gongwen_docx

    gongwen_docx(title=title, paragraphs=paragraphs, path=path, issuer=issuer)
