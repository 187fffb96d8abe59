"""The spreadsheet a 督导组 hands over (docs/ledger-format.md): one sheet 问题清单, the header on row 1, one
problem per row; and its empty template.

What belongs to the whole batch (批次名称, 来源, 交办单位, 交办日期, 总时限) is not in the sheet: it is given
with the upload (the form, or the options of `jingzhun ledger import`), so the sheet stays one plain table
that any 督导组's list can be pasted into.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from jingzhun.exchange.blank import BlankColumn, BlankSheet, write_blank_workbook

FORMAT_VERSION = 1
SHEET = "问题清单"
H_NUMBER, H_ASPECT, H_TITLE, H_DETAIL = "序号", "方面", "问题", "具体表现"
H_UNITS, H_LEAD, H_AGENCY, H_RESPONSIBLE = "涉及村（乡镇）", "牵头单位", "责任单位", "责任人"
H_MEASURES, H_DEADLINE = "整改措施", "整改时限"
HEADERS = (H_NUMBER, H_ASPECT, H_TITLE, H_DETAIL, H_UNITS, H_LEAD, H_AGENCY, H_RESPONSIBLE, H_MEASURES, H_DEADLINE)
REQUIRED = (H_NUMBER, H_ASPECT, H_TITLE)
#: Longest text of a column (characters); the model's limits where it has one.
MAX_LENGTH = {H_ASPECT: 64, H_RESPONSIBLE: 64, H_TITLE: 1000, H_DETAIL: 4000, H_MEASURES: 4000, H_UNITS: 2000,
              H_LEAD: 64, H_AGENCY: 64}
#: What separates the units of 涉及村（乡镇）.
UNIT_SEPARATORS = "、,，;；"
MAX_ROWS = 2000  # a 督导组's list holds tens of problems; a county's whole year a few hundred
MAX_COLUMNS = 30


@dataclass(frozen=True)
class LedgerColumn:
    header: str
    required: bool
    rule: str
    text: bool = False


def columns() -> list[LedgerColumn]:
    """The sheet's columns in the template's order (a file may order them as it likes)."""
    return [
        LedgerColumn(H_NUMBER, True, _("问题在清单中的序号，正整数，同一文件中不重复；必填")),
        LedgerColumn(H_ASPECT, True, _("问题所属的方面（如“精准识别”“饮水安全”），不超过 64 字；必填")),
        LedgerColumn(H_TITLE, True, _("问题的概括；必填")),
        LedgerColumn(H_DETAIL, False, _("问题的具体表现")),
        LedgerColumn(H_UNITS, False, _("涉及的村或乡镇：名称（如“下高池村”“古绛镇”，村名重复时写“古绛镇下高池村”）"
                                       "或 12 位、9 位区划代码，几个之间用“、”或逗号分隔"), text=True),
        LedgerColumn(H_LEAD, False, _("一个单位：乡镇、村的名称，或县直部门的全称（须与系统中的单位名称一致）")),
        LedgerColumn(H_AGENCY, False, _("一个单位，写法同牵头单位；留空的事项导入后再指定，指定后才能交办")),
        LedgerColumn(H_RESPONSIBLE, False, _("责任人姓名（可写职务），不超过 64 字")),
        LedgerColumn(H_MEASURES, False, _("整改措施")),
        LedgerColumn(H_DEADLINE, False, _("日期，如 2020-06-30（也可以用 Excel 的日期单元格）；不早于交办日期；"
                                          "留空按批次的总时限")),
    ]


def ledger_template(out) -> None:
    """The empty 问题清单 with its 填写说明, to `out` (a path or a binary file)."""
    sheet = BlankSheet(SHEET, tuple(BlankColumn(c.header, c.required, c.rule, text=c.text) for c in columns()))
    write_blank_workbook(out, [sheet], notes=[
        _("督导组反馈问题清单格式（版本 %(v)d）：一张工作表“问题清单”，第 1 行是表头，每个问题一行，数据从第 2 行开始。")
        % {"v": FORMAT_VERSION},
        _("批次名称、问题来源、交办单位、交办日期和总时限不写在表中，导入时在页面上（或命令行参数中）填写。"),
        _("表头不能改动，列的顺序可以调整；不认识的列会报错。标红的表头是必填列。"),
        _("单位按名称对应本县的乡镇、村和县直部门；不认识的县直部门会报错，也可以在导入时勾选“自动添加缺少的县直部门”。"),
        _("文件中只要有一处错误，就全部不导入，并列出所有错误；同一个文件不能重复导入。"),
    ])
