"""The error workbook of a refused import: every issue listed, and the bad rows with their cells marked."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jingzhun.cells import quoted_format, write_text

from .issues import ImportIssue
from .readers import SheetData

#: Its name in the import's folder (beside the uploads, which are deleted after the import).
ERROR_WORKBOOK = "errors.xlsx"


def error_workbook(issues: list[ImportIssue], sheets: Mapping[str, SheetData], path: Path, *,
                   total: int | None = None) -> None:
    """The issues as an .xlsx: a list of every issue, and per sheet the bad rows whole, bad cells marked."""
    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True, "bg_color": "#EEF1F4", "border": 1})
    bad_style = {"bg_color": "#F8CBAD", "border": 1, "font_color": "#9C0006"}
    bad, quoted, bad_quoted = book.add_format(bad_style), quoted_format(book), quoted_format(book, **bad_style)
    listing = book.add_worksheet(_("错误清单"))
    listing.freeze_panes(1, 0)
    for col, (title, width) in enumerate(((_("文件"), 18), (_("表"), 8), (_("行号"), 7), (_("列（表头）"), 16),
                                          (_("单元格内容"), 24), (_("错误说明"), 60))):
        listing.write_string(0, col, title, bold)
        listing.set_column(col, col, width)
    for r, issue in enumerate(issues, start=1):
        write_text(listing, r, 0, issue.source, quoted=quoted)
        write_text(listing, r, 1, issue.sheet, quoted=quoted)
        if issue.row is not None:
            listing.write_number(r, 2, issue.row)
        write_text(listing, r, 3, issue.header, quoted=quoted)
        write_text(listing, r, 4, issue.value, quoted=quoted)
        write_text(listing, r, 5, issue.message, quoted=quoted)
    if total is not None and total > len(issues):
        more = total - len(issues)
        listing.write_string(len(issues) + 1, 5, ngettext("……另有 %(n)d 处错误未列出，请先改正以上错误后重新导入。",
                                                          "……另有 %(n)d 处错误未列出，请先改正以上错误后重新导入。", more)
                             % {"n": more})
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
        headers = [_("行号"), *table.column_names]
        for c, header in enumerate(headers):
            write_text(ws, 0, c, header, bold, quoted=quoted_format(book, bold=True))
        ws.freeze_panes(1, 1)
        columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
        for r, row_number in enumerate(rows, start=1):
            ws.write_number(r, 0, row_number)
            for c, header in enumerate(table.column_names, start=1):
                value = columns[c - 1][r - 1] or ""
                if header in marked[row_number]:
                    write_text(ws, r, c, value, bad, quoted=bad_quoted)
                    ws.write_comment(r, c, marked[row_number][header])
                else:
                    write_text(ws, r, c, value, quoted=quoted)
    book.close()
