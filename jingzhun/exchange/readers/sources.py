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
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import itertools
import logging
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.utils.translation import gettext as _

from ..issues import ImportIssue
from ..template import SHEETS, Kind
from .xlsx_scan import _sheet_parts, _workbook_part, scan_sheet_xml

log = logging.getLogger(__name__)

SHEET_NAMES: tuple[str, ...] = tuple(SHEETS)  # 村表, 户表, 人员表
MAX_ISSUES_PER_KIND = 1000  # per source, sheet, header and message; the rest are counted in one summary

OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")  # encrypted OOXML, and the old .xls format
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_EXACT_FLOAT = 2**53  # integers up to this survive a float exactly
_BATCH_ROWS = 65_536
_CHUNK = 4 << 20
_CSV_BLOCK = 8 << 20

_ID_COLUMNS = {sheet: {c.header for c in cols if c.kind == Kind.ID_NUMBER} for sheet, cols in SHEETS.items()}
_CODE_COLUMNS = {sheet: {c.header for c in cols if c.kind == Kind.CODE} for sheet, cols in SHEETS.items()}
_SCIENTIFIC = r"^[0-9](\.[0-9]+)?[eE][+]?[0-9]+$"  # how Excel writes a large number into a CSV

# Messages (Chinese source strings; gettext may translate them).
M_ID_NUMBER = "身份证号被 Excel 存成了数字（如 1.40826199001e+17），末几位已丢失；请把该列设为文本格式后重新录入"
M_CODE_NUMBER = "编码被 Excel 存成了数字（如 1.40826100233e+15），末几位已丢失；请把该列设为文本格式后重新录入"
M_BOOL = "应填写文字，不应是 TRUE/FALSE"
M_DATE = "单元格是日期格式（Excel 把它存成了日期序号），请设为文本或常规格式后重新填写"
M_FORMULA = "单元格含公式，请复制后“选择性粘贴—数值”再导入"
M_MERGED = "存在合并单元格 %(ref)s，请取消合并并逐格填写"
M_ERROR_VALUE = "单元格是错误值（如 #N/A、#VALUE!），请改正后再导入"
M_ENCRYPTED = "文件已加密（设置了打开密码），请取消密码后再导入"
M_ENCODING = "无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV"


@dataclass
class SheetData:
    sheet: str  # "村表" / "户表" / "人员表"
    source: str  # file name as the user knows it
    table: pa.Table  # one pa.string() column per header, in file order; blanks "" (never null)
    rows: pa.Array  # pa.int32(): the Excel row number of each table row (header = 1)


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


# ---------------------------------------------------------------------------------------------------
# Issues


class _Issues:
    """The issue list, with at most MAX_ISSUES_PER_KIND issues of one kind (the rest are summarised)."""

    def __init__(self):
        self.items: list[ImportIssue] = []
        self._counts: dict[tuple, int] = {}

    def add(self, source: str, sheet: str, row: int | None, header: str, value: str, message: str,
            *, capped: bool = False) -> None:
        if capped:
            key = (source, sheet, header, message)
            n = self._counts[key] = self._counts.get(key, 0) + 1
            if n > MAX_ISSUES_PER_KIND:
                return
        self.items.append(ImportIssue(source, sheet, row, header, value, message))

    def count_more(self, source: str, sheet: str, header: str, message: str, n: int) -> None:
        """Count `n` more capped issues of a kind without listing them."""
        key = (source, sheet, header, message)
        self._counts[key] = self._counts.get(key, 0) + n

    def finish(self) -> list[ImportIssue]:
        for (source, sheet, header, message), n in self._counts.items():
            if n > MAX_ISSUES_PER_KIND:
                self.items.append(ImportIssue(source, sheet, None, header, "", _(
                    "同类问题共 %(count)d 处，上面只列出了前 %(shown)d 处：%(message)s")
                    % {"count": n, "shown": MAX_ISSUES_PER_KIND, "message": message}))
        return self.items


# ---------------------------------------------------------------------------------------------------
# Small helpers


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """A → 0, AA → 26."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _clean_header(text: str) -> str:
    return text.strip().strip("\ufeff").strip()


def _number_text(v: float) -> str:
    if v.is_integer() and abs(v) < _EXACT_FLOAT:
        return str(int(v))
    return repr(v)


def _display(v) -> str:
    """A cell value as text, close to what Excel shows."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return _number_text(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        seconds = int(v.total_seconds())
        return "%d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60)
    return "" if v is None else str(v)


def _kind_of(name: str) -> str | None:
    """'xlsx', 'csv' (named after a sheet), 'csv-unnamed', or None (another kind of file)."""
    pure = PurePath(name)
    suffix = pure.suffix.lower()
    if suffix == ".xlsx":
        return "xlsx"
    if suffix == ".csv":
        return "csv" if pure.stem.strip() in SHEETS else "csv-unnamed"
    return None


def _ole_kind(path: Path) -> str:
    """'xls' for an old-format workbook, 'encrypted' for everything else in an OLE container."""
    with open(path, "rb") as f:
        data = f.read(8 << 20)
        if len(data) == 8 << 20:
            f.seek(-min(8 << 20, path.stat().st_size - len(data)), 2)
            data += f.read()
    if "EncryptedPackage".encode("utf-16-le") in data:
        return "encrypted"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") + b"\x00\x00" in data:
        return "xls"
    return "encrypted"


# ---------------------------------------------------------------------------------------------------
# The reader


class _Reader:
    def __init__(self, display_names: Mapping, max_rows: int, max_columns: int):
        self.display_names = {Path(k): v for k, v in display_names.items()}
        self.max_rows = max_rows
        self.max_columns = max_columns
        self.sheets: dict[str, SheetData] = {}
        self.claimed: dict[str, str] = {}  # sheet → the source that gave it first
        self.issues = _Issues()

    def name_of(self, path: Path) -> str:
        return self.display_names.get(path) or path.name or str(path)

    # -- paths ----------------------------------------------------------------------------------------

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

    def claim(self, sheet: str, source: str) -> bool:
        """Whether `source` may give `sheet` (the first source of a sheet wins; the others are issues)."""
        if sheet in self.claimed:
            first = self.claimed[sheet]
            self.issues.add(source, sheet, None, "", "", _(
                "“%(sheet)s”出现了不止一次（%(first)s 和 %(second)s），请只保留一份后再导入")
                % {"sheet": sheet, "first": first, "second": source})
            return False
        self.claimed[sheet] = source
        return True

    # -- CSV ------------------------------------------------------------------------------------------

    def read_csv(self, path: Path, name: str, sheet: str) -> None:
        add = functools.partial(self.issues.add, name, sheet, None, "", "")
        if not self.claim(sheet, name):
            return
        if path.stat().st_size == 0:
            return add(_("文件是空的（0 字节），请检查上传的文件"))
        with open(path, "rb") as f:
            head = f.read(8)
        if head.startswith(ZIP_SIGNATURES):
            return add(_("这是一个 Excel 工作簿，扩展名却是 .csv：请把扩展名改回 .xlsx，或在 Excel 中“另存为”CSV"))
        if head.startswith(OLE_SIGNATURE):
            return add(_("这是一个 Excel 文件（.xls 或加密工作簿），扩展名却是 .csv：请在 Excel 中“另存为”CSV"))
        if head.startswith(UTF16_BOMS):
            return add(_("文件是 UTF-16 编码（Excel 的“Unicode 文本”），请另存为“CSV UTF-8（逗号分隔）”"))
        encoding, quotes = _detect_encoding(path)
        if encoding is None:
            return add(_(M_ENCODING))
        headers = None
        if quotes % 2 == 0:  # an odd number of quotes: one is unmatched, and pyarrow would not mind
            try:
                headers, columns, rows = self._csv_fast(path, encoding)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeError, _TooWide):
                pass
        if headers is None:  # ragged or malformed somewhere: find out where, in Python
            result = self._csv_slow(path, encoding, name, sheet)
            if result is None:
                return
            headers, columns, rows = result
        if len(headers) > self.max_columns:
            return add(self._too_wide_message(len(headers)))
        start = len(self.issues.items)
        self._csv_scientific(headers, columns, rows, name, sheet)
        self.assemble(sheet, name, headers, columns, rows, start=start)

    def _csv_fast(self, path: Path, encoding: str):
        read = pacsv.ReadOptions(autogenerate_column_names=True, block_size=_CSV_BLOCK,
                                 encoding="utf8" if encoding == "utf-8" else encoding)
        parse = pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False)
        types = {f"f{i}": pa.string() for i in range(self.max_columns + 1)}
        convert = pacsv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                       quoted_strings_can_be_null=False)
        table = pacsv.read_csv(path, read, parse, convert)
        if table.num_columns > self.max_columns:
            raise _TooWide
        if table.num_rows == 0:
            return None, None, None
        headers = [table.column(i)[0].as_py() for i in range(table.num_columns)]
        data = table.slice(1)
        rows = np.arange(2, data.num_rows + 2, dtype=np.int32)
        return headers, list(data.columns), rows

    def _csv_slow(self, path: Path, encoding: str, name: str, sheet: str):
        add = functools.partial(self.issues.add, name, sheet)
        text_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
        with open(path, encoding=text_encoding, newline="") as f:
            reader = csv.reader(f, strict=True)
            number = 0  # records read, the header included
            try:
                header = next(reader, None)
                number = 1
                if header is None:
                    add(None, "", "", _("文件中没有内容（连表头也没有），请检查上传的文件"))
                    return None
                width = len(header)
                if width > self.max_columns:
                    add(None, "", "", self._too_wide_message(width))
                    return None
                cells: list[list[str]] = [[] for _ in range(width)]
                rows: list[int] = []
                ragged = 0
                for record in reader:
                    number += 1
                    if len(record) != width:
                        if not any(v.strip() for v in record):
                            continue  # a blank line, or a blank row with too few commas
                        if len(record) > width and not any(v.strip() for v in record[width:]):
                            record = record[:width]  # trailing empty fields are harmless
                        else:
                            ragged += 1
                            add(number, "", ",".join(record)[:60], _(
                                "这一行有 %(got)d 列，表头有 %(want)d 列：请检查是否多了或少了逗号、引号是否成对")
                                % {"got": len(record), "want": width}, capped=True)
                            continue
                    for column, value in zip(cells, record):
                        column.append(value)
                    rows.append(number)
            except csv.Error as exc:
                if "end of data" in str(exc):
                    add(number + 1, "", "", _("这一行有未配对的引号（从这里开始的单元格一直延续到文件末尾），请检查引号"))
                else:
                    add(number + 1, "", "", _("CSV 格式有误（%(error)s），常见原因是单元格里的引号没有成对写成 \"\"；"
                                              "请用 Excel 打开后重新另存为 CSV") % {"error": exc})
                return None
            except UnicodeError:
                add(None, "", "", _(M_ENCODING))
                return None
        if ragged:
            return None
        columns = [pa.array(column, pa.string()) for column in cells]
        return header, columns, np.array(rows, dtype=np.int32)

    def _csv_scientific(self, headers, columns, rows, name, sheet) -> None:
        """ID numbers and codes that went through an Excel number cell come out as 1.40826E+17."""
        for header, column in zip(headers, columns):
            header = _clean_header(header or "")
            if header in _ID_COLUMNS.get(sheet, ()) or header in _CODE_COLUMNS.get(sheet, ()):
                message = _(M_ID_NUMBER) if header in _ID_COLUMNS[sheet] else _(M_CODE_NUMBER)
                trimmed = pc.utf8_trim_whitespace(column)
                hits = pc.match_substring_regex(trimmed, _SCIENTIFIC)
                if pc.any(hits).as_py():
                    where = np.flatnonzero(_to_numpy(hits))
                    shown = where[:MAX_ISSUES_PER_KIND]
                    for i, value in zip(shown, pc.take(trimmed, pa.array(shown)).to_pylist()):
                        self.issues.add(name, sheet, int(rows[i]), header, value, message, capped=True)
                    if len(where) > len(shown):
                        self.issues.count_more(name, sheet, header, message, len(where) - len(shown))

    # -- xlsx -----------------------------------------------------------------------------------------

    def read_xlsx(self, path: Path, name: str) -> None:
        add = functools.partial(self.issues.add, name, "", None, "", "")
        size = path.stat().st_size
        if size == 0:
            return add(_("文件是空的（0 字节），请检查上传的文件"))
        with open(path, "rb") as f:
            head = f.read(8)
        if head.startswith(OLE_SIGNATURE):
            if _ole_kind(path) == "xls":
                return add(_("这是旧版 Excel 文件（.xls），只是扩展名是 .xlsx：请在 Excel 中“另存为”Excel 工作簿（.xlsx）"))
            return add(_(M_ENCRYPTED))
        if not head.startswith(ZIP_SIGNATURES):
            return add(_("文件不是有效的 Excel 工作簿（.xlsx），可能已损坏或扩展名不对：请用 Excel 打开后“另存为”.xlsx"))
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
            return add(_("工作簿已损坏（压缩包结构不完整），无法读取：请用 Excel 打开修复后“另存为”.xlsx"))
        with zf:
            try:
                names = set(zf.namelist())
                workbook_part = _workbook_part(zf, names)
            except Exception:
                return add(_("工作簿已损坏，无法读取：请用 Excel 打开修复后“另存为”.xlsx"))
            if workbook_part is None:
                if "mimetype" in names or "content.xml" in names:
                    return add(_("这是 OpenDocument 表格（如 WPS/LibreOffice 的 .ods），不是 .xlsx：请“另存为”Excel 工作簿（.xlsx）"))
                if any(n.startswith("word/") for n in names):
                    return add(_("这是 Word 文档，不是 Excel 工作簿：请上传 .xlsx 工作簿"))
                return add(_("这个压缩文件不是 Excel 工作簿（里面没有工作表），请上传 .xlsx 工作簿"))
            self._read_workbook(path, name, zf, names, workbook_part)

    def _read_workbook(self, path: Path, name: str, zf: zipfile.ZipFile, names: set[str], workbook_part: str):
        import python_calamine

        add = functools.partial(self.issues.add, name, "", None, "", "")
        try:
            workbook = python_calamine.CalamineWorkbook.from_path(str(path))
            sheet_names = list(workbook.sheet_names)
        except python_calamine.PasswordError:
            return add(_(M_ENCRYPTED))
        except BaseException as exc:  # calamine's Rust panics arrive as BaseException
            _reraise_fatal(exc)
            return add(_("工作簿已损坏，无法读取：请用 Excel 打开修复后“另存为”.xlsx（%(error)s）")
                       % {"error": _short(exc)})
        try:
            wanted = [(raw, raw.strip()) for raw in sheet_names if raw.strip() in SHEETS]
            if not wanted:
                return add(_("工作簿中没有名为 村表、户表 或 人员表 的工作表（现有：%(names)s），请按模板给工作表命名")
                           % {"names": "、".join(sheet_names) or _("无")})
            try:
                parts = _sheet_parts(zf, workbook_part, names)
            except Exception:
                parts = {}
            for raw, sheet in wanted:
                if self.claim(sheet, name):
                    try:
                        self._read_worksheet(workbook, zf, parts.get(raw), raw, sheet, name)
                    except BaseException as exc:
                        _reraise_fatal(exc)
                        log.exception("reading sheet %s of %s", raw, path)
                        self.issues.add(name, sheet, None, "", "", _(
                            "工作表“%(sheet)s”无法读取，请用 Excel 打开检查后“另存为”.xlsx（%(error)s）")
                            % {"sheet": sheet, "error": _short(exc)})
        finally:
            try:
                workbook.close()
            except BaseException as exc:
                _reraise_fatal(exc)

    def _read_worksheet(self, workbook, zf, part: str | None, raw: str, sheet: str, name: str) -> None:
        add = functools.partial(self.issues.add, name, sheet)
        try:
            ws = workbook.get_sheet_by_name(raw)
            start, end = ws.start, ws.end
            width = end[1] + 1 if end is not None else 0  # (ws.total_width is the last index, not a count)
        except BaseException as exc:
            _reraise_fatal(exc)
            return add(None, "", "", _("工作表“%(sheet)s”已损坏，无法读取：请用 Excel 打开修复后“另存为”.xlsx（%(error)s）")
                       % {"sheet": sheet, "error": _short(exc)})
        if start is None:
            return add(None, "", "", _("工作表是空的：第 1 行应是表头，下面是数据"))
        if width > self.max_columns:
            return add(None, "", "", self._too_wide_message(width))
        if start[0] != 0:
            return add(1, "", "", _("第 1 行（表头）是空的：表头必须写在第 1 行，数据从第 2 行开始"))

        rows_iter = ws.iter_rows()
        first = next(rows_iter, None)
        if not first:
            return add(None, "", "", _("工作表是空的：第 1 行应是表头，下面是数据"))
        offset = width - len(first)  # iter_rows starts at the first used column
        headers = [""] * offset + [_clean_header(_display(v)) for v in first]
        id_columns, code_columns = _ID_COLUMNS[sheet], _CODE_COLUMNS[sheet]
        chunks: list[list[pa.Array]] = [[] for _ in range(len(first))]
        start_issues = len(self.issues.items)
        excel_row = 2
        while batch := list(itertools.islice(rows_iter, _BATCH_ROWS)):
            for j, column in enumerate(zip(*batch)):
                header = headers[offset + j]
                try:  # all strings: arrow takes them without a Python loop
                    array = pa.array(column, pa.string())
                    if not array.null_count:
                        chunks[j].append(array)
                        continue
                except (pa.ArrowTypeError, pa.ArrowInvalid):
                    pass
                kind = Kind.ID_NUMBER if header in id_columns else Kind.CODE if header in code_columns else None
                chunks[j].append(pa.array(self._convert(column, kind, excel_row, header, sheet, name), pa.string()))
            excel_row += len(batch)
        columns = [pa.chunked_array(c, pa.string()) for c in chunks]
        rows = np.arange(2, excel_row, dtype=np.int32)
        if part is not None:
            self._scan_xml(zf, part, headers, sheet, name)
        # the columns left of `offset` are empty, header included: nothing to say about them
        self.assemble(sheet, name, headers[offset:], columns, rows, start=start_issues, first_column=offset)

    def _convert(self, column, kind: Kind | None, first_row: int, header: str, sheet: str, name: str) -> list[str]:
        """Cell values of one column (not all strings) as text, with an issue for each untrustworthy one."""
        out = []
        append = out.append
        add = self.issues.add
        for i, v in enumerate(column):
            t = type(v)
            if t is str:
                append(v)
            elif t is float or t is int:
                text = _number_text(v) if t is float else str(v)
                if kind is Kind.ID_NUMBER:
                    add(name, sheet, first_row + i, header, text, _(M_ID_NUMBER), capped=True)
                elif kind is Kind.CODE and abs(v) >= _EXACT_FLOAT:
                    add(name, sheet, first_row + i, header, text, _(M_CODE_NUMBER), capped=True)
                append(text)
            elif t is bool:
                text = _display(v)
                add(name, sheet, first_row + i, header, text, _(M_BOOL), capped=True)
                append(text)
            elif isinstance(v, (dt.date, dt.time, dt.timedelta)):
                text = _display(v)
                add(name, sheet, first_row + i, header, text, _(M_DATE), capped=True)
                append(text)
            else:
                append(_display(v))
        return out

    def _scan_xml(self, zf: zipfile.ZipFile, part: str, headers: list[str], sheet: str, name: str) -> None:
        def header_of(letters: str) -> str:
            index = column_index(letters)
            return headers[index] if 0 <= index < len(headers) else ""

        add = functools.partial(self.issues.add, name, sheet)
        try:
            with zf.open(part) as stream:
                for hit in scan_sheet_xml(stream):
                    if hit[0] == "formula":
                        _kind, letters, row, text = hit
                        add(row, header_of(letters), ("=" + text) if text else f"{letters}{row}", _(M_FORMULA),
                            capped=True)
                    elif hit[0] == "error":
                        _kind, letters, row, value = hit
                        add(row, header_of(letters), value, _(M_ERROR_VALUE), capped=True)
                    else:
                        ref = hit[1]
                        m = re.match(r"([A-Z]{1,3})([0-9]+)", ref)
                        row, header = (int(m.group(2)), header_of(m.group(1))) if m else (None, "")
                        add(row, header, ref, _(M_MERGED) % {"ref": ref}, capped=True)
        except Exception as exc:
            add(None, "", "", _("工作表“%(sheet)s”已损坏，无法完整读取：请用 Excel 打开修复后“另存为”.xlsx（%(error)s）")
                % {"sheet": sheet, "error": _short(exc)})

    # -- both -----------------------------------------------------------------------------------------

    def _too_wide_message(self, width: int) -> str:
        return _("表格有 %(width)d 列，超过模板允许的 %(limit)d 列，请删除多余的列") % {
            "width": width, "limit": self.max_columns}

    def assemble(self, sheet: str, name: str, headers: list[str], columns: list, rows: np.ndarray,
                 *, start: int, first_column: int = 0) -> None:
        """Headers checked, cells trimmed, blank rows dropped; the sheet's issues from `start` sorted."""
        add = functools.partial(self.issues.add, name, sheet)
        headers = [_clean_header(h or "") for h in headers]
        try:
            if not any(headers):
                add(1, "", "", _("第 1 行（表头）是空的：表头必须写在第 1 行，数据从第 2 行开始"))
                return
            trimmed = [pc.utf8_trim_whitespace(c) for c in columns]
            filled = [pc.not_equal(c, "") for c in trimmed]
            keep = functools.reduce(pc.or_, filled) if filled else pa.array([], pa.bool_())
            names, kept, seen = [], [], {}
            for j, (header, column, has) in enumerate(zip(headers, trimmed, filled)):
                letter = column_letter(first_column + j)
                if not header:
                    if len(has) and pc.any(has).as_py():
                        add(1, "", letter, _("%(column)s 列有数据但没有表头，请填写表头或删除该列") % {"column": letter})
                    continue
                if header in seen:
                    add(1, header, letter, _("表头“%(header)s”重复出现（%(first)s 列和 %(second)s 列），请删除或改名其中一列")
                        % {"header": header, "first": seen[header], "second": letter})
                    continue
                seen[header] = letter
                names.append(header)
                kept.append(column)
            count = int(pc.sum(keep).as_py() or 0) if len(keep) else 0
            if count > self.max_rows:
                add(None, "", "", _("表格有 %(count)d 行数据，超过上限 %(limit)d 行，请分成几个文件导入")
                    % {"count": count, "limit": self.max_rows})
                return
            table = pa.table(kept, names=names) if names else pa.table({})
            row_numbers = pa.array(rows, pa.int32())
            if count != len(rows):
                if isinstance(keep, pa.ChunkedArray):
                    keep = keep.combine_chunks()
                table = table.filter(keep)
                row_numbers = row_numbers.filter(keep)
            self.sheets[sheet] = SheetData(sheet=sheet, source=name, table=table, rows=row_numbers)
        finally:
            order = {h: j for j, h in enumerate(headers)}
            self.issues.items[start:] = sorted(
                self.issues.items[start:], key=lambda i: (i.row or 0, order.get(i.header, -1)))


class _TooWide(Exception):
    pass


def _to_numpy(array) -> np.ndarray:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.to_numpy(zero_copy_only=False)


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"


def _reraise_fatal(exc: BaseException) -> None:
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise exc


def _detect_encoding(path: Path) -> tuple[str | None, int]:
    """'utf-8' (with or without BOM) or 'gb18030', checked strictly over the whole file (None if neither),
    and the number of double quotes in the file (the byte 0x22 is never part of a multi-byte character)."""
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        quotes = 0
        try:
            with open(path, "rb") as f:
                while chunk := f.read(_CHUNK):
                    decoder.decode(chunk)
                    quotes += chunk.count(b'"')
            decoder.decode(b"", final=True)
            return encoding, quotes
        except UnicodeDecodeError:
            continue
    return None, 0


# ---------------------------------------------------------------------------------------------------
# The workbook's parts
