"""Benchmark: all data-quality rules over 1M and 10M synthetic members on DuckDB.

Targets (data-quality issue): 10M members, all rules, at most 30 s on a 2-core machine, peak memory
stated; snapshot time and rule time reported separately; and, in the same run, a plain pandas
implementation of Q03, Q05, Q08, Q26 and Q31 on 1M members at least 20× slower than jingzhun's
time for those rules.

    pip install -e '.[bench]'            # pandas, for the baseline only
    python bench/checks.py               # 1M and 10M members
    python bench/checks.py --sizes 1000000

The 1M registry is imported into an embedded SQLite database and snapshotted from it
(registry_snapshot, the production path). The 10M registry (ten Shanxi counties) is built as Arrow tables straight from
the generator — importing 10M members first would take most of an hour on this machine — so its
"snapshot" figure is the time to conform those tables, and is reported as such.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("JINGZHUN_HOME", tempfile.mkdtemp(prefix="jz-bench-checks-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from jingzhun.analytics import Snapshot, conform, get_engine, registry_snapshot  # noqa: E402
from jingzhun.checks.catalog import load_catalog  # noqa: E402
from jingzhun.checks.runner import run_rules  # noqa: E402
from jingzhun.exchange.importer import import_sheets, sheets_from_tables, typed_table  # noqa: E402
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


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synth_tables(members: int, *, errors: float) -> dict[str, pa.Table]:
    """Template tables of about `members` members over as many counties as needed."""
    parts: dict[str, list[pa.Table]] = {"户表": [], "人员表": [], "村表": []}
    remaining, county = members, 0
    while remaining > 0:
        households = min(int(remaining / PER_HOUSEHOLD) + 1, 340_000)
        registry = generate(county=COUNTIES[county], households=households, seed=county + 1, errors=errors)
        for sheet, table in registry.tables.items():
            parts[sheet].append(table)
        remaining -= registry.members.num_rows
        county += 1
    return {sheet: pa.concat_tables(t) for sheet, t in parts.items()}


def to_snapshot(tables: dict[str, pa.Table], *, first_id: int = 1) -> Snapshot:
    typed = {s: typed_table(s, d) for s, d in sheets_from_tables(tables, "bench").items()}
    members = typed["人员表"]
    members = members.append_column("id", pa.array(range(first_id, first_id + members.num_rows), pa.int64()))
    return Snapshot("", {"households": conform("households", typed["户表"]), "members": conform("members", members),
                         "villages": conform("villages", typed["村表"])})


def county_partitions(members: int, *, errors: float, root: Path = PARTITIONS) -> list[Path]:
    """One folder of Parquet files (a conformed snapshot) per county, about `members` members in all.

    The counties are those of `synth_tables` (same households and seeds), written once and reused: the
    10M case reads the first eleven of the 100M case's counties."""
    paths, remaining, county = [], members, 0
    while remaining > 0:
        households = min(int(remaining / PER_HOUSEHOLD) + 1, 340_000)
        path = root / f"{county:03d}-{COUNTIES[county]}-{households}-e{errors}"
        if not path.exists():
            registry = generate(county=COUNTIES[county], households=households, seed=county + 1, errors=errors)
            # member ids unique over the whole registry: each county starts at its own ten million
            snapshot = to_snapshot(registry.tables, first_id=county * 10_000_000 + 1)
            partial = path.with_suffix(".partial")
            partial.mkdir(parents=True, exist_ok=True)
            for name, table in snapshot.tables.items():
                pq.write_table(table, partial / f"{name}.parquet")
            partial.rename(path)
        paths.append(path)
        remaining -= pq.read_metadata(path / "members.parquet").num_rows
        county += 1
    return paths


def parquet_snapshot(path: Path) -> Snapshot:
    """A county's snapshot written by `county_partitions`."""
    return Snapshot(path.name.split("-")[1], {p.stem: pq.read_table(p) for p in sorted(path.glob("*.parquet"))})


def run_all(snapshot: Snapshot, rules) -> tuple[float, int]:
    start = time.perf_counter()
    with get_engine() as engine:
        engine.load(snapshot, as_of=AS_OF)
        found = run_rules(engine, rules)
    return time.perf_counter() - start, found.num_rows


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


def snapshot_from_database(tables: dict[str, pa.Table]) -> tuple[Snapshot, float]:
    from django.core.management import call_command

    from jingzhun.orgunits.services import divisions_load

    call_command("migrate", verbosity=0)
    divisions_load(prefix="14")
    report = import_sheets(sheets=sheets_from_tables(tables, "bench"))
    assert report.ok, report.issues[:3]
    start = time.perf_counter()
    snapshot = registry_snapshot("")
    elapsed = time.perf_counter() - start
    assert snapshot.tables["members"].num_rows == tables["人员表"].num_rows
    return snapshot, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", type=int, default=[1_000_000, 10_000_000])
    parser.add_argument("--errors", type=float, default=0.01)
    parser.add_argument("--generate-only", action="store_true", help="write the county partitions and stop")
    args = parser.parse_args()
    if args.generate_only:
        for size in args.sizes:
            paths = county_partitions(size, errors=args.errors)
            print(f"{size:,} members: {len(paths)} counties under {PARTITIONS}")
        return
    rules = list(load_catalog().values())
    print(f"{len(rules)} rules; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
    for size in args.sizes:
        tables = synth_tables(size, errors=args.errors)
        members = tables["人员表"].num_rows
        if size <= 2_000_000:
            snapshot, snap_seconds = snapshot_from_database(tables)
            from django.db import connection

            snap_kind = f"registry_snapshot from {connection.vendor}"
        else:
            start = time.perf_counter()
            snapshot = to_snapshot(tables)
            snap_seconds, snap_kind = time.perf_counter() - start, "Arrow from the generator"
        del tables
        seconds, found = run_all(snapshot, rules)
        print(f"{members:>10,} members  snapshot {snap_seconds:6.2f} s ({snap_kind})  all rules {seconds:6.2f} s  "
              f"findings {found:,}  peak RSS {peak_mb():,.0f} MB")
        if size <= 2_000_000:
            subset = [r for r in rules if r.code in PANDAS_RULES]
            ours, _ = run_all(snapshot, subset)
            theirs = pandas_baseline(snapshot)
            print(f"{'':>10}  {', '.join(PANDAS_RULES)}: DuckDB {ours:.2f} s, pandas {theirs:.2f} s, "
                  f"ratio {theirs / ours:.1f}×")


if __name__ == "__main__":
    main()
