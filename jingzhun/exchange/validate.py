"""Format checks of template sheets, column at a time (pyarrow.compute), reporting every bad cell.

Only *format* is checked here (TEMPLATE.md, "Import semantics"): a cell outside its vocabulary, a bad
number or year, a malformed code, a missing required cell, keys that clash. Content that passes the
format (a wrong ID checksum, a child older than the head) is imported and left to the data-quality
checks. Nothing here touches the database except to ask which villages and households exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .issues import ImportIssue
from .readers import SheetData
from .template import (HOUSEHOLD_SHEET, MEMBER_SHEET, MONITORING_HEADERS, NO, REGISTERED_HEADERS,
                       REGISTERED_ONLY_HEADERS, V2_ONLY_HEADERS, VILLAGE_SHEET, YES, Column, Kind, household_version,
                       sheets_of)

#: Regular expressions of the well-formed cell, per kind (blank cells are handled apart).
_PATTERNS = {
    Kind.INT: (r"^\d{1,9}$", gettext_noop("应为非负整数")),
    Kind.YEAR: (r"^(1949|19[5-9]\d|20\d\d|2100)$", gettext_noop("应为四位年份（1949–2100）")),
    Kind.MONEY: (r"^-?\d{1,10}(\.\d{1,2})?$", gettext_noop("应为金额（元，数字，最多两位小数）")),
    Kind.DECIMAL: (r"^\d{1,6}(\.\d{1,2})?$", gettext_noop("应为数字（最多两位小数）")),
}
_CODE_PATTERNS = {"村代码": (r"^\d{12}$", gettext_noop("应为 12 位数字的村级区划代码")),
                  "户编号": (r"^\d{16}$", gettext_noop("应为 16 位数字（12 位村代码 + 4 位序号）"))}
#: Longest text each text-like column may hold (the database's limits).
_MAX_LENGTH = {"户主姓名": 64, "姓名": 64, "民族": 16, "帮扶责任人": 64, "帮扶单位": 128, "帮扶责任人电话": 20,
               "联系电话": 20}
_MONTHS = (r"^\d{1,3}$", gettext_noop("应为整数（月数）"))
_DATE = (r"^\d{4}-\d{2}-\d{2}$", gettext_noop("应为日期，格式如 2024-05-10"))


#: Rules across columns that `check` applies, by (sheet, header): said in the template's 填写说明 too.
CROSS_RULES = {
    (VILLAGE_SHEET, "贫困村退出年度"): gettext_noop("非贫困村不应填写贫困村退出年度"),
    (HOUSEHOLD_SHEET, "村代码"): gettext_noop("户编号的前 12 位应与村代码相同"),
    (HOUSEHOLD_SHEET, "脱贫年度"): gettext_noop("脱贫状态为“已脱贫”时必须填写脱贫年度"),
    (MEMBER_SHEET, "户编号"): gettext_noop("户表中（本文件或系统中）须有这个户编号"),
    (MEMBER_SHEET, "身份证号"): gettext_noop("同一户中身份证号不能重复"),
    # version 2 (docs/template-v2.md)
    (HOUSEHOLD_SHEET, "监测对象类别"): gettext_noop("户类别为“监测户”时必填，其他户类别不填"),
    (HOUSEHOLD_SHEET, "纳入监测时间"): gettext_noop("只有监测户填写"),
    (HOUSEHOLD_SHEET, "主要风险类型"): gettext_noop("只有监测户填写"),
    (HOUSEHOLD_SHEET, "其他风险类型"): gettext_noop("只有监测户填写；不能与主要风险类型相同，填写时须有主要风险类型"),
    (HOUSEHOLD_SHEET, "风险是否消除"): gettext_noop("空白即“否”；只有监测户可填“是”"),
    (HOUSEHOLD_SHEET, "风险消除日期"): gettext_noop("只有监测户填写"),
    (HOUSEHOLD_SHEET, "最贵车辆价值"): gettext_noop("家用车辆数为 0 或空白时不填"),
    **{(HOUSEHOLD_SHEET, h): gettext_noop("第 2 版：建档立卡户（户类别为“脱贫户”，或监测对象类别为“脱贫不稳定户”）必填；"
                                          "一般农户、边缘易致贫户不填") for h in REGISTERED_HEADERS},
    **{(HOUSEHOLD_SHEET, h): gettext_noop("第 2 版：一般农户、边缘易致贫户不填")
       for h in REGISTERED_ONLY_HEADERS if h not in REGISTERED_HEADERS and h != "脱贫年度"},
}


def column_rule(sheet: str, col: Column) -> str:
    """What a cell of `col` must hold to pass `check`, in the words of its messages (the 填写说明 of the
    empty template is written from this, so the explanation and the import cannot disagree)."""
    kind = col.kind
    if kind == Kind.INT and col.header == "务工时间":
        rule = _(_MONTHS[1])
    elif kind == Kind.DATE:
        rule = _(_DATE[1])
    elif kind in _PATTERNS:
        rule = _(_PATTERNS[kind][1])
    elif kind == Kind.CODE:
        rule = _(_CODE_PATTERNS[col.header][1])
    elif kind == Kind.ID_NUMBER:
        rule = _("身份证号应为 18 位（最后一位可以是 X）")
    elif kind == Kind.BOOL:
        rule = _("应填“是”或“否”")
    elif kind == Kind.CHOICE:
        rule = _("可选：%(v)s") % {"v": " / ".join(col.choices)}
    elif kind == Kind.CHOICES:
        rule = _("最多填两项，用“、”分隔，每项须为：%(v)s") % {"v": " / ".join(col.choices)}
    else:
        rule = _("文字")
    parts = [rule]
    if col.header in _MAX_LENGTH:
        parts.append(_("最多 %(n)d 个字") % {"n": _MAX_LENGTH[col.header]})
    if (sheet, col.header) in CROSS_RULES:
        parts.append(_(CROSS_RULES[(sheet, col.header)]))
    return "；".join(parts)


@dataclass
class Checked:
    """The sheets that were read, and every issue found in them."""

    sheets: dict[str, SheetData]
    issues: list[ImportIssue]


class _Collector:
    def __init__(self, data: SheetData):
        self.data = data
        self.issues: list[ImportIssue] = []

    def sheet_issue(self, header: str, message: str, value: str = "") -> None:
        self.issues.append(ImportIssue(self.data.source, self.data.sheet, None, header, value, message))

    def cells(self, mask: pa.Array, header: str, message: str | Callable[[int], str]) -> None:
        """An issue for every row where `mask` is true, naming the cell's value."""
        idx = pc.indices_nonzero(pc.fill_null(mask, False))
        if len(idx) == 0:
            return
        rows = pc.take(self.data.rows, idx).to_pylist()
        values = pc.take(self.data.table.column(header), idx).to_pylist() if header in self.data.table.column_names \
            else [""] * len(rows)
        positions = idx.to_pylist()
        for position, row, value in zip(positions, rows, values):
            text = message(position) if callable(message) else message
            self.issues.append(ImportIssue(self.data.source, self.data.sheet, row, header, value or "", text))


def _blank(column: pa.ChunkedArray) -> pa.Array:
    return pc.equal(pc.utf8_length(column), 0)


def _check_headers(c: _Collector, columns: tuple[Column, ...], version: int) -> None:
    known = {col.header for col in columns}
    present = set(c.data.table.column_names)
    for header in c.data.table.column_names:
        if header in V2_ONLY_HEADERS and version == 1:
            c.sheet_issue(header, _("表头“%(h)s”属于模板第 2 版；第 2 版的户表必须有“户类别”列（没有“户类别”列的户表按第 1 版读取）")
                          % {"h": header})
        elif header not in known:
            c.sheet_issue(header, _("未知表头“%(h)s”：模板（版本 %(v)d）的%(sheet)s没有这一列，请删除该列或改正表头")
                          % {"h": header, "sheet": c.data.sheet, "v": version})
    for col in columns:
        if col.required and col.header not in present:
            c.sheet_issue(col.header, _("缺少必填列“%(h)s”") % {"h": col.header})


def _check_column(c: _Collector, col: Column) -> None:
    values = c.data.table.column(col.header)
    blank = _blank(values)
    filled = pc.invert(blank)
    if col.required:
        c.cells(blank, col.header, _("必填项不能为空"))
    kind = col.kind
    if kind == Kind.DATE:
        well_formed = pc.match_substring_regex(values, _DATE[0])
        # a real day: parsed and written back it is the same text (strptime alone takes 2024-02-30)
        parsed = pc.strptime(pc.if_else(well_formed, values, "1970-01-01"), format="%Y-%m-%d", unit="s",
                             error_is_null=True)
        real = pc.fill_null(pc.equal(pc.strftime(parsed, format="%Y-%m-%d"),
                                     pc.if_else(well_formed, values, "1970-01-01")), False)
        c.cells(pc.and_(filled, pc.invert(pc.and_(well_formed, real))), col.header, _(_DATE[1]))
    elif kind in _PATTERNS or (kind == Kind.INT and col.header == "务工时间"):
        pattern, message = _MONTHS if col.header == "务工时间" else _PATTERNS[kind]
        c.cells(pc.and_(filled, pc.invert(pc.match_substring_regex(values, pattern))), col.header, _(message))
    elif kind == Kind.CODE:
        pattern, message = _CODE_PATTERNS[col.header]
        c.cells(pc.and_(filled, pc.invert(pc.match_substring_regex(values, pattern))), col.header, _(message))
    elif kind == Kind.ID_NUMBER:
        c.cells(pc.and_(filled, pc.not_equal(pc.utf8_length(values), 18)), col.header,
                _("身份证号应为 18 位（最后一位可以是 X）"))
    elif kind == Kind.BOOL:
        c.cells(pc.and_(filled, pc.invert(pc.is_in(values, pa.array([YES, NO])))), col.header, _("应填“是”或“否”"))
    elif kind == Kind.CHOICE:
        c.cells(pc.and_(filled, pc.invert(pc.is_in(values, pa.array(col.choices)))), col.header,
                _("不在可选值中（可选：%(v)s）") % {"v": " / ".join(col.choices)})
    elif kind == Kind.CHOICES:
        parts = pc.split_pattern(values, "、")
        flat = pc.list_flatten(parts)
        bad_part = pc.invert(pc.is_in(flat, pa.array(col.choices)))
        parents = pc.list_parent_indices(parts)
        bad_rows = pc.unique(pc.filter(parents, bad_part))
        too_many = pc.greater(pc.list_value_length(parts), 2)
        mask = pc.or_(pc.is_in(pa.array(range(len(values)), pa.int64()), bad_rows), too_many)
        c.cells(pc.and_(filled, mask), col.header,
                _("最多填两项，用“、”分隔，每项须为：%(v)s") % {"v": " / ".join(col.choices)})
    if col.header in _MAX_LENGTH:
        limit = _MAX_LENGTH[col.header]
        c.cells(pc.greater(pc.utf8_length(values), limit), col.header,
                _("内容过长（最多 %(n)d 个字）") % {"n": limit})


def _duplicates(c: _Collector, keys: pa.Array, header: str, message: str) -> None:
    """Every row whose key occurs more than once (blank keys are reported elsewhere)."""
    table = pa.table({"k": keys, "i": pa.array(range(len(keys)), pa.int64())})
    table = table.filter(pc.greater(pc.utf8_length(table["k"]), 0))
    counts = table.group_by("k").aggregate([("i", "count"), ("i", "min")])
    dup = counts.filter(pc.greater(counts["i_count"], 1))
    if dup.num_rows == 0:
        return
    first_row = dict(zip(dup["k"].to_pylist(),
                         pc.take(c.data.rows, dup["i_min"]).to_pylist()))
    mask = pc.is_in(keys, dup["k"])
    keys_list = keys.to_pylist() if isinstance(keys, pa.Array) else keys.combine_chunks().to_pylist()
    c.cells(mask, header, lambda i: message % {"row": first_row[keys_list[i]]})


def _check_category(c: _Collector, table: pa.Table, present: set[str]) -> None:
    """Version 2: the cells that 户类别 and 监测对象类别 require or forbid (docs/template-v2.md)."""
    category = table.column("户类别")
    klass = table.column("监测对象类别") if "监测对象类别" in present else pa.array([""] * table.num_rows)
    monitored = pc.equal(category, "监测户")
    known = pc.is_in(category, pa.array(["脱贫户", "监测户", "一般农户"]))
    c.cells(pc.and_(monitored, _blank(klass)), "监测对象类别", _("户类别为“监测户”时必须填写监测对象类别"))
    not_monitored = pc.and_(known, pc.invert(monitored))
    for header in MONITORING_HEADERS:
        if header in present:
            c.cells(pc.and_(not_monitored, pc.invert(_blank(table.column(header)))), header,
                    lambda i: _("户类别为“%(c)s”，不应填写（只有监测户填写）") % {"c": category[i].as_py()})
    if "风险是否消除" in present:
        c.cells(pc.and_(not_monitored, pc.equal(table.column("风险是否消除"), YES)), "风险是否消除",
                lambda i: _("户类别为“%(c)s”，不应填“是”（只有监测户有风险消除）") % {"c": category[i].as_py()})
    registered = pc.or_(pc.equal(category, "脱贫户"), pc.and_(monitored, pc.equal(klass, "脱贫不稳定户")))
    never = pc.or_(pc.equal(category, "一般农户"), pc.and_(monitored, pc.equal(klass, "边缘易致贫户")))
    what = pc.if_else(pc.equal(category, "监测户"), klass, category)
    for header in REGISTERED_HEADERS:
        if header in present:
            c.cells(pc.and_(registered, _blank(table.column(header))), header,
                    lambda i: _("必填项不能为空（%(c)s是建档立卡户）") % {"c": what[i].as_py()})
        elif pc.any(registered).as_py():
            c.sheet_issue(header, _("缺少必填列“%(h)s”（户表中有建档立卡户：脱贫户或脱贫不稳定户）") % {"h": header})
    for header in REGISTERED_ONLY_HEADERS:
        if header in present:
            c.cells(pc.and_(never, pc.invert(_blank(table.column(header)))), header,
                    lambda i: _("%(c)s不是建档立卡户，不应填写此项") % {"c": what[i].as_py()})
    if "其他风险类型" in present:
        others = table.column("其他风险类型").combine_chunks()
        main = table.column("主要风险类型").combine_chunks() if "主要风险类型" in present \
            else pa.array([""] * table.num_rows)
        c.cells(pc.and_(pc.invert(_blank(others)), _blank(main)), "其他风险类型",
                _("填写其他风险类型时必须填写主要风险类型"))
        parts = pc.split_pattern(others, "、")
        parents = pc.list_parent_indices(parts)
        same = pc.and_(pc.equal(pc.list_flatten(parts), pc.take(main, parents)),
                       pc.greater(pc.utf8_length(pc.list_flatten(parts)), 0))
        rows = pc.unique(pc.filter(parents, same))
        c.cells(pc.is_in(pa.array(range(table.num_rows), pa.int64()), rows.cast(pa.int64())), "其他风险类型",
                _("其他风险类型不能与主要风险类型相同"))
    if {"最贵车辆价值", "家用车辆数"} <= present:
        count = table.column("家用车辆数")
        c.cells(pc.and_(pc.invert(_blank(table.column("最贵车辆价值"))),
                        pc.or_(_blank(count), pc.equal(count, "0"))), "最贵车辆价值",
                _("家用车辆数为 0 或空白时不应填写最贵车辆价值"))


def check(sheets: dict[str, SheetData], *, village_codes: Callable[[Iterable[str]], set[str]],
          existing_households: Callable[[Iterable[str]], set[str]], scope_prefix: str = "",
          scope_label: str = "") -> list[ImportIssue]:
    """All format issues of the sheets; an empty list means they can be written.

    `village_codes(codes)` answers which of the codes are villages of the division tree;
    `existing_households(codes)` which 户编号 the registry already holds. With a `scope_prefix`, rows
    outside that org unit are issues too (a web user imports only under their own unit).
    """
    issues: list[ImportIssue] = []
    file_households: pa.Array | None = None
    version = household_version(sheets[HOUSEHOLD_SHEET].table.column_names) if HOUSEHOLD_SHEET in sheets else 1
    for sheet, columns in sheets_of(version).items():
        if sheet not in sheets:
            continue
        c = _Collector(sheets[sheet])
        _check_headers(c, columns, version if sheet == HOUSEHOLD_SHEET else 1)
        present = set(c.data.table.column_names)
        for col in columns:
            if col.header in present:
                _check_column(c, col)
        table = c.data.table
        if sheet in (VILLAGE_SHEET, HOUSEHOLD_SHEET) and "村代码" in present:
            village = table.column("村代码").combine_chunks()
            well_formed = pc.match_substring_regex(village, r"^\d{12}$")
            candidates = pc.unique(pc.filter(village, well_formed)).to_pylist()
            known = village_codes(candidates)
            unknown = pc.and_(well_formed, pc.invert(pc.is_in(village, pa.array(sorted(known), pa.string()))))
            c.cells(unknown, "村代码", _("区划表中没有这个村级代码，请核对（统计用区划代码，12 位）"))
            if scope_prefix:
                outside = pc.and_(well_formed, pc.invert(pc.starts_with(village, scope_prefix)))
                c.cells(outside, "村代码", _("不在您的管辖范围（%(unit)s）内") % {"unit": scope_label})
        if sheet == VILLAGE_SHEET and "村代码" in present:
            _duplicates(c, table.column("村代码").combine_chunks(), "村代码", _("村代码重复，与第 %(row)s 行相同"))
            if {"贫困村退出年度", "是否贫困村"} <= present:
                mask = pc.and_(pc.invert(_blank(table.column("贫困村退出年度"))),
                               pc.equal(table.column("是否贫困村"), "否"))
                c.cells(mask, "贫困村退出年度", _("非贫困村不应填写贫困村退出年度"))
        if sheet == HOUSEHOLD_SHEET and "户编号" in present:
            code = table.column("户编号").combine_chunks()
            file_households = code
            _duplicates(c, code, "户编号", _("户编号重复，与第 %(row)s 行相同"))
            if "村代码" in present:
                village = table.column("村代码").combine_chunks()
                both = pc.and_(pc.match_substring_regex(code, r"^\d{16}$"),
                               pc.match_substring_regex(village, r"^\d{12}$"))
                mismatch = pc.and_(both, pc.not_equal(pc.utf8_slice_codeunits(code, 0, 12), village))
                c.cells(mismatch, "户编号", _("户编号的前 12 位应与村代码相同"))
            if {"脱贫状态", "脱贫年度"} <= present:
                mask = pc.and_(pc.equal(table.column("脱贫状态"), "已脱贫"), _blank(table.column("脱贫年度")))
                c.cells(mask, "脱贫年度", _("脱贫状态为“已脱贫”时必须填写脱贫年度"))
            if version == 2 and "户类别" in present:
                _check_category(c, table, present)
        if sheet == MEMBER_SHEET and "户编号" in present:
            code = table.column("户编号").combine_chunks()
            well_formed = pc.match_substring_regex(code, r"^\d{16}$")
            if scope_prefix:
                c.cells(pc.and_(well_formed, pc.invert(pc.starts_with(code, scope_prefix))), "户编号",
                        _("不在您的管辖范围（%(unit)s）内") % {"unit": scope_label})
            in_file = pc.is_in(code, file_households) if file_households is not None \
                else pa.array([False] * len(code))
            unresolved = pc.and_(well_formed, pc.invert(in_file))
            candidates = pc.unique(pc.filter(code, unresolved)).to_pylist()
            stored = existing_households(candidates) if candidates else set()
            missing = pc.and_(unresolved, pc.invert(pc.is_in(code, pa.array(sorted(stored), pa.string()))))
            c.cells(missing, "户编号", _("户表中（本文件或系统中）都没有这个户编号"))
            if "身份证号" in present:
                key = pc.binary_join_element_wise(code, table.column("身份证号").combine_chunks(), "|")
                _duplicates(c, key, "身份证号", _("同一户中身份证号重复，与第 %(row)s 行相同"))
        issues.extend(c.issues)
    issues.sort(key=ImportIssue.sort_key)
    return issues
