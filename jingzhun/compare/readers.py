"""Reading other departments' files with the exchange readers (same encodings, hostile-file handling).

The exchange reader knows the template's sheet names. A comparison file is one table: a CSV file of
any name, or an .xlsx workbook whose sheet named after the kind (e.g. 死亡人口) is read, else its first
sheet. The reader's person-sheet checks (ID numbers that Excel turned into numbers, dates, formulas,
merged cells) are exactly what a comparison file needs, so each table is read as the reader's 人员表
and renamed afterwards (`exchange.readers.one_table`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from django.utils.translation import gettext as _

from jingzhun.exchange.issues import ImportIssue
from jingzhun.exchange.readers import SheetData
from jingzhun.exchange.readers.one_table import OneTableReader, read_one_table_files

from .kinds import DatasetKind


class _DatasetReader(OneTableReader):
    """One file of one kind (see the module docstring)."""

    def __init__(self, kind: DatasetKind, display_names: Mapping, max_rows: int):
        super().__init__(display_names, max_rows, max_columns=60)
        self.kind = kind

    def pick_sheet(self, sheet_names: list[str], name: str) -> str | None:
        if not sheet_names:
            self.issues.add(name, "", None, "", "", _("工作簿中没有工作表"))
            return None
        return next((s for s in sheet_names if s.strip() == self.kind.label), sheet_names[0])


def read_dataset_files(kind: DatasetKind, paths: Sequence[Path], *, display_names: Mapping[Path, str] | None = None,
                       max_rows: int = 1_048_576) -> tuple[list[SheetData], list[ImportIssue]]:
    """Each file as one table named after the kind; every unreadable input an issue, never an exception."""
    return read_one_table_files(lambda: _DatasetReader(kind, display_names or {}, max_rows), kind.label, paths)
