"""Benchmark: department alerts for a province — registry members × 医保 records, matched and judged.

Target (issue 14): 10,000,000 registry members against 1,000,000 医保 records, matched (the comparison's
linkage: exact on valid IDs, then Splink for the rest) and the alert rules applied, in at most 60 s on
2 cores. The same run times a naive baseline: a Python dict of the registry by ID number, a loop over the
records summing each person's 住院 out-of-pocket cost and comparing it with the line (exact ID only — it
finds nobody whose ID the department mistyped or left blank).

    python bench/alerts.py --members 200000 --records 20000 [--threads 2]

Records: 70% carry a registry member's valid ID, 10% a registry member's name, birth date and village
with the ID left blank (found only by the fuzzy step), 20% people not in the registry. Each record is
one 住院 (70%) or 门诊特病 (30%) settlement with a random out-of-pocket cost; the thresholds are those of
the shipped packs for 山西 (140826) in 2026 (absolute form: 5,000 / 20,000, 门诊特病 500 a month).
The synthetic data is built before the clock starts. Peak RSS is the process's VmHWM.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("JINGZHUN_HOME", tempfile.mkdtemp(prefix="jz-bench-alerts-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django

django.setup()

import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jingzhun.alerts.rules import flatten_thresholds, run_rules
from jingzhun.alerts.services import alert_policy, link, rule_input
from jingzhun.registry.idnumbers import check_characters

DATA_DATE = datetime.date(2026, 11, 30)
SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
GIVEN = list("建国伟芳军红明华平丽英秀兰玉梅强勇杰涛斌海波宁静敏燕霞云峰磊鹏刚健春雪琳晶欣宇浩亮超凤桂珍福贵生荣成")


def vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


#: Region codes of the ID numbers: one county's codes hold 29M distinct numbers (80 years × 365 days × 1,000),
#: too few to draw 10M distinct people from, so the people are born in four Shanxi counties.
ID_REGIONS = np.array(["140826", "140829", "141130", "140802"])


def _ids(rng, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n valid ID numbers of four Shanxi counties (births 1940–2019) and their birth dates."""
    days = rng.integers(0, 80 * 365, n)
    birth = (np.datetime64("1940-01-01") + days.astype("timedelta64[D]")).astype("datetime64[D]")
    ymd = np.char.replace(birth.astype(str).astype("U10"), "-", "")
    seq = rng.integers(0, 1000, n)
    region = ID_REGIONS[rng.integers(0, len(ID_REGIONS), n)]
    body = np.char.add(np.char.add(region, ymd), np.char.zfill(seq.astype("U3"), 3))
    check = check_characters(body.astype("S17").view(np.uint8).reshape(n, 17))
    return np.char.add(body.astype("S17"), check.view("S1")).astype(str), birth


def build(members: int, records: int, seed: int = 5):
    rng = np.random.default_rng(seed)
    ids, births = _ids(rng, int(members * 1.1))
    ids, first = np.unique(ids, return_index=True)
    births = births[first]
    order = rng.permutation(len(ids))[:members]
    ids, births = ids[order], births[order]
    n = len(ids)
    names = np.char.add(np.char.add(np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)],
                                    np.array(GIVEN)[rng.integers(0, len(GIVEN), n)]),
                        np.array(GIVEN)[rng.integers(0, len(GIVEN), n)])
    villages = np.char.add("140826100", np.char.zfill(rng.integers(200, 400, n).astype(str), 3))
    households = np.char.add(villages, np.char.zfill((np.arange(n) // 3 % 10000).astype(str), 4))
    people = pa.table({"unique_id": pa.array(np.arange(1, n + 1, dtype=np.int64)), "name": pa.array(names),
                       "id_number": pa.array(ids), "sex": pa.array(np.where(rng.random(n) < .5, "男", "女")),
                       "village": pa.array(villages)})
    facts = pa.table({"member_id": people["unique_id"], "household": pa.array(households),
                      "member_village": people["village"], "person": people["id_number"],
                      "member_name": people["name"], "grp": pa.array(np.full(n, "monitored"))})
    # records: 70% by ID, 10% by name + birth date + village (no ID), 20% strangers
    k_id, k_fuzzy = int(records * .7), int(records * .1)
    k_other = records - k_id - k_fuzzy
    pick = rng.choice(n, k_id + k_fuzzy, replace=True)
    other_ids, other_births = _ids(np.random.default_rng(seed + 1), k_other)
    other_names = np.char.add(np.char.add("欧阳", np.array(GIVEN)[rng.integers(0, len(GIVEN), k_other)]),
                              np.array(GIVEN)[rng.integers(0, len(GIVEN), k_other)])
    rec_ids = np.concatenate([ids[pick[:k_id]], np.full(k_fuzzy, ""), other_ids])
    rec_names = np.concatenate([names[pick], other_names])
    rec_births = np.concatenate([births[pick], other_births])
    rec_villages = np.concatenate([villages[pick], np.full(k_other, "140826100233")])
    inpatient = rng.random(records) < .7
    cost = np.round(rng.gamma(1.2, 4000, records), 2)
    visit = (np.datetime64("2026-01-01") + rng.integers(0, 330, records).astype("timedelta64[D]"))
    table = pa.table({
        "row": pa.array(np.arange(2, records + 2, dtype=np.int64)), "source": pa.array(np.full(records, "bench.csv")),
        "name": pa.array(rec_names), "id_number": pa.array(rec_ids), "sex": pa.array(np.full(records, "")),
        "birth_date": pa.array(rec_births.astype("datetime64[D]")).cast(pa.date32()),
        "village": pa.array(rec_villages), "address": pa.array(np.full(records, "")),
        "visit_type": pa.array(np.where(inpatient, "住院", "门诊特病")),
        "visit_date": pa.array(visit.astype("datetime64[D]")).cast(pa.date32()),
        "discharge_date": pa.array(visit.astype("datetime64[D]")).cast(pa.date32()),
        "total_cost": pa.array(cost * 3), "basic_paid": pa.array(cost), "serious_paid": pa.nulls(records, pa.float64()),
        "assistance_paid": pa.nulls(records, pa.float64()), "out_of_pocket": pa.array(cost),
        "record_id": pa.array(np.arange(records, dtype=np.int64))})
    return people, facts, table


def ours(people, facts, records, thresholds, threads):
    seconds = {}
    started = time.perf_counter()
    pairs = link(records, people, threads=threads)
    seconds["match"] = time.perf_counter() - started
    started = time.perf_counter()
    judged = rule_input(records, pairs, facts, threads=threads)
    hits = run_rules("medical", judged, thresholds, threads=threads)
    seconds["rules"] = time.perf_counter() - started
    seconds["total"] = seconds["match"] + seconds["rules"]
    methods = pc.value_counts(pairs["method"]).to_pylist()
    return hits, {k: round(v, 2) for k, v in seconds.items()}, {m["values"]: m["counts"] for m in methods}


def naive(people, records, alerts):
    """Row by row in Python, exact ID only: the baseline."""
    started = time.perf_counter()
    by_id = dict(zip(people["id_number"].to_pylist(), people["unique_id"].to_pylist()))
    totals: dict[str, float] = {}
    grp: dict[str, str] = {}
    for idn, name, kind, cost in zip(records["id_number"].to_pylist(), records["name"].to_pylist(),
                                     records["visit_type"].to_pylist(), records["out_of_pocket"].to_pylist()):
        if kind != "住院":
            continue
        key = idn or name
        totals[key] = totals.get(key, 0.0) + cost
        grp[key] = "monitored" if idn in by_id else "others"
    medical = alerts["medical"]
    hits = sum(1 for key, total in totals.items()
               if total >= (medical["inpatient_monitored"] if grp[key] == "monitored" else medical["inpatient_others"]))
    return hits, round(time.perf_counter() - started, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    people, facts, records = build(args.members, args.records)
    built = round(time.perf_counter() - started, 1)
    alerts, _titles = alert_policy("140826", DATA_DATE.year)
    thresholds = flatten_thresholds(alerts, DATA_DATE)
    hits, seconds, methods = ours(people, facts, records, thresholds, args.threads)
    yj02 = pc.sum(pc.equal(hits["rule"], "YJ02")).as_py() or 0
    naive_hits, naive_seconds = naive(people, records, alerts)
    print(json.dumps({
        "members": people.num_rows, "records": records.num_rows, "threads": args.threads, "built_s": built,
        "ours": {"seconds": seconds, "pairs": methods, "hits": hits.num_rows,
                 "hits_by_rule": {r["values"]: r["counts"] for r in pc.value_counts(hits["rule"]).to_pylist()}},
        "naive baseline (exact ID, Python loop, YJ02 only)": {"seconds": naive_seconds, "hits": naive_hits,
                                                              "ours YJ02 hits": yj02},
        "peak_rss_mb": round(vm_hwm_mb()), "load_average": os.getloadavg(), "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
