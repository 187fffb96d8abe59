"""Benchmark: all data-quality rules over 1M, 10M and 100M synthetic members on DuckDB, county by county.

Targets (issue 19, item 2): 10M members, all rules, at most 12 s and a peak RSS of at most 4 GB on this
2-core machine, against today's unpartitioned whole-registry run measured in the same run; 100M members
(national scale) completes; and, at 1M members, Q03, Q05, Q08, Q26 and Q31 still at least 50× faster
than a plain pandas implementation of them.

    pip install -e '.[bench]'            # pandas, for the baseline only
    python bench/checks.py --sizes 1000000 10000000 --cases partitioned whole pandas profile
    python bench/checks.py --sizes 100000000 --cases partitioned

The registry is generated once per county by jingzhun.synth (seed = county index + 1, 340,000 households
or as many as the county's villages hold) and cached as Parquet under /tmp/jz-bench-100m/<county>/; the
10M case reads the first eleven of the 100M case's counties. Every case runs in a child process of its
own (this script with --child) under /usr/bin/time -v, so that one case's peak does not count against
another's; the child also reports VmHWM from /proc/self/status.

- partitioned: `run_rules_partitioned` over the counties, each read from its Parquet files into a fresh
  engine; "read" is the Parquet reading, "rules" everything else (engine load, rules, Q05's spill and
  buckets).
- whole: today's path — the counties' tables concatenated into one snapshot, one engine, `run_rules` —
  run with the code of --baseline-code (default /work/main, the main branch) so it is today's code.
  Its findings are compared with the partitioned run's, row for row.
- pandas: at ≤ 2M members, the five shared rules on DuckDB (this branch) against `pandas_baseline`.
- profile: the first county alone, per load step and per rule, with this branch's code and the baseline's.
- refresh / refresh-whole: the indicator refresh's compute (`unit_values_partitioned` county by county, and
  today's `unit_values` over one snapshot with the baseline's code); "findings" is then the units computed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# the code under test: this checkout, or the baseline's (--baseline-code) in a child of the "whole" case
sys.path.insert(0, os.environ.get("JZ_BENCH_CODE") or str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("JINGZHUN_HOME", tempfile.mkdtemp(prefix="jz-bench-checks-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from jingzhun.analytics import Snapshot, conform, get_engine  # noqa: E402
from jingzhun.checks.catalog import load_catalog  # noqa: E402
from jingzhun.checks.runner import run_rules  # noqa: E402
from jingzhun.exchange.importer import sheets_from_tables, typed_table  # noqa: E402
from jingzhun.synth import generate  # noqa: E402

AS_OF = datetime.date(2020, 12, 31)
def _shanxi_counties() -> list[str]:
    """Shanxi's county codes that have villages in the shipped list, 绛县-area first for familiarity."""
    from jingzhun.orgunits.divisions import read_divisions

    codes = sorted({code[:6] for code, _name in read_divisions(prefix="14") if len(code) == 12})
    return sorted(codes, key=lambda c: (not c.startswith("1408"), c))


COUNTIES = _shanxi_counties()
PANDAS_RULES = ["Q03", "Q05", "Q08", "Q26", "Q31"]
PARTITIONS = Path("/tmp/jz-bench-100m")  # per-county Parquet, generated once (see county_partitions)
PER_HOUSEHOLD = 2.94  # members per household the generator makes, near enough to size the run


def vmhwm_mb() -> float:
    """This process's peak resident set (VmHWM), in MB."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024


def mem_available_gb() -> float:
    meminfo = Path("/proc/meminfo").read_text()
    return int(next(line.split()[1] for line in meminfo.splitlines() if line.startswith("MemAvailable"))) / 2**20


def to_snapshot(tables: dict[str, pa.Table], *, first_id: int = 1) -> Snapshot:
    typed = {s: typed_table(s, d) for s, d in sheets_from_tables(tables, "bench").items()}
    members = typed["人员表"]
    members = members.append_column("id", pa.array(range(first_id, first_id + members.num_rows), pa.int64()))
    return Snapshot("", {"households": conform("households", typed["户表"]), "members": conform("members", members),
                         "villages": conform("villages", typed["村表"])})


def county_partitions(members: int, *, errors: float, root: Path = PARTITIONS) -> list[Path]:
    """One folder of Parquet files (a conformed snapshot) per county, about `members` members in all.

    Each county has 340,000 households (about a million members) or as many as its villages hold, the
    last one what remains; the folders are written once and reused (the 10M case reads the first eleven
    of the 100M case's counties)."""
    paths, remaining, county = [], members, 0
    while remaining > 0:
        path = county_partition(county, min(int(remaining / PER_HOUSEHOLD) + 1, county_capacity(county)),
                                errors=errors, root=root)
        paths.append(path)
        remaining -= pq.read_metadata(path / "members.parquet").num_rows
        county += 1
    return paths


def county_capacity(index: int) -> int:
    """Households of a full county: 340,000, or fewer in an urban district of few villages."""
    from jingzhun.synth.divisions import county as load_county
    from jingzhun.synth.shapes import MAX_SERIAL

    return min(340_000, MAX_SERIAL * len(load_county(COUNTIES[index]).villages))


def county_partition(index: int, households: int, *, errors: float, root: Path = PARTITIONS) -> Path:
    """The Parquet folder of county number `index` with `households` households, generated if not cached."""
    path = root / f"{index:03d}-{COUNTIES[index]}-{households}-e{errors}"
    if not path.exists():
        registry = generate(county=COUNTIES[index], households=households, seed=index + 1, errors=errors)
        # member ids unique over the whole registry: each county starts at its own ten million
        snapshot = to_snapshot(registry.tables, first_id=index * 10_000_000 + 1)
        partial = path.with_suffix(".partial")
        partial.mkdir(parents=True, exist_ok=True)
        for name, table in snapshot.tables.items():
            pq.write_table(table, partial / f"{name}.parquet")
        partial.rename(path)
    return path


def parquet_snapshot(path: Path) -> Snapshot:
    """A county's snapshot written by `county_partitions`."""
    return Snapshot(path.name.split("-")[1], {p.stem: pq.read_table(p) for p in sorted(path.glob("*.parquet"))})


def pandas_baseline(snapshot: Snapshot) -> float:
    """Q03, Q05, Q08, Q26 and Q31 the way one would write them in plain pandas."""
    import pandas as pd

    start = time.perf_counter()
    h = snapshot.tables["households"].to_pandas()
    m = snapshot.tables["members"].to_pandas()
    m = m.merge(h[["code", "status"]].rename(columns={"code": "household_id", "status": "hh_status"}),
                on="household_id")
    m["active"] = m["status"].isin(["正常", ""]) & (m["hh_status"] != "清退")
    shape = m["id_number"].str.fullmatch(r"[0-9]{17}[0-9X]").fillna(False)
    birth = pd.to_datetime(m["id_number"].str[6:14].where(shape), format="%Y%m%d", errors="coerce")
    date_ok = birth.notna() & (birth >= "1900-01-01") & (birth <= pd.Timestamp(AS_OF))
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(pd.to_numeric(m["id_number"].str[i].where(shape), errors="coerce").fillna(0) * w
                for i, w in enumerate(weights))
    check = total.astype(int).mod(11).map(dict(enumerate("10X98765432")))
    valid = date_ok & (check == m["id_number"].str[17])
    q03 = m[m["active"] & date_ok & ~valid]
    asof = pd.Timestamp(AS_OF)
    age = (asof.year - birth.dt.year - ((birth.dt.month > asof.month) |
                                        ((birth.dt.month == asof.month) & (birth.dt.day > asof.day)))).where(valid)
    m["age"] = age
    active = m[m["active"]]
    q05 = active[active.duplicated("id_number", keep=False)]
    dropout = (active["age"].between(7, 15) & active["schooling"].isin(["", "非在校生", "学前教育"])
               & (active["health"] != "残疾"))
    q08 = active[dropout]
    counts = active.groupby("household_id").size().rename("n")
    h = h.join(counts, on="code")
    net = (h["wage_income"].astype(float) + h["business_income"].astype(float) + h["property_income"].astype(float)
           + h["transfer_income"].astype(float) - h["business_expense"].astype(float))
    lines = {2020: 4000.0, 2019: 3747.0, 2018: 3535.0}
    q26 = h[(h["status"] == "已脱贫") & (h["n"] > 0) & (net / h["n"] < h["income_year"].map(lines))]
    per = active.groupby("household_id").agg(
        sick=("health", lambda s: s.isin(["长期慢性病", "患有大病"]).any()),
        disabled=("health", lambda s: (s == "残疾").any()),
        student=("schooling", lambda s: (~s.isin(["", "非在校生"])).any()),
        workers=("age", "size"))
    able = active[active["age"].between(16, 60) & active["labour"].isin(["普通劳动力", "技能劳动力"])]
    per["workers"] = able.groupby("household_id").size().reindex(per.index, fill_value=0)
    hh = h[h["status"] != "清退"].join(per, on="code")
    q31 = hh[((hh["main_cause"] == "因病") & ~hh["sick"].fillna(False).astype(bool))
             | ((hh["main_cause"] == "因残") & ~hh["disabled"].fillna(False).astype(bool))
             | ((hh["main_cause"] == "因学") & ~hh["student"].fillna(False).astype(bool))
             | ((hh["main_cause"] == "缺劳力") & (hh["workers"].fillna(0) >= 2))]
    _ = (len(q03), len(q05), len(q08), len(q26), len(q31))
    return time.perf_counter() - start


def whole_snapshot(paths: list[Path]) -> Snapshot:
    """Today's path: every county's tables in one snapshot."""
    parts = [parquet_snapshot(p) for p in paths]
    return Snapshot("", {name: pa.concat_tables([p.tables[name] for p in parts]) for name in parts[0].tables})


def planned_partitions(members: int, *, errors: float) -> list[Path]:
    """The folders `county_partitions` will write, for a run that starts while generators still write them:
    full counties until the expected members are reached (the last one's size is known only at its turn)."""
    paths, expected, index = [], 0.0, 0
    while expected < members:
        paths.append(PARTITIONS / f"{index:03d}-{COUNTIES[index]}-{county_capacity(index)}-e{errors}")
        expected += county_capacity(index) * 2.939  # members per household of the cached counties
        index += 1
    paths[-1] = paths[-1].with_name(f"{index - 1:03d}-{COUNTIES[index - 1]}-*-e{errors}")
    return paths


def wait_for(pattern: Path) -> Path:
    while not (found := [p for p in pattern.parent.glob(pattern.name) if p.suffix != ".partial"]):
        time.sleep(2)
    return found[0]


def child(case: str, size: int, errors: float, out: Path, follow: bool = False) -> dict:
    """One case, in this (child) process; returns what the parent prints."""
    paths = planned_partitions(size, errors=errors) if follow else county_partitions(size, errors=errors)
    rules = list(load_catalog().values())
    result = {"counties": len(paths)}
    if case == "partitioned":
        from jingzhun.checks.runner import run_rules_partitioned

        read = [0.0]

        def load(path: str) -> Snapshot:
            started = time.perf_counter()
            snapshot = parquet_snapshot(wait_for(Path(path)))
            result["members"] = result.get("members", 0) + snapshot.tables["members"].num_rows
            read[0] += time.perf_counter() - started
            return snapshot

        started = time.perf_counter()
        found = run_rules_partitioned([str(p) for p in paths], load, rules, as_of=AS_OF,
                                      engine_options={"preserve_insertion_order": False})
        result.update(read=read[0], rules=time.perf_counter() - started - read[0])
    elif case == "whole":
        started = time.perf_counter()
        snapshot = whole_snapshot(paths)
        result["members"] = snapshot.tables["members"].num_rows
        result["read"] = time.perf_counter() - started
        started = time.perf_counter()
        with get_engine() as engine:
            engine.load(snapshot, as_of=AS_OF)
            found = run_rules(engine, rules)
        result["rules"] = time.perf_counter() - started
    elif case == "refresh":  # the indicator refresh's compute, county by county (no database store)
        from jingzhun.indicators.compute import unit_values_partitioned

        read = [0.0]

        def load_county(path: str) -> Snapshot:
            started = time.perf_counter()
            snapshot = parquet_snapshot(Path(path))
            read[0] += time.perf_counter() - started
            result["members"] = result.get("members", 0) + snapshot.tables["members"].num_rows
            return snapshot

        started = time.perf_counter()
        units = unit_values_partitioned([str(p) for p in paths], load_county, as_of=AS_OF)
        result.update(read=read[0], rules=time.perf_counter() - started - read[0], findings=len(units))
        found = None
    elif case == "refresh-whole":  # today's refresh compute: one snapshot of everything (--baseline-code)
        from jingzhun.indicators.compute import unit_values

        started = time.perf_counter()
        snapshot = whole_snapshot(paths)
        result.update(members=snapshot.tables["members"].num_rows, read=time.perf_counter() - started)
        started = time.perf_counter()
        with get_engine() as engine:
            engine.load(snapshot, as_of=AS_OF)
            units = unit_values(engine)
        result.update(rules=time.perf_counter() - started, findings=len(units))
        found = None
    elif case == "pandas":
        snapshot = whole_snapshot(paths)
        result["members"] = snapshot.tables["members"].num_rows
        subset = [r for r in rules if r.code in PANDAS_RULES]
        started = time.perf_counter()
        with get_engine(preserve_insertion_order=False) as engine:
            engine.load(snapshot, as_of=AS_OF)
            found = run_rules(engine, subset)
        result.update(duckdb=time.perf_counter() - started, pandas=pandas_baseline(snapshot))
    elif case == "profile":
        result.update(profile(parquet_snapshot(paths[0]), rules), members=pq.read_metadata(
            paths[0] / "members.parquet").num_rows, counties=1)
        found = None
    else:
        raise ValueError(case)
    if found is not None:
        result["findings"] = found.num_rows
        pq.write_table(found, out)
    result["vmhwm_mb"] = vmhwm_mb()
    return result


def profile(snapshot: Snapshot, rules) -> dict:
    """Seconds per step of `Engine.load` (its statements) and per rule, over one county."""
    steps: dict[str, float] = {}
    with get_engine(preserve_insertion_order=False) as engine:
        execute = engine._execute

        def timed(sql: str):
            started = time.perf_counter()
            result = execute(sql)
            first = next(line for line in sql.splitlines() if line.strip() and not line.startswith("--"))
            if first.startswith(("CREATE TABLE", "CREATE OR REPLACE VIEW household_facts")):
                steps[first[:50]] = time.perf_counter() - started
            return result

        engine._execute = timed
        started = time.perf_counter()
        engine.load(snapshot, as_of=AS_OF)
        steps["load (all)"] = time.perf_counter() - started
        engine._execute = execute
        per_rule = {}
        for rule in rules:
            started = time.perf_counter()
            run_rules(engine, [rule])
            per_rule[rule.code] = time.perf_counter() - started
    return {"steps": steps, "per_rule": per_rule}


def run_child(case: str, size: int, errors: float, code: str | None, follow: bool = False) -> dict:
    out = Path(tempfile.gettempdir()) / f"jz-bench-checks-{case}-{size}.parquet"
    env = {**os.environ, "JZ_BENCH_CODE": code or ""}
    load_before = Path("/proc/loadavg").read_text().split()[0]
    done = subprocess.run(["/usr/bin/time", "-v", sys.executable, __file__, "--child", case, "--sizes", str(size),
                           "--errors", str(errors), "--out", str(out), *(["--follow"] if follow else [])], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{case} {size} failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["time_max_rss_mb"] = int(next(line.split()[-1] for line in done.stderr.splitlines()
                                         if "Maximum resident set size" in line)) / 1024
    result["load"] = f"{load_before}→{Path('/proc/loadavg').read_text().split()[0]}"
    result["out"] = str(out)
    return result


def same_findings(a: str, b: str) -> bool:
    def rows(path):
        return sorted(tuple(str(v) for v in r.values()) for r in pq.read_table(path).to_pylist())

    return rows(a) == rows(b)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", type=int, default=[1_000_000, 10_000_000])
    parser.add_argument("--errors", type=float, default=0.01)
    parser.add_argument("--cases", nargs="+", default=["partitioned", "whole", "pandas", "profile"],
                        choices=["partitioned", "whole", "pandas", "profile", "refresh", "refresh-whole"])
    parser.add_argument("--baseline-code", default="/work/main", help="checkout whose code the whole case runs")
    parser.add_argument("--generate-only", action="store_true", help="write the county partitions and stop")
    parser.add_argument("--generate-counties", nargs=2, type=int, help="write full counties [a, b) only "
                        "(a second generator beside a --generate-only run)")
    parser.add_argument("--follow", action="store_true", help="start the partitioned case while generators "
                        "still write the counties (its read time then includes waiting for them)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_counties:
        for index in range(*args.generate_counties):
            county_partition(index, county_capacity(index), errors=args.errors)
        return
    if args.child:
        print(json.dumps(child(args.child, args.sizes[0], args.errors, Path(args.out), args.follow)))
        return
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()}")
    for size in args.sizes:
        if not args.follow:
            paths = county_partitions(size, errors=args.errors)
            print(f"{size:,}: {len(paths)} counties cached under {PARTITIONS}", flush=True)
        if args.generate_only:
            continue
        results = {}
        for case in args.cases:
            if case == "pandas" and size > 2_000_000 or case.endswith("whole") and size > 20_000_000:
                continue  # pandas at 1M only; one snapshot of 100M members does not fit in 24 GB
            need = 1.2 * size / 1_000_000 + 6 if case.endswith("whole") else 8
            while mem_available_gb() < need:  # leave the others at least 6 GB (common.md)
                print(f"waiting for {need:.0f} GB available (now {mem_available_gb():.1f})", flush=True)
                time.sleep(30)
            results[case] = r = run_child(case, size, args.errors, args.baseline_code if case.endswith("whole") else None,
                                          args.follow)
            print(f"{case:>11} {r['members']:>12,} members {r['counties']:>3} counties  load {r['load']}  "
                  + (f"read {r['read']:7.2f} s  rules {r['rules']:7.2f} s  findings {r['findings']:,}  "
                     if "rules" in r else "")
                  + (f"{', '.join(PANDAS_RULES)}: DuckDB {r['duckdb']:.2f} s, pandas {r['pandas']:.2f} s, "
                     f"ratio {r['pandas'] / r['duckdb']:.1f}×  " if case == "pandas" else "")
                  + f"VmHWM {r['vmhwm_mb']:,.0f} MB, time -v max RSS {r['time_max_rss_mb']:,.0f} MB", flush=True)
            if case == "profile":
                base = run_child(case, size, args.errors, args.baseline_code)
                print(f"{'':>11} baseline code: load {base['load']}")
                for key in [*r["steps"], *r["per_rule"]]:
                    ours, theirs = r["steps"].get(key, r["per_rule"].get(key)), base["steps"].get(
                        key, base["per_rule"].get(key))
                    print(f"{'':>11}   {key:<52} branch {ours:6.3f} s   baseline {theirs if theirs is None else round(theirs, 3)} s")
        if "partitioned" in results and "whole" in results:
            p, w = results["partitioned"], results["whole"]
            print(f"{'':>11} rules {w['rules'] / p['rules']:.2f}× faster than the whole run; findings identical: "
                  f"{same_findings(p['out'], w['out'])}", flush=True)
        if args.follow:  # the generators are done: the run read every county they wrote
            paths = county_partitions(size, errors=args.errors)
            print(f"{'':>11} counties generated {len(paths)}, members {sum(pq.read_metadata(p / 'members.parquet').num_rows for p in paths):,}")


if __name__ == "__main__":
    main()
