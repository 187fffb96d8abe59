"""Splink's database backends: where a linkage model scores its pairs ("duckdb" or "spark").

The backend is chosen by name; everything else in a linkage job (features, exact pairs, the model, how
the levels are read back) is shared. Splink is imported only when a backend is opened.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa


@dataclass
class SplinkBackend:
    """Splink's database API for one job and how an Arrow table enters it; `close` frees what it owns."""

    db_api: Any
    to_backend: Callable[[pa.Table], Any]
    _own_connection: Any = None

    def register(self, table: pa.Table, name: str):
        """The table as one of Splink's input datasets (a SplinkDataFrame) named `name`."""
        return self.db_api.register(self.to_backend(table), dataset_display_name=name)

    def close(self) -> None:
        if self._own_connection is not None:  # a Spark session is the caller's and stays open
            self._own_connection.close()


def _duckdb_backend(*, threads: int, spark=None, memory_limit: str | None = None) -> SplinkBackend:
    """Splink on a private in-process DuckDB database; Arrow tables go in as they are. With `memory_limit`
    (e.g. "2GB") DuckDB keeps under it by spilling to its temporary directory (out of core)."""
    import duckdb
    from splink import DuckDBAPI

    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {int(threads)}").fetchall()
    con.execute("SET preserve_insertion_order = false").fetchall()
    if memory_limit:
        con.execute("SET memory_limit = ?", [memory_limit]).fetchall()
        con.execute("SET temp_directory = ?", [tempfile.gettempdir() + "/jz-splink-spill"]).fetchall()
    return SplinkBackend(DuckDBAPI(connection=con), lambda table: table, con)


def _spark_backend(*, threads: int, spark=None, memory_limit: str | None = None) -> SplinkBackend:
    """Splink's Spark backend on the given session, or a local one."""
    from .spark import require_pyspark, spark_session

    require_pyspark()
    from splink import SparkAPI

    spark = spark if spark is not None else spark_session()
    return SplinkBackend(SparkAPI(spark_session=spark), spark.createDataFrame)


#: backend name → how to open it; the rest of a linkage job is the same for each.
SPLINK_BACKENDS: dict[str, Callable[..., SplinkBackend]] = {"duckdb": _duckdb_backend, "spark": _spark_backend}


def splink_backend(name: str, *, threads: int, spark=None, memory_limit: str | None = None) -> SplinkBackend:
    """A fresh Splink backend by name (spark: on `spark`, else a local session, whose memory is the
    session's; `memory_limit` bounds DuckDB's)."""
    if name not in SPLINK_BACKENDS:
        raise ValueError(f"unknown engine {name!r} (available: {', '.join(SPLINK_BACKENDS)})")
    return SPLINK_BACKENDS[name](threads=threads, spark=spark, memory_limit=memory_limit)
