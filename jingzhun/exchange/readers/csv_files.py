"""CSV files named after a sheet: encodings, ragged rows, numbers that went through Excel."""

from __future__ import annotations

import codecs
import csv
import functools
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.conf import settings
from django.utils.translation import gettext as _

from jingzhun.cells import unquote_column

from .common import (_CODE_COLUMNS, _ID_COLUMNS, _SCIENTIFIC, M_CODE_NUMBER, M_ENCODING, M_ID_NUMBER,
                     MAX_ISSUES_PER_KIND, OLE_SIGNATURE, UTF16_BOMS, ZIP_SIGNATURES, _clean_header, _to_numpy,
                     _TooWide)

_CHUNK = 4 << 20
_CSV_BLOCK = 8 << 20


class CsvReading:
    """The CSV half of the reader (mixed into `ReaderBase`)."""

    def read_csv(self, path: Path, name: str, sheet: str) -> None:
        add = functools.partial(self.issues.add, name, sheet, None, "", "")
        if not self.claim(sheet, name):
            return
        if path.stat().st_size == 0:
            return add(_("文件是空的（0 字节），请检查上传的文件"))
        head = head_block(path)
        if head.startswith(ZIP_SIGNATURES):
            return add(_("这是一个 Excel 工作簿，扩展名却是 .csv：请把扩展名改回 .xlsx，或在 Excel 中“另存为”CSV"))
        if head.startswith(OLE_SIGNATURE):
            return add(_("这是一个 Excel 文件（.xls 或加密工作簿），扩展名却是 .csv：请在 Excel 中“另存为”CSV"))
        if head.startswith(UTF16_BOMS):
            return add(_("文件是 UTF-16 编码（Excel 的“Unicode 文本”），请另存为“CSV UTF-8（逗号分隔）”"))
        if b"\x00" in head:
            return add(_("文件不是文本格式的 CSV（可能是图片、压缩包等其他文件改了扩展名），请上传用 Excel“另存为”的 CSV 文件"))
        longest, line = _longest_line(path)
        if longest > settings.JINGZHUN_IMPORT_MAX_CSV_LINE_BYTES:
            return self.issues.add(name, sheet, line, "", "", _(
                "第 %(line)d 行长达 %(size)s 字节，超过上限 %(limit)s 字节，不是正常的表格行；请检查文件（是否缺少换行、"
                "引号未配对），或拆分后再导入") % {"line": line, "size": f"{longest:,}",
                                           "limit": f"{settings.JINGZHUN_IMPORT_MAX_CSV_LINE_BYTES:,}"})
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
        columns = [unquote_column(c) for c in columns]  # what our own exports neutralised (jingzhun.cells)
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
        # a field may be as long as a line may be (the default, 128 KB, would end in an English error)
        csv.field_size_limit(max(csv.field_size_limit(), settings.JINGZHUN_IMPORT_MAX_CSV_LINE_BYTES))
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
                    if len(rows) >= self.max_rows:  # bounded memory: a file this long is refused anyway
                        add(None, "", "", _("表格超过 %(limit)d 行数据，请分成几个文件导入") % {"limit": self.max_rows})
                        return None
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



def head_block(path: Path, size: int = 8192) -> bytes:
    with open(path, "rb") as f:
        return f.read(size)


def _longest_line(path: Path) -> tuple[int, int]:
    """The length in bytes of the file's longest line and its line number, read in chunks."""
    longest, line, last, position, lines = 0, 1, -1, 0, 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            breaks = np.flatnonzero(np.frombuffer(chunk, np.uint8) == 10) + position
            if len(breaks):
                gaps = np.diff(breaks, prepend=last)
                i = int(np.argmax(gaps))
                if gaps[i] > longest:
                    longest, line = int(gaps[i]), lines + i + 1
                last = int(breaks[-1])
                lines += len(breaks)
            position += len(chunk)
    if position - 1 - last > longest:
        longest, line = position - 1 - last, lines + 1
    return longest, line
