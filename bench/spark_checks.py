"""Benchmark: all data-quality rules on local Spark beside DuckDB, same synthetic registry, same run.

The registry (ten Shanxi counties for 10M members) is built as Arrow tables straight from the generator
(bench/checks.py), conformed, and written once as a Parquet snapshot (Snapshot.to_parquet) under
/tmp/jz-bench-spark/<members>/ — reused by later runs. DuckDB loads the Arrow snapshot in memory; Spark
reads the Parquet directory where it lies (SparkEngine.load_parquet, what a cluster does). Both run every
rule; their findings must be equal (checked), and each timed case records the load average at start and end.

    python bench/spark_checks.py --sizes 1000000 10000000 --driver-memory 8g
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from checks import AS_OF, peak_mb, synth_tables, to_snapshot  # noqa: E402  (sets Django up)

from jingzhun.analytics import Snapshot, get_engine  # noqa: E402
from jingzhun.checks.catalog import load_catalog  # noqa: E402
from jingzhun.checks.runner import run_rules  # noqa: E402

DATA = Path("/tmp/jz-bench-spark")


def parquet_snapshot(size: int, errors: float) -> Path:
    """The Parquet snapshot of about `size` members, generated and written once."""
    directory = DATA / f"{size}-{errors}"
    if not (directory / "spot_items.parquet").exists():  # the last table to_parquet writes
        start = time.perf_counter()
        to_snapshot(synth_tables(size, errors=errors)).to_parquet(str(directory))
        print(f"  generated and wrote {directory} in {time.perf_counter() - start:.1f} s")
    return directory


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
        directory = parquet_snapshot(size, args.errors)
        snapshot = Snapshot.from_parquet(str(directory))
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
        print(f"  findings {duck.num_rows:,} (equal on both: {sparked.sort_by(every).equals(duck.sort_by(every))}); "
              f"Spark/DuckDB {spark_seconds / duck_seconds:.1f}×; peak RSS of this process {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
