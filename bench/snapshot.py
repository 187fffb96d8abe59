"""Benchmark: a 1M-member county's registry snapshot from the embedded SQLite database, through the mirror.

Target (issue 19, item 1): `registry_snapshot(county)` for 999,160 members / 340,000 households in at most
3 s, against today's fresh reader (`fresh=True`, Python's sqlite3 in batches) measured in the same run.

    python bench/snapshot.py                 # every case
    python bench/snapshot.py --import-cost   # also: the 1M import with the mirror's triggers vs without

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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

WORK = Path("/tmp/jz-bench-snapshot")
COUNTY = "141130"
CASES = ["fresh", "cold", "warm", "1 village", "10% villages", "warm village", "fresh again"]
TARGET_SECONDS = 3.0
TAG = "BENCH-RESULT "


def _env(home: Path) -> dict:
    env = dict(os.environ, JINGZHUN_HOME=str(home), DJANGO_SETTINGS_MODULE="config.settings.base",
               PYTHONUNBUFFERED="1")
    env.pop("JINGZHUN_DATABASE_URL", None)
    return env


def _child(home: Path, spec: dict) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], env=_env(home),
                          stdout=subprocess.PIPE, text=True, check=False)
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith(TAG):
            result = json.loads(line[len(TAG):])
        else:
            print("  " + line, flush=True)
    if proc.returncode or result is None:
        sys.exit(f"child failed ({spec}): exit code {proc.returncode}")
    return result


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
        if args.import_cost:
            results += [_child(Path(tempfile.mkdtemp(prefix="import.", dir=WORK)),
                               {"case": case, "files": str(pristine_files())})
                        for case in ("import", "import without triggers")]
    finally:
        shutil.rmtree(home, ignore_errors=True)
        for leftover in WORK.glob("import.*"):
            shutil.rmtree(leftover, ignore_errors=True)
    baseline = min(r["seconds"] for r in results if r["case"].startswith("fresh"))
    print("\n| case | members | seconds | baseline ÷ this | peak RSS MB | load avg at start → end | ≤ 3 s |")
    print("|---|--:|--:|--:|--:|---|---|")
    for r in results:
        target = "—" if r["case"].startswith(("fresh", "cold", "import")) else (
            "yes" if r["seconds"] <= TARGET_SECONDS else "**no**")
        print(f"| {r['case']} | {r['members']:,} | {r['seconds']:.2f} | {baseline / r['seconds']:.1f}× "
              f"| {r['peak_rss_mb']:,.0f} | {r['load_start']:.2f} → {r['load_end']:.2f} | {target} |")


def pristine_files() -> Path:
    from import_registry import CASES as IMPORT_CASES
    from import_registry import dataset

    return dataset(*IMPORT_CASES["csv-1m"][:2])[0]


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(spec: dict) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from jingzhun.analytics import mirror, registry_snapshot
    from jingzhun.registry.models import Household, Member

    case = spec["case"]
    members = 0
    if case.startswith("import"):
        from jingzhun.exchange.importer import registry_import
        from jingzhun.orgunits.services import divisions_load

        call_command("migrate", verbosity=0)
        divisions_load(prefix="14")
        if case == "import without triggers":
            with connection.cursor() as cursor:
                mirror.uninstall(cursor.execute)
        run = lambda: registry_import(paths=[Path(spec["files"])])  # noqa: E731
    else:
        villages = sorted(Household.objects.filter(code__startswith=COUNTY).values_list("village_id", flat=True)
                          .distinct())
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
    if not case.startswith("import"):
        members = result.tables["members"].num_rows
    else:
        members = Member.objects.count()
    print(TAG + json.dumps({"case": case, "seconds": seconds, "members": members, "peak_rss_mb": _peak_mb(),
                            "load_start": load_start, "load_end": load_end}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--import-cost", action="store_true", help="also time the 1M import with and without triggers")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(json.loads(arguments.child))
    else:
        parent(arguments)
