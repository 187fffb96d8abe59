"""Spark, an optional heavy engine: PySpark is the `spark` extra, imported only when asked for.

`SparkEngine` answers the rules and indicators (written in DuckDB's dialect) on a Spark session: sqlglot
writes them in `JingzhunSpark`, Spark's dialect plus what our SQL needs that sqlglot's DuckDB→Spark
transpile does not give (see the class). Snapshots enter as temporary views, from Arrow through the
driver or straight from a Parquet snapshot directory that the executors read; results come back as Arrow
with the types DuckDB gives (`_as_duckdb_types`).
"""

from __future__ import annotations

import datetime
import os
import re
import tempfile

import pyarrow as pa
from sqlglot import exp
from sqlglot.dialects.spark import Spark

from .engine import Engine
from .snapshot import SCHEMA, parquet_path

#: the one place that says what to install for anything that runs on Spark
INSTALL_HINT = "the Spark engine needs PySpark: pip install 'jingzhun[spark]'"


def require_pyspark():
    """The pyspark.sql module, or an ImportError that says what to install."""
    try:
        import pyspark.sql
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return pyspark.sql


def spark_session(*, master: str = "local[2]", driver_memory: str | None = None, java_options: str | None = None):
    """A Spark session fit for Splink (a checkpoint directory is required for predict) and the engine
    (Arrow transfer on, few shuffle partitions, no UI): local on `master`, unless spark-submit already
    named a master (a cluster run, docs/spark.md). `driver_memory` and `java_options` (the driver JVM's)
    count only when this starts the JVM."""
    sql = require_pyspark()
    builder = sql.SparkSession.builder.appName("jingzhun")
    # under spark-submit the JVM is already up (it hands PySpark its port) and its --master wins
    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        builder = builder.master(master)
    if java_options:
        builder = builder.config("spark.driver.extraJavaOptions", java_options)
    builder = (builder
               .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               # DuckDB's sessions keep dates and times in UTC too; nothing here depends on the local zone
               .config("spark.sql.session.timeZone", "UTC"))
    if driver_memory:
        builder = builder.config("spark.driver.memory", driver_memory)
    spark = builder.getOrCreate()
    spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="jingzhun-spark-"))
    return spark


def _double(expression: exp.Expression) -> exp.Cast:
    return exp.Cast(this=expression, to=exp.DataType(this=exp.DataType.Type.DOUBLE))


def _full_match(self, expression: exp.RegexpFullMatch) -> str:
    # Spark's RLIKE finds the pattern anywhere; DuckDB's regexp_full_match matches the whole string
    pattern = expression.expression
    anchored = exp.Literal.string(f"^(?:{pattern.this})$") if pattern.is_string else exp.func(
        "concat", exp.Literal.string("^(?:"), pattern, exp.Literal.string(")$"))
    return self.sql(exp.RegexpLike(this=expression.this, expression=anchored))


def _json_object(self, expression: exp.JSONObject) -> str:
    # Spark has no json_object: to_json over a struct, keeping null members as DuckDB does
    fields = []
    for pair in expression.expressions:
        fields.extend([pair.this, pair.expression])
    options = exp.Anonymous(this="map", expressions=[exp.Literal.string("ignoreNullFields"), exp.Literal.string("false")])
    return self.sql(exp.func("to_json", exp.func("named_struct", *fields), options))


def _anonymous(self, expression: exp.Anonymous) -> str:
    name = expression.name.lower()
    if name == "to_years":  # DuckDB's to_years(n): an interval of n years (Spark: a year-month interval)
        return self.sql(exp.func("make_ym_interval", *expression.expressions, exp.Literal.number(0)))
    if name == "printf":
        # Spark's printf takes no decimal for %f, and Java's formatter rounds a DOUBLE's shortest decimal
        # form: an argument of %.Nf is a DOUBLE rounded first as DuckDB's printf rounds (exact value, ties
        # to even), which Java then prints as it is; an argument of %f without precision a DOUBLE
        fmt, *args = expression.expressions
        if fmt.is_string:
            conversions = re.findall(r"%[-#+ 0,(]*[0-9]*(?:\.([0-9]+))?([a-zA-Z%])", fmt.this)
            conversions = [(places, c) for places, c in conversions if c != "%"]
            args = [self.sql(a) if c != "f" else _exact_round(self.sql(_double(a)), int(places), half_even=True)
                    if places and int(places) <= 6 else self.sql(_double(a)) for a, (places, c) in zip(args, conversions)
                    ] + [self.sql(a) for a in args[len(conversions):]]
            return f"PRINTF({', '.join([self.sql(fmt), *args])})"
    return Spark.Generator.anonymous_sql(self, expression)


def _any_value(self, expression: exp.AnyValue | exp.IgnoreNulls) -> str:
    # DuckDB's any_value skips NULLs; Spark's "any_value(x) IGNORE NULLS" cannot take a FILTER clause
    value = expression.this if isinstance(expression, exp.IgnoreNulls) else expression
    if not isinstance(value, exp.AnyValue):
        return Spark.Generator.ignorenulls_sql(self, expression)
    return self.sql(exp.Anonymous(this="any_value", expressions=[value.this, exp.true()]))


def _exact_round(x: str, places: int, *, half_even: bool) -> str:
    """SQL rounding the DOUBLE `x` to `places` decimals by its exact binary value, as DuckDB does: a tie
    half away from zero (round) or to even (printf). The product by 10^n is made exact with Dekker's
    two-product (Veltkamp's split; 10^n needs none): p + err is exactly |x| * 10^n, so a tie is told
    from a near tie (2.675 is 2.67499999… and gives 2.67; Spark's ROUND takes 2.675 up)."""
    m = f"CAST({10 ** places} AS DOUBLE)"
    a = f"ABS({x})"
    c = f"(CAST(134217729 AS DOUBLE) * {a})"
    high = f"({c} - ({c} - {a}))"
    p = f"({a} * {m})"
    err = f"(({high} * {m} - {p}) + ({a} - {high}) * {m})"
    frac = f"({p} - FLOOR({p}))"
    tie_up = f"({err} > 0 OR ({err} = 0 AND FLOOR({p}) % 2 = 1))" if half_even else f"{err} >= 0"
    return (f"(SIGNUM({x}) * CASE WHEN {frac} > 0.5 OR ({frac} = 0.5 AND {tie_up}) THEN FLOOR({p}) + 1 "
            f"ELSE FLOOR({p}) END / {m})")


def _round(self, expression: exp.Round) -> str:
    # A rate (a division: DOUBLE on both engines) rounded as DuckDB rounds a DOUBLE; decimals and integers
    # round the same on both engines and keep Spark's ROUND.
    decimals = expression.args.get("decimals")
    places = int(decimals.name) if decimals is not None and decimals.is_int else None if decimals else 0
    if not isinstance(expression.this.unnest(), exp.Div) or places is None or not 0 <= places <= 6:
        return self.function_fallback_sql(expression)
    return _exact_round(f"({self.sql(expression.this)})", places, half_even=False)


def _div(self, expression: exp.Div) -> str:
    # DuckDB's "/" is always a DOUBLE division; Spark's keeps decimals decimal (rounded to 6 places)
    return self.binary(exp.Div(this=_double(expression.this), expression=expression.expression), "/")


def _array_agg(self, expression: exp.ArrayAgg) -> str:
    # DuckDB's list(x ORDER BY k…) keeps the order; Spark's collect_list (sqlglot's translation) follows
    # the rows' order in the shuffle and drops the ORDER BY. Sorted here: the values collected as
    # structs (null flag and key of each ORDER BY term, then the value), the array sorted, the values taken
    # back out (and DISTINCT applied after the sort, which keeps the order).
    inner = expression.this
    if not isinstance(inner, exp.Order):
        return Spark.Generator.arrayagg_sql(self, expression)
    value = inner.this
    distinct = isinstance(value, exp.Distinct)
    if distinct:
        value = value.expressions[0]
    fields = []
    for n, ordered in enumerate(inner.expressions):
        if ordered.args.get("desc") or ordered.args.get("nulls_first"):
            self.unsupported("list(… ORDER BY … DESC / NULLS FIRST) is not translated for Spark")
        key = ordered.this
        fields += [f"'n{n}'", self.sql(exp.Is(this=key, expression=exp.null())), f"'k{n}'", self.sql(key)]
    collected = f"COLLECT_LIST(NAMED_STRUCT({', '.join(fields)}, 'v', {self.sql(value)}))"
    values = f"TRANSFORM(ARRAY_SORT({collected}), jz_s -> jz_s.v)"
    return f"ARRAY_DISTINCT({values})" if distinct else values


def _create(self, expression: exp.Create) -> str:
    # The engine's views and materialised tables are the session's own: temporary views, which may read
    # the snapshot's temporary views (a persistent view may not); a table is a cached temporary view,
    # not a managed table written to a warehouse directory.
    kind = expression.args.get("kind", "").upper()
    if kind == "VIEW":
        properties = expression.args.get("properties") or exp.Properties(expressions=[])
        if not any(isinstance(p, exp.TemporaryProperty) for p in properties.expressions):
            expression = expression.copy()
            properties = properties.copy()
            properties.append("expressions", exp.TemporaryProperty())
            expression.set("properties", properties)
    elif kind == "TABLE" and isinstance(expression.expression, exp.Query):
        return self.sql(exp.Cache(this=expression.this, expression=expression.expression))
    return Spark.Generator.create_sql(self, expression)


class JingzhunSpark(Spark):
    """Spark SQL as our DuckDB-dialect rules and views mean it (registered in sqlglot as "jingzhunspark")."""

    class Generator(Spark.Generator):
        TRANSFORMS = {
            **Spark.Generator.TRANSFORMS,
            exp.RegexpFullMatch: _full_match,
            exp.JSONObject: _json_object,
            exp.Anonymous: _anonymous,
            exp.AnyValue: _any_value,
            exp.IgnoreNulls: _any_value,
            exp.Div: _div,
            exp.Round: _round,
            exp.Create: _create,
            exp.ArrayAgg: _array_agg,
        }


def _as_duckdb_types(table: pa.Table) -> pa.Table:
    """A Spark result with the Arrow types DuckDB gives for the same query (Spark's large strings are plain)."""
    schema = pa.schema([f.with_type(pa.string()) if pa.types.is_large_string(f.type) else f for f in table.schema])
    return table if schema == table.schema else table.cast(schema)


class SparkEngine(Engine):
    """The rules and indicators on a Spark session (local by default, or one a cluster gave)."""

    dialect = "jingzhunspark"

    def __init__(self, *, spark=None, master: str = "local[2]", driver_memory: str | None = None):
        self.spark = spark if spark is not None else spark_session(master=master, driver_memory=driver_memory)
        # the temporary views there before this engine: close drops only those it made (views, cached tables)
        self._before = self._temporary_views()

    def load_parquet(self, directory: str, *, as_of: datetime.date) -> None:
        """Load a snapshot written by `Snapshot.to_parquet` from `directory` (a local path or any URI Spark
        reads: hdfs://, s3a://, …): the executors read the files, nothing passes through the driver."""
        for name in SCHEMA:
            self.spark.read.parquet(parquet_path(directory, name)).createOrReplaceTempView(name)
        self.prepare(as_of=as_of)

    def _temporary_views(self) -> set[str]:
        return {t.name for t in self.spark.catalog.listTables() if t.isTemporary}

    def _register(self, name: str, table: pa.Table) -> None:
        self.spark.createDataFrame(table).createOrReplaceTempView(name)

    def _unregister(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)

    def _execute(self, sql: str) -> pa.Table:
        return _as_duckdb_types(self.spark.sql(sql).toArrow())

    def close(self) -> None:
        """Forget this engine's views (uncaching its tables); the session itself is the caller's to stop."""
        for name in self._temporary_views() - self._before:
            self.spark.catalog.dropTempView(name)
