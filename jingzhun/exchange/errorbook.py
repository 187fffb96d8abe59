"""The error workbook of a refused import: every issue listed, and the bad rows with their cells marked."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jingzhun import cells
from jingzhun.cells import write_text

from .issues import ImportIssue
from .readers import SheetData

#: Its name in the import's folder (beside the uploads, which are deleted after the import).
ERROR_WORKBOOK = "errors.xlsx"


def error_workbook(issues: list[ImportIssue], sheets: Mapping[str, SheetData], path: Path, *,
                   total: int | None = None) -> None:
    """The issues as an .xlsx: a list of every issue, and per sheet the bad rows whole, bad cells marked."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False})
    writer = cells.SheetWriter(book)
    bad_style = {"bg_color": "#F8CBAD", "border": 1, "font_color": "#9C0006"}
    bad, bad_quoted = book.add_format(bad_style), cells.quoted_format(book, **bad_style)
    listed = [[issue.source, issue.sheet, issue.row, issue.header, issue.value, issue.message] for issue in issues]
    if total is not None and total > len(issues):
        more = total - len(issues)
        listed.append(["", "", None, "", "", ngettext("……另有 %(n)d 处错误未列出，请先改正以上错误后重新导入。",
                                                      "……另有 %(n)d 处错误未列出，请先改正以上错误后重新导入。", more)
                       % {"n": more}])
    writer.write(_("错误清单"), [cells.SheetColumn(_("文件")), cells.SheetColumn(_("表")),
                              cells.SheetColumn(_("行号"), cells.INT), cells.SheetColumn(_("列（表头）")),
                              cells.SheetColumn(_("单元格内容")), cells.SheetColumn(_("错误说明"))], listed)
    for sheet, data in sheets.items():
        marked: dict[int, dict[str, str]] = {}
        for issue in issues:
            if issue.sheet == sheet and issue.row is not None:
                marked.setdefault(issue.row, {})[issue.header] = issue.message
        if not marked:
            continue
        wanted = pc.is_in(data.rows, pa.array(sorted(marked), pa.int32()))
        rows = data.rows.filter(wanted).to_pylist()
        table = data.table.filter(wanted)
        ws = book.add_worksheet(sheet)
        # The cells as they were uploaded (text: what the person typed, shown as typed), the row number a number.
        columns = [cells.SheetColumn(_("行号"), cells.INT)] + [cells.SheetColumn(h) for h in table.column_names]
        values = [rows] + [table.column(i).to_pylist() for i in range(table.num_columns)]
        listed_rows = list(zip(*values))
        writer.begin(ws, columns, listed_rows[:cells.WIDTH_SAMPLE])
        for r, (row_number, *cell_values) in enumerate(listed_rows, start=1):
            ws.write_number(r, 0, row_number)
            for c, (header, value) in enumerate(zip(table.column_names, cell_values), start=1):
                value = value or ""
                if header in marked[row_number]:
                    write_text(ws, r, c, value, bad, quoted=bad_quoted)
                    ws.write_comment(r, c, marked[row_number][header])
                elif value:
                    write_text(ws, r, c, value, quoted=writer.quoted)
        writer.end(ws, len(listed_rows), len(columns), freeze_columns=1)
    book.close()
