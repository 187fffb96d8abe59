"""xlsx workbooks: calamine for the cells, a streaming scan of the XML for what calamine hides."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
from django.utils.translation import gettext as _

from ..template import SHEETS, Kind
from .common import (_BATCH_ROWS, _CODE_COLUMNS, _EXACT_FLOAT, _ID_COLUMNS, M_BOOL, M_CODE_NUMBER, M_DATE,
                     M_ENCRYPTED, M_ERROR_VALUE, M_FORMULA, M_ID_NUMBER, M_MERGED, OLE_SIGNATURE, ZIP_SIGNATURES,
                     _clean_header, _display, _number_text, _reraise_fatal, _short, column_index, log)
from .limits import HostileWorkbook, inspect_workbook
from .xlsx_scan import _sheet_parts, _workbook_part, scan_sheet_xml


class XlsxReading:
    """The xlsx half of the reader (mixed into `ReaderBase`)."""

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
            try:  # before anything is parsed: a zip bomb is refused here, not read
                inspect_workbook(path, zf)
            except HostileWorkbook as exc:
                return add(str(exc))
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

