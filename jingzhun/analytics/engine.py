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
from sqlglot import exp

from .lines import poverty_lines
from .snapshot import SCHEMA, Snapshot, conform

SOURCE_DIALECT = "duckdb"
VIEWS_SQL = Path(__file__).resolve().parent / "sql" / "views.sql"
ID_NUMBERS_SQL = Path(__file__).resolve().parent / "sql" / "id_numbers.sql"


def split_statements(sql: str) -> list[str]:
    """The statements of one of our SQL scripts, kept as written: each ends with ";" at the end of a line."""
    statements = [s.strip() for s in re.split(r";[ \t]*(?:\n|$)", sql)]
    return [s for s in statements if s and not all(line.strip().startswith("--") or not line.strip()
                                                   for line in s.splitlines())]


class Engine(ABC):
    dialect: ClassVar[str]
    #: how many threads the engine uses (engines that size themselves otherwise say None)
    threads: int | None = None

    @final
    def load(self, snapshot: Snapshot, *, as_of: datetime.date) -> None:
        """Register the snapshot's tables, the parameters and the lines, then create the derived views.

        A table of the schema that the snapshot lacks (a synthetic registry has no 帮扶 tables) is registered
        empty: a rule over it finds nothing rather than failing."""
        for name, table in snapshot.tables.items():
            self.register(name, table)
        # a snapshot made by hand (tests, benchmarks) may leave tables out: they are there, empty
        for name in SCHEMA.keys() - snapshot.tables.keys():
            self.register(name, conform(name, pa.table({})))
        self.prepare(as_of=as_of)

    def load_parquet(self, directory: str, *, as_of: datetime.date) -> None:
        """`load` a snapshot written by `Snapshot.to_parquet`; an engine that reads Parquet where it lies
        (Spark) reads it there instead of through this process."""
        self.load(Snapshot.from_parquet(directory), as_of=as_of)

    @final
    def prepare(self, *, as_of: datetime.date) -> None:
        """Register the parameters and the lines and create the derived views, over the snapshot's tables
        already registered (by `load`, or by an engine that reads a snapshot where it lies)."""
        self.set_as_of(as_of)
        self.register("poverty_lines", poverty_lines())
        self.id_view("member_ids", "members")
        for statement in split_statements(VIEWS_SQL.read_text(encoding="utf-8")):
            self._execute(self.translate(statement))

    @final
    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table queryable as `name` (replacing what had that name)."""
        self._register(name, table)

    @final
    def unregister(self, name: str) -> None:
        """Forget a table given to `register` (the engine may hold on to its memory until then)."""
        self._unregister(name)

    @final
    def set_as_of(self, as_of: datetime.date) -> None:
        """The table params: the reference date of ages, ID validity and years."""
        self.register("params", pa.table({"as_of": pa.array([as_of], pa.date32()),
                                          "as_of_year": pa.array([as_of.year], pa.int32())}))

    @final
    def id_view(self, name: str, source: str) -> None:
        """View `name`: the rows of `source` with what GB 11643 says about their id_number (the columns of
        sql/id_numbers.sql: id_valid, id_birth, age, …). Needs params (`set_as_of`)."""
        select = exp.replace_tables(sqlglot.parse_one(ID_NUMBERS_SQL.read_text(encoding="utf-8"),
                                                      read=SOURCE_DIALECT), {"id_source": source})
        self.view(name, select.sql(SOURCE_DIALECT))

    @final
    def query(self, sql: str) -> pa.Table:
        """Run one SELECT written in the source dialect."""
        return self._execute(self.translate(sql))

    @final
    def view(self, name: str, sql: str) -> None:
        """Name a SELECT (source dialect) as view `name`, computed whenever it is read."""
        self._execute(self.translate(f"CREATE OR REPLACE VIEW {name} AS {sql}"))

    @final
    def materialize(self, name: str, sql: str) -> None:
        """Keep the result of a SELECT (source dialect) as table `name`, for queries that read it often."""
        self._execute(self.translate(f"DROP TABLE IF EXISTS {name}"))
        self._execute(self.translate(f"CREATE TABLE {name} AS {sql}"))

    @final
    def scalar(self, sql: str):
        """The single value of a one-row, one-column SELECT (source dialect)."""
        return self.query(sql).column(0)[0].as_py()

    @final
    def translate(self, sql: str) -> str:
        if self.dialect == SOURCE_DIALECT:
            return sql
        return ";\n".join(sqlglot.transpile(sql, read=SOURCE_DIALECT, write=self.dialect))

    @abstractmethod
    def _register(self, name: str, table: pa.Table) -> None: ...

    @abstractmethod
    def _unregister(self, name: str) -> None: ...

    @abstractmethod
    def _execute(self, sql: str) -> pa.Table: ...

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
