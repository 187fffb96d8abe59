"""Empty templates to download: the exchange template (村表, 户表, 人员表) and any table format like it.

A blank workbook has one sheet per table with exactly the headers the reader expects, the allowed values
of each vocabulary column as an Excel dropdown (a list data validation over the whole column) taken
from the same `Column.choices` the checks compare against, codes and ID numbers formatted as text so
that Excel keeps their digits, and a sheet 填写说明 that says for every column whether it is required and
what it must hold, in the words of the checks (`validate.column_rule`). The reader ignores sheets it
does not know, so the filled-in workbook imports as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from jingzhun.cells import quoted_format, write_text

from .template import NO, SHEETS, TEMPLATE_VERSION, YES, Kind
from .validate import column_rule

EXPLANATIONS_SHEET = "填写说明"
#: Rows of the sheets a dropdown covers (all of a worksheet's rows below the header).
LAST_ROW = 1_048_575
#: Longest list Excel takes written out in a data validation (characters, commas included).
EXCEL_LIST_LIMIT = 255


@dataclass(frozen=True)
class BlankColumn:
    header: str
    required: bool
    rule: str  # what a cell must hold (the checks' words)
    choices: tuple[str, ...] = ()  # a dropdown of these values
    several: bool = False  # up to two values joined by 、: the dropdown only suggests
    text: bool = False  # digits kept as text (codes, ID numbers, phones)


@dataclass(frozen=True)
class BlankSheet:
    name: str
    columns: tuple[BlankColumn, ...]
    #: Rows written below the header (a prefilled template: text as text, whole numbers as numbers).
    rows: tuple[tuple, ...] = ()


def write_blank_workbook(out, sheets: Sequence[BlankSheet], *, notes: Sequence[str] = ()) -> None:
    """Write the empty sheets and their 填写说明 (with `notes` above the table of columns) to `out`."""
    import xlsxwriter

    book = xlsxwriter.Workbook(out, {"strings_to_numbers": False, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    header = book.add_format({"bold": True, "bg_color": "#EEF1F4", "border": 1})
    required = book.add_format({"bold": True, "bg_color": "#FDECEA", "border": 1})
    text = book.add_format({"num_format": "@"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    quoted = quoted_format(book, text_wrap=True, valign="top")
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name)
        for col, column in enumerate(sheet.columns):
            write_text(ws, 0, col, column.header, required if column.required else header)
            ws.set_column(col, col, max(10, 2 * len(column.header) + 2), text if column.text else None)
            if column.choices:
                _dropdown(ws, col, column)
            ws.write_comment(0, col, column.rule, {"x_scale": 2, "y_scale": 1.5})
        for r, values in enumerate(sheet.rows, start=1):
            for col, value in enumerate(values):
                if isinstance(value, int) and not isinstance(value, bool):
                    ws.write_number(r, col, value)
                elif value not in (None, ""):
                    write_text(ws, r, col, str(value), quoted=quoted)
        ws.freeze_panes(1, 0)
    ws = book.add_worksheet(EXPLANATIONS_SHEET)
    row = 0
    for note in notes:
        write_text(ws, row, 0, note, quoted=quoted)
        row += 1
    row += bool(notes)
    for col, title in enumerate((_("工作表"), _("表头"), _("必填"), _("填写要求"))):
        write_text(ws, row, col, title, header)
    for sheet in sheets:
        for column in sheet.columns:
            row += 1
            write_text(ws, row, 0, sheet.name, quoted=quoted)
            write_text(ws, row, 1, column.header, quoted=quoted)
            write_text(ws, row, 2, _("是") if column.required else _("否"), quoted=quoted)
            write_text(ws, row, 3, column.rule, wrap, quoted=quoted)
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2, 6)
    ws.set_column(3, 3, 90)
    book.close()


def _dropdown(ws, col: int, column: BlankColumn) -> None:
    """A list validation over the column: a choice outside it is refused as the import would refuse it
    (for a 、-joined pair only a warning, since Excel cannot list the pairs)."""
    source = list(column.choices)
    if len(",".join(source)) > EXCEL_LIST_LIMIT:  # no vocabulary of ours is this long; say so rather than cut it
        raise ValueError(f"the values of {column.header} do not fit an Excel dropdown")
    ws.data_validation(1, col, LAST_ROW, col, {
        "validate": "list", "source": source, "ignore_blank": True,
        "error_type": "warning" if column.several else "stop",
        "error_title": column.header[:32], "error_message": column.rule[:255],
        "input_title": column.header[:32], "input_message": column.rule[:255]})


def exchange_template_sheets() -> list[BlankSheet]:
    """The exchange template's sheets (version 2, docs/template-v2.md) from template.SHEETS, as the reader reads them."""
    sheets = []
    for name, columns in SHEETS.items():
        blank = []
        for c in columns:
            choices = (YES, NO) if c.kind == Kind.BOOL else c.choices
            blank.append(BlankColumn(c.header, c.required, column_rule(name, c), choices,
                                     several=c.kind == Kind.CHOICES,
                                     text=c.kind in (Kind.CODE, Kind.ID_NUMBER, Kind.PHONE)))
        sheets.append(BlankSheet(name, tuple(blank)))
    return sheets


def exchange_template(out) -> None:
    """The empty exchange template: 村表, 户表, 人员表 and 填写说明."""
    write_blank_workbook(out, exchange_template_sheets(), notes=[
        _("建档立卡数据交换模板（版本 %(v)d）：村表、户表、人员表三张工作表，第 1 行是表头，数据从第 2 行开始。")
        % {"v": TEMPLATE_VERSION},
        _("表头不能改动，列的顺序可以调整；不认识的列会报错。标红的表头是必填列。有下拉框的列只能选下拉框中的值。"),
        _("代码（村代码、户编号、身份证号）按文字填写，保留开头的 0；是/否 列填“是”或“否”；金额以元为单位，最多两位小数。"),
        _("户表有“户类别”列即为第 2 版：脱贫户、监测户、一般农户都可登记；建档立卡信息（贫困户属性、脱贫状态、识别年度、"
          "致贫原因）只有脱贫户和脱贫不稳定户填写，监测信息只有监测户填写。没有“户类别”列的户表按第 1 版读取，全部视为脱贫户。"),
        _("日期按“2024-05-10”的格式填写（也可以用 Excel 的日期单元格）。"),
        _("一个文件中只要有一处格式错误，就全部不导入，并列出所有错误；同一文件重复导入不会产生重复数据。"),
    ])
