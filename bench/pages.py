"""Benchmark: the household list, the problem list and the dashboard of a 10M-member province under load.

Target (issue 19, item 5): with every Shanxi county loaded (10M members), the 建档立卡户 list, the
问题数据台账 and the overview page answer at p95 ≤ 100 ms under 20 concurrent clients with two server
processes, as a province-level user and as a county user, without counting the province on every page.

    python bench/pages.py --load --home /tmp/jz-bench-pages/sqlite          # once: import, refresh, checks
    python bench/pages.py --home /tmp/jz-bench-pages/sqlite --baseline /tmp/jz-bench-pages/base
    python bench/pages.py --db postgres --load --home /tmp/jz-bench-pages/pg # the same on PostgreSQL

`--load` imports the province county by county (bench/dashboard.py's generator split, with 1 % of the
rows given a content error), stores an indicator refresh and runs every rule over each county so the
ledger holds its problems. The page run serves this checkout and, with `--baseline`, another checkout
(a worktree of main before the change: `git worktree add --detach /tmp/jz-bench-pages/base <commit>`)
on the same database, one after the other in the same run: `jingzhun serve --processes 2`, one request
timed, then wrk (20 clients, think 0 and 1000 ms) as bench/dashboard.py drives it, the load average
recorded before and after each case. A page whose single request takes over 5 s is not put under wrk
(20 clients would only time out); its single time is the figure.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
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
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--think", type=int, nargs="+", default=[0, 1000])
    p.add_argument("--pages", nargs="+", default=["households", "problems", "dashboard"])
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


#: The pages, each with a phrase its answer must hold (not a login page or an error).
PAGES = {"households": ("/households/", "贫困户名单"), "problems": ("/checks/problems/", "问题数据整改"),
         "dashboard": ("/dashboard/{unit}/", "剩余贫困人口")}
UNITS = {"county": "140826", "province": "14"}


def serve(checkout: Path, env: dict, args) -> subprocess.Popen:
    """`jingzhun serve` of `checkout` (its own code first on the path) with `args.processes` processes."""
    server = subprocess.Popen([sys.executable, "-m", "jingzhun.cli", "serve", "--host", "127.0.0.1", "--port",
                               str(args.port), "--no-worker", "--processes", str(args.processes)],
                              env={**os.environ, **env, "PYTHONPATH": str(checkout)}, cwd=checkout,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/accounts/login/", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server of {checkout} did not start")


def one_request(url: str, session: str, phrase: str) -> float:
    """Seconds one request takes (raises if the answer is not the page)."""
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"})
    start = time.perf_counter()
    html = urllib.request.urlopen(request, timeout=120).read().decode()
    seconds = time.perf_counter() - start
    assert phrase in html, (url, html[:300])
    return seconds


def pages(args, env: dict, label: str, checkout: Path, cookies: dict[str, str]) -> None:
    """Each page as each user: one request timed, then wrk (skipped when one request exceeds 5 s:
    20 clients would only time out)."""
    base = f"http://127.0.0.1:{args.port}"
    server = serve(checkout, env, args)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for page in args.pages:
                path, phrase = PAGES[page]
                for who, unit in UNITS.items():
                    url = base + path.format(unit=unit)
                    try:
                        one_request(url, cookies[who], phrase)  # warm
                        single = one_request(url, cookies[who], phrase)
                    except OSError as error:
                        print(f"[{label}] {page} as {who}: one request failed ({error})", flush=True)
                        continue
                    if single > 5:
                        print(f"[{label}] {page} as {who}: one request {single:.1f} s; wrk not run", flush=True)
                        continue
                    for think in args.think:
                        load_start = open("/proc/loadavg").read().split()[0]
                        r = dashboard.run_wrk(args, url, cookies[who], think, Path(tmp))
                        load_end = open("/proc/loadavg").read().split()[0]
                        print(f"[{label}] {page} as {who}, {args.processes} processes, {args.users} clients, think "
                              f"{think} ms: one request {single * 1000:.0f} ms; {r['requests']} requests "
                              f"({r['rps']:.1f}/s), {r['errors']} errors, p50 {r['p50']:.1f} p95 {r['p95']:.1f} "
                              f"p99 {r['p99']:.1f} max {r['max']:.1f} ms; load {load_start} → {load_end}", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def main() -> int:
    args = parse()
    env = environment(args)
    import django

    django.setup()
    if args.load:
        load(args)
        return 0
    from jingzhun.checks.models import Problem
    from jingzhun.registry.models import Member

    print(f"[data] {Member.objects.count():,} members, {Problem.objects.count():,} problems", flush=True)
    cookies = dashboard.sessions()
    pages(args, env, "change", Path(__file__).resolve().parent.parent, cookies)
    if args.baseline:
        pages(args, env, "baseline", args.baseline, cookies)
    return 0


if __name__ == "__main__":
    sys.exit(main())
