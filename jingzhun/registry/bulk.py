"""Set-based writes of many registry rows with their history rows (imports).

Rows arrive as Arrow tables whose columns are model attnames. Inserting goes through one prepared
statement per table (`executemany`; COPY on PostgreSQL), not through model instances, so a million
members load in seconds; each inserted row gets its "+" history row in the same transaction, as
django-simple-history would write it. Updates are rarer and go through simple-history's own
`bulk_update_with_history`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pyarrow as pa
from django.db import connection, models

_CHUNK = 50_000
#: Keys named in one statement (SQLite allows 32,766 parameters).
_KEYS_PER_STATEMENT = 30_000


def _plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Decimals as text: the driver then binds plain strings (the column's type affinity or cast stores
    the number) instead of calling a Python adapter for every Decimal object."""
    return column.cast(pa.string()) if pa.types.is_decimal(column.type) else column


def _rows(table: pa.Table, start: int, stop: int) -> Iterator[tuple]:
    part = table.slice(start, stop - start)
    return zip(*(_plain(part.column(i)).to_pylist() for i in range(part.num_columns)))


def _insert(db_table: str, columns: list[str], table: pa.Table) -> None:
    quote = connection.ops.quote_name
    column_sql = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own cursor: COPY is its fastest path in
            for start in range(0, table.num_rows, _CHUNK):
                with raw.copy(f"COPY {quote(db_table)} ({column_sql}) FROM STDIN") as copy:
                    for row in _rows(table, start, min(start + _CHUNK, table.num_rows)):
                        copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {quote(db_table)} ({column_sql}) VALUES ({placeholders})"
            for start in range(0, table.num_rows, _CHUNK):
                cursor.executemany(sql, list(_rows(table, start, min(start + _CHUNK, table.num_rows))))


def insert_rows(model: type[models.Model], table: pa.Table) -> int:
    """Insert the rows of `table` (columns = attnames of `model`) as they are: for models that keep no
    history (and whose auto fields the caller fills or the database does)."""
    if table.num_rows:
        _insert(model._meta.db_table, [model._meta.get_field(name).column for name in table.column_names], table)
    return table.num_rows


def reserve_ids(model: type[models.Model], count: int) -> pa.Array:
    """`count` fresh primary keys for an auto-id model, so history rows can name them.

    PostgreSQL hands them out from the table's sequence (safe beside other writers); SQLite has one
    writer at a time (our transactions begin IMMEDIATE), so max(id) + 1… is free.
    """
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, pk, count])
            return pa.array([r[0] for r in cursor.fetchall()], pa.int64())
        cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(pk)}), 0) FROM "
                       f"{connection.ops.quote_name(table)}")
        first = cursor.fetchone()[0] + 1
    return pa.array(range(first, first + count), pa.int64())


def insert_with_history(model: type[models.Model], table: pa.Table, *, history_user_id: int | None,
                        reason: str, now: datetime.datetime) -> int:
    """Insert the rows of `table` (columns = attnames of `model`) and one "+" history row each.

    The history rows are copied inside the database (INSERT … SELECT over the rows just written), so
    the data crosses from Python to the database once, not twice.
    """
    if table.num_rows == 0:
        return 0
    n = table.num_rows
    # The value as the backend's own adapter writes it (SQLite keeps naive UTC text, PostgreSQL timestamptz).
    stamp = connection.ops.adapt_datetimefield_value(now)
    if "updated_at" in {f.attname for f in model._meta.concrete_fields}:
        table = table.append_column("updated_at", pa.array([stamp] * n))
    columns = [model._meta.get_field(name).column for name in table.column_names]
    _insert(model._meta.db_table, columns, table)

    history_model = model.history.model
    history_columns = {f.attname: f.column for f in history_model._meta.concrete_fields}
    copied = [history_columns[name] for name in table.column_names if name in history_columns]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    keys = table.column(pk.attname).to_pylist()
    target = ", ".join(quote(c) for c in [*copied, "history_date", "history_change_reason", "history_type",
                                           "history_user_id"])
    select = ", ".join(quote(c) for c in copied)
    head = (f"INSERT INTO {quote(history_model._meta.db_table)} ({target}) SELECT {select}, %s, %s, %s, %s "
            f"FROM {quote(model._meta.db_table)} WHERE {quote(pk.column)} ")
    with connection.cursor() as cursor:
        for start in range(0, n, _KEYS_PER_STATEMENT):
            chunk = sorted(keys[start:start + _KEYS_PER_STATEMENT])
            # The BETWEEN lets the planner walk the primary-key index over just this stretch instead of
            # scanning the whole table once per chunk.
            bounds = [stamp, reason, "+", history_user_id, chunk[0], chunk[-1]]
            head_range = head + f"BETWEEN %s AND %s AND {quote(pk.column)} "
            if connection.vendor == "postgresql":
                cursor.execute(head_range + "= ANY(%s)", [*bounds, chunk])
            else:
                cursor.execute(head_range + f"IN ({', '.join(['%s'] * len(chunk))})", [*bounds, *chunk])
    return n
