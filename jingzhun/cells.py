"""Cell values safe to hand to a spreadsheet program (CSV/formula injection, OWASP).

A text cell that starts with `= + - @`, a tab or a carriage return is read by Excel or WPS as a formula
when the file is opened (CSV) or when the cell is edited (xlsx): `=HYPERLINK("http://…","点击")` in a
head's name would become a live link in every export. Such text is written with a leading apostrophe
(CSV) or as a quote-prefixed string cell (xlsx: Excel shows the text, never a formula). Numbers stay
numbers: "-500.00" is a number, not a formula, and is written as it is.

`SheetWriter` is the one way an xlsx export writes a table: numbers as numbers and dates as dates (so
SUM and filters work), a frozen header row with an autofilter, column widths that fit, and the text
cells through the same protection. This module imports nothing of jingzhun, so every app that writes a
spreadsheet may use it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice

import pyarrow as pa
import pyarrow.compute as pc

#: What a spreadsheet program would take for a formula: a leading = @ tab CR, or + - not starting a number.
_LEADING = "^[=+@\t\r-]"
_NUMBER = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"
_LEADING_RE, _NUMBER_RE = re.compile(_LEADING), re.compile(_NUMBER)


def is_risky(value: str) -> bool:
    """Whether a spreadsheet program would read this text as a formula."""
    return bool(_LEADING_RE.match(value)) and not _NUMBER_RE.match(value)


def safe_cell(value: str) -> str:
    """The text for a CSV cell: risky text gets a leading apostrophe, everything else is unchanged."""
    return "'" + value if is_risky(value) else value


def safe_column(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """`safe_cell` over a string column, vectorised (for the Arrow CSV writers)."""
    risky = pc.and_(pc.match_substring_regex(column, _LEADING),
                    pc.invert(pc.match_substring_regex(column, _NUMBER)))
    if not pc.any(risky).as_py():
        return column
    return pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)


def write_text(worksheet, row: int, col: int, value: str, cell_format=None, *, quoted=None) -> None:
    """Write a string cell with xlsxwriter; risky text as a quote-prefixed cell (`quoted`, a format
    with quote_prefix, made once per workbook by `quoted_format`)."""
    if quoted is not None and is_risky(value):
        worksheet.write_string(row, col, value, quoted)
    else:
        worksheet.write_string(row, col, value, cell_format)


def quoted_format(workbook, **properties):
    """The format risky text is written with (`properties` as for the cells beside it)."""
    return workbook.add_format({**properties, "quote_prefix": True})


def unquote_column(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """The inverse of `safe_column` for a CSV read back: "'=…" → "=…" (so an export re-imports as it was)."""
    return pc.replace_substring_regex(column, pattern="^'([=+@\\t\\r-])", replacement="\\1")


# ---------------------------------------------------------------------------------------------------
# Worksheets: the one way every xlsx export writes a table.

#: How a column's cells are written. Text stays text (codes keep their zeros); numbers and dates are
#: Excel numbers with a display format, so SUM, sorting and filters work on them.
TEXT, INT, DECIMAL, DATE, DATETIME = "text", "int", "decimal", "date", "datetime"
_NUMBER_FORMATS = {INT: "0", DECIMAL: "#,##0.00", DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm"}
#: Rows looked at to size the columns (the first ones: a workbook is written in one pass).
WIDTH_SAMPLE = 500
MAX_WIDTH = 60


@dataclass(frozen=True)
class SheetColumn:
    """A column of a worksheet: its header, how its cells are written, and optionally its number format
    (e.g. "0.00" where the exchange template wants plain decimals)."""

    header: str
    kind: str = TEXT
    num_format: str = ""


def display_width(text: str) -> int:
    """Columns a text takes in Excel's default font: CJK characters are about two wide."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def _shown(value, kind: str) -> str:
    """Roughly the text a cell shows, for its width."""
    if value is None or value == "":
        return ""
    if kind == DECIMAL and isinstance(value, (int, float, Decimal)):
        return f"{float(value):,.2f}"
    if kind == DATE:
        return "0000-00-00"
    if kind == DATETIME:
        return "0000-00-00 00:00"
    return str(value)


def _number(value, kind: str):
    """The value as a number for a numeric column, or None when it is not one (then written as text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and _NUMBER_RE.match(value.strip()):
        number = float(value)
        return int(number) if kind == INT and number.is_integer() else number
    return None


def _naive(value):
    """A datetime as the wall-clock time of the site (xlsx has no time zones), a date as it is."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return value


class SheetWriter:
    """Writes tables into one xlsxwriter workbook, each sheet with a bold frozen header and an autofilter,
    numbers as numbers, dates as dates, text as text (risky text quote-prefixed) and widths that fit.

    `write(name, columns, rows)` takes the rows as sequences of Python values in column order (str, int,
    float, Decimal, date, datetime or None); numeric text in a numeric column ("440.00") becomes the
    number. Rows are consumed once (the workbook may be in constant-memory mode): the first
    `WIDTH_SAMPLE` are held to size the columns.
    """

    def __init__(self, workbook):
        self.workbook = workbook
        self.header = workbook.add_format({"bold": True, "bg_color": "#EEF1F4", "border": 1, "text_wrap": True,
                                           "valign": "top"})
        self.quoted = quoted_format(workbook)
        self._formats: dict[str, object] = {}

    def format(self, num_format: str):
        if num_format not in self._formats:
            self._formats[num_format] = self.workbook.add_format({"num_format": num_format})
        return self._formats[num_format]

    def write(self, name: str, columns: Sequence[SheetColumn], rows: Iterable[Sequence], *,
              freeze_columns: int = 0, worksheet=None) -> int:
        """Write one sheet (or into `worksheet`); returns the number of data rows."""
        sheet = worksheet if worksheet is not None else self.workbook.add_worksheet(str(name))
        rows = iter(rows)
        head = list(islice(rows, WIDTH_SAMPLE))
        self.begin(sheet, columns, head)
        formats = [self.format(c.num_format or _NUMBER_FORMATS[c.kind]) if c.kind != TEXT else None for c in columns]
        count = 0
        for count, values in enumerate(chain(head, rows), start=1):
            for col, value in enumerate(values):
                self.cell(sheet, count, col, value, columns[col].kind, formats[col])
        self.end(sheet, count, len(columns), freeze_columns=freeze_columns)
        return count

    def begin(self, sheet, columns: Sequence[SheetColumn], head: Sequence[Sequence]) -> None:
        """Size the columns to the header and the first rows `head`, and write the header row."""
        for col, column in enumerate(columns):
            longest = max((display_width(_shown(r[col], column.kind)) for r in head), default=0)
            header_width = min(display_width(str(column.header)), 24)  # a longer header wraps
            sheet.set_column(col, col, min(max(longest, header_width, 4) + 2, MAX_WIDTH))
        for col, column in enumerate(columns):
            sheet.write_string(0, col, str(column.header), self.header)

    @staticmethod
    def end(sheet, count: int, width: int, *, freeze_columns: int = 0) -> None:
        """Freeze the header row (and `freeze_columns`) and put an autofilter over the `count` data rows."""
        sheet.freeze_panes(1, freeze_columns)
        sheet.autofilter(0, 0, max(count, 1), width - 1)

    def cell(self, sheet, row: int, col: int, value, kind: str = TEXT, cell_format=None, *, quoted=None) -> None:
        """One cell as its column's kind; blanks are not written (Excel has no empty-string cell)."""
        if value is None or value == "":
            return
        if kind in (INT, DECIMAL):
            number = _number(value, kind)
            if number is not None:
                sheet.write_number(row, col, number, cell_format)
                return
        elif kind in (DATE, DATETIME) and isinstance(value, (dt.date, dt.datetime)):
            sheet.write_datetime(row, col, _naive(value), cell_format)
            return
        write_text(sheet, row, col, str(value), quoted=quoted or self.quoted)


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(filename: str, name: str, columns: Sequence[SheetColumn], rows: Iterable[Sequence]):
    """A download of one worksheet written by `SheetWriter` (from a temporary file, so a long list never
    sits in memory as a workbook); returns (response, number of rows)."""
    import tempfile

    import xlsxwriter
    from django.http import FileResponse

    out = tempfile.TemporaryFile(prefix="jingzhun-", suffix=".xlsx")
    try:
        book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
        try:
            count = SheetWriter(book).write(name, columns, rows)
        finally:
            book.close()
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE), count
