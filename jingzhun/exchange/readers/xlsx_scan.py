"""Streaming scans of a workbook's XML parts: which sheet is which, and the cells calamine hides
(formulas, error values, merged ranges), without loading a sheet's XML whole."""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from collections.abc import Iterator

_CHUNK = 4 << 20  # bytes read from a sheet's XML at a time

_ATTR_RE = {name: re.compile(rb"\s" + name + rb'\s*=\s*"([^"]*)"') for name in (b"Type", b"Target", b"Id", b"name")}
_RID_RE = re.compile(rb'\s[A-Za-z_][\w.-]*:id\s*=\s*"([^"]*)"')
_RELATIONSHIP_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\s[^>]*>")
_SHEET_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\s[^>]*>")


def _attr(tag: bytes, name: bytes) -> str | None:
    m = _ATTR_RE[name].search(tag)
    return html.unescape(m.group(1).decode("utf-8", "replace")) if m else None


def _find_part(names: set[str], part: str) -> str | None:
    if part in names:
        return part
    lowered = part.lower()
    return next((n for n in names if n.lower() == lowered), None)


def _resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _read_small(zf: zipfile.ZipFile, part: str, limit: int = 16 << 20) -> bytes:
    with zf.open(part) as f:
        return f.read(limit)


def _relationships(zf: zipfile.ZipFile, names: set[str], part: str) -> list[bytes]:
    rels = _find_part(names, posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels"))
    return _RELATIONSHIP_RE.findall(_read_small(zf, rels)) if rels else []


def _workbook_part(zf: zipfile.ZipFile, names: set[str]) -> str | None:
    """The workbook part named by the package's relationships (normally xl/workbook.xml)."""
    for tag in _relationships(zf, names, ""):
        if (_attr(tag, b"Type") or "").endswith("/officeDocument"):
            part = _find_part(names, _resolve("", _attr(tag, b"Target") or ""))
            if part and part.lower().endswith(".xml"):
                return part
    return _find_part(names, "xl/workbook.xml")


def _sheet_parts(zf: zipfile.ZipFile, workbook_part: str, names: set[str]) -> dict[str, str]:
    """Sheet name → the part holding the sheet's XML."""
    targets = {}
    for tag in _relationships(zf, names, workbook_part):
        rid, target = _attr(tag, b"Id"), _attr(tag, b"Target")
        if rid and target:
            targets[rid] = _resolve(workbook_part, target)
    parts = {}
    for tag in _SHEET_RE.findall(_read_small(zf, workbook_part)):
        sheet, rid = _attr(tag, b"name"), _RID_RE.search(tag)
        if sheet is not None and rid:
            part = _find_part(names, targets.get(rid.group(1).decode("utf-8", "replace"), ""))
            if part:
                parts[sheet] = part
    return parts


# ---------------------------------------------------------------------------------------------------
# Streaming scan of a sheet's XML

_NAME = rb"[A-Za-z_][\w.-]*"
_F_PLAIN_RE = re.compile(rb"<f[\s>/]")
_F_PREFIXED_RE = re.compile(rb":f[\s>/]")
_MERGE_RE = re.compile(rb"mergeCell\s")
_ERROR_RE = re.compile(rb' t="e"')
_PREFIX_RE = re.compile(_NAME)
_CELL_RE = re.compile(rb"<(?:" + _NAME + rb":)?c\s[^>]*?\br\s*=\s*\"([A-Z]{1,3})([0-9]{1,7})\"")
_REF_RE = re.compile(rb'\sref\s*=\s*"([^"]*)"')
_F_NEXT_RE = re.compile(rb"\s*<(?:" + _NAME + rb":)?f[\s>/]")
_V_NEXT_RE = re.compile(rb"\s*<(?:" + _NAME + rb":)?v>([^<]*)<")
_OVERLAP = 8192  # longer than any tag we look at
_LOOKBACK = 8192


def scan_sheet_xml(stream, chunk_size: int = _CHUNK) -> Iterator[tuple]:
    """Formula cells, error cells and merged ranges of a worksheet's XML, read in chunks.

    Yields ("formula", column letters, row, formula text), ("error", letters, row, value) and
    ("merge", "A2:B3"). Matches are taken only when they start before the last `_OVERLAP` bytes of the
    buffer (unless it is the end of the stream), and the buffer's tail is carried into the next read.
    """
    tail, skip = b"", 0
    while True:
        chunk = stream.read(chunk_size)
        buf = tail + chunk if tail else chunk
        final = not chunk
        limit = len(buf) if final else len(buf) - _OVERLAP
        if limit > skip:
            yield from _hits(buf, skip, limit)
        if final:
            return
        done = max(limit, skip)
        cut = max(0, len(buf) - _OVERLAP - _LOOKBACK)
        tail, skip = buf[cut:], done - cut


def _hits(buf: bytes, lo: int, hi: int) -> Iterator[tuple]:
    found = []
    for m in _F_PLAIN_RE.finditer(buf, lo):
        if m.start() >= hi:
            break
        found.append((m.start(), _formula_at(buf, m.start())))
    for m in _F_PREFIXED_RE.finditer(buf, lo):
        p = m.start()
        if p >= hi:
            break
        lt = buf.rfind(b"<", max(0, p - 64), p)
        if lt >= 0 and _PREFIX_RE.fullmatch(buf, lt + 1, p):
            found.append((lt, _formula_at(buf, lt)))
    for m in _ERROR_RE.finditer(buf, lo):
        if m.start() >= hi:
            break
        found.append((m.start(), _error_at(buf, m.start())))
    for m in _MERGE_RE.finditer(buf, lo):
        p = m.start()
        if p >= hi:
            break
        if buf[p - 1:p] == b"<" or (buf[p - 1:p] == b":" and _tag_prefix_ok(buf, p - 1)):
            end = buf.find(b">", p)
            ref = _REF_RE.search(buf, p, end if end >= 0 else len(buf))
            if ref:
                found.append((p, ("merge", ref.group(1).decode("ascii", "replace"))))
    found.sort(key=lambda item: item[0])
    return (hit for _p, hit in found if hit is not None)


def _tag_prefix_ok(buf: bytes, colon: int) -> bool:
    lt = buf.rfind(b"<", max(0, colon - 64), colon)
    return lt >= 0 and bool(_PREFIX_RE.fullmatch(buf, lt + 1, colon))


def _cell_before(buf: bytes, lt: int):
    """The <c> start tag that ends right before position `lt` (where a child element starts)."""
    start = buf.rfind(b"<", max(0, lt - _LOOKBACK), lt)
    if start < 0:
        return None
    end = buf.find(b">", start, lt)
    if end < 0 or buf[end - 1:end] == b"/" or buf[end + 1:lt].strip():
        return None
    return _CELL_RE.match(buf, start, end + 1)


def _formula_at(buf: bytes, lt: int):
    cell = _cell_before(buf, lt)
    if cell is None:
        return None  # a formula outside a cell (data validation, conditional format…): not a value
    end = buf.find(b">", lt)
    text = ""
    if end >= 0 and buf[end - 1:end] != b"/":
        close = buf.find(b"<", end)
        if close >= 0:
            text = html.unescape(buf[end + 1:close].decode("utf-8", "replace"))
    return "formula", cell.group(1).decode(), int(cell.group(2)), text


def _error_at(buf: bytes, p: int):
    start = buf.rfind(b"<", max(0, p - _LOOKBACK), p)
    end = buf.find(b">", p)
    if start < 0 or end < 0 or buf.find(b">", start, p) >= 0:
        return None
    cell = _CELL_RE.match(buf, start, end + 1)
    if cell is None or buf[end - 1:end] == b"/" or _F_NEXT_RE.match(buf, end + 1):
        return None  # not a cell, an empty cell, or a formula (reported as such)
    value = _V_NEXT_RE.match(buf, end + 1)
    text = html.unescape(value.group(1).decode("utf-8", "replace")) if value else ""
    return "error", cell.group(1).decode(), int(cell.group(2)), text
