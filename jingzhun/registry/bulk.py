"""Set-based writes of many registry rows with their history rows (imports).

Rows arrive as Arrow tables whose columns are model attnames; each inserted row gets its "+" history
row in the same transaction, as django-simple-history would write it. Updates are rarer and go through
simple-history's own `bulk_update_with_history`.

Small tables go through one prepared statement (`executemany`; COPY on PostgreSQL). From
`STAGE_MIN_ROWS` rows on, the rows never pass through Python one by one: they are staged in bulk —
SQLite: written by the ADBC SQLite driver straight from Arrow into a scratch database file that our
connection attaches; PostgreSQL: one COPY of CSV text (written by Arrow) into a temporary table — and
the table and its history table are then filled by `INSERT … SELECT` from the stage inside the
caller's transaction, so a failure anywhere still leaves the database as it was.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import itertools
import os
import tempfile
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.csv
from django.db import IntegrityError, connection, models, transaction

_CHUNK = 50_000
#: From this many rows a table is staged in bulk (module docstring); below it the row path is cheaper
#: than a scratch file or temporary table. Tests set it to 0 to run the staged path on small files.
STAGE_MIN_ROWS = 20_000
_STAGE_PREFIX = "jz_stage_"
_stage_numbers = itertools.count(1)
#: Stages one SQLite connection may hold at once (it attaches at most 10 databases).
_MAX_STAGES = 8
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


def _plain_table(table: pa.Table) -> pa.Table:
    return pa.table({name: _plain(table.column(name)) for name in table.column_names})


def _detach_stale() -> int:
    """Detach the stages of earlier transactions (a stage is detached on commit; it cannot be while the
    transaction that read it is open, e.g. after a rollback to a savepoint); returns how many remain."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        names = [row[1] for row in cursor.fetchall() if row[1].startswith(_STAGE_PREFIX)]
        remaining = 0
        for name in names:
            try:
                cursor.execute(f"DETACH DATABASE {name}")
            except Exception:  # still in use by the open transaction
                remaining += 1
    return remaining


def _may_stage(rows: int) -> bool:
    """Whether to stage `rows` rows. SQLite attaches at most 10 databases per connection, so one long
    transaction holding many stages (a test, a script importing file after file in one `atomic`) goes on
    row by row rather than fail."""
    if rows < STAGE_MIN_ROWS:
        return False
    return connection.vendor == "postgresql" or _detach_stale() < _MAX_STAGES


@contextlib.contextmanager
def _stage(table: pa.Table, db_table: str, columns: list[str]) -> Iterator[str]:
    """The rows of `table`, bound for `columns` of `db_table`, staged in the database; yields its SQL name."""
    name = f"{_STAGE_PREFIX}{next(_stage_numbers)}"
    quote = connection.ops.quote_name
    table = _plain_table(table).rename_columns(columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Same column types as the target, no constraints; created and dropped inside the caller's
            # transaction, so a rollback leaves nothing behind.
            cursor.execute(f"CREATE TEMPORARY TABLE {name} AS SELECT {', '.join(quote(c) for c in columns)} "
                           f"FROM {quote(db_table)} WITH NO DATA")
            buffer = io.BytesIO()
            # Strings are always quoted and nulls never, so CSV keeps '' and NULL apart as COPY reads them.
            pyarrow.csv.write_csv(table, buffer, pyarrow.csv.WriteOptions(include_header=False,
                                                                          quoting_style="needed"))
            with cursor.cursor.copy(f"COPY {name} ({', '.join(quote(c) for c in columns)}) "
                                    "FROM STDIN (FORMAT csv)") as copy:
                copy.write(buffer.getbuffer())
            del buffer
            yield name
            # Not on an error: the failed transaction is rolled back, and the table's creation with it.
            cursor.execute(f"DROP TABLE {name}")
        return
    import adbc_driver_sqlite.dbapi

    fd, path = tempfile.mkstemp(prefix="jingzhun-import-", suffix=".sqlite3")
    os.close(fd)
    try:
        with adbc_driver_sqlite.dbapi.connect(path) as scratch, scratch.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=OFF")  # a scratch file: nothing to recover
            cursor.adbc_ingest("rows", table, mode="create")
            scratch.commit()
        with connection.cursor() as cursor:
            cursor.execute(f"ATTACH DATABASE %s AS {name}", [path])
    finally:
        # Our connection keeps the file open; the space goes back when it detaches (or closes).
        os.unlink(path)
    transaction.on_commit(_detach_stale)
    yield f'{name}."rows"'


def _may_skip_row_triggers() -> bool:
    """PostgreSQL: whether this connection may set `session_replication_role` (a superuser, or a role
    granted `SET ON PARAMETER session_replication_role`, PostgreSQL 15+)."""
    with connection.cursor() as cursor:
        if connection.pg_version >= 150000:
            cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        else:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


@contextlib.contextmanager
def _foreign_keys_checked_setwise(keys: list[tuple[str, str, str, str, list]]) -> Iterator[None]:
    """PostgreSQL: foreign keys of the rows inserted inside the block checked with one statement per key
    instead of one trigger call per row at commit. `keys` holds (constraint's name for the message,
    referenced table, referenced column, a SELECT of the values the inserted rows hold, its parameters).

    Inside the block the per-row referential-integrity triggers do not fire (`SET LOCAL
    session_replication_role = replica`, for this transaction only); after it, each key's distinct values
    must all exist in the referenced table, whose rows are locked FOR KEY SHARE as the triggers would lock
    them (no other transaction can delete them before commit). A missing one raises IntegrityError and the
    caller's transaction rolls back. Where the role may not set that parameter, or on SQLite, the database
    checks every row itself as before."""
    if connection.vendor != "postgresql" or not _may_skip_row_triggers():
        yield
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('session_replication_role')")
        before = cursor.fetchone()[0]
        cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield
        finally:
            cursor.execute("SELECT set_config('session_replication_role', %s, true)", [before])
        for name, parent, key, values, params in keys:
            cursor.execute(f"SELECT count(DISTINCT k) FROM ({values}) AS s(k)", params)
            wanted = cursor.fetchone()[0]
            if not wanted:
                continue
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {quote(parent)} WHERE {quote(key)} IN "
                           f"({values}) FOR KEY SHARE) AS p", params)
            found = cursor.fetchone()[0]
            if found != wanted:
                raise IntegrityError(f"{name}: {wanted - found} value(s) not found in {parent}.{key}")


def _keys_of_insert(model: type[models.Model], history_model: type[models.Model], stage: str, columns: list[str],
                    history_user_id: int | None) -> list[tuple[str, str, str, str, list]]:
    """The foreign keys of rows inserted from `stage` into `model`'s table and its history table, for
    `_foreign_keys_checked_setwise` (the history rows' own keys, copied from the stage, are not
    constraints; their `history_user` is the one value given)."""
    quote = connection.ops.quote_name
    keys = []
    for m in (model, history_model):
        for f in m._meta.concrete_fields:
            if not (isinstance(f, models.ForeignKey) and f.db_constraint):  # one-to-one fields too
                continue
            name = f"{m._meta.db_table}.{f.column}"
            parent, key = f.related_model._meta.db_table, f.target_field.column
            if m is history_model and f.attname == "history_user_id":
                keys.append((name, parent, key, "SELECT %s::bigint WHERE %s::bigint IS NOT NULL",
                             [history_user_id, history_user_id]))
            elif m is model:
                if f.column not in columns:  # left to the column's default (NULL)
                    continue
                keys.append((name, parent, key, f"SELECT {quote(f.column)} FROM {stage} WHERE "
                                                f"{quote(f.column)} IS NOT NULL", []))
            else:
                raise ValueError(f"{name}: a foreign-key constraint the set-wise check does not know")
    return keys


@contextlib.contextmanager
def _indexes_built_after(tables: list[str], rows: int) -> Iterator[None]:
    """SQLite: when `rows` new rows at least double the first table, its and the other tables' secondary
    indexes are dropped and built again after the insert (sorting once beats a million random B-tree
    inserts). DDL is transactional in SQLite: a rollback brings the indexes back as they were."""
    if connection.vendor != "sqlite":
        yield
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {quote(tables[0])}")
        if cursor.fetchone()[0] > rows:
            indexes = []
        else:  # named indexes only: those of UNIQUE constraints (sql NULL) stay, they check the rows
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND "
                           f"tbl_name IN ({', '.join(['%s'] * len(tables))})", tables)
            indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    yield
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)


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
            # One array value, not a million rows, crosses to Python.
            cursor.execute("SELECT array_agg(nextval(seq)) FROM (SELECT pg_get_serial_sequence(%s, %s)::regclass "
                           "AS seq) AS s, generate_series(1, %s)", [table, pk, count])
            return pa.array(cursor.fetchone()[0] or [], pa.int64())
        cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(pk)}), 0) FROM "
                       f"{connection.ops.quote_name(table)}")
        first = cursor.fetchone()[0] + 1
    return pa.array(range(first, first + count), pa.int64())


def insert_with_history(model: type[models.Model], table: pa.Table, *, history_user_id: int | None,
                        reason: str, now: datetime.datetime) -> int:
    """Insert the rows of `table` (columns = attnames of `model`) and one "+" history row each.

    The history rows are copied inside the database (INSERT … SELECT), from the stage or from the rows
    just written, so the data crosses from Python to the database once, not twice.
    """
    if table.num_rows == 0:
        return 0
    n = table.num_rows
    # The value as the backend's own adapter writes it (SQLite keeps naive UTC text, PostgreSQL timestamptz).
    stamp = connection.ops.adapt_datetimefield_value(now)
    if "updated_at" in {f.attname for f in model._meta.concrete_fields}:
        table = table.append_column("updated_at", pa.array([stamp] * n))
    db_table = model._meta.db_table
    columns = [model._meta.get_field(name).column for name in table.column_names]
    history_model = model.history.model
    history_columns = {f.attname: f.column for f in history_model._meta.concrete_fields}
    copied = [history_columns[name] for name in table.column_names if name in history_columns]
    quote = connection.ops.quote_name
    target = ", ".join(quote(c) for c in [*copied, "history_date", "history_change_reason", "history_type",
                                           "history_user_id"])
    select = ", ".join(quote(c) for c in copied)
    history = (f"INSERT INTO {quote(history_model._meta.db_table)} ({target}) SELECT {select}, %s, %s, %s, %s FROM ")
    marks = [stamp, reason, "+", history_user_id]
    if _may_stage(n):
        column_sql = ", ".join(quote(c) for c in columns)
        with (_stage(table, db_table, columns) as stage,
              _indexes_built_after([db_table, history_model._meta.db_table], n), connection.cursor() as cursor):
            with _foreign_keys_checked_setwise(_keys_of_insert(model, history_model, stage, columns, history_user_id)):
                cursor.execute(f"INSERT INTO {quote(db_table)} ({column_sql}) SELECT {column_sql} FROM {stage}")
                cursor.execute(history + stage, marks)
        return n
    _insert(db_table, columns, table)
    pk = model._meta.pk
    keys = table.column(pk.attname).to_pylist()
    # The BETWEEN lets the planner walk the primary-key index over just this stretch instead of scanning
    # the whole table once per chunk.
    head = history + f"{quote(db_table)} WHERE {quote(pk.column)} BETWEEN %s AND %s AND {quote(pk.column)} "
    with connection.cursor() as cursor:
        for start in range(0, n, _KEYS_PER_STATEMENT):
            chunk = sorted(keys[start:start + _KEYS_PER_STATEMENT])
            bounds = [*marks, chunk[0], chunk[-1]]
            if connection.vendor == "postgresql":
                cursor.execute(head + "= ANY(%s)", [*bounds, chunk])
            else:
                cursor.execute(head + f"IN ({', '.join(['%s'] * len(chunk))})", [*bounds, *chunk])
    return n
