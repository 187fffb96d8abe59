"""Benchmark: all data-quality rules on local Spark beside DuckDB, same synthetic registry, same run.

The registry is bench/checks.py's per-county Parquet (/tmp/jz-bench-100m, generated there once: twelve
Shanxi counties for 10M members). For Spark it is presented as one Parquet snapshot directory under
/tmp/jz-bench-spark/<members>/: each table a directory of links to the counties' files (Spark reads a
directory of Parquet files as one table), the tables the generator does not make written empty. DuckDB
loads the counties' tables concatenated into one Arrow snapshot, in memory (today's whole-registry
path); Spark reads the Parquet where it lies (SparkEngine.load_parquet, what a cluster does). Both run
every rule; their findings must be equal (checked), and each timed case records the load average at
start and end.

    python bench/spark_checks.py --sizes 1000000 10000000 --driver-memory 8g
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from checks import AS_OF, county_partitions, vmhwm_mb, whole_snapshot  # noqa: E402  (sets Django up)

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from jingzhun.analytics import conform, get_engine  # noqa: E402
from jingzhun.analytics.snapshot import SCHEMA  # noqa: E402
from jingzhun.checks.catalog import load_catalog  # noqa: E402
from jingzhun.checks.runner import run_rules  # noqa: E402

DATA = Path("/tmp/jz-bench-spark")


def parquet_snapshot(counties: list[Path], size: int, errors: float) -> Path:
    """The counties' Parquet files as one snapshot directory (links; empty tables for the rest)."""
    directory = DATA / f"{size}-{errors}"
    for name in SCHEMA:
        table_dir = directory / f"{name}.parquet"
        table_dir.mkdir(parents=True, exist_ok=True)
        sources = [c / f"{name}.parquet" for c in counties if (c / f"{name}.parquet").exists()]
        if not sources:
            if not (table_dir / "empty.parquet").exists():
                pq.write_table(conform(name, pa.table({})), table_dir / "empty.parquet")
            continue
        for n, source in enumerate(sources):
            link = table_dir / f"{n:03d}.parquet"
            if not link.exists():
                link.symlink_to(source)
    return directory


def _row(row: dict) -> tuple:
    return tuple(str(v) for v in row.values())


def timed(label: str, work):
    before = os.getloadavg()[0]
    start = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - start
    print(f"  {label:<8} {seconds:8.2f} s   load average {before:.2f} → {os.getloadavg()[0]:.2f}", flush=True)
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", type=int, default=[1_000_000, 10_000_000])
    parser.add_argument("--errors", type=float, default=0.01)
    parser.add_argument("--driver-memory", default="8g", help="local Spark's driver (and executor) memory")
    parser.add_argument("--duckdb-memory", default="6GB")
    args = parser.parse_args()
    rules = list(load_catalog().values())
    from jingzhun.analytics import spark_session

    spark = spark_session(driver_memory=args.driver_memory)
    spark.sparkContext.setLogLevel("ERROR")
    print(f"{len(rules)} rules; {os.cpu_count()} cores; Spark local[2], driver memory {args.driver_memory}")
    for size in args.sizes:
        counties = county_partitions(size, errors=args.errors)
        directory = parquet_snapshot(counties, size, args.errors)
        snapshot = whole_snapshot(counties)
        print(f"{snapshot.tables['members'].num_rows:,} members, {snapshot.tables['households'].num_rows:,} households")

        def on_duckdb():
            with get_engine("duckdb", memory_limit=args.duckdb_memory, preserve_insertion_order=False) as engine:
                engine.load(snapshot, as_of=AS_OF)
                return run_rules(engine, rules)

        def on_spark():
            with get_engine("spark", spark=spark) as engine:
                engine.load_parquet(str(directory), as_of=AS_OF)
                return run_rules(engine, rules)

        duck, duck_seconds = timed("DuckDB", on_duckdb)
        del snapshot
        sparked, spark_seconds = timed("Spark", on_spark)
        every = [(c, "ascending") for c in duck.column_names]  # run_rules leaves ties among a member's findings
        duck, sparked = duck.sort_by(every), sparked.sort_by(every)
        equal = sparked.equals(duck)
        print(f"  findings {duck.num_rows:,} (equal on both: {equal}); "
              f"Spark/DuckDB {spark_seconds / duck_seconds:.1f}×; peak RSS of this process {vmhwm_mb():,.0f} MB (the JVM's not included)")
        if not equal:  # what differs, a few rows of each side
            duck_rows, spark_rows = set(map(_row, duck.to_pylist())), set(map(_row, sparked.to_pylist()))
            print(f"  only DuckDB {len(duck_rows - spark_rows):,}, only Spark {len(spark_rows - duck_rows):,}")
            for row in sorted(duck_rows - spark_rows)[:5]:
                print(f"    DuckDB {row}")
            for row in sorted(spark_rows - duck_rows)[:5]:
                print(f"    Spark  {row}")


if __name__ == "__main__":
    main()
