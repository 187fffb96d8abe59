"""The alert file formats (docs/alert-formats.md) as empty workbooks to download, one per kind, made by
the comparison's format sheets (same checks, same dropdowns) with the alert-only conditions added."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jingzhun.compare.formats import format_sheet
from jingzhun.compare.kinds import DatasetKind
from jingzhun.exchange.blank import write_blank_workbook

from .kinds import NOT_ABOVE, REQUIRED_WHEN
from .rules import load_rules


def format_workbook(kind: DatasetKind, out) -> None:
    """The empty format of `kind`: its sheet and 填写说明."""
    notes = [
        _("部门预警数据格式（版本 1）：%(label)s，通常由%(source)s提供。第 1 行是表头，数据从第 2 行开始。")
        % {"label": kind.label, "source": kind.source},
        _("表头不能改动，列的顺序可以调整；不认识的列会报错。标红的表头是必填列。身份证号、村代码按文字填写。"),
    ]
    notes += [_("“%(header)s”在“%(when)s”为“%(values)s”时必填。") % {
        "header": r.header, "when": r.when, "values": "”或“".join(r.values)} for r in REQUIRED_WHEN.get(kind.code, ())]
    notes += [_("“%(header)s”不能大于“%(limit)s”。") % {"header": r.header, "limit": r.limit}
              for r in NOT_ABOVE.get(kind.code, ())]
    notes += [_("可能产生的预警：%(rules)s。") % {"rules": "；".join(f"{r.code} {r.name}" for r in load_rules(kind.code))},
              _("文件中只要有一处格式错误，就全部不导入，并列出所有错误。")]
    write_blank_workbook(out, [format_sheet(kind)], notes=notes)
