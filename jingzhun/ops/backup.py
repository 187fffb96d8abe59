"""`jingzhun backup` / `jingzhun restore`: the whole database to one file and back.

The embedded SQLite database is copied with SQLite's online backup API (consistent while the site runs);
PostgreSQL with ``pg_dump -Fc`` and ``pg_restore --clean --single-transaction``. A backup is the engine's own
format (an SQLite file, a pg_dump archive), checked on restore to be one of ours before anything is touched.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, connections

from jingzhun.accounts.models import AuditEvent
from jingzhun.accounts.services import audit_record

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
#: Tables every jingzhun database has: a file without them is not a jingzhun backup.
_MARKER_TABLES = ("django_migrations", "accounts_user", "accounts_auditevent")


class BackupError(Exception):
    """A backup or restore that cannot proceed; the message (Chinese) says why and what to do."""


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    checksum: str


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    engine: str
    tables: int
    rows: int
    size: int
    fingerprints: dict[str, TableFingerprint]

    def __str__(self) -> str:
        engine = "PostgreSQL" if self.engine == "postgresql" else "SQLite"
        return (f"{engine} 数据库：{self.tables} 张表，共 {self.rows} 行；文件 {self.path}"
                f"（{self.size / 1024 / 1024:.1f} MB）")


def table_fingerprints(using: str = "default") -> dict[str, TableFingerprint]:
    """Row count and a SHA-256 over the rows (in primary-key order) of every table of the database."""
    conn = connections[using]
    result = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            quoted = conn.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted} WHERE 1 = 0")
            columns = [c[0] for c in cursor.description]
            order = ", ".join(conn.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY {order}")
            digest, rows = hashlib.sha256(), 0
            while batch := cursor.fetchmany(5000):
                for row in batch:
                    digest.update(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode())
                    digest.update(b"\n")
                rows += len(batch)
            result[table] = TableFingerprint(rows=rows, checksum=digest.hexdigest())
    return result


def _summary(path: Path, fingerprints: dict[str, TableFingerprint]) -> BackupSummary:
    return BackupSummary(path=path, engine=connection.vendor, tables=len(fingerprints),
                         rows=sum(f.rows for f in fingerprints.values()), size=path.stat().st_size,
                         fingerprints=fingerprints)


def _pg_command(program: str) -> tuple[list[str], dict]:
    """The pg_dump/pg_restore command line and environment for the default database."""
    if shutil.which(program) is None:
        raise BackupError(f"找不到 {program}：请安装 PostgreSQL 客户端工具（版本不低于数据库服务器）。")
    params = connection.get_connection_params()
    args = [program, "--dbname", params.get("dbname") or connection.settings_dict["NAME"]]
    for flag, key in (("--host", "host"), ("--port", "port"), ("--username", "user")):
        if params.get(key):
            args += [flag, str(params[key])]
    env = {**os.environ}
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    return args, env


def _run(args: list[str], env: dict) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} 失败：{done.stderr.strip()[-800:]}")


def _private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # backups hold personal data
    os.close(fd)


def _sqlite_copy(source_path, target_path) -> None:
    """SQLite's online backup API: a consistent copy while other connections read and write."""
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def database_backup(*, out: Path, acting: str = "cli") -> BackupSummary:
    """Write the whole database to `out` (the audit log records the backup, and the backup holds that row)."""
    out = Path(out)
    audit_record(action=AuditEvent.Action.BACKUP, username="system", target=out.name,
                 detail={"engine": connection.vendor, "source": acting})
    _private_file(out)
    if connection.vendor == "sqlite":
        _sqlite_copy(connection.settings_dict["NAME"], out)
    else:
        args, env = _pg_command("pg_dump")
        _run([*args, "--format=custom", "--no-owner", "--file", str(out)], env)
    return _summary(out, table_fingerprints())


def _sqlite_tables(path: Path) -> set[str]:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return set()


def _pg_tables(path: Path) -> set[str]:
    _args, env = _pg_command("pg_restore")
    done = subprocess.run(["pg_restore", "--list", str(path)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        return set()
    # "215; 1259 16390 TABLE public accounts_user postgres"
    return {parts[parts.index("TABLE") + 2] for line in done.stdout.splitlines()
            if " TABLE " in line and len(parts := line.split()) > parts.index("TABLE") + 2}


def backup_check(path: Path) -> str:
    """The engine of the backup at `path` ("sqlite"/"postgresql"), or BackupError if it is not one of ours."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise BackupError(f"无法读取文件 {path}：{exc.strerror or exc}") from None
    if head.startswith(SQLITE_MAGIC):
        engine, tables = "sqlite", _sqlite_tables(path)
    elif head.startswith(PGDUMP_MAGIC):
        engine, tables = "postgresql", _pg_tables(path)
    else:
        raise BackupError(f"{path.name} 不是 jingzhun 的备份文件（既不是 SQLite 数据库，也不是 pg_dump 归档）。")
    if not set(_MARKER_TABLES) <= tables:
        raise BackupError(f"{path.name} 不是 jingzhun 的备份文件（缺少用户、审计日志等数据表）。")
    if engine != connection.vendor:
        names = {"sqlite": "SQLite（内置数据库）", "postgresql": "PostgreSQL"}
        raise BackupError(f"{path.name} 是 {names[engine]} 的备份，当前数据库是 {names[connection.vendor]}："
                          "请在同一种数据库上恢复。")
    return engine


def database_restore(*, path: Path, acting: str = "cli") -> BackupSummary:
    """Replace the whole database with the backup at `path` (checked first); an audit row records it.

    The summary's fingerprints are taken right after the restore, before that audit row is written.
    """
    path = Path(path)
    backup_check(path)
    connections.close_all()
    if connection.vendor == "sqlite":
        # Through a copy: the backup file itself is never opened read-write.
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "restore.sqlite3"
            shutil.copyfile(path, copy)
            _sqlite_copy(copy, connection.settings_dict["NAME"])
    else:
        args, env = _pg_command("pg_restore")
        _run([*args, "--clean", "--if-exists", "--no-owner", "--single-transaction", str(path)], env)
    connections.close_all()
    fingerprints = table_fingerprints()
    audit_record(action=AuditEvent.Action.RESTORE, username="system", target=path.name,
                 detail={"engine": connection.vendor, "source": acting,
                         "rows": sum(f.rows for f in fingerprints.values())})
    return _summary(path, fingerprints)
