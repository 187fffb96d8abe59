"""Hostile upload files, generated where a test needs them (nothing large is committed).

    cell_bomb(path)            a workbook whose one sheet inflates to ~2 GB of cells (about 2 MB on disk)
    shared_strings_bomb(path)  a workbook whose sharedStrings.xml inflates to ~584 MB of a few huge strings
    big_csv(path, mb=200)      a valid-looking 户表.csv of `mb` megabytes
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="户表" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>')
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s<sheetData>')
SHEET_TAIL = "</sheetData></worksheet>"
SST_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">')


def _deflated(parts) -> tuple[list[bytes], int, int]:
    """Raw deflate of the byte strings in `parts`, a repeated part compressed once.

    `parts` holds (bytes, times) pairs; each is compressed after a full flush, so its compressed form
    does not depend on what came before and can simply be repeated. Returns (pieces, crc, size).
    """
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    pieces, crc, size = [], 0, 0
    for data, times in parts:
        piece = squeeze.compress(data) + squeeze.flush(zlib.Z_FULL_FLUSH)
        pieces.append((piece, times))
        for _ in range(times):
            crc = zlib.crc32(data, crc)
        size += len(data) * times
    pieces.append((squeeze.flush(), 1))
    return pieces, crc, size


def _write_zip(path: Path, members: dict[str, list]) -> Path:
    """A zip written by hand (so a 2 GB part takes seconds): name → list of (bytes, times)."""
    central, offset = [], 0
    with open(path, "wb") as f:
        for name, parts in members.items():
            pieces, crc, size = _deflated(parts)
            csize = sum(len(p) * t for p, t in pieces)
            raw = name.encode()
            f.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0x800, 8, 0, 0, crc, csize, size, len(raw), 0) + raw)
            for piece, times in pieces:
                for _ in range(times):
                    f.write(piece)
            central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0x800, 8, 0, 0, crc, csize, size,
                                       len(raw), 0, 0, 0, 0, 0, offset) + raw)
            offset = f.tell()
        directory = b"".join(central)
        f.write(directory)
        f.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, 0))
    return path


def _workbook(path: Path, sheet_parts, shared_parts=None, *, dimension: str = "") -> Path:
    """A minimal workbook of one sheet 户表; the parts are lists of (bytes, times)."""
    head = (SHEET_HEAD % (f'<dimension ref="{dimension}"/>' if dimension else "")).encode()
    return _write_zip(path, {
        "[Content_Types].xml": [(CONTENT_TYPES.encode(), 1)], "_rels/.rels": [(ROOT_RELS.encode(), 1)],
        "xl/workbook.xml": [(WORKBOOK.encode(), 1)], "xl/_rels/workbook.xml.rels": [(WORKBOOK_RELS.encode(), 1)],
        "xl/worksheets/sheet1.xml": [(head, 1), *sheet_parts, (SHEET_TAIL.encode(), 1)],
        "xl/sharedStrings.xml": shared_parts or [((SST_HEAD % (1, 1)).encode() + b"<si><t>x</t></si></sst>", 1)],
    })


def _header_row() -> bytes:
    return b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + "户编号".encode() + b"</t></is></c></row>"


def cell_bomb(path: Path, *, gigabytes: float = 2.0) -> Path:
    """A sheet of `gigabytes` of repeated numeric cells, compressed ~1000×."""
    cells = b'<c r="A2"><v>1</v></c>' * 48_000  # ~1 MB
    count = int(gigabytes * 1024 * (1 << 20) / len(cells))
    return _workbook(path, [(_header_row() + b'<row r="2">', 1), (cells, count), (b"</row>", 1)])


def shared_strings_bomb(path: Path, *, megabytes: int = 584, strings: int = 8) -> Path:
    """A few huge shared strings (584 MB of XML in all), each cell of the sheet referencing one."""
    size = megabytes * (1 << 20) // strings
    block = b"a" * (1 << 20)

    shared = [((SST_HEAD % (strings, strings)).encode(), 1)]
    for _ in range(strings):
        shared += [(b"<si><t>", 1), (block, size >> 20), (b"</t></si>", 1)]
    shared.append((b"</sst>", 1))
    cells = b"".join(b'<c r="A%d" t="s"><v>%d</v></c>' % (r, r % strings) for r in range(2, 2002))
    return _workbook(path, [(_header_row() + b'<row r="2">' + cells + b"</row>", 1)], shared)


def lying_sizes(path: Path) -> Path:
    """A small bomb whose central directory declares each part 1000× smaller than it inflates to."""
    cell_bomb(path, gigabytes=0.1)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
    end = data.rfind(b"PK\x05\x06")
    offset = struct.unpack_from("<L", data, end + 16)[0]
    for info in infos:  # each central directory entry: sizes at +20 (compressed) and +24 (inflated)
        assert data[offset:offset + 4] == b"PK\x01\x02"
        name_len, extra_len, comment_len = struct.unpack_from("<3H", data, offset + 28)
        if info.filename.endswith("sheet1.xml"):
            if struct.unpack_from("<L", data, offset + 24)[0] == 0xFFFFFFFF:  # zip64: sizes in the extra field
                struct.pack_into("<Q", data, offset + 46 + name_len + 4, info.compress_size)
            else:
                struct.pack_into("<L", data, offset + 24, info.compress_size)
        offset += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))
    return path


def big_csv(path: Path, *, mb: int = 200) -> Path:
    """户表.csv with the template's header and `mb` megabytes of rows (malformed values: it must not import)."""
    header = "户编号,村代码,户主姓名\n".encode()
    row = "1408261002330001,140826100233,王建国\n".encode()
    block = row * ((1 << 20) // len(row))
    with open(path, "wb") as f:
        f.write(header)
        for _ in range(mb):
            f.write(block)
    return path


def long_line_csv(path: Path, *, mb: int = 8) -> Path:
    """户表.csv whose one data line is `mb` megabytes long (one huge field)."""
    with open(path, "wb") as f:
        f.write("户编号,户主姓名\n1408261002330001,".encode())
        f.write(b"x" * (mb << 20))
        f.write(b"\n")
    return path


def zip_with_member(path: Path, member: str) -> Path:
    """An otherwise valid workbook with one extra member named `member` (e.g. ../../etc/passwd)."""
    _workbook(path, [(_header_row(), 1)])
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr(zipfile.ZipInfo(member), b"root:x:0:0::/root:/bin/sh\n")
    return path


def png_bytes() -> bytes:
    """A valid 1×1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">L", len(data)) + kind + data + struct.pack(">L", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">2L5B", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def dimension_bomb(path: Path) -> Path:
    """A tiny workbook whose sheet claims the whole grid (A1:XFD1048576, 17 billion cells)."""
    return _workbook(path, [(_header_row(), 1)], dimension="A1:XFD1048576")
