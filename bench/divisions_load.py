"""Benchmark: load all of Shanxi's division units (≈ 23,000) into an empty database.

Target (issue 2): at most 10 s on a 2-core machine. Baseline in the same run: the naive way, one
`OrgUnit.save()` per unit, on the same database.

    python bench/divisions_load.py                      # embedded SQLite in a temporary $JINGZHUN_HOME
    JINGZHUN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_jz python bench/divisions_load.py

The PostgreSQL database named in the URL must exist; the script empties the org-unit table first.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("JINGZHUN_HOME", tempfile.mkdtemp(prefix="jz-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from jingzhun.orgunits.models import LEVEL_OF_LENGTH, PARENT_LENGTH, OrgUnit  # noqa: E402
from jingzhun.orgunits.divisions import read_divisions  # noqa: E402
from jingzhun.orgunits.services import divisions_load  # noqa: E402


def _empty() -> None:
    OrgUnit.objects.all().update(parent=None)
    OrgUnit.objects.all().delete()


def naive_load(prefix: str) -> int:
    rows = read_divisions(prefix=prefix)
    with transaction.atomic():
        for code, name in rows:
            OrgUnit(code=code, name=name, level=LEVEL_OF_LENGTH[len(code)],
                    parent_id=code[: PARENT_LENGTH[len(code)]] if len(code) in PARENT_LENGTH else None).save()
    return len(rows)


def main() -> None:
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    results = {}
    for label, load in (("divisions_load (bulk)", lambda: divisions_load(prefix="14")),
                        ("baseline: save() per unit", lambda: naive_load("14"))):
        _empty()
        start = time.perf_counter()
        count = load()
        results[label] = time.perf_counter() - start
        print(f"{label:<28} {count:>6} units  {results[label]:6.2f} s  {count / results[label]:>9,.0f} units/s")
    bulk, naive = results.values()
    print(f"ratio baseline/bulk: {naive / bulk:.1f}×")


if __name__ == "__main__":
    main()
