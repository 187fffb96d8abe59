"""Benchmark: stream a county of ≈ 1,000,000 members through GET /api/v1/members/export/.

Target (issue 18): the whole county streamed through the API with the process's peak memory under
**300 MB**. Baseline in the same run: the same rows loaded into a list (`values()`) and `json.dumps`-ed
at once, the way a naive endpoint would answer. Also measured: the analytics layer's Arrow snapshot of
the same county's members (`registry_snapshot`), the other way the brief offered to read them.

    python bench/api_stream.py                        # 340,000 households of county 141130 ≈ 1M members
    python bench/api_stream.py --households 6800      # a quick run
    python bench/api_stream.py --cases ndjson csv     # only some cases

The registry is built once in the embedded SQLite database of a kept $JINGZHUN_HOME
(/tmp/jz-bench-api-stream/h<households>/, reused by later runs; --rebuild to start again): migrate,
Shanxi's division units, then the synthetic files of bench/import_registry.py imported through
`registry_import`. Every case then runs in a fresh child process, which signs a token for a county user
and reads the whole answer through Django's test client (in process, the full middleware and DRF stack),
counting bytes and lines without keeping them. Peak memory is the child's `VmHWM` (/proc/self/status),
which includes Django and everything already resident before the call (reported as "RSS before").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from children import TAG, run_child  # noqa: E402

COUNTY = "141130"
TARGET_MB = 300.0
CASES = ("ndjson", "csv", "ndjson-masked", "baseline-list-json", "arrow-snapshot")


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0



def _run(home: Path, spec: dict) -> dict:
    return run_child(__file__, home, spec, require_result=False)


# --- Children ---------------------------------------------------------------------------------------

def child_build(spec: dict) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    from jingzhun.accounts.models import Role
    from jingzhun.accounts.services import user_create
    from jingzhun.exchange import importer
    from jingzhun.orgunits.models import OrgUnit
    from jingzhun.orgunits.services import divisions_load

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    divisions_load(prefix="14")
    report = importer.registry_import(paths=[Path(spec["path"])])
    assert report.ok, report
    county = OrgUnit.objects.get(code=COUNTY)
    for username, role in (("bench_county", Role.COUNTY_ADMIN), ("bench_evaluator", Role.EVALUATOR)):
        user_create(username=username, password="bench-not-used-1234", role=role, org_unit=county,
                    full_name=username, check_password=False)
    return {"seconds": round(time.perf_counter() - start, 1)}


def child_case(spec: dict) -> dict:
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from jingzhun.accounts.models import User
    from jingzhun.accounts.tokens import token_create
    from jingzhun.registry.models import Member

    setup_test_environment()  # the test client's host name is allowed
    case = spec["case"]
    user = User.objects.get(username="bench_evaluator" if case == "ndjson-masked" else "bench_county")
    raw = token_create(user=user, days=1, name="bench")[1]
    members = Member.objects.filter(household_id__gte=COUNTY, household_id__lt=COUNTY + ":")
    from jingzhun.orgunits.models import OrgUnit

    # a warm-up call on one village: URLconf, REST framework, the schema hooks and pyarrow get imported
    # before "RSS before" is read, so the peak above it is the stream's own
    village = OrgUnit.objects.filter(code__startswith=COUNTY, level=5).order_by("code").first()
    warm = Client().get("/api/v1/members/export/", {"unit": village.code, "format": "csv"},
                        headers={"Authorization": f"Bearer {raw}"})
    b"".join(warm.streaming_content)
    import gc

    gc.collect()
    rss_before = _status_kb("VmRSS")
    start = time.perf_counter()
    size = lines = 0
    if case in ("ndjson", "csv", "ndjson-masked"):
        fmt = "csv" if case == "csv" else "ndjson"
        response = Client().get("/api/v1/members/export/", {"unit": COUNTY, "format": fmt},
                                headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == 200 and response.streaming, response.status_code
        for part in response.streaming_content:  # read the whole stream, keep nothing
            size += len(part)
            lines += part.count(b"\n")
        response.close()
        rows = lines - (1 if fmt == "csv" else 0)
    elif case == "baseline-list-json":
        from jingzhun.exchange.template import MEMBER_COLUMNS

        listed = list(members.order_by("household_id", "id").values(*(c.field for c in MEMBER_COLUMNS)))
        body = json.dumps(listed, ensure_ascii=False).encode()
        size, rows = len(body), len(listed)
        del listed, body
    elif case == "arrow-snapshot":
        from jingzhun.analytics import registry_snapshot

        table = registry_snapshot(COUNTY).tables["members"]
        size, rows = table.nbytes, table.num_rows
        del table
    else:
        raise SystemExit(f"unknown case {case}")
    seconds = time.perf_counter() - start
    return {"case": case, "rows": rows, "bytes": size, "seconds": round(seconds, 1),
            "rss_before_mb": round(rss_before / 1024), "peak_mb": round(_status_kb("VmHWM") / 1024)}


# --- Parent -----------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=340_000)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=CASES)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        spec = json.loads(args.child)
        result = child_build(spec) if spec["step"] == "build" else child_case(spec)
        print(TAG + json.dumps(result), flush=True)
        return

    # the synthetic generator reads the policy packs, which need settings (no database is opened here)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("JINGZHUN_HOME", "/tmp/jz-bench-api-stream/parent")
    import django

    django.setup()
    from bench.import_registry import DATA_ROOT, dataset

    DATA_ROOT.mkdir(parents=True, exist_ok=True)

    load = os.getloadavg()
    print(f"python {sys.version.split()[0]}, nproc {os.cpu_count()}, load average {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}", flush=True)
    path, meta = dataset(args.households, "csv")
    home = Path(f"/tmp/jz-bench-api-stream/h{args.households}")
    if args.rebuild:
        shutil.rmtree(home, ignore_errors=True)
    if not (home / "built").exists():
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        print(f"building the registry in {home} ({meta['rows']}) …", flush=True)
        built = _run(home, {"step": "build", "path": str(path)})
        (home / "built").write_text(json.dumps(built))
        print(f"  built in {built['seconds']} s", flush=True)
    results = []
    for case in args.cases:
        print(f"=== {case}", flush=True)
        result = _run(home, {"step": "case", "case": case})
        print(f"  {result}", flush=True)
        results.append(result)
    print("\n| case | rows | output MB | seconds | RSS before MB | peak RSS MB | < 300 MB |")
    print("|---|--:|--:|--:|--:|--:|---|")
    for r in results:
        print(f"| {r['case']} | {r['rows']:,} | {r['bytes'] / 1e6:,.0f} | {r['seconds']} | {r['rss_before_mb']} | "
              f"{r['peak_mb']} | {'yes' if r['peak_mb'] < TARGET_MB else 'no'} |")


if __name__ == "__main__":
    main()
