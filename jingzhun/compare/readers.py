"""Reading other departments' files with the exchange readers (same encodings, hostile-file handling).

The exchange reader knows the template's sheet names. A comparison file is one table: a CSV file of
any name, or an .xlsx workbook whose sheet named after the kind (e.g. 死亡人口) is read, else its first
sheet. The reader's person-sheet checks (ID numbers that Excel turned into numbers, dates, formulas,
merged cells) are exactly what a comparison file needs, so each table is read as the reader's 人员表
and renamed afterwards.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePath

from django.utils.translation import gettext as _

from jingzhun.exchange.issues import ImportIssue
from jingzhun.exchange.readers import SheetData
from jingzhun.exchange.readers import sources as _sources

from .kinds import DatasetKind

_AS = "人员表"  # the template sheet whose reader checks (身份证号 as text) fit every comparison file


class _DatasetReader(_sources._Reader):
    """One file of one kind (see the module docstring)."""

    def __init__(self, kind: DatasetKind, display_names: Mapping, max_rows: int):
        super().__init__(display_names, max_rows, max_columns=60)
        self.kind = kind

    def add_file(self, path: Path, name: str, *, explicit: bool) -> None:
        suffix = PurePath(name).suffix.lower()
        if suffix == ".csv":
            self.read_csv(path, name, _AS)
        elif suffix == ".xlsx":
            self.read_xlsx(path, name)
        else:
            self.issues.add(name, "", None, "", "", _(
                "不支持的文件类型（%(suffix)s）：请上传 Excel 工作簿（.xlsx）或 CSV 文件") % {"suffix": suffix or _("无扩展名")})

    def add_folder(self, folder: Path, name: str) -> None:
        self.issues.add(name, "", None, "", "", _("请直接选择文件，而不是文件夹“%(name)s”") % {"name": name})

    def _read_workbook(self, path, name, zf, names, workbook_part):
        import python_calamine

        try:
            workbook = python_calamine.CalamineWorkbook.from_path(str(path))
            sheet_names = list(workbook.sheet_names)
        except python_calamine.PasswordError:
            return self.issues.add(name, "", None, "", "", _(_sources.M_ENCRYPTED))
        except BaseException as exc:
            _sources._reraise_fatal(exc)
            return self.issues.add(name, "", None, "", "", _(
                "工作簿已损坏，无法读取：请用 Excel 打开修复后“另存为”.xlsx（%(error)s）") % {"error": _sources._short(exc)})
        try:
            if not sheet_names:
                return self.issues.add(name, "", None, "", "", _("工作簿中没有工作表"))
            raw = next((s for s in sheet_names if s.strip() == self.kind.label), sheet_names[0])
            try:
                parts = _sources._sheet_parts(zf, workbook_part, names)
            except Exception:
                parts = {}
            if self.claim(_AS, name):
                try:
                    self._read_worksheet(workbook, zf, parts.get(raw), raw, _AS, name)
                except BaseException as exc:
                    _sources._reraise_fatal(exc)
                    self.issues.add(name, _AS, None, "", "", _(
                        "工作表“%(sheet)s”无法读取，请用 Excel 打开检查后“另存为”.xlsx（%(error)s）")
                        % {"sheet": raw, "error": _sources._short(exc)})
        finally:
            try:
                workbook.close()
            except BaseException as exc:
                _sources._reraise_fatal(exc)


def read_dataset_files(kind: DatasetKind, paths: Sequence[Path], *, display_names: Mapping[Path, str] | None = None,
                       max_rows: int = 1_048_576) -> tuple[list[SheetData], list[ImportIssue]]:
    """Each file as one table named after the kind; every unreadable input an issue, never an exception."""
    tables: list[SheetData] = []
    issues: list[ImportIssue] = []
    if not paths:
        issues.append(ImportIssue("", kind.label, None, "", "", _("没有上传任何文件")))
    for path in paths:
        reader = _DatasetReader(kind, display_names or {}, max_rows)
        reader.add_path(Path(path))
        for issue in reader.issues.finish():
            issues.append(dataclasses.replace(issue, sheet=kind.label if issue.sheet in (_AS, "") else issue.sheet))
        data = reader.sheets.get(_AS)
        if data is not None:
            tables.append(dataclasses.replace(data, sheet=kind.label))
    return tables, issues
