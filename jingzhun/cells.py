"""Cell values safe to hand to a spreadsheet program (CSV/formula injection, OWASP).

A text cell that starts with `= + - @`, a tab or a carriage return is read by Excel or WPS as a formula
when the file is opened (CSV) or when the cell is edited (xlsx): `=HYPERLINK("http://…","点击")` in a
head's name would become a live link in every export. Such text is written with a leading apostrophe
(CSV) or as a quote-prefixed string cell (xlsx: Excel shows the text, never a formula). Numbers stay
numbers: "-500.00" is a number, not a formula, and is written as it is. This module imports nothing of
jingzhun, so every app that writes a spreadsheet may use it.
"""

from __future__ import annotations

import re

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
