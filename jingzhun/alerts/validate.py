"""Alert files: read and checked with the comparison's reader and format checks, plus the conditions
only alert files have (`kinds.REQUIRED_WHEN`, `kinds.NOT_ABOVE`), column at a time with pyarrow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from django.utils.translation import gettext as _

from jingzhun.compare.kinds import ColumnKind, DatasetKind
from jingzhun.compare.readers import read_dataset_files
from jingzhun.compare.validate import check_dataset, typed_records
from jingzhun.exchange.issues import ImportIssue
from jingzhun.exchange.readers import MAX_ISSUES_PER_KIND, SheetData

from .kinds import NOT_ABOVE, REQUIRED_WHEN


def _flag(data: SheetData, header: str, mask, message: str, issues: list[ImportIssue]) -> None:
    idx = pc.indices_nonzero(pc.fill_null(mask, False))
    total = len(idx)
    if not total:
        return
    idx = idx[:MAX_ISSUES_PER_KIND]
    rows = pc.take(data.rows, idx).to_pylist()
    values = pc.take(data.table.column(header), idx).to_pylist() if header in data.table.column_names \
        else [""] * len(rows)
    issues.extend(ImportIssue(data.source, data.sheet, r, header, v, message) for r, v in zip(rows, values))
    if total > len(idx):
        issues.append(ImportIssue(data.source, data.sheet, None, header, "", _(
            "同类问题共 %(count)d 处，上面只列出了前 %(shown)d 处：%(message)s")
            % {"count": total, "shown": len(idx), "message": message}))


def _conditions(kind: DatasetKind, data: SheetData, issues: list[ImportIssue]) -> None:
    headers = data.table.column_names
    n = data.table.num_rows
    blank = pa.array([""] * n, pa.string())
    for rule in REQUIRED_WHEN.get(kind.code, ()):
        when = data.table.column(rule.when).combine_chunks() if rule.when in headers else blank
        value = data.table.column(rule.header).combine_chunks() if rule.header in headers else blank
        mask = pc.and_(pc.is_in(when, pa.array(rule.values)), pc.equal(pc.utf8_length(value), 0))
        _flag(data, rule.header, mask, _("“%(when)s”为“%(values)s”时必填") % {
            "when": rule.when, "values": _("”或“").join(rule.values)}, issues)
    for rule in NOT_ABOVE.get(kind.code, ()):
        if rule.header not in headers or rule.limit not in headers:
            continue
        value = pc.cast(pc.if_else(pc.equal(data.table.column(rule.header), ""), None, data.table.column(rule.header)),
                        pa.float64())
        limit = pc.cast(pc.if_else(pc.equal(data.table.column(rule.limit), ""), None, data.table.column(rule.limit)),
                        pa.float64())
        _flag(data, rule.header, pc.greater(value, limit), _("不能大于“%(limit)s”") % {"limit": rule.limit}, issues)


def read_alert_files(kind: DatasetKind, paths: Sequence[Path], *, display_names: Mapping[Path, str] | None = None
                     ) -> tuple[list[SheetData], list[ImportIssue]]:
    """The files read and checked: (tables, every issue). Any issue and nothing may be loaded."""
    tables, issues = read_dataset_files(kind, paths, display_names=display_names)
    if issues:
        return tables, issues
    issues = check_dataset(kind, tables)
    known = kind.headers
    required = {c.header for c in kind.columns if c.required}
    for data in tables:  # every error at once: the conditions too, on every table whose headers are right
        headers = set(data.table.column_names)
        if headers <= set(known) and required <= headers and data.table.num_rows:
            _conditions(kind, data, issues)
    return tables, issues


def typed_alert_records(kind: DatasetKind, tables: list[SheetData]) -> pa.Table:
    """The checked rows as one table: the comparison's typed columns, amounts as float64 (blank: null)."""
    records = typed_records(kind, tables)
    for col in kind.columns:
        if col.kind in (ColumnKind.MONEY, ColumnKind.DECIMAL):
            values = records.column(col.field)
            typed = pc.cast(pc.if_else(pc.equal(values, ""), None, values), pa.float64())
            records = records.set_column(records.schema.get_field_index(col.field), col.field, typed)
    return records
