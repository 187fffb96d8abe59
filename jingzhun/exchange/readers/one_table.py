"""Files that each hold one table (a department's dataset, a 帮扶措施 sheet): a CSV of any name, or one sheet
of an .xlsx workbook, read with the checks of one template sheet (`as_sheet`, e.g. 人员表: ID numbers as
text) and returned under the table's own name. Subclasses say which sheet of a workbook is the table.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path, PurePath

from django.utils.translation import gettext as _

from ..issues import ImportIssue
from .common import M_ENCRYPTED, SheetData, _reraise_fatal, _short
from .folders import _Reader
from .xlsx_scan import _sheet_parts


class OneTableReader(_Reader):
    """One file, one table, read as the template sheet `as_sheet`. `pick_sheet` chooses the workbook's sheet
    (or reports why none fits and returns None)."""

    as_sheet = "人员表"

    def pick_sheet(self, sheet_names: list[str], name: str) -> str | None:
        raise NotImplementedError

    def add_file(self, path: Path, name: str, *, explicit: bool) -> None:
        suffix = PurePath(name).suffix.lower()
        if suffix == ".csv":
            self.read_csv(path, name, self.as_sheet)
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
            return self.issues.add(name, "", None, "", "", _(M_ENCRYPTED))
        except BaseException as exc:
            _reraise_fatal(exc)
            return self.issues.add(name, "", None, "", "", _(
                "工作簿已损坏，无法读取：请用 Excel 打开修复后“另存为”.xlsx（%(error)s）") % {"error": _short(exc)})
        try:
            raw = self.pick_sheet(sheet_names, name)
            if raw is None:
                return None
            try:
                parts = _sheet_parts(zf, workbook_part, names)
            except Exception:
                parts = {}
            if self.claim(self.as_sheet, name):
                try:
                    self._read_worksheet(workbook, zf, parts.get(raw), raw, self.as_sheet, name)
                except BaseException as exc:
                    _reraise_fatal(exc)
                    self.issues.add(name, self.as_sheet, None, "", "", _(
                        "工作表“%(sheet)s”无法读取，请用 Excel 打开检查后“另存为”.xlsx（%(error)s）")
                        % {"sheet": raw, "error": _short(exc)})
        finally:
            try:
                workbook.close()
            except BaseException as exc:
                _reraise_fatal(exc)


def read_one_table_files(make_reader: Callable[[], OneTableReader], label: str, paths: Sequence[Path]
                         ) -> tuple[list[SheetData], list[ImportIssue]]:
    """Each file read by a fresh reader as one table named `label`; every unreadable input an issue, never an
    exception."""
    tables: list[SheetData] = []
    issues: list[ImportIssue] = []
    if not paths:
        issues.append(ImportIssue("", label, None, "", "", _("没有上传任何文件")))
    for path in paths:
        reader = make_reader()
        reader.add_path(Path(path))
        for issue in reader.issues.finish():
            issues.append(dataclasses.replace(issue, sheet=label if issue.sheet in (reader.as_sheet, "") else issue.sheet))
        data = reader.sheets.get(reader.as_sheet)
        if data is not None:
            tables.append(dataclasses.replace(data, sheet=label))
    return tables, issues

