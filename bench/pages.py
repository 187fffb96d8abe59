"""Benchmark: the household list, the problem list and the dashboard of a 10M-member province under load.

Target (issue 19, item 5): with every Shanxi county loaded (10M members), the 建档立卡户 list, the
问题数据台账 and the overview page answer at p95 ≤ 100 ms under 20 concurrent clients with two server
processes, as a province-level user and as a county user, without counting the province on every page.

    python bench/pages.py --load --home /tmp/jz-bench-pages/sqlite          # once: import, refresh, checks
    python bench/pages.py --home /tmp/jz-bench-pages/sqlite --baseline /work/main
    python bench/pages.py --db postgres --load ...                           # the same on PostgreSQL

`--load` imports the province county by county (bench/dashboard.py's generator split), stores an
indicator refresh and runs every rule over each county so the ledger holds its problems. The page run
serves this checkout and, with `--baseline`, another checkout (main: the pages before the change) on the
same database, one after the other in the same run, with wrk as bench/dashboard.py drives it.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dashboard  # noqa: E402  (bench/dashboard.py: generator split, sessions, wrk, serve)


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--home", type=Path, required=True, help="JINGZHUN_HOME of the loaded province")
    p.add_argument("--pg-name", default="bench_pages")
    p.add_argument("--load", action="store_true", help="import the province, refresh and run the checks")
    p.add_argument("--members", type=int, default=10_000_000)
    p.add_argument("--errors", type=float, default=0.01, help="share of rows with a content error (problems)")
    p.add_argument("--baseline", type=Path, help="another checkout to serve on the same database (main)")
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--port", type=int, default=8766)
    p.add_argument("--processes", type=int, nargs="+", default=[2])
    p.add_argument("--think", type=int, nargs="+", default=[0, 1000])
    return p.parse_args()


def environment(args) -> dict:
    args.home.mkdir(parents=True, exist_ok=True)
    env = {"JINGZHUN_HOME": str(args.home), "DJANGO_SETTINGS_MODULE": "config.settings.base",
           "JINGZHUN_INDICATOR_AUTO_REFRESH": "false"}
    if args.db == "postgres":
        env["JINGZHUN_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.pg_name}"
    os.environ.update(env)
    return env


def load(args) -> None:
    """Import the province county by county, store a refresh and run every rule over every county."""
    from django.core.management import call_command

    from jingzhun.checks.services import check_run_execute
    from jingzhun.exchange.importer import import_sheets, sheets_from_tables
    from jingzhun.indicators.services import indicators_refresh
    from jingzhun.orgunits.services import divisions_load

    if args.db == "postgres":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {args.pg_name}")
            conn.execute(f"CREATE DATABASE {args.pg_name}")
    call_command("migrate", verbosity=0)
    divisions_load(prefix="14")
    start = time.perf_counter()
    counties = []
    for county, tables in dashboard.county_tables(args.members, args.errors):
        report = import_sheets(sheets=sheets_from_tables(tables, f"bench {county}"))
        assert not report.issues, report.issues[:3]
        counties.append(county)
        print(f"[load] {county} imported ({time.perf_counter() - start:.0f} s)", flush=True)
    start = time.perf_counter()
    refresh = indicators_refresh(as_of=dashboard.AS_OF, reason="bench: pages")
    print(f"[load] refresh: {refresh.members:,} members, {refresh.units:,} units in "
          f"{time.perf_counter() - start:.0f} s", flush=True)
    start = time.perf_counter()
    problems = 0
    for county in counties:
        run, _findings = check_run_execute(org=county, as_of=dashboard.AS_OF)
        problems += run.opened
    print(f"[load] checks over {len(counties)} counties: {problems:,} problems opened in "
          f"{time.perf_counter() - start:.0f} s", flush=True)


def main() -> int:
    args = parse()
    env = environment(args)
    import django

    django.setup()
    if args.load:
        load(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
