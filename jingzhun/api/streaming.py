"""Bulk reads that stream: a queryset's rows as NDJSON or CSV, chunk by chunk, so memory stays flat.

The rows leave the database through `values_list(...).iterator(chunk_size=...)` (a server-side cursor on
PostgreSQL, chunked reads on SQLite) and are turned, `CHUNK_ROWS` at a time, into Arrow columns: masking
and the template's cell text (是/否) are vectorised there, and CSV is written by Arrow's writer. At no
point is the whole result in memory: the largest object alive is one chunk.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from contextlib import contextmanager
from itertools import islice

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import connections
from django.db.models import QuerySet

from jingzhun.cells import safe_column

#: Rows read and written at a time (a few hundred kilobytes of output each).
CHUNK_ROWS = 5_000
#: The SQLite page cache while a stream reads (KiB).
STREAM_PAGE_CACHE_KIB = 8_192
BOM = b"\xef\xbb\xbf"
NDJSON = "application/x-ndjson"
CSV = "text/csv"


def mask_ids(values: pa.Array) -> pa.Array:
    """`mask_id_number` over a whole column: region and last four kept, ten or fewer characters all stars."""
    length = pc.utf8_length(values)
    stars = pc.binary_repeat(pa.scalar("*"), pc.max_element_wise(pc.subtract(length, 10), 0))
    kept = pc.binary_join_element_wise(pc.utf8_slice_codeunits(values, 0, 6), stars,
                                       pc.utf8_slice_codeunits(values, -4), "")
    return pc.if_else(pc.greater(length, 10), kept, pc.binary_repeat(pa.scalar("*"), length))


@dataclass(frozen=True)
class StreamColumn:
    """One column of a stream: the ORM path it reads, its NDJSON key, its CSV header and its Arrow type."""

    path: str
    key: str
    header: str
    type: pa.DataType = pa.string()
    #: Applied to the Arrow column before it is written (e.g. `mask_ids` for a role that sees IDs masked).
    transform: Callable[[pa.Array], pa.Array] | None = None


@contextmanager
def _small_page_cache(alias: str) -> Iterator[None]:
    """On SQLite, a small page cache while the stream reads (the previous size restored after).

    The embedded database's connections keep a 128 MB page cache (config/settings/base.py) for the
    pages' queries; a stream reads each page once, so a full cache would only hold up to 128 MB of
    pages it will not read again — on top of the process, and for as long as the connection lives.
    """
    connection = connections[alias]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {int(STREAM_PAGE_CACHE_KIB) * -1}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _chunks(rows: QuerySet, columns: Sequence[StreamColumn]) -> Iterator[list[pa.Array]]:
    with _small_page_cache(rows.db):
        cursor = rows.values_list(*(c.path for c in columns)).iterator(chunk_size=CHUNK_ROWS)
        while chunk := list(islice(cursor, CHUNK_ROWS)):
            transposed = list(zip(*chunk))
            del chunk
            arrays = []
            for column, values in zip(columns, transposed):
                array = pa.array(values, column.type)
                arrays.append(column.transform(array) if column.transform is not None else array)
            yield arrays


def ndjson_lines(rows: QuerySet, columns: Sequence[StreamColumn]) -> Iterator[bytes]:
    """One JSON object per row and line, keyed by `StreamColumn.key`, values of their JSON type."""
    keys = [c.key for c in columns]
    for arrays in _chunks(rows, columns):
        values = [a.to_pylist() for a in arrays]
        yield "".join(json.dumps(dict(zip(keys, row)), ensure_ascii=False) + "\n"
                      for row in zip(*values)).encode()


_YES, _NO = "是", "否"


def _as_text(array: pa.Array) -> pa.Array:
    """A cell's text as the exchange template writes it: 是/否, numbers plainly, nothing for blank."""
    if pa.types.is_boolean(array.type):
        return pc.if_else(array, _YES, _NO)
    if pa.types.is_string(array.type):
        return safe_column(array)  # a cell starting with = + - @ would be a formula in Excel
    return pc.cast(array, pa.string())


def csv_chunks(rows: QuerySet, columns: Sequence[StreamColumn]) -> Iterator[bytes]:
    """CSV in UTF-8 with a BOM (so Chinese Excel opens it), the headers first, cells as the template's."""
    names = [c.header for c in columns]
    yield BOM
    header = pa.table({name: pa.array([], pa.string()) for name in names})
    sink = io.BytesIO()
    pacsv.write_csv(header, sink)
    yield sink.getvalue()
    options = pacsv.WriteOptions(include_header=False)
    for arrays in _chunks(rows, columns):
        sink = io.BytesIO()
        pacsv.write_csv(pa.table([_as_text(a) for a in arrays], names=names), sink, options)
        yield sink.getvalue()
