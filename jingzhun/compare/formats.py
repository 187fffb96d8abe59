"""The comparison formats (docs/comparison-formats.md) as empty workbooks to download, one per kind.

Each has the kind's sheet (named after it, as the reader prefers) with exactly its headers and the
allowed values as dropdowns, and a 填写说明 of every column in the words of the checks
(`validate.column_rule`), from the same `kinds.KINDS` the reader and the checks use.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jingzhun.exchange.blank import BlankColumn, BlankSheet, write_blank_workbook

from .kinds import ColumnKind, DatasetKind
from .validate import SEXES, column_rule


def format_sheet(kind: DatasetKind) -> BlankSheet:
    columns = []
    for c in kind.columns:
        choices = SEXES if c.kind == ColumnKind.SEX else c.choices
        columns.append(BlankColumn(c.header, c.required, column_rule(c), tuple(choices),
                                   text=c.kind in (ColumnKind.ID_NUMBER, ColumnKind.VILLAGE, ColumnKind.CREDIT_CODE)))
    return BlankSheet(kind.label, tuple(columns))


def format_workbook(kind: DatasetKind, out) -> None:
    """The empty format of `kind`: its sheet and 填写说明."""
    write_blank_workbook(out, [format_sheet(kind)], notes=[
        _("部门比对数据格式（版本 1）：%(label)s，通常由%(source)s提供。第 1 行是表头，数据从第 2 行开始。")
        % {"label": kind.label, "source": kind.source},
        _("表头不能改动，列的顺序可以调整；不认识的列会报错。标红的表头是必填列。身份证号、村代码按文字填写。"),
        _("比对后可能发现的问题：%(rule)s %(name)s。") % {"rule": kind.signal_rule, "name": kind.signal_name},
        _("文件中只要有一处格式错误，就全部不导入，并列出所有错误。"),
    ])
