"""Paths, folders and the reader that dispatches each file to its kind; `read_sources` is the entry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path, PurePath

from django.utils.translation import gettext as _

from ..issues import ImportIssue
from .common import ReaderBase, SheetData, _kind_of, _short, log
from .csv_files import CsvReading
from .xlsx_files import XlsxReading


def read_sources(paths: Sequence[Path], *, display_names: Mapping[Path, str] | None = None,
                 max_rows: int = 1_048_576, max_columns: int = 100
                 ) -> tuple[dict[str, SheetData], list[ImportIssue]]:
    """Read workbooks, sheet-named CSV files and folders of them; never raises for a bad input.

    Returns the sheets found (keyed by sheet name) and the issues; a sheet that could not be read, or
    that is too wide or too long, is left out of the dict and has an issue instead.
    """
    reader = _Reader(display_names or {}, max_rows, max_columns)
    if not paths:
        reader.issues.add("", "", None, "", "", _("没有上传任何文件"))
    for path in paths:
        reader.add_path(Path(path))
    return reader.sheets, reader.issues.finish()


class _Reader(CsvReading, XlsxReading, ReaderBase):
    """Reads workbooks, sheet-named CSV files and folders of them into `sheets` and `issues`."""

    def add_path(self, path: Path) -> None:
        name = self.name_of(path)
        try:
            if path.is_dir():
                self.add_folder(path, name)
            elif not path.exists():
                self.issues.add(name, "", None, "", "", _("找不到文件或文件夹“%(name)s”，请检查路径") % {"name": name})
            elif not path.is_file():
                self.issues.add(name, "", None, "", "", _("“%(name)s”不是普通文件，无法导入") % {"name": name})
            else:
                self.add_file(path, name, explicit=True)
        except Exception as exc:  # a bug or an OS error must not escape as a traceback
            log.exception("reading %s", path)
            self.issues.add(name, "", None, "", "", _("读取文件时出错，请检查文件后重试（%(error)s）")
                            % {"error": _short(exc)})

    def add_folder(self, folder: Path, name: str) -> None:
        found = False
        for child in sorted(folder.iterdir()):
            if child.is_symlink():  # a link may point anywhere (/etc/passwd as 户表.csv): not followed
                self.issues.add(self.display_names.get(child) or child.name, "", None, "", "", _(
                    "“%(name)s”是符号链接，出于安全考虑不读取；请把文件本身复制到文件夹中") % {"name": child.name})
                continue
            if child.name.startswith(("~$", ".")) or not child.is_file():
                continue  # Excel's lock files, hidden files, sub-folders
            if _kind_of(child.name) in ("xlsx", "csv"):
                found = True
                child_name = self.display_names.get(child) or child.name
                try:
                    self.add_file(child, child_name, explicit=False)
                except Exception as exc:
                    log.exception("reading %s", child)
                    self.issues.add(child_name, "", None, "", "", _("读取文件时出错，请检查文件后重试（%(error)s）")
                                    % {"error": _short(exc)})
        if not found:
            self.issues.add(name, "", None, "", "", _(
                "文件夹“%(name)s”中没有可导入的文件：需要 .xlsx 工作簿，或名为 村表.csv、户表.csv、人员表.csv 的 CSV 文件")
                % {"name": name})

    def add_file(self, path: Path, name: str, *, explicit: bool) -> None:
        kind = _kind_of(name)
        if kind == "xlsx":
            self.read_xlsx(path, name)
        elif kind == "csv":
            self.read_csv(path, name, PurePath(name).stem.strip())
        elif kind == "csv-unnamed":
            self.issues.add(name, "", None, "", "", _(
                "CSV 文件应以表名命名：村表.csv、户表.csv 或 人员表.csv（“%(name)s”不是其中之一），请改名后再导入")
                % {"name": name})
        else:
            suffix = PurePath(name).suffix.lower()
            if suffix == ".xls":
                message = _("这是旧版 Excel 文件（.xls），请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再导入")
            elif suffix in (".xlsm", ".xlsb", ".et", ".ods", ".numbers"):
                message = _("不支持的表格格式（%(suffix)s），请在表格软件中“另存为”Excel 工作簿（.xlsx）后再导入") % {
                    "suffix": suffix}
            else:
                message = _("不支持的文件类型（%(suffix)s）：请上传 Excel 工作簿（.xlsx），或名为 村表.csv、户表.csv、"
                            "人员表.csv 的 CSV 文件") % {"suffix": suffix or _("无扩展名")}
            self.issues.add(name, "", None, "", "", message)

