"""Benchmark: a 1M-member county's registry snapshot from the embedded SQLite database, through the mirror.

Target (issue 19, item 1): `registry_snapshot(county)` for 999,160 members / 340,000 households in at most
3 s, against today's fresh reader (`fresh=True`, Python's sqlite3 in batches) measured in the same run.

    python bench/snapshot.py                 # every case
    python bench/snapshot.py --trigger-cost  # also: what the triggers cost the import's inserts

With --trigger-cost, after the snapshot cases, `trigger cost` times what the triggers add to the bulk
writes of an import: all 340,000 households and 999,160 members inserted once more (new keys) in one
transaction, rolled back — without the per-row triggers (dropped inside the transaction:
`mirror_bulk_write`'s way, which also marks the county's 88 villages once: timed on its own as "bulk
write's own cost") and with the triggers marking row by row — alternating, twice each, the faster of
two reported.

The database is built once and cached: the CSV files of bench/import_registry.py (county 141130, seed 1,
under /tmp/jz-bench-data/, generated there on first use) imported into a migrated SQLite database under
/tmp/jz-bench-snapshot/pristine.sqlite3. Each run copies it to a fresh $JINGZHUN_HOME, and every case runs
in a child process of its own (this script with `--child`) so its peak memory (VmHWM) is its own; the
cases share the database and the mirror's files, in this order:

- fresh: the fresh reader, the baseline (run first and again last: the load moves);
- cold: the first mirrored snapshot (no files yet: reads everything, writes the files);
- warm: nothing changed since;
- 1 village: one household and one of its members edited through the ORM (untimed), then a snapshot;
- 10% villages: the same in every tenth village;
- warm village: one village's snapshot from the files.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from children import TAG, run_child  # noqa: E402

WORK = Path("/tmp/jz-bench-snapshot")
COUNTY = "141130"
CASES = ["fresh", "cold", "warm", "1 village", "10% villages", "warm village", "fresh again"]
TARGET_SECONDS = 3.0


def _child(home: Path, spec: dict) -> dict:
    return run_child(__file__, home, spec)


def pristine() -> Path:
    """The migrated database holding the imported 1M-member county (built once, then reused)."""
    path = WORK / "pristine.sqlite3"
    if not path.exists():
        from import_registry import CASES as IMPORT_CASES
        from import_registry import dataset

        files, _meta = dataset(*IMPORT_CASES["csv-1m"][:2])
        home = Path(tempfile.mkdtemp(prefix="build.", dir=WORK))
        print(f"importing {files} into {home} …", flush=True)
        result = _child(home, {"case": "import", "files": str(files)})
        print(f"  imported in {result['seconds']:.1f} s", flush=True)
        (home / "jingzhun.sqlite3").rename(path)
        shutil.rmtree(home)
    return path


def parent(args: argparse.Namespace) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    source = pristine()
    home = Path(tempfile.mkdtemp(prefix="home.", dir=WORK))
    try:
        shutil.copyfile(source, home / "jingzhun.sqlite3")
        results = [_child(home, {"case": case}) for case in CASES]
        trigger_cost = _child(home, {"case": "trigger cost"}) if args.trigger_cost else None
    finally:
        shutil.rmtree(home, ignore_errors=True)
    baseline = min(r["seconds"] for r in results if r["case"].startswith("fresh"))
    print("\n| case | members | seconds | baseline ÷ this | peak RSS MB | load avg at start → end | ≤ 3 s |")
    print("|---|--:|--:|--:|--:|---|---|")
    for r in results:
        target = "—" if r["case"].startswith(("fresh", "cold", "import")) else (
            "yes" if r["seconds"] <= TARGET_SECONDS else "**no**")
        print(f"| {r['case']} | {r['members']:,} | {r['seconds']:.2f} | {baseline / r['seconds']:.1f}× "
              f"| {r['peak_rss_mb']:,.0f} | {r['load_start']:.2f} → {r['load_end']:.2f} | {target} |")
    if trigger_cost:
        print("\nInserting 340,000 households + 999,160 members again (s, best of two; load avg "
              f"{trigger_cost['load_start']:.2f} → {trigger_cost['load_end']:.2f}): "
              + ", ".join(f"{k} {v:.2f}" for k, v in trigger_cost["seconds"].items()))


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def trigger_cost(path: str) -> dict[str, float]:
    """Seconds to insert every household and member once more, per way of running the triggers."""
    import sqlite3

    from jingzhun.analytics import mirror

    db = sqlite3.connect(path, isolation_level=None)
    inserts = []
    for table, key in (("registry_household", "code"), ("registry_member", "id")):
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
        changed = {"code": "'9' || substr(code, 2)", "id": "id + 100000000",
                   "household_id": "'9' || substr(household_id, 2)"}
        select = ", ".join(changed.get(c, c) if c in (key, "household_id") else c for c in columns)
        inserts.append(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} FROM {table}")
    dropped = [name for name, sql in mirror._triggers().items() if not name.endswith("_joined")
               and (" ON registry_household" in sql or " ON registry_member" in sql)]
    ways = {"no triggers": [f"DROP TRIGGER {name}" for name in dropped], "row by row": []}
    best: dict[str, float] = {}
    for _round in range(2):
        for way, setup in ways.items():
            db.execute("BEGIN")
            db.execute("PRAGMA defer_foreign_keys = ON")
            for sql in setup:
                db.execute(sql)
            start = time.perf_counter()
            for sql in inserts:
                db.execute(sql)
            best[way] = min(best.get(way, 1e9), time.perf_counter() - start)
            db.execute("ROLLBACK")
    db.close()
    return best


def bulk_write_cost() -> float:
    """Seconds `mirror_bulk_write` adds around a write of the whole county (marks, triggers out and back)."""
    from django.db import transaction

    from jingzhun.analytics import mirror_bulk_write
    from jingzhun.registry.models import Household

    villages = list(Household.objects.order_by().values_list("village_id", flat=True).distinct())
    start = time.perf_counter()
    with transaction.atomic():
        with mirror_bulk_write(villages=villages):
            pass
        transaction.set_rollback(True)
    return time.perf_counter() - start


def child(spec: dict) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from jingzhun.analytics import registry_snapshot
    from jingzhun.registry.models import Household, Member

    case = spec["case"]
    members = 0
    if case == "trigger cost":
        load_start = os.getloadavg()[0]
        seconds = trigger_cost(connection.settings_dict["NAME"])
        seconds["bulk write's own cost"] = bulk_write_cost()
        print(TAG + json.dumps({"case": case, "seconds": seconds, "load_start": load_start,
                                "load_end": os.getloadavg()[0]}))
        return
    if case.startswith("import"):
        from jingzhun.exchange.importer import registry_import
        from jingzhun.orgunits.services import divisions_load

        call_command("migrate", verbosity=0)
        divisions_load(prefix="14")
        run = lambda: registry_import(paths=[Path(spec["files"])])  # noqa: E731
    else:
        villages = sorted(Household.objects.filter(code__startswith=COUNTY).order_by()
                          .values_list("village_id", flat=True).distinct())
        edited = villages[:1] if case == "1 village" else villages[::10] if case == "10% villages" else []
        for village in edited:  # untimed: the writes that make villages dirty
            household = Household.objects.filter(code__startswith=village).order_by("code").first()
            Household.objects.filter(pk=household.pk).update(phone="13900000000")
            Member.objects.filter(pk=household.members.order_by("pk").first().pk).update(education="大专")
        if edited:
            print(f"{len(edited)} of {len(villages)} villages edited")
        org = villages[0] if case == "warm village" else COUNTY
        run = lambda: registry_snapshot(org, fresh=case.startswith("fresh"))  # noqa: E731
    load_start = os.getloadavg()[0]
    start = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - start
    load_end = os.getloadavg()[0]
    with connection.cursor() as cursor:  # the database file alone is whole (the pristine copy)
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if not case.startswith("import"):
        members = result.tables["members"].num_rows
    else:
        members = Member.objects.count()
    print(TAG + json.dumps({"case": case, "seconds": seconds, "members": members, "peak_rss_mb": _peak_mb(),
                            "load_start": load_start, "load_end": load_end}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trigger-cost", action="store_true", help="also time the triggers on the import's inserts")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(json.loads(arguments.child))
    else:
        parent(arguments)
