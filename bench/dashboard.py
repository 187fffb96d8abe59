"""Benchmark: the decision dashboard — a full indicator refresh of a province, then its pages under load.

Targets (dashboard issue): a full refresh for a 10M-member province (≈ 21,900 villages) in at most 60 s
on 2 cores; the overview page of a county and of the province, with that registry's indicators stored,
at p95 ≤ 200 ms under 20 concurrent clients on loopback (wrk), on SQLite and on PostgreSQL.

    apt-get install wrk                                # the load generator
    python bench/dashboard.py                          # SQLite, 10M members, then 20 clients
    python bench/dashboard.py --db postgres            # the same on PostgreSQL (127.0.0.1:5432)
    python bench/dashboard.py --members 1000000 --seconds 20

Phase 1 (refresh): the 10M province (every Shanxi county, all 21,895 villages of the division list) is
built as Arrow tables straight from the generator and handed to `indicators_refresh` as its snapshot —
importing 10M members first would take most of an hour here — so the refresh figure is compute + store.
The snapshot read from the database is measured separately on a smaller registry imported for real
(`--db-members`, 1M by default): `registry_snapshot` there, and its time per member, are printed.
Baseline in the same run: computing one unit on request the way the dashboard did before refreshes
were stored (all components, filtered to the unit), timed on a few units; the ratio is per unit.

Phase 2 (pages): `jingzhun serve` (waitress) on the same database, a county admin and a sysadmin logged
in (session cookies made as a login makes them), wrk with 20 connections and no think time (each asks
again as soon as it has its answer: the hardest closed loop) on the county page, then on the province
page; then the same with a one-second think time (people reading the page); all of it with one server
process (waitress, the default) and with two (`jingzhun serve --processes 2`, gunicorn). Percentiles
are wrk's.
wrk is Debian's package (`apt-get install wrk`); a C client leaves the server most of the 2 cores.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = datetime.date(2020, 12, 31)
PER_HOUSEHOLD = 2.94  # members per household the generator makes
PASSWORD = "bench-Pass-2026"


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--members", type=int, default=10_000_000)
    p.add_argument("--db-members", type=int, default=1_000_000, help="registry imported for the snapshot read")
    p.add_argument("--baseline-units", type=int, default=3)
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--processes", type=int, nargs="+", default=[1, 2], help="server processes to try")
    p.add_argument("--skip-pages", action="store_true")
    p.add_argument("--pages-only", type=Path, metavar="HOME",
                   help="only the page load, on the database an earlier run left (its printed home)")
    return p.parse_args()


def setup_environment(db: str, reuse: Path | None = None) -> tuple[Path, str | None]:
    """A fresh database (or, with `reuse`, the one an earlier run left: its home, and for PostgreSQL the
    database `jz_bench_dashboard`)."""
    home = reuse or Path(tempfile.mkdtemp(prefix="jz-bench-dash-"))
    os.environ["JINGZHUN_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["JINGZHUN_INDICATOR_AUTO_REFRESH"] = "false"  # the bench refreshes when it means to
    url = None
    if db == "postgres":
        import psycopg

        name = "jz_bench_dashboard"
        if reuse is None:
            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name}")
                conn.execute(f"CREATE DATABASE {name}")
        url = f"postgres://postgres@127.0.0.1:5432/{name}"
        os.environ["JINGZHUN_DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if reuse is None:
        from jingzhun.orgunits.services import divisions_load

        divisions_load(prefix="14")
    return home, url


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def county_tables(members: int, errors: float = 0.0):
    """(county, template tables) for about `members` members spread evenly over every Shanxi county, with
    `errors` of the rows given one content error each (`synth.generate`)."""
    from jingzhun.orgunits.divisions import read_divisions
    from jingzhun.synth import generate

    counties = sorted({code[:6] for code, _ in read_divisions(prefix="14") if len(code) == 12})
    per_county = max(1, int(members / PER_HOUSEHOLD / len(counties)))
    for i, county in enumerate(counties):
        yield county, generate(county=county, households=per_county, seed=i + 1, errors=errors).tables


def province_tables(members: int):
    """Template tables of about `members` members spread evenly over every Shanxi county."""
    import pyarrow as pa

    parts = {"户表": [], "人员表": [], "村表": []}
    for _county, tables in county_tables(members):
        for sheet, table in tables.items():
            parts[sheet].append(table)
    return {sheet: pa.concat_tables(t) for sheet, t in parts.items()}


def to_snapshot(tables):
    import pyarrow as pa

    from jingzhun.analytics import Snapshot, conform
    from jingzhun.exchange.importer import sheets_from_tables, typed_table

    typed = {s: typed_table(s, d) for s, d in sheets_from_tables(tables, "bench").items()}
    members = typed["人员表"]
    members = members.append_column("id", pa.array(range(1, members.num_rows + 1), pa.int64()))
    return Snapshot("", {"households": conform("households", typed["户表"]), "members": conform("members", members),
                         "villages": conform("villages", typed["村表"])})


def per_unit_baseline(snapshot, codes: list[str]) -> float:
    """Seconds per unit when each unit is computed on request (the dashboard before stored refreshes)."""
    from jingzhun.analytics import get_engine
    from jingzhun.indicators.compute import indicator_table

    with get_engine() as engine:
        engine.load(snapshot, as_of=AS_OF)
        start = time.perf_counter()
        for code in codes:
            indicator_table(engine, lengths=(len(code),), org=code)
        return (time.perf_counter() - start) / len(codes)


def phase_refresh(args) -> dict:
    from jingzhun.exchange.importer import import_sheets, sheets_from_tables
    from jingzhun.indicators.services import indicators_refresh

    # the snapshot read from the database, on a registry imported for real
    results = {}
    if args.db_members:
        start = time.perf_counter()
        for county, tables in county_tables(args.db_members):  # county by county, as counties load
            report = import_sheets(sheets=sheets_from_tables(tables, f"bench {county}"))
            assert not report.issues, report.issues[:3]
        results["import_seconds"] = time.perf_counter() - start
        refresh = indicators_refresh(as_of=AS_OF, reason="bench: from the database")
        results["db_refresh"] = refresh
        print(f"[db {args.db}] {refresh.members:,} members generated and imported county by county in "
              f"{results['import_seconds']:.1f} s; refresh "
              f"from the database: snapshot {refresh.snapshot_seconds:.2f} s, compute {refresh.compute_seconds:.2f} s, "
              f"store {refresh.store_seconds:.2f} s, units {refresh.units:,}", flush=True)

    start = time.perf_counter()
    tables = province_tables(args.members)
    snapshot = to_snapshot(tables)
    del tables
    build = time.perf_counter() - start
    members = snapshot.tables["members"].num_rows
    villages = snapshot.tables["villages"].num_rows
    print(f"[province] {members:,} members, {snapshot.tables['households'].num_rows:,} households, "
          f"{villages:,} villages built from the generator in {build:.1f} s", flush=True)
    start = time.perf_counter()
    refresh = indicators_refresh(snapshot=snapshot, as_of=AS_OF, reason="bench: province")
    total = time.perf_counter() - start
    print(f"[refresh {args.db}] {refresh.units:,} units: compute {refresh.compute_seconds:.2f} s, "
          f"store {refresh.store_seconds:.2f} s, total {total:.2f} s; peak RSS {peak_mb():,.0f} MB", flush=True)
    codes = ["140826", "140826100", "140826100233"][: args.baseline_units]
    per_unit = per_unit_baseline(snapshot, codes)
    per_unit_stored = total / refresh.units
    print(f"[baseline] one unit computed on request: {per_unit:.2f} s (mean of {len(codes)}); the refresh: "
          f"{per_unit_stored * 1000:.3f} ms per unit — ratio {per_unit / per_unit_stored:,.0f}×", flush=True)
    results.update(refresh=refresh, total=total, per_unit=per_unit, members=members, villages=villages)
    return results


#: wrk's Lua hooks: the session cookie on every request, an optional think time, and the percentiles wrk
#: keeps (its --latency table stops at 50/75/90/99).
WRK_LUA = """
wrk.headers["Cookie"] = "sessionid={session}"
function delay() return {think_ms} end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %.3f %.3f %.3f %.3f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def sessions() -> dict[str, str]:
    """Session cookies of a county admin and a provincial analyst, made the way a login makes them (the
    bench measures the pages, not password hashing)."""
    from django.test import Client

    from jingzhun.accounts.models import Role, User

    cookies = {}
    for name, role, unit in (("county", Role.COUNTY_ADMIN, "140826"), ("province", Role.ANALYST, "14")):
        user = User.objects.filter(username=f"bench_{name}").first() or User.objects.create_user(
            f"bench_{name}", password=PASSWORD, role=role, org_unit_id=unit)
        client = Client()
        client.force_login(user)
        cookies[name] = client.cookies["sessionid"].value
    return cookies


def run_wrk(args, url: str, session: str, think_ms: int, workdir: Path) -> dict:
    script = workdir / f"wrk_{think_ms}.lua"
    script.write_text(WRK_LUA.format(session=session, think_ms=think_ms), encoding="utf-8")
    out = subprocess.run(["wrk", "-t", "2", "-c", str(args.users), "-d", f"{args.seconds}s", "--timeout", "10s",
                          "-s", str(script), url], capture_output=True, text=True, check=True).stdout
    fields = next(line for line in out.splitlines() if line.startswith("RESULT")).split()[1:]
    requests, errors, micros = int(fields[0]), int(fields[1]), int(fields[2])
    p50, p95, p99, worst = (float(f) for f in fields[3:])
    return {"requests": requests, "errors": errors, "rps": requests / (micros / 1e6), "p50": p50, "p95": p95,
            "p99": p99, "max": worst}


def serve(args, env: dict, processes: int) -> subprocess.Popen:
    import urllib.request

    jingzhun = shutil.which("jingzhun", path=str(Path(sys.executable).parent)) or "jingzhun"
    server = subprocess.Popen([jingzhun, "serve", "--host", "127.0.0.1", "--port", str(args.port), "--no-worker",
                               "--processes", str(processes)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/accounts/login/", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def phase_pages(args, home: Path, url: str | None) -> list[dict]:
    import signal
    import urllib.request

    cookies = sessions()
    env = {**os.environ, "JINGZHUN_HOME": str(home), "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    if url:
        env["JINGZHUN_DATABASE_URL"] = url
    base = f"http://127.0.0.1:{args.port}"
    pages = {"county": f"{base}/dashboard/140826/", "province": f"{base}/dashboard/14/"}
    results = []
    for processes in args.processes:
        server = serve(args, env, processes)
        try:
            for name, page in pages.items():  # the page is the overview with figures, not a login or an error
                request = urllib.request.Request(page, headers={"Cookie": f"sessionid={cookies[name]}"})
                html = urllib.request.urlopen(request, timeout=30).read().decode()
                assert "决策看板" in html and "指标尚未生成" not in html and "剩余贫困人口" in html, name
            with tempfile.TemporaryDirectory() as tmp:
                for think_ms in (0, 1000):
                    for name, page in pages.items():
                        r = run_wrk(args, page, cookies[name], think_ms, Path(tmp))
                        results.append({"page": name, "think_ms": think_ms, "processes": processes, **r})
                        print(f"[pages {args.db}] {processes} process(es), {name} overview, {args.users} clients, "
                              f"think {think_ms} ms: {r['requests']} requests ({r['rps']:.1f}/s), {r['errors']} errors, "
                              f"p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, p99 {r['p99']:.1f} ms, "
                              f"max {r['max']:.1f} ms", flush=True)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    return results


def main() -> int:
    args = parse()
    home, url = setup_environment(args.db, args.pages_only)
    print(f"[machine] {os.cpu_count()} cores; {sys.version.split()[0]}; database {args.db}; home {home}", flush=True)
    if args.pages_only is None:
        phase_refresh(args)
    if not args.skip_pages:
        phase_pages(args, home, url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
