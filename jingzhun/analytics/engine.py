"""The engine-neutral analytics core.

An `Engine` holds one registry snapshot and answers SQL over it. The shared steps — registering the
snapshot, the parameters and the poverty lines, creating the derived views, running rules — are
written once here and are final; an engine supplies only the small hooks (register an Arrow table,
run a statement, say its dialect). Rules and views are written in DuckDB's dialect and transpiled with
sqlglot for any other engine, so engine differences live in the dialect, never in `if engine == …`.
"""

from __future__ import annotations

import datetime
import re
from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar, final

import pyarrow as pa
import sqlglot

from .lines import poverty_lines
from .snapshot import Snapshot

SOURCE_DIALECT = "duckdb"
VIEWS_SQL = Path(__file__).resolve().parent / "sql" / "views.sql"


def split_statements(sql: str) -> list[str]:
    """The statements of one of our SQL scripts, kept as written: each ends with ";" at the end of a line."""
    statements = [s.strip() for s in re.split(r";[ \t]*(?:\n|$)", sql)]
    return [s for s in statements if s and not all(line.strip().startswith("--") or not line.strip()
                                                   for line in s.splitlines())]


class Engine(ABC):
    dialect: ClassVar[str]

    @final
    def load(self, snapshot: Snapshot, *, as_of: datetime.date) -> None:
        """Register the snapshot's tables, the parameters and the lines, then create the derived views."""
        for name, table in snapshot.tables.items():
            self._register(name, table)
        self._register("params", pa.table({"as_of": pa.array([as_of], pa.date32()),
                                           "as_of_year": pa.array([as_of.year], pa.int32())}))
        self._register("poverty_lines", poverty_lines())
        for statement in split_statements(VIEWS_SQL.read_text(encoding="utf-8")):
            self._execute(self.translate(statement))

    @final
    def query(self, sql: str) -> pa.Table:
        """Run one SELECT written in the source dialect."""
        return self._execute(self.translate(sql))

    @final
    def materialize(self, name: str, sql: str) -> None:
        """Keep the result of a SELECT (source dialect) as table `name`, for queries that read it often."""
        self._execute(self.translate(f"DROP TABLE IF EXISTS {name}"))
        self._execute(self.translate(f"CREATE TABLE {name} AS {sql}"))

    @final
    def translate(self, sql: str) -> str:
        if self.dialect == SOURCE_DIALECT:
            return sql
        return ";\n".join(sqlglot.transpile(sql, read=SOURCE_DIALECT, write=self.dialect))

    @abstractmethod
    def _register(self, name: str, table: pa.Table) -> None: ...

    @abstractmethod
    def _execute(self, sql: str) -> pa.Table: ...

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
