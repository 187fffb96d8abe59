"""A 督导组's 问题清单 for a county (docs/ledger-format.md): 21 problems in 4 方面, as seed 001 counts them
("4 方面 21 个突出问题"), naming the county's real townships and villages and five 县直部门.

Deterministic: the same county and dates give the same file, so tests and the browser test can rely on
its rows (the first 方面 has 6 problems, the others 5 each).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from jingzhun.orgunits.divisions import DIVISIONS_CSV, read_divisions
from jingzhun.supervision import ledger_format as fmt

#: The departments the sample names (县直部门: created at import with "自动添加缺少的县直部门").
DEPARTMENTS = ("县乡村振兴局", "县水利局", "县住建局", "县卫健局", "县医保局")

#: (方面, the department that leads it, the problems: (问题, 具体表现, 整改措施)).
ASPECTS = (
    ("精准识别", "县乡村振兴局", (
        ("一户一档资料不完善", "部分脱贫户档案缺少收入核算表和帮扶手册", "逐户补齐一户一档资料，确保脱贫资料一项不漏"),
        ("系统数据逻辑错误", "家庭人口数与成员信息不一致", "对照系统逐户核对，做到逻辑错误一个都不能有"),
        ("收入核算不准确", "转移性收入漏算低保金", "重新核算家庭收入，更新系统数据"),
        ("动态调整不及时", "死亡人员未及时标注自然减少", "与公安户籍数据比对后及时更新"),
        ("帮扶责任人信息缺失", "部分户未录入帮扶责任人", "补录帮扶责任人及联系方式"),
        ("线上线下数据不一致", "系统中住房面积与档案不符", "开展线上线下一致性核查，逐项整改"),
    )),
    ("饮水安全", "县水利局", (
        ("季节性缺水", "旱季供水不足，部分农户需拉水", "新建蓄水池，完善应急供水预案"),
        ("水质检测不到位", "部分村未按期开展水质检测", "按季度开展水质检测并公示结果"),
        ("管网老化漏水", "主管道老化，入户水压不足", "更换老化管网，配套加压设施"),
        ("供水设施管护缺位", "村级管水员职责不落实", "落实管水员，建立管护台账"),
        ("水费收缴机制不健全", "水费收缴率低，运维经费不足", "完善水费收缴办法，保障运维经费"),
    )),
    ("住房安全", "县住建局", (
        ("危房改造未全覆盖", "仍有 C 级危房农户居住", "制定改造计划，年内完成改造"),
        ("改造质量不达标", "个别改造房屋墙体开裂", "组织专业人员鉴定，限期返修"),
        ("住房安全鉴定不及时", "新增农户未开展住房安全鉴定", "对新增农户逐户鉴定并建档"),
        ("旧房未拆除", "改造后旧房仍有人居住", "动员拆除旧房或进行加固"),
        ("补助资金拨付滞后", "部分改造补助资金未兑付到户", "核实后一次性兑付到户"),
    )),
    ("健康扶贫", "县卫健局", (
        ("“双签约”未全覆盖", "部分慢性病患者未签约家庭医生", "组织乡村医生入户签约，实现应签尽签"),
        ("慢性病管理不规范", "慢性病随访记录不完整", "规范随访，建立健康档案"),
        ("先诊疗后付费落实不到位", "个别医院仍收取住院押金", "开展专项检查，严格执行先诊疗后付费"),
        ("医保参保不全", "个别脱贫人口未参加基本医疗保险", "逐人核查，动员参保并落实资助"),
        ("大病专项救治不及时", "大病患者未纳入专项救治", "摸排大病患者，及时纳入救治"),
    )),
)


def _units(county: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(townships, villages) of the county as (code, the name a 督导组 would write), in code order;
    a village whose short name repeats in the county is written with its township's name."""
    rows = read_divisions(DIVISIONS_CSV, prefix=county)
    townships = {code: name for code, name in rows if len(code) == 9}
    villages = [(code, name) for code, name in rows if len(code) == 12 and name.endswith("村委会")]

    def short(name: str) -> str:
        stem = name[: -len("村委会")]
        return stem if stem.endswith("村") else stem + "村"

    counts = Counter(short(n) for _c, n in villages)
    written = [(code, short(n) if counts[short(n)] == 1 else townships.get(code[:9], "") + short(n))
               for code, n in villages]
    real_townships = [(c, n) for c, n in townships.items() if n.endswith(("镇", "乡"))]
    return real_townships, written


def ledger_rows(county: str, *, received_on: dt.date, deadline: dt.date) -> list[list[str]]:
    """The 21 rows under the header (fmt.HEADERS), as text."""
    townships, villages = _units(county)
    if len(townships) < 2 or len(villages) < 4:
        raise ValueError(f"county {county} has too few townships or villages for the sample")
    rows = []
    number = 0
    for a, (aspect, lead, problems) in enumerate(ASPECTS):
        for p, (title, detail, measures) in enumerate(problems):
            number += 1
            township_code, township = townships[(number - 1) % len(townships)]
            village_code, village = villages[(number * 7) % len(villages)]
            if p % 3 == 0:  # a township answers, its village named as the code
                affected, agency, responsible = village_code, township, f"{township}党委副书记"
            elif p % 3 == 1:  # a village answers, named by name
                affected, agency, responsible = village, village, f"{village}党支部书记"
            else:  # a department answers, two units affected
                affected, agency, responsible = f"{village}、{township}", lead, f"{lead}局长"
            # the first problem of each 方面 is due a month in, the others at the batch's deadline
            due = received_on + dt.timedelta(days=30) if p == 0 else deadline
            rows.append([str(number), aspect, title, detail, affected, lead, agency, responsible, measures,
                         due.isoformat()])
    return rows


def ledger_batch_workbook(path: Path, *, county: str = "140826", received_on: dt.date = dt.date(2020, 3, 10),
                          deadline: dt.date = dt.date(2020, 6, 30)) -> Path:
    """Write the sample 问题清单 (one sheet, the header on row 1, text cells) to `path`."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False})
    sheet = book.add_worksheet(fmt.SHEET)
    text = book.add_format({"num_format": "@"})
    for col, header in enumerate(fmt.HEADERS):
        sheet.write_string(0, col, header)
    for r, row in enumerate(ledger_rows(county, received_on=received_on, deadline=deadline), start=1):
        for col, value in enumerate(row):
            sheet.write_string(r, col, value, text)
    book.close()
    return Path(path)
