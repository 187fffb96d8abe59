"""Limits checked on a workbook before any of it is parsed: a hostile .xlsx is refused, not read.

A 2 MB workbook can hold gigabytes of XML (a zip bomb) or a few huge shared strings that every cell
copies; calamine would then allocate until the process dies. So before calamine opens a workbook, its
zip is inspected: member names, compression methods, the declared sizes and ratios (the central
directory), then every XML part is inflated here in bounded chunks (the declared sizes may lie) to
measure its true size, count the cells of each sheet, read the sheets' `<dimension>`, and measure the
shared strings: how long the longest is and how much text the cells that reference them add up to.
Every limit comes from a setting (`Limits.from_settings`); a breach raises `HostileWorkbook` with a
Chinese message that says what to do.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from array import array
from dataclasses import dataclass
from pathlib import PurePosixPath

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _

from .common import column_index

MB = 1 << 20
#: Excel's own limit on the text of one cell; a longer string did not come from a spreadsheet program.
EXCEL_MAX_CHARS = 32_767
_RAW_CHUNK = 1 << 20  # compressed bytes read at a time
_OUT_CHUNK = 4 << 20  # inflated bytes produced at a time
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_RATIO_FLOOR = 8 * MB  # small parts may compress very well (styles, themes); only large ones are judged
_DIMENSION_RE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*\bref\s*=\s*"([A-Z]{1,3})?([0-9]{1,7})?'
                           rb'(?::([A-Z]{1,3})([0-9]{1,7}))?"')
_PREFIXED_ROOT_RE = re.compile(rb"<[A-Za-z_][\w.-]*:worksheet[\s>]")
_SST_ROOT_RE = re.compile(rb"<([A-Za-z_][\w.-]*:)?sst[\s>]")
_SHARED_REF_RE = re.compile(rb't="s"[^>]*>\s*<(?:[A-Za-z_][\w.-]*:)?v>\s*([0-9]{1,10})\s*<')


class HostileWorkbook(Exception):
    """A workbook refused before reading; `str(exc)` is the message for the person who uploaded it."""


class _NeedExact(Exception):
    """The quick upper bound on the text cells copy passed the limit: count it exactly."""


@dataclass(frozen=True)
class Limits:
    max_uncompressed: int  # bytes, all parts together
    max_ratio: float  # inflated ÷ compressed, per part
    max_cells: int  # cells of all sheets together
    max_shared_strings: int  # bytes of xl/sharedStrings.xml
    max_text: int  # bytes of text the cells take once every shared string is copied into its cells
    max_members: int = 10_000

    @classmethod
    def from_settings(cls) -> Limits:
        mb = settings.JINGZHUN_IMPORT_MAX_UNCOMPRESSED_MB
        return cls(max_uncompressed=mb * MB, max_ratio=settings.JINGZHUN_IMPORT_MAX_RATIO,
                   max_cells=settings.JINGZHUN_IMPORT_MAX_CELLS,
                   max_shared_strings=settings.JINGZHUN_IMPORT_MAX_SHARED_STRINGS_MB * MB, max_text=mb * MB)


def _advice() -> str:
    return _("请拆分为多个文件或改用 CSV")


def check_member_names(names: list[str]) -> None:
    """Refuse absolute paths, `..` components and drive letters among a zip's member names."""
    for name in names:
        pure = PurePosixPath(name.replace("\\", "/"))
        if (name.startswith(("/", "\\")) or ".." in pure.parts or "\x00" in name
                or re.match(r"^[A-Za-z]:", name)):
            raise HostileWorkbook(_("工作簿中含有可疑的文件路径“%(name)s”（绝对路径或 ..），不是 Excel 保存的文件，"
                                    "已拒绝导入；请用 Excel 打开后“另存为”.xlsx") % {"name": name[:80]})


def inspect_workbook(path, zf: zipfile.ZipFile, limits: Limits | None = None) -> None:
    """Raise `HostileWorkbook` unless the workbook in `zf` is within every limit (see the module doc)."""
    limits = limits or Limits.from_settings()
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise HostileWorkbook(_("工作簿中有 %(count)d 个部件，超过上限 %(limit)d，不是正常的 Excel 文件；%(advice)s")
                              % {"count": len(infos), "limit": limits.max_members, "advice": _advice()})
    check_member_names([i.filename for i in infos])
    declared = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise HostileWorkbook(_("工作簿的压缩包设置了密码，无法读取：请取消密码后再导入"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise HostileWorkbook(_("工作簿使用了不支持的压缩方式，不是 Excel 保存的文件：请用 Excel 打开后“另存为”.xlsx"))
        declared += info.file_size
        _check_ratio(info.filename, info.file_size, info.compress_size, limits)
    _check_total(declared, limits)
    # The declared sizes can lie: inflate every XML part here, bounded, and judge what it really holds.
    shared = next((i for i in infos if i.filename.lower() == "xl/sharedstrings.xml"), None)
    lengths = array("q")
    total = 0
    with open(path, "rb") as raw:
        if shared is not None:
            scan = _SharedStrings(limits, lengths)
            total += _inflate(raw, shared, limits, scan.feed, total)
            scan.finish()
        parts = [i for i in infos if i is not shared and i.filename.lower().endswith((".xml", ".rels"))]
        try:
            _scan_parts(raw, parts, _Sheets(limits, lengths, exact=False), limits, total)
        except _NeedExact:  # the quick bound on the copied text is too high: add it up exactly
            _scan_parts(raw, parts, _Sheets(limits, lengths, exact=True), limits, total)


def _scan_parts(raw, parts: list[zipfile.ZipInfo], sheets: _Sheets, limits: Limits, total: int) -> None:
    for info in parts:
        is_sheet = info.filename.lower().startswith("xl/worksheets/")
        sheets.start(info.filename)
        total += _inflate(raw, info, limits, sheets.feed if is_sheet else None, total)
        if is_sheet:
            sheets.finish()


def _check_ratio(name: str, size: int, compressed: int, limits: Limits) -> None:
    if size > _RATIO_FLOOR and size > limits.max_ratio * max(compressed, 1):
        raise HostileWorkbook(_("工作簿中的“%(name)s”压缩比达到 %(ratio)d 倍（上限 %(limit)d 倍），可能是压缩炸弹，已拒绝导入；"
                                "%(advice)s") % {"name": name[:80], "ratio": size // max(compressed, 1),
                                                 "limit": limits.max_ratio, "advice": _advice()})


def _check_total(size: int, limits: Limits) -> None:
    if size > limits.max_uncompressed:
        raise HostileWorkbook(_("工作簿解压后超过 %(mb)d MB，可能是压缩炸弹，已拒绝导入；%(advice)s")
                              % {"mb": limits.max_uncompressed // MB, "advice": _advice()})


def _inflate(raw, info: zipfile.ZipInfo, limits: Limits, feed, before: int) -> int:
    """Inflate one member from the file itself (not through its declared size), feeding chunks to `feed`."""
    raw.seek(info.header_offset)
    header = raw.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise HostileWorkbook(_("工作簿已损坏（压缩包结构不完整），无法读取：请用 Excel 打开修复后“另存为”.xlsx"))
    fields = _LOCAL_HEADER.unpack(header)
    raw.seek(info.header_offset + _LOCAL_HEADER.size + fields[10] + fields[11])
    left = info.compress_size
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    size = 0
    while left > 0 or (inflater is not None and inflater.unconsumed_tail):
        if inflater is not None and inflater.unconsumed_tail:
            data = inflater.unconsumed_tail
        else:
            data = raw.read(min(_RAW_CHUNK, left))
            if not data:
                break
            left -= len(data)
        try:
            out = inflater.decompress(data, _OUT_CHUNK) if inflater is not None else data
        except zlib.error:
            raise HostileWorkbook(_("工作簿已损坏（压缩数据有误），无法读取：请用 Excel 打开修复后“另存为”.xlsx")) from None
        size += len(out)
        _check_total(before + size, limits)
        _check_ratio(info.filename, size, info.compress_size - left, limits)
        if feed is not None and out:
            feed(out)
        if inflater is not None and inflater.eof:
            break
    return size


class _SharedStrings:
    """Lengths (in bytes of XML, an over-estimate of the text) of each <si> of xl/sharedStrings.xml."""

    def __init__(self, limits: Limits, lengths: array):
        self.limits, self.lengths = limits, lengths
        self.size = 0
        self.carry = b""
        self.header = True  # the part before the first <si> (XML declaration, <sst>) is not a string
        self.marker: bytes | None = None
        # bytes of XML one cell of Excel's longest text can take: 4 bytes a character, escaped, marked up
        self.longest = EXCEL_MAX_CHARS * 6 + 4096

    def feed(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limits.max_shared_strings:
            raise HostileWorkbook(_("工作簿的共享字符串（sharedStrings.xml）解压后超过 %(mb)d MB，可能是压缩炸弹，已拒绝导入；"
                                    "%(advice)s") % {"mb": self.limits.max_shared_strings // MB, "advice": _advice()})
        buf = self.carry + chunk
        if self.marker is None:  # `<si`, or `<x:si` when the part's elements carry a namespace prefix
            root = _SST_ROOT_RE.search(buf, 0, 65536)
            self.marker = b"<" + (root.group(1) or b"" if root else b"") + b"si"
        parts = buf.split(self.marker)
        self.carry = parts.pop()
        if parts and self.header:
            parts, self.header = parts[1:], False
        self.lengths.extend(len(p) for p in parts)
        if max((len(p) for p in parts), default=0) > self.longest or len(self.carry) > self.longest:
            raise HostileWorkbook(_("工作簿中有单元格文字超过 Excel 允许的 %(limit)d 个字符，不是 Excel 保存的文件，已拒绝导入；"
                                    "%(advice)s") % {"limit": EXCEL_MAX_CHARS, "advice": _advice()})

    def finish(self) -> None:
        if not self.header:
            self.lengths.append(len(self.carry))


class _Sheets:
    """Cells of every sheet (counted while streaming) and the text their shared strings add up to."""

    def __init__(self, limits: Limits, lengths: array, *, exact: bool):
        self.limits = limits
        self.lengths = np.frombuffer(lengths, dtype=np.int64) if len(lengths) else None
        # Not exact: every cell is taken to copy the longest string (cheap, and enough for real files);
        # once that bound passes the limit, `_NeedExact` has the sheets scanned again, adding up each
        # cell's own string.
        self.exact = exact
        self.longest = int(self.lengths.max()) if self.lengths is not None else 0
        self.cells = 0
        self.text = 0

    def start(self, name: str) -> None:
        self.first, self.carry, self.prefixed = True, b"", False

    def feed(self, chunk: bytes) -> None:
        buf = self.carry + chunk if self.carry else chunk
        if self.first:
            self.first = False
            self._dimension(buf[:65536])
            self.prefixed = bool(_PREFIXED_ROOT_RE.search(buf, 0, 65536))
        # Only whole cells are looked at: the buffer is cut where its last cell starts, the rest carried.
        cut = buf.rfind(b"<c")
        if cut < 0 or len(buf) - cut > 65536:
            cut = buf.rfind(b"<")
            cut = len(buf) if cut < 0 or len(buf) - cut > 65536 else cut
        # A cell's start tag is `<c r=…` (`<x:c r=…` in a sheet whose elements carry a prefix); `<c` also
        # counts the few <col>/<cfRule> tags, an over-estimate that no real sheet comes near the limit with.
        cells = buf.count(b"<c", 0, cut) + (buf.count(b":c ", 0, cut) if self.prefixed else 0)
        self.cells += cells
        if self.cells > self.limits.max_cells:
            raise HostileWorkbook(_("工作簿的单元格超过 %(limit)d 个，可能是压缩炸弹，已拒绝导入；%(advice)s")
                                  % {"limit": self.limits.max_cells, "advice": _advice()})
        if self.lengths is not None and not self.exact:
            self.text += cells * self.longest
            if self.text > self.limits.max_text:
                raise _NeedExact
        elif self.lengths is not None:
            # The text the cells copy from the shared strings (calamine gives every cell its own copy).
            refs = np.array(_SHARED_REF_RE.findall(buf, 0, cut), dtype=np.int64)
            self.text += int(self.lengths[refs[refs < len(self.lengths)]].sum())
            if self.text > self.limits.max_text:
                raise HostileWorkbook(_("工作簿的单元格引用的文字合计超过 %(mb)d MB（同一段长文字被大量单元格重复引用），"
                                        "可能是压缩炸弹，已拒绝导入；%(advice)s")
                                      % {"mb": self.limits.max_text // MB, "advice": _advice()})
        self.carry = buf[cut:]

    def finish(self) -> None:
        if self.carry:
            carry, self.carry = self.carry, b""
            self.feed(carry + b"<c")  # the sentinel lets the last cell be looked at; it is carried and dropped

    def _dimension(self, head: bytes) -> None:
        m = _DIMENSION_RE.search(head)
        if not m or not m.group(3):
            return
        first_col, first_row = column_index(m.group(1).decode()) if m.group(1) else 0, int(m.group(2) or 1)
        cells = (column_index(m.group(3).decode()) - first_col + 1) * (int(m.group(4)) - first_row + 1)
        if cells > self.limits.max_cells:
            raise HostileWorkbook(_("工作表的范围（%(ref)s）超过 %(limit)d 个单元格，可能是压缩炸弹，已拒绝导入；%(advice)s")
                                  % {"ref": m.group(0).split(b'"')[1].decode(), "limit": self.limits.max_cells,
                                     "advice": _advice()})
