"""Format checks of comparison files, column at a time (pyarrow.compute), reporting every bad cell.

Same rules as the registry template: unknown or missing headers and malformed cells are errors and
nothing is loaded; content that passes the format (an ID whose checksum fails, a name written another
way) is loaded — matching it anyway is the point of the comparison.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jingzhun.exchange.issues import ImportIssue
from jingzhun.exchange.readers import MAX_ISSUES_PER_KIND, SheetData

from .kinds import ColumnKind as C
from .kinds import DatasetColumn, DatasetKind

_PATTERNS = {
    C.ID_NUMBER: (r"^[0-9]{17}[0-9Xx]$", gettext_noop("身份证号应为 18 位（最后一位可以是 X）；没有身份证号请留空")),
    C.VILLAGE: (r"^[0-9]{12}$", gettext_noop("应为 12 位数字的村级区划代码")),
    C.YEAR: (r"^(19[5-9][0-9]|20[0-9][0-9]|2100)$", gettext_noop("应为四位年份")),
    C.MONEY: (r"^[0-9]{1,12}(\.[0-9]{1,2})?$", gettext_noop("应为金额（元，非负数字，最多两位小数）")),
    C.DECIMAL: (r"^[0-9]{1,9}(\.[0-9]{1,2})?$", gettext_noop("应为数字（最多两位小数）")),
    C.CREDIT_CODE: (r"^[0-9A-Z]{18}$", gettext_noop("统一社会信用代码应为 18 位数字或大写字母")),
}


def parse_dates(values: pa.Array) -> pa.Array:
    """Text dates (2020-03-15, 2020/3/15, 2020.3.15, 20200315) as date32; null when blank or not a real date."""
    parts = pc.extract_regex(values, r"^(?P<y>[0-9]{4})[-/.]?(?P<m>[0-9]{1,2})[-/.]?(?P<d>[0-9]{1,2})$")
    y, m, d = (pc.struct_field(parts, i) for i in range(3))
    text = pc.binary_join_element_wise(y, pc.utf8_lpad(m, 2, "0"), pc.utf8_lpad(d, 2, "0"), "-")
    parsed = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True).cast(pa.date32())
    # strptime rolls 2020-02-30 over into March: a real date reads back as the same day of the month
    same_day = pc.equal(pc.day(parsed), pc.cast(d, pa.int64()))
    return pc.if_else(pc.fill_null(same_day, False), parsed, pa.scalar(None, pa.date32()))


def _cells(data: SheetData, header: str, mask, message: str, issues: list[ImportIssue]) -> None:
    idx = pc.indices_nonzero(pc.fill_null(mask, False))
    if len(idx) == 0:
        return
    total = len(idx)
    idx = idx[:MAX_ISSUES_PER_KIND]
    rows = pc.take(data.rows, idx).to_pylist()
    values = pc.take(data.table.column(header), idx).to_pylist()
    issues.extend(ImportIssue(data.source, data.sheet, r, header, v, message) for r, v in zip(rows, values))
    if total > len(idx):
        issues.append(ImportIssue(data.source, data.sheet, None, header, "", _(
            "同类问题共 %(count)d 处，上面只列出了前 %(shown)d 处：%(message)s")
            % {"count": total, "shown": len(idx), "message": message}))


def _column(data: SheetData, col: DatasetColumn, issues: list[ImportIssue]) -> None:
    values = data.table.column(col.header).combine_chunks()
    filled = pc.greater(pc.utf8_length(values), 0)
    if col.required:
        _cells(data, col.header, pc.invert(filled), _("必填，不能为空"), issues)
    if col.kind in _PATTERNS:
        pattern, message = _PATTERNS[col.kind]
        _cells(data, col.header, pc.and_(filled, pc.invert(pc.match_substring_regex(values, pattern))), _(message),
               issues)
    elif col.kind == C.SEX:
        _cells(data, col.header, pc.and_(filled, pc.invert(pc.is_in(values, pa.array(SEXES)))),
               _("应填“男”或“女”"), issues)
    elif col.kind == C.CHOICE:
        _cells(data, col.header, pc.and_(filled, pc.invert(pc.is_in(values, pa.array(col.choices)))),
               _("不在可选值中（可选：%(v)s）") % {"v": " / ".join(col.choices)}, issues)
    elif col.kind == C.DATE:
        _cells(data, col.header, pc.and_(filled, pc.is_null(parse_dates(values))),
               _("应为日期，如 2020-03-15、2020/3/15 或 20200315"), issues)
    elif col.kind == C.TEXT:
        _cells(data, col.header, pc.greater(pc.utf8_length(values), col.max_length),
               _("过长：最多 %(n)d 个字") % {"n": col.max_length}, issues)


def column_rule(col: DatasetColumn) -> str:
    """What a cell of `col` must hold to pass `check_dataset`, in the words of its messages (for the
    downloadable format's 填写说明)."""
    if col.kind in _PATTERNS:
        rule = _(_PATTERNS[col.kind][1])
    elif col.kind == C.SEX:
        rule = _("应填“男”或“女”")
    elif col.kind == C.CHOICE:
        rule = _("可选：%(v)s") % {"v": " / ".join(col.choices)}
    elif col.kind == C.DATE:
        rule = _("应为日期，如 2020-03-15、2020/3/15 或 20200315")
    else:
        rule = _("文字，最多 %(n)d 个字") % {"n": col.max_length}
    return rule


#: The values a SEX column takes (as `_column` checks them).
SEXES = ("男", "女")


def check_dataset(kind: DatasetKind, tables: list[SheetData]) -> list[ImportIssue]:
    """Every format issue of the tables read for `kind` (empty list: they can be loaded)."""
    issues: list[ImportIssue] = []
    known = kind.headers
    for data in tables:
        headers = data.table.column_names
        unknown = [h for h in headers if h not in known]
        for header in unknown:
            issues.append(ImportIssue(data.source, data.sheet, 1, header, header, _(
                "“%(kind)s”没有这一列（可用的列：%(all)s）；请删除该列或改正表头")
                % {"kind": kind.label_shown, "all": _("、").join(known)}))
        missing = [c.header for c in kind.columns if c.required and c.header not in headers]
        for header in missing:
            issues.append(ImportIssue(data.source, data.sheet, 1, header, "", _("缺少必填列“%(header)s”") % {"header": header}))
        if unknown or missing:
            continue
        if data.table.num_rows == 0:
            issues.append(ImportIssue(data.source, data.sheet, None, "", "", _("文件中没有数据行（只有表头）")))
            continue
        for col in kind.columns:
            if col.header in headers:
                _column(data, col, issues)
    return issues


def typed_records(kind: DatasetKind, tables: list[SheetData]) -> pa.Table:
    """The checked tables as one table of ExternalRecord columns (dates parsed, blanks "")."""
    parts = []
    for data in tables:
        n = data.table.num_rows
        out: dict[str, pa.Array] = {"row": data.rows, "source": pa.array([data.source] * n, pa.string())}
        for col in kind.columns:
            values = data.table.column(col.header).combine_chunks() if col.header in data.table.column_names \
                else pa.array([""] * n, pa.string())
            if col.kind == C.DATE:
                out[col.field] = parse_dates(values)
            elif col.kind == C.ID_NUMBER:
                out[col.field] = pc.utf8_upper(values)
            else:
                out[col.field] = values
        parts.append(pa.table(out))
    return pa.concat_tables(parts)
