"""Benchmark: the to-do page (待办) at province scale — 1,000 villages × 30 open items each.

Target (issue 13): the page under 200 ms for a county admin, a township officer and a village clerk.
Baselines in the same run, on the same database and users: the problem list (问题数据, an existing page
over the same problem table) and a trivial page (修改密码, a form and no registry query); the ratio
to-do ÷ problem list is printed.

    python bench/todo.py                               # SQLite (a fresh one in a temporary $JINGZHUN_HOME)
    python bench/todo.py --db postgres                 # PostgreSQL database `desk` on 127.0.0.1 (recreated)
    python bench/todo.py --villages 1000 --repeat 40

The items are written with bulk_create straight into the tables (the services would take an hour for
30,000 items and are not what is measured): per village 10 open procedures (3 at 村民小组评议 and 2
waiting for their 村内公示 — the clerk's —, 2 返贫 at 乡镇审批 and 2 at 乡镇审核 — the township's —, 1 at 部门比对
— the county's), each with two step records; 8 open problems and 4 情况属实 claims; 3 village 公示 (one
ended, one ending tomorrow, one later) with 2 objections on the ended one; 3 candidate pairs of a
county's comparison run waiting for review. Each township has an ended 乡镇公示 and each county one
failed check run. The villages are all of 盐湖区 (140802, 310 villages), 临猗县 (140821), 河津市
(140881) and the first ones of 万荣县 (140822) up to the count asked. The county admin is 盐湖区's, the
township officer that of its largest township, the village clerk that of one of its villages. A
sysadmin (the whole province's 30,000 items in reach) is measured too, beside the target.

Each page is requested through Django's test client (the whole middleware stack, no network) `--repeat`
times after two warm-up requests; the median and the 95th percentile are printed, with the number of
queries of one request.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-Pass-2026"
COUNTIES = ("140802", "140821", "140881", "140822")
TARGET_MS = 200


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--villages", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=30)
    p.add_argument("--home", type=Path, help="SQLite only: keep the database in this $JINGZHUN_HOME and reuse "
                                             "it when a previous run built it there")
    return p.parse_args()


def setup(db: str, home: Path | None = None) -> None:
    os.environ["JINGZHUN_HOME"] = str(home) if home else tempfile.mkdtemp(prefix="jz-bench-todo-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["JINGZHUN_INDICATOR_AUTO_REFRESH"] = "false"
    if db == "postgres":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS desk WITH (FORCE)")
            conn.execute("CREATE DATABASE desk")
        os.environ["JINGZHUN_DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/desk"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(villages: int) -> dict:
    """The users and 30 open items per village; returns the users by role."""
    from django.utils import timezone

    from jingzhun.accounts.models import Role
    from jingzhun.accounts.services import user_create
    from jingzhun.checks.models import CheckRun, Problem
    from jingzhun.compare.models import Batch, CompareRun, ExternalRecord, Match
    from jingzhun.orgunits.models import OrgUnit
    from jingzhun.orgunits.services import divisions_load
    from jingzhun.workflows.models import Objection, Procedure, PublicityBatch, StepRecord

    started = time.perf_counter()
    divisions_load(prefix="1408")
    chosen = []
    for county in COUNTIES:
        chosen += list(OrgUnit.objects.filter(code__startswith=county, level=5).order_by("code")
                       .values_list("code", flat=True))
    chosen = chosen[:villages]
    assert len(chosen) == villages, f"only {len(chosen)} villages in {COUNTIES}"
    townships = sorted({v[:9] for v in chosen})
    largest = max(townships, key=lambda t: (sum(v.startswith(t) for v in chosen if v.startswith("140802")), t))

    def person(name, role, code):
        return user_create(username=name, password=PASSWORD, role=role,
                           org_unit=OrgUnit.objects.get(code=code) if code else None, full_name=name,
                           check_password=False)

    users = {"county admin": person("county", Role.COUNTY_ADMIN, "140802"),
             "township officer": person("township", Role.TOWNSHIP_OFFICER, largest),
             "village clerk": person("village", Role.VILLAGE_CLERK, next(v for v in chosen if v.startswith(largest))),
             "sysadmin": person("admin", Role.SYSADMIN, None)}
    clerk = users["village clerk"]
    today, now = timezone.localdate(), timezone.now()
    day = datetime.timedelta(days=1)

    runs = {c: CheckRun.objects.create(org=c, as_of=today, status=CheckRun.Status.DONE) for c in COUNTIES}
    for c in COUNTIES:
        CheckRun.objects.create(org=c, as_of=today, status=CheckRun.Status.FAILED, error="后台进程已中止", finished_at=now)

    steps = ([("entry", "group_review")] * 3 + [("exit", "village_publicity")] * 2 + [("return", "township_approval")] * 2
             + [("entry", "township_review")] * 2 + [("entry", "comparison")])
    procedures = [Procedure(kind=kind, step=step, village_id=v, head_name=f"户主{i}", year=2025, opened_by=clerk)
                  for v in chosen for i, (kind, step) in enumerate(steps)]
    Procedure.objects.bulk_create(procedures, batch_size=5000)
    procedures = list(Procedure.objects.order_by("pk"))
    StepRecord.objects.bulk_create([StepRecord(procedure=p, step="application", decision="applied", actor=clerk)
                                    for p in procedures for _ in range(2)], batch_size=5000)

    problems = []
    for v in chosen:
        for i in range(12):
            status = Problem.Status.OPEN if i < 8 else Problem.Status.EXCEPTION_PENDING
            problems.append(Problem(rule=f"Q{i + 1:02d}", household=f"{v}{i + 1:04d}", person="", village=v,
                                    message="问题", status=status, first_run=runs[v[:6]], last_run=runs[v[:6]],
                                    first_seen=now - i * day, last_seen=now,
                                    exception_reason="情况属实" if status != Problem.Status.OPEN else ""))
    Problem.objects.bulk_create(problems, batch_size=5000)

    batches = [PublicityBatch(kind="entry", step="village_publicity", unit_id=v, title=f"{v}公示{n}",
                              start=today + (end - 6) * day, end=today + end * day, created_by=clerk)
               for v in chosen for n, end in enumerate((-1, 1, 10))]
    batches += [PublicityBatch(kind="entry", step="township_publicity", unit_id=t, title=f"{t}乡镇公示",
                               start=today - 8 * day, end=today - 2 * day, created_by=clerk) for t in townships]
    PublicityBatch.objects.bulk_create(batches, batch_size=5000)
    ended = {b.unit_id: b for b in PublicityBatch.objects.filter(step="village_publicity", end=today - day)}
    first = {}
    for p in procedures:
        first.setdefault(p.village_id, p)
    Objection.objects.bulk_create([Objection(batch=ended[v], procedure=first[v], received_on=today - day,
                                             content="群众反映", recorded_by=clerk)
                                   for v in chosen for _ in range(2)], batch_size=5000)

    for county in COUNTIES:
        mine = [v for v in chosen if v.startswith(county)]
        if not mine:
            continue
        batch = Batch.objects.create(kind="death", source="测试", data_date=today, org=county)
        run = CompareRun.objects.create(kind="death", org=county, batch=batch, status=CompareRun.Status.DONE)
        records = ExternalRecord.objects.bulk_create(
            [ExternalRecord(batch=batch, row=n, name=f"某{n}", id_number=f"{v[:6]}19700101{n % 1000:03d}X")
             for n, v in enumerate(v for v in mine for _ in range(3))], batch_size=5000)
        Match.objects.bulk_create([Match(run=run, record=r, member_id=n, household=f"{r.id_number[:6]}", village=v,
                                         person=r.id_number, member_name=r.name, method=Match.Method.FUZZY,
                                         match_weight=5.0, status=Match.Status.PENDING, agreements={})
                                   for n, (r, v) in enumerate(zip(records, (v for v in mine for _ in range(3))))],
                                  batch_size=5000)
    items = (Procedure.objects.count() + Problem.objects.count() + PublicityBatch.objects.filter(unit_id__in=chosen).count()
             + Objection.objects.count() + Match.objects.count())
    print(f"built {villages} villages, {items:,} open items ({items / villages:.0f} per village) "
          f"in {time.perf_counter() - started:.1f} s")
    return users


def measure(client, url: str, repeat: int) -> tuple[float, float, float, int]:
    """(median ms, p95 ms, median CPU ms of this process, queries) of `repeat` GETs after two warm-up
    requests. The CPU time is what the page costs whatever else the machine runs (on SQLite it includes
    the database's work, which runs in this process; PostgreSQL's is in its own)."""
    from django.db import connection

    for _ in range(2):
        assert client.get(url).status_code == 200, url
    seen = []

    def counted(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        client.get(url)
    times, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], statistics.median(cpu), len(seen)


def main() -> int:
    args = parse()
    setup(args.db, args.home if args.db == "sqlite" else None)
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    from jingzhun.accounts.models import User

    names = {"county admin": "county", "township officer": "township", "village clerk": "village", "sysadmin": "admin"}
    if args.home and User.objects.filter(username="admin").exists():
        users = {role: User.objects.get(username=name) for role, name in names.items()}
        print(f"reusing the registry built in {args.home}")
    else:
        users = build(args.villages)
    print(f"load average at the start of the measurement: {os.getloadavg()[0]:.2f} (1 min)")
    if connection.vendor == "sqlite":
        server = connection.Database.sqlite_version
    else:
        server = ".".join(str(part) for part in divmod(connection.pg_version, 10000))  # e.g. 150019 → 15.19
    print(f"{args.db} ({connection.vendor} {server}), Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"{args.repeat} requests per page\n")
    print("| role | page | median ms | p95 ms | CPU ms (median) | queries | to-do ÷ problem list | p95 under 200 ms |")
    print("|---|---|--:|--:|--:|--:|--:|---|")
    missed = False
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        figures = {name: measure(client, reverse(url), args.repeat) for name, url in (
            ("to-do", "desk:todo"), ("problem list", "checks:problem_list"), ("trivial", "accounts:password_change"))}
        ratio = figures["to-do"][0] / figures["problem list"][0]
        for name, (median, p95, cpu, queries) in figures.items():
            ok = ("yes" if p95 < TARGET_MS else "**no**") if name == "to-do" else ""
            missed |= name == "to-do" and role != "sysadmin" and p95 >= TARGET_MS
            print(f"| {role} | {name} | {median:.1f} | {p95:.1f} | {cpu:.1f} | {queries} | "
                  f"{f'{ratio:.2f}' if name == 'to-do' else ''} | {ok} |")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
