"""Reading what a person uploads into string tables, every hostile input into an ImportIssue."""

from .sources import MAX_ISSUES_PER_KIND, SheetData, column_index, column_letter, read_sources
from .xlsx_scan import scan_sheet_xml

__all__ = ["MAX_ISSUES_PER_KIND", "SheetData", "column_index", "column_letter", "read_sources", "scan_sheet_xml"]
