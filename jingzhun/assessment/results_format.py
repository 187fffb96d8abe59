"""The survey results spreadsheet (docs/assessment-format.md): one row per sampled household, the case
identified by 样本序号 and 户编号, one column per question (its `header` in data/questionnaire.toml), and the
paradata 开始时间 / 结束时间; and the template of an assessment, prefilled with its cases.

The columns of the questions come from the questionnaire, so a question added there is a column here
(with its rule in the template's 填写说明) without a change to this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from jingzhun.exchange.blank import BlankColumn, BlankSheet, write_blank_workbook
from jingzhun.exchange.template import NO, YES
from jingzhun.orgunits.models import OrgUnit

from . import questionnaire
from .models import Assessment, Case

FORMAT_VERSION = 1
SHEET = "调查结果"
H_ORDER, H_CODE = "样本序号", "户编号"
H_VILLAGE, H_HEAD, H_FRAME = "村名", "户主姓名", "抽样框"
H_START, H_END = "开始时间", "结束时间"
#: Columns the template fills in for the reader's eyes; an import accepts them and does not read them.
REFERENCE = (H_VILLAGE, H_HEAD, H_FRAME)
#: Cells of the paradata columns: a date and a time (also an Excel date-time cell).
DATETIME_EXAMPLE = "2026-07-01 09:30"


@dataclass(frozen=True)
class ResultColumn:
    header: str
    required: bool
    rule: str
    choices: tuple[str, ...] = ()
    several: bool = False
    text: bool = False


def question_headers() -> dict[str, questionnaire.Item]:
    """header → question, in the questionnaire's order."""
    return {item.header: item for item in questionnaire.items().values()}


def _question_rule(item: questionnaire.Item) -> str:
    if item.kind == "int":
        rule = (_("整数，1 到 %(max)d") % {"max": questionnaire.MAX_PERSONS} if item.key == "persons"
                else _("整数，不小于 0"))
    elif item.kind == "money":
        rule = _("金额（元），不小于 0，最多两位小数；空白按 0 计")
    elif item.kind == "bool":
        rule = _("填“是”或“否”")
    elif item.kind == "choice":
        rule = _("以下之一：%(choices)s") % {"choices": "、".join(item.choices)}
    elif item.kind == "multi":
        rule = _("以下一项或几项，几项之间用“、”分隔：%(choices)s") % {"choices": "、".join(item.choices)}
    else:
        rule = _("文字，不超过 %(n)d 字") % {"n": questionnaire.TEXT_MAX}
    if item.frames:
        frames = "、".join(str(Case.Frame(f).label) for f in item.frames)
        rule += _("；只问%(frames)s，其他户留空") % {"frames": frames}
    if item.required:
        rule += _("；必答")
    return _("%(label)s：%(rule)s") % {"label": item.label, "rule": rule}


def columns() -> list[ResultColumn]:
    """Every column of the sheet in the template's order (a file may order them as it likes)."""
    out = [
        ResultColumn(H_ORDER, True, _("本次评估中样本户的抽中顺序（模板已填好，不要改动）；必填")),
        ResultColumn(H_CODE, True, _("建档立卡户的 16 位户编号，用来核对样本户；立意筛查的未建档户留空"), text=True),
        ResultColumn(H_VILLAGE, False, _("仅供参考，导入时不读取")),
        ResultColumn(H_HEAD, False, _("仅供参考，导入时不读取")),
        ResultColumn(H_FRAME, False, _("仅供参考，导入时不读取")),
    ]
    for header, item in question_headers().items():
        choices = (YES, NO) if item.kind == "bool" else item.choices
        out.append(ResultColumn(header, item.required, _question_rule(item), choices, several=item.kind == "multi"))
    out += [
        ResultColumn(H_START, False, _("入户调查开始的日期和时间，如 %(example)s；与结束时间同时填写或同时留空")
                     % {"example": DATETIME_EXAMPLE}),
        ResultColumn(H_END, False, _("入户调查结束的日期和时间，不早于开始时间")),
    ]
    return out


def required_headers() -> list[str]:
    """The headers a file must have: the case's identification and the required questions."""
    return [c.header for c in columns() if c.required]


def template_rows(assessment: Assessment) -> list[tuple]:
    """The assessment's cases, one row each: 样本序号, 户编号, 村名, 户主姓名, 抽样框, then empty cells."""
    cases = list(assessment.cases.order_by("order").values_list("order", "household_id", "village", "head_name",
                                                                 "frame"))
    names = {unit.code: unit.short_name for unit in OrgUnit.objects.filter(code__in={c[2] for c in cases})}
    return [(order, code or "", names.get(village, village), head, str(Case.Frame(frame).label))
            for order, code, village, head, frame in cases]


def results_template(assessment: Assessment, out) -> int:
    """The template of `assessment` (its cases prefilled, dropdowns on the choice columns, 填写说明) to `out`
    (a path or a binary file); returns the number of cases."""
    rows = template_rows(assessment)
    sheet = BlankSheet(SHEET, tuple(BlankColumn(c.header, c.required, c.rule, c.choices, c.several, c.text)
                                    for c in columns()), tuple(rows))
    write_blank_workbook(out, [sheet], notes=[
        _("考核评估调查结果格式（版本 %(v)d）：%(title)s。每个样本户一行，第 1 行是表头，数据从第 2 行开始。")
        % {"v": FORMAT_VERSION, "title": assessment.title},
        _("样本序号、户编号、村名、户主姓名、抽样框已按本次评估的样本填好，不要改动；只填问卷各列和开始、结束时间。"
          "没有入户调查的户整行留空即可，导入时跳过。"),
        _("表头不能改动，列的顺序可以调整；不认识的列会报错。标红的表头是必填列（必答题）。"),
        _("文件中只要有一处错误，就全部不导入，并列出所有错误；已完成的问卷不能再次导入，需修改的请督导员先退回。"),
    ])
    return len(rows)
