"""Reading what a person uploads (an .xlsx workbook, CSV files named after the sheets, or a folder of
them) into string tables, and turning every hostile input into `ImportIssue`s instead of exceptions.

    sheets, issues = read_sources([Path("registry.xlsx")])
    sheets["户表"].table      # one pa.string() column per header in the file, blanks ""
    sheets["户表"].rows       # the Excel row number of each table row

The reader only says what the file holds: whether the headers are the template's and whether the cells
fit their columns is the validator's job. What it does report is everything that makes the file
unreadable or its cells untrustworthy as text: encodings, broken or encrypted workbooks, formulas,
merged cells, numbers that Excel has rounded (ID numbers stored as numbers), dates, TRUE/FALSE, headers
that are blank or repeated, and tables too wide or too long.

Performance: CSV is parsed by pyarrow (every column as a string, no type inference, so leading zeros
survive); xlsx by python-calamine, converted column-wise in batches (a column holding only strings goes
to arrow without touching its cells in Python); formulas, error values and merged cells are found by
streaming the sheet's XML out of the zip in chunks.

The reader is split by responsibility: `common` (sheets, issues, messages, the base reader), `csv_files`,
`xlsx_files` (and `xlsx_scan`, `limits`), `folders` (paths and `read_sources`). This module re-exports
their names, private ones included, for the code that subclasses the reader (jingzhun.compare.readers).
"""

from .common import (_BATCH_ROWS, _CODE_COLUMNS, _EXACT_FLOAT, _ID_COLUMNS, _SCIENTIFIC,  # noqa: F401
                     M_BOOL, M_CODE_NUMBER, M_DATE, M_ENCODING, M_ENCRYPTED, M_ERROR_VALUE, M_FORMULA,
                     M_ID_NUMBER, M_MERGED, MAX_ISSUES_PER_KIND, OLE_SIGNATURE, SHEET_NAMES, UTF16_BOMS,
                     ZIP_SIGNATURES, ReaderBase, SheetData, _clean_header, _display, _Issues, _kind_of,
                     _number_text, _reraise_fatal, _short, _to_numpy, _TooWide, column_index, column_letter)
from .csv_files import CsvReading, _detect_encoding  # noqa: F401
from .folders import _Reader, read_sources  # noqa: F401
from .xlsx_files import XlsxReading, _ole_kind  # noqa: F401
from .xlsx_scan import _sheet_parts, _workbook_part, scan_sheet_xml  # noqa: F401
