"""A columnar mirror of the embedded SQLite registry, kept honest by triggers: snapshots in a second.

Reading a million members out of SQLite row by row takes a quarter of a minute; reading them from a
memory-mapped Arrow IPC file takes milliseconds. The mirror keeps one such file per snapshot table per
county under settings.MIRROR_ROOT ($JINGZHUN_HOME/mirror) and re-reads from SQLite only what changed.

What changed is known from the database itself. Triggers on every table feeding the snapshot (installed
by the migration ``analytics/0001``, SQLite only) give the partition a row lies in — a village, the first
12 digits of a 户编号, or a project's county — a new random version in ``analytics_mirror_dirty``, in the
writer's own transaction: the mark commits with the data or not at all, whoever wrote it (the ORM, bulk
writes, raw SQL, the shell). A file records the version of every partition it holds; a snapshot, in
one read transaction, takes a partition from the file only when its version there equals the one in
the database, and reads the others from SQLite in the same transaction. Versions are random, never
counted up, so a restored backup or another database sharing the folder never matches a stale file.

Bulk writers (the registry import) mark their villages once and drop the per-row triggers inside their
own transaction, which puts them back before it ends: `mirror_bulk_write`. (SQLite's DDL is
transactional, so no other connection ever misses them; a flag tested in each trigger's WHEN clause was
measured to cost ~5 s on a 1M import under load.) Triggers joining rows of other tables (a cadre's
name in its households, a borrower's 身份证号 in the loans, a spot check's unit and day) always stay.

Limits: a write that bypasses SQLite's triggers (``INSERT OR REPLACE`` replacing a row of another
partition without ``PRAGMA recursive_triggers``; a file copied over the database by hand is fine) is
not seen; `jingzhun mirror --verify` compares the mirror with a fresh read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

logger = logging.getLogger(__name__)

DIRTY = "analytics_mirror_dirty"
STATE = "analytics_mirror_state"
PART = "_part"  # the partition of each row, kept in the files only

VILLAGE_TABLES = ("households", "members", "villages", "measures", "loans", "loan_installments", "visits",
                  "spot_items")
COUNTY_TABLES = ("projects", "project_villages", "project_beneficiaries", "project_funds", "project_spending")
#: the column whose first 12 digits are a village table's partition
KEY = {"households": "code", "villages": "village_id"}

_OF_HOUSEHOLD = "SELECT substr({r}.household_id, 1, 12) AS k"
_OF_PROJECT = "SELECT county_id AS k FROM assistance_project WHERE id = {r}.project_id"
_CHANGED = "OLD.{0} IS NOT NEW.{0}"

# (source table, snapshot tables it feeds, SQL giving the partition keys of row {r}, a condition on an
# update, whether it is a row's own partition — left out by bulk writers, seeded at install — or one joined in)
_SOURCES: list[tuple[str, tuple[str, ...], str, str | None, bool]] = [
    ("registry_household", ("households",), "SELECT substr({r}.code, 1, 12) AS k", None, True),
    ("registry_member", ("members",), _OF_HOUSEHOLD, None, True),
    ("registry_villageprofile", ("villages",), "SELECT substr({r}.village_id, 1, 12) AS k", None, True),
    ("assistance_measure", ("measures",), _OF_HOUSEHOLD, None, True),
    ("assistance_loan", ("loans", "loan_installments"), _OF_HOUSEHOLD, None, True),
    ("assistance_loaninstallment", ("loan_installments",),
     "SELECT substr(household_id, 1, 12) AS k FROM assistance_loan WHERE id = {r}.loan_id", None, True),
    ("assistance_visit", ("visits",), _OF_HOUSEHOLD, None, True),
    ("assessment_spotcheckitem", ("spot_items",), _OF_HOUSEHOLD, None, True),
    ("assistance_project", COUNTY_TABLES, "SELECT {r}.county_id AS k", None, True),
    ("assistance_project_villages", ("project_villages",), _OF_PROJECT, None, True),
    ("assistance_project_beneficiaries", ("project_beneficiaries",), _OF_PROJECT, None, True),
    ("assistance_projectfund", ("project_funds",), _OF_PROJECT, None, True),
    ("assistance_projectspending", ("project_spending",), _OF_PROJECT, None, True),
    ("registry_assistancecadre", ("households",),
     "SELECT substr(code, 1, 12) AS k FROM registry_household WHERE cadre_id = {r}.id",
     " OR ".join(_CHANGED.format(c) for c in ("id", "name", "work_unit", "phone")), False),
    ("registry_member", ("loans",),
     "SELECT substr(household_id, 1, 12) AS k FROM assistance_loan WHERE borrower_id = {r}.id",
     " OR ".join(_CHANGED.format(c) for c in ("id", "id_number")), False),
    ("assessment_spotcheck", ("spot_items",),
     "SELECT substr(household_id, 1, 12) AS k FROM assessment_spotcheckitem WHERE spot_check_id = {r}.id",
     " OR ".join(_CHANGED.format(c) for c in ("id", "unit", "drawn_at")), False),
]

_MARK = (f"INSERT INTO {DIRTY} (part, version) SELECT '{{table}}:' || k, random() "
         f"FROM (SELECT DISTINCT k FROM ({{keys}}) WHERE k IS NOT NULL) WHERE true "
         f"ON CONFLICT (part) DO UPDATE SET version = excluded.version")


def _triggers() -> dict[str, str]:
    """name → CREATE TRIGGER statement, for every source table and event."""
    triggers = {}
    for index, (source, tables, keys, on_update, own) in enumerate(_SOURCES):
        events = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]} if own else {"UPDATE": ["OLD"]}
        for event, rows in events.items():
            when = f" WHEN {on_update}" if event == "UPDATE" and on_update else ""
            body = "".join(f"  {_MARK.format(table=table, keys=keys.format(r=row))};\n"
                           for row in rows for table in tables)
            name = f"mirror_{index:02d}_{event.lower()}{'' if own else '_joined'}"
            triggers[name] = f"CREATE TRIGGER {name} AFTER {event} ON {source}{when}\nBEGIN\n{body}END"
    return triggers


def _seeds() -> list[str]:
    """Statements giving every partition holding rows a version (the triggers see only later writes)."""
    return [_MARK.format(table=table, keys=f"SELECT ({keys.format(r='r')}) AS k FROM {source} AS r")
            for source, tables, keys, _update, own in _SOURCES if own for table in tables]


def _drop_triggers(cursor) -> None:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'mirror_%'")
    for (name,) in cursor.fetchall():  # also those of an older version of this module
        cursor.execute(f"DROP TRIGGER {name}")


def install(cursor) -> None:
    """Create the mirror's tables and triggers and give every partition a new version (idempotent).

    Run by the migration and again after any migration that dropped a trigger (SQLite drops a table's
    triggers when Django rebuilds the table): new versions invalidate every mirror file, since writes
    made while a trigger was missing were not marked.
    """
    execute = cursor.execute
    execute(f"CREATE TABLE IF NOT EXISTS {DIRTY} (part TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID")
    execute(f"CREATE TABLE IF NOT EXISTS {STATE} (id INTEGER PRIMARY KEY CHECK (id = 1), db_id TEXT NOT NULL)")
    execute(f"INSERT OR IGNORE INTO {STATE} (id, db_id) VALUES (1, lower(hex(randomblob(16))))")
    _drop_triggers(cursor)
    for sql in _triggers().values():
        execute(sql)
    execute(f"UPDATE {DIRTY} SET version = random()")  # also partitions emptied while a trigger was missing
    for sql in _seeds():
        execute(sql)


def uninstall(cursor) -> None:
    _drop_triggers(cursor)
    cursor.execute(f"DROP TABLE IF EXISTS {DIRTY}")
    cursor.execute(f"DROP TABLE IF EXISTS {STATE}")


def installed_as_expected(rows: Iterable[tuple[str, str]]) -> bool:
    """Whether the (name, sql) rows of sqlite_master's mirror_ triggers are exactly the expected ones."""
    return _triggers() == dict(rows)


def ensure_installed(connection) -> bool:
    """Reinstall when a trigger is missing or differs (a Django connection, SQLite only); True if it did."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'mirror_%'")
        if installed_as_expected(cursor.fetchall()):
            return False
        install(cursor)
    logger.warning("the registry mirror's triggers were missing or outdated: reinstalled, every partition marked")
    return True


def mirror_reset(using: str = "default") -> bool:
    """Reinstall the triggers and mark every partition changed: the next snapshot rewrites every file.

    False where there is no mirror (PostgreSQL, or a database not migrated yet).
    """
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite" or STATE not in connection.introspection.table_names():
        return False
    with connection.cursor() as cursor:
        install(cursor)
    return True


def villages_of(*codes: pa.ChunkedArray | pa.Array) -> list[str]:
    """The villages (first 12 digits) of 户编号 or 村代码 columns, for `mirror_bulk_write`."""
    found: set[str] = set()
    for column in codes:
        found.update(pc.unique(pc.utf8_slice_codeunits(column, 0, 12)).drop_null().to_pylist())
    return sorted(found)


@contextlib.contextmanager
def mirror_bulk_write(*, villages: Iterable[str] = (), counties: Iterable[str] = (),
                      using: str = "default") -> Iterator[None]:
    """Mark `villages` (and `counties`' projects) changed once, without the per-row triggers meanwhile.

    For bulk writers: every row written inside the block must lie in a village or county named here
    (rows joined from other tables — cadres, borrowers, spot checks — are marked by their own triggers
    whatever happens). Runs in a transaction (a savepoint inside the caller's) that drops the per-row
    triggers and creates them again at the end: no other connection ever sees them missing, and a
    failed block rolls back with its marks and the triggers as they were.
    """
    from django.db import connections, transaction

    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor != "sqlite" or STATE not in connection.introspection.table_names():
            yield
            return
        per_row = {name: sql for name, sql in _triggers().items() if not name.endswith("_joined")}
        marks = [(f"{table}:{village}",) for village in villages for table in VILLAGE_TABLES]
        marks += [(f"{table}:{county}",) for county in counties for table in COUNTY_TABLES]
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {DIRTY} (part, version) VALUES (%s, random()) "
                               f"ON CONFLICT (part) DO UPDATE SET version = excluded.version", marks)
            for name in per_row:
                cursor.execute(f"DROP TRIGGER {name}")
        yield
        with connection.cursor() as cursor:
            for sql in per_row.values():
                cursor.execute(sql)


def folder(root: Path, connection: sqlite3.Connection, database: str) -> Path | None:
    """The mirror's folder for this database (its identity and path), or None if it has no mirror.

    Reading the state starts the caller's read transaction.
    """
    try:
        (db_id,) = connection.execute(f"SELECT db_id FROM {STATE}").fetchone()
    except (sqlite3.OperationalError, TypeError):  # not migrated yet (or a restored older backup)
        return None
    digest = hashlib.sha256(f"{db_id}\n{os.path.realpath(database)}".encode()).hexdigest()[:20]
    return Path(root) / digest


def mirrored_tables(connection: sqlite3.Connection, where: Path, *, org: str, schemas: dict[str, pa.Schema],
                    read: Callable[[str, str], pa.Table]) -> dict[str, pa.Table]:
    """The snapshot tables under `org` (at most 12 digits) from the mirror, refreshed where stale.

    `connection` is in the read transaction `folder` began; `read(name, prefix)` reads the rows of
    table `name` under a code prefix from it, conformed and in the order of their partitions.
    """
    scope = org[:6]  # a file holds a county: a village's snapshot refreshes its county's file
    tables = {}
    for name, schema in schemas.items():
        lo = f"{name}:{scope}"
        versions = defaultdict(dict)
        for part, version in connection.execute(f"SELECT part, version FROM {DIRTY} WHERE part >= ? AND part < ?",
                                                (lo, lo + ":")):
            key = part[len(name) + 1:]
            versions[key[:6]][key] = version
        pieces = []
        for county, wanted in sorted(versions.items()):
            table = _county(where / county / f"{name}.arrow", name, county, wanted, read, schema)
            if len(org) > 6:
                table = table.filter(pc.starts_with(table[PART], org))
            pieces.append(table.drop_columns([PART]))
        tables[name] = pa.concat_tables(pieces) if pieces else schema.empty_table()
    return tables


def _with_part(name: str, table: pa.Table, prefix: str) -> pa.Table:
    if name in COUNTY_TABLES:  # read one county at a time
        part = pa.array([prefix] * table.num_rows, pa.string()) if table.num_rows else pa.array([], pa.string())
    else:
        part = pc.utf8_slice_codeunits(table[KEY.get(name, "household_id")], 0, 12)
    return table.append_column(PART, part)


def _county(path: Path, name: str, county: str, wanted: dict[str, int], read, schema: pa.Schema) -> pa.Table:
    """One county's table from its file and its delta file, partitions whose version differs read again.

    Each file records (version, offset, rows) per partition it holds; a partition is taken from the
    file whose version equals the database's (the delta's first), so any pair of files — also two
    written by concurrent snapshots — gives the committed rows. Re-read partitions go to the small
    delta file; the file itself is rewritten when the delta outgrows a quarter of the county.
    """
    delta_path = path.with_name(f"{name}.delta.arrow")
    base, base_parts = _load(path, schema)
    delta, delta_parts = _load(delta_path, schema) if base is not None else (None, {})
    if base is not None and not delta_parts and {key: held[0] for key, held in base_parts.items()} == wanted:
        return base
    sources = {}
    for key, version in wanted.items():
        for table, parts in ((delta, delta_parts), (base, base_parts)):
            if key in parts and parts[key][0] == version:
                sources[key] = (table is delta, table.slice(parts[key][1], parts[key][2]))
                break
    stale = [key for key in wanted if key not in sources]
    if base is None or 2 * len(stale) > len(wanted):  # mostly stale: one read of the whole county
        table = _with_part(name, read(name, county), county)
        _store(path, table, _index(wanted, {**dict.fromkeys(wanted, (0, 0)), **_runs(table)}))
        _remove(delta_path)
        return table
    pieces = [(key, sources[key][1] if key in sources else _with_part(name, read(name, key), key))
              for key in sorted(wanted)]
    table = pa.concat_tables([base.slice(0, 0), *(piece for _key, piece in pieces)])
    if stale:
        changed = [(key, piece) for key, piece in pieces if key in stale or sources[key][0]]
        if 4 * sum(piece.num_rows for _key, piece in changed) > table.num_rows:
            _store(path, table, _index(wanted, _offsets(pieces)))
            _remove(delta_path)
        else:
            _store(delta_path, pa.concat_tables([base.slice(0, 0), *(piece for _key, piece in changed)]),
                   _index(wanted, _offsets(changed)))
    return table


def _offsets(pieces: list[tuple[str, pa.Table]]) -> dict[str, tuple[int, int]]:
    offsets, offset = {}, 0
    for key, piece in pieces:
        offsets[key] = (offset, piece.num_rows)
        offset += piece.num_rows
    return offsets


def _index(wanted: dict[str, int], offsets: dict[str, tuple[int, int]]) -> dict[str, list[int]]:
    """partition → [version, offset, rows] for the partitions a file holds."""
    return {key: [wanted[key], *where] for key, where in offsets.items() if key in wanted}


def _runs(table: pa.Table) -> dict[str, tuple[int, int]]:
    """partition → (offset, rows) in `table`, read in code order: each partition one contiguous run."""
    encoded = pc.dictionary_encode(table[PART].combine_chunks())
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    starts = np.concatenate(([0], np.flatnonzero(np.diff(codes)) + 1)) if len(codes) else np.array([], int)
    ends = np.append(starts[1:], len(codes))
    keys = encoded.dictionary.take(codes[starts]).to_pylist()
    return {key: (start, end - start) for start, end, key in zip(starts.tolist(), ends.tolist(), keys)}


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _load(path: Path, schema: pa.Schema) -> tuple[pa.Table | None, dict[str, list[int]]]:
    try:
        table = pa.ipc.open_file(pa.memory_map(str(path))).read_all()
        held = json.loads(table.schema.metadata[b"parts"])
    except (OSError, KeyError, ValueError, TypeError, pa.ArrowException):
        return None, {}
    table = table.replace_schema_metadata(None)
    if not table.schema.equals(schema.append(pa.field(PART, pa.string()))):
        return None, {}  # written by a version of the code with another SCHEMA
    return table, held


def _store(path: Path, table: pa.Table, parts: dict[str, list[int]]) -> None:
    """Write-to-temp and rename: concurrent snapshots never see half a file; the last rename wins."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # 0600: personal data
    except OSError as error:
        logger.warning("registry mirror not written to %s: %s", path, error)
        return
    try:
        with os.fdopen(fd, "wb") as out:
            with pa.ipc.new_file(out, table.schema.with_metadata({"parts": json.dumps(parts)})) as writer:
                writer.write_table(table)
        os.replace(temp, path)
    except OSError as error:
        logger.warning("registry mirror not written to %s: %s", path, error)
        with contextlib.suppress(OSError):
            os.unlink(temp)
