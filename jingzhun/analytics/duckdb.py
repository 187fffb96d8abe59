"""The DuckDB engine: in-process, reads the Arrow snapshot in place (no copy)."""

from __future__ import annotations

import os

import duckdb
import pyarrow as pa

from .engine import Engine


class DuckDBEngine(Engine):
    dialect = "duckdb"

    def __init__(self, *, threads: int | None = None, memory_limit: str | None = None,
                 preserve_insertion_order: bool = True):
        self.threads = int(threads or os.cpu_count() or 1)
        self._con = duckdb.connect(":memory:")
        self._con.execute(f"SET threads = {self.threads}")
        if memory_limit:
            self._con.execute("SET memory_limit = ?", [memory_limit])
        if not preserve_insertion_order:  # big joins without ORDER BY then need less memory
            self._con.execute("SET preserve_insertion_order = false")

    def _register(self, name: str, table: pa.Table) -> None:
        self._con.register(name, table)

    def _unregister(self, name: str) -> None:
        self._con.unregister(name)

    def _execute(self, sql: str) -> pa.Table:
        result = self._con.sql(sql)
        return result.to_arrow_table() if result is not None else pa.table({})

    def close(self) -> None:
        self._con.close()
