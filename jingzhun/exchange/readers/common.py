"""What every reader shares: the sheet type, the capped issue list, messages, and the base reader that
checks headers and assembles a sheet (`assemble`)."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..issues import ImportIssue
from ..template import SHEETS, Kind

log = logging.getLogger("jingzhun.exchange.readers")

SHEET_NAMES: tuple[str, ...] = tuple(SHEETS)  # 村表, 户表, 人员表
MAX_ISSUES_PER_KIND = 1000  # per source, sheet, header and message; the rest are counted in one summary

OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")  # encrypted OOXML, and the old .xls format
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_EXACT_FLOAT = 2**53  # integers up to this survive a float exactly
_BATCH_ROWS = 65_536

_ID_COLUMNS = {sheet: {c.header for c in cols if c.kind == Kind.ID_NUMBER} for sheet, cols in SHEETS.items()}
_CODE_COLUMNS = {sheet: {c.header for c in cols if c.kind == Kind.CODE} for sheet, cols in SHEETS.items()}
_SCIENTIFIC = r"^[0-9](\.[0-9]+)?[eE][+]?[0-9]+$"  # how Excel writes a large number into a CSV

# Messages (Chinese msgids, translated where an issue is made).
M_ID_NUMBER = gettext_noop("身份证号被 Excel 存成了数字（如 1.40826199001e+17），末几位已丢失；请把该列设为文本格式后重新录入")
M_CODE_NUMBER = gettext_noop("编码被 Excel 存成了数字（如 1.40826100233e+15），末几位已丢失；请把该列设为文本格式后重新录入")
M_BOOL = gettext_noop("应填写文字，不应是 TRUE/FALSE")
M_DATE = gettext_noop("单元格是日期格式（Excel 把它存成了日期序号），请设为文本或常规格式后重新填写")
M_FORMULA = gettext_noop("单元格含公式，请复制后“选择性粘贴—数值”再导入")
M_MERGED = gettext_noop("存在合并单元格 %(ref)s，请取消合并并逐格填写")
M_ERROR_VALUE = gettext_noop("单元格是错误值（如 #N/A、#VALUE!），请改正后再导入")
M_ENCRYPTED = gettext_noop("文件已加密（设置了打开密码），请取消密码后再导入")
M_ENCODING = gettext_noop("无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV")


@dataclass
class SheetData:
    sheet: str  # "村表" / "户表" / "人员表"
    source: str  # file name as the user knows it
    table: pa.Table  # one pa.string() column per header, in file order; blanks "" (never null)
    rows: pa.Array  # pa.int32(): the Excel row number of each table row (header = 1)



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




# ---------------------------------------------------------------------------------------------------
# The base reader


class ReaderBase:
    """The reader's state (sheets found, issues) and what CSV and xlsx reading share."""

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

