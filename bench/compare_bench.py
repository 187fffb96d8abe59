"""Benchmark: cross-department comparison (一比对) — accuracy, 1M × 1M, exact-ID 10M × 10M.

Targets (comparison issue): F1 ≥ 0.95 on a labelled benchmark; 1M registry persons against 1M external
records in at most 5 min on 2 cores with peak memory stated; exact-ID matching of 10M × 10M in at most 60 s.

    python bench/compare_bench.py prepare --case accuracy   # build and cache the inputs (not timed)
    python bench/compare_bench.py run --case accuracy       # a fresh process: load the cache, match, report

Cases:
- accuracy: `jingzhun.synth` county 140826, 30,000 households (registry); half of its persons appear in the
  external file with the corruption of `jingzhun.synth.linkage` (homophones, look-alike characters,
  swapped or dropped given-name characters, one or two mistyped ID digits, blank IDs, day/month swapped
  birth dates, moved villages; 30% of records clean, 42% one corruption, 28% two), plus unrelated people of
  another synthetic registry of the same county (same name and village distributions).
- scale-1m: the same construction sized to 1,000,000 registry persons and 1,000,000 external records.
- exact-10m: 10,000,000 × 10,000,000 with valid IDs (half of the external IDs are registry IDs), exact only.
- end-to-end: the production path (`dataset_load` + `compare_run_execute`) on an embedded SQLite registry
  of 34,000 synthetic households, with a 医保参保 CSV built the same way (a fresh $JINGZHUN_HOME).

`run` times each step separately (features, exact join, training of u, Splink prediction) and reports the
process's peak RSS (VmHWM, which includes the cached inputs read back from Parquet and ~100 MB of Django).
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
os.environ.setdefault("JINGZHUN_HOME", tempfile.mkdtemp(prefix="jz-bench-compare-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from jingzhun.compare.matching import Matcher, default_model, exact_id_pairs  # noqa: E402
from jingzhun.registry.idnumbers import check_characters  # noqa: E402
from jingzhun.synth.linkage import corrupt_records, registry_persons, score  # noqa: E402

CACHE = Path(os.environ.get("JZ_COMPARE_BENCH_DATA", "/tmp/jz-bench-compare"))
CASES = {"accuracy": 30_000, "scale-1m": 1_000_000, "exact-10m": 10_000_000, "end-to-end": 34_000}
PER_HOUSEHOLD = 2.94
AUTO, REVIEW = 10.0, 2.0  # the settings' defaults (JINGZHUN_COMPARE_AUTO_ACCEPT_WEIGHT / _REVIEW_WEIGHT)


def vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- inputs -----------------------------------------------------------------------------------------


def prepare_linkage(case: str) -> None:
    """Registry persons, external records (corrupted true persons + unrelated people) and the truth."""
    from jingzhun.synth import generate

    households = CASES[case] if case == "accuracy" else int(CASES[case] / PER_HOUSEHOLD)
    rng = np.random.default_rng(7)
    started = time.perf_counter()
    registry = registry_persons(generate(county="140826", households=households, seed=7).members)
    if case != "accuracy":
        registry = registry.slice(0, min(registry.num_rows, CASES[case]))
    villages = sorted(set(registry["village"].to_pylist()))
    n = registry.num_rows
    chosen = np.sort(rng.choice(n, size=n // 2, replace=False))
    true_people = registry.take(pa.array(chosen))
    external_true, applied = corrupt_records(true_people, rng=rng, villages=villages)
    other = registry_persons(generate(county="140826", households=int(households * 0.6), seed=1007).members)
    other = other.filter(pc.invert(pc.is_in(other["id_number"], registry["id_number"])))
    other = other.slice(0, n - external_true.num_rows)
    external_other, _ = corrupt_records(other, rng=rng, villages=villages, rate_none=1.0,
                                        first_record_id=external_true.num_rows + 1)
    external = pa.concat_tables([external_true, external_other])
    truth = pa.table({"record_id": external_true["unique_id"], "member_id": true_people["unique_id"],
                      "corruptions": pa.array(["+".join(a) for a in applied], pa.string())})
    folder = CACHE / case
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in (("registry", registry), ("external", external), ("truth", truth)):
        pq.write_table(table, folder / f"{name}.parquet")
    print(f"{case}: registry {registry.num_rows:,}, external {external.num_rows:,} "
          f"({external_true.num_rows:,} true, {external_other.num_rows:,} unrelated); "
          f"built in {time.perf_counter() - started:.1f} s → {folder}")


def _ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """n valid resident ID numbers (Shanxi regions, births 1930–2019), as an array of 18-byte strings."""
    regions = np.array([int(c) for c in ("140826", "140829", "141130", "140802", "140821", "140822", "140823",
                                         "140824", "140825", "140827", "140828", "140830", "140881", "140882")])
    region = rng.choice(regions, n)
    days = rng.integers(0, 90 * 365, n)
    birth = (np.datetime64("1930-01-01") + days.astype("timedelta64[D]")).astype("datetime64[D]")
    ymd = birth.astype(str).astype("U10")
    ymd = np.char.replace(ymd, "-", "")
    seq = rng.integers(0, 1000, n)
    body = np.char.add(np.char.add(region.astype("U6"), ymd), np.char.zfill(seq.astype("U3"), 3))
    check = check_characters(body.astype("S17").view(np.uint8).reshape(n, 17))
    return np.char.add(body.astype("S17"), check.view("S1"))


def prepare_exact(case: str) -> None:
    """10M registry and 10M external rows with valid, distinct IDs; half of the external IDs are registry IDs."""
    n = CASES[case]
    rng = np.random.default_rng(11)
    started = time.perf_counter()
    ids = np.unique(_ids(rng, int(n * 1.6)))
    rng.shuffle(ids)
    registry_ids, extra_ids = ids[:n], ids[n:]
    assert len(extra_ids) >= n // 2, "too many ID collisions"
    external_ids = np.concatenate([rng.choice(registry_ids, n // 2, replace=False), extra_ids[:n - n // 2]])
    rng.shuffle(external_ids)
    surnames = np.array(list("王李张刘杨郭赵陈高任武贾史田梁马冯孙韩郝"))
    given = np.array(list("建国伟芳军红明华平丽英秀兰玉梅强勇杰涛斌"))

    def names(k):
        return pc.binary_join_element_wise(pa.array(surnames[rng.integers(0, len(surnames), k)]),
                                           pa.array(given[rng.integers(0, len(given), k)]),
                                           pa.array(given[rng.integers(0, len(given), k)]), "")

    folder = CACHE / case
    folder.mkdir(parents=True, exist_ok=True)
    for name, values in (("registry", registry_ids), ("external", external_ids)):
        idn = pa.array(values.astype(str), pa.string())
        sex = pa.array(np.where((values.view(np.uint8).reshape(n, 18)[:, 16] - 48) % 2, "男", "女"))
        table = pa.table({"unique_id": pa.array(np.arange(1, n + 1, dtype=np.int64)), "name": names(n),
                          "id_number": idn, "sex": sex,
                          "village": pa.array(np.full(n, "140826100233"), pa.string())})
        pq.write_table(table, folder / f"{name}.parquet")
    print(f"{case}: registry {n:,}, external {n:,}; built in {time.perf_counter() - started:.1f} s → {folder}")


# --- runs -------------------------------------------------------------------------------------------


def run_linkage(case: str, threads: int, memory_limit: str | None = None) -> dict:
    folder = CACHE / case
    registry = pq.read_table(folder / "registry.parquet")
    external = pq.read_table(folder / "external.parquet")
    truth = pq.read_table(folder / "truth.parquet")
    out = {"case": case, "registry": registry.num_rows, "external": external.num_rows, "true_pairs": truth.num_rows}
    total = time.perf_counter()
    out["memory_limit"] = memory_limit
    with Matcher(registry, external, threads=threads, memory_limit=memory_limit) as matcher:
        exact = matcher.exact()
        out["exact_pairs"] = exact.num_rows
        model = matcher.train(default_model(), max_pairs=2e6)
        fuzzy = matcher.fuzzy(model, min_weight=REVIEW)
        out["seconds"] = {k: round(v, 2) for k, v in matcher.seconds.items()}
    out["seconds"]["total"] = round(time.perf_counter() - total, 2)
    out["peak_rss_mb"] = round(vm_hwm_mb())
    exact_pairs = pa.table({"record_id": exact["record_id"].cast(pa.int64()), "member_id": exact["member_id"].cast(pa.int64())})
    # baseline in the same run: exact ID matching alone, what a county gets from a spreadsheet lookup
    out["exact ID only (baseline)"] = {k: (round(v, 4) if isinstance(v, float) else v)
                                       for k, v in score(exact_pairs, truth).items()}
    for label, threshold in (("auto-accept (weight ≥ %g)" % AUTO, AUTO), ("with review list (weight ≥ %g)" % REVIEW, REVIEW)):
        kept = fuzzy.filter(pc.greater_equal(fuzzy["match_weight"], threshold)).select(["record_id", "member_id"])
        out[label] = {k: (round(v, 4) if isinstance(v, float) else v)
                      for k, v in score(pa.concat_tables([exact_pairs, kept]), truth).items()}
    # recall per corruption type (a record counts under each of its corruptions), at the auto-accept weight
    accepted = pa.concat_tables([exact_pairs, fuzzy.filter(pc.greater_equal(fuzzy["match_weight"], AUTO))
                                 .select(["record_id", "member_id"])])
    found = set(zip(accepted["record_id"].to_pylist(), accepted["member_id"].to_pylist()))
    per: dict[str, list[int]] = {}
    for rid, mid, kinds in zip(truth["record_id"].to_pylist(), truth["member_id"].to_pylist(),
                               truth["corruptions"].to_pylist()):
        for kind in (kinds.split("+") if kinds else ["(none)"]):
            hit = per.setdefault(kind, [0, 0])
            hit[0] += (rid, mid) in found
            hit[1] += 1
    out["recall_by_corruption"] = {k: f"{h}/{t} = {h / t:.4f}" for k, (h, t) in sorted(per.items())}
    return out


def run_exact(case: str, threads: int, *, full: bool) -> dict:
    """full=False: the exact step alone (exact_id_pairs); full=True: the Matcher's features for fuzzy
    matching (pinyin, sorted given names, birth dates …) of both tables, then the exact join."""
    folder = CACHE / case
    registry = pq.read_table(folder / "registry.parquet")
    external = pq.read_table(folder / "external.parquet")
    total = time.perf_counter()
    if full:
        with Matcher(registry, external, threads=threads) as matcher:
            exact = matcher.exact()
            seconds = {k: round(v, 2) for k, v in matcher.seconds.items()}
    else:
        exact = exact_id_pairs(registry, external, threads=threads)
        seconds = {}
    seconds["total"] = round(time.perf_counter() - total, 2)
    if not full:  # baseline in the same run: the same validity check and join in plain pandas
        baseline_pairs, seconds["pandas baseline"] = pandas_exact(registry, external)
        assert baseline_pairs == exact.num_rows, (baseline_pairs, exact.num_rows)
        seconds["ratio"] = round(seconds["pandas baseline"] / seconds["total"], 1)
    return {"case": case, "path": "features + exact" if full else "exact only", "registry": registry.num_rows,
            "external": external.num_rows, "exact_pairs": exact.num_rows, "expected_pairs": registry.num_rows // 2,
            "seconds": seconds, "peak_rss_mb": round(vm_hwm_mb())}


def pandas_exact(registry: pa.Table, external: pa.Table) -> tuple[int, float]:
    """Valid external IDs (shape, real birth date, GB 11643 check character) joined to registry IDs, the
    way one would write it in pandas; (pairs, seconds)."""
    import pandas as pd

    started = time.perf_counter()
    r = registry.select(["unique_id", "id_number"]).to_pandas()
    e = external.select(["unique_id", "id_number"]).to_pandas()
    r["idn"] = r["id_number"].str.strip().str.upper()
    e["idn"] = e["id_number"].str.strip().str.upper()
    e = e[e["idn"].str.fullmatch(r"[0-9]{17}[0-9X]").fillna(False)]
    birth = pd.to_datetime(e["idn"].str[6:14], format="%Y%m%d", errors="coerce")
    e = e[birth.notna() & (birth >= "1900-01-01") & (birth <= pd.Timestamp.today())]
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(e["idn"].str[i].astype(int) * w for i, w in enumerate(weights))
    e = e[total.mod(11).map(dict(enumerate("10X98765432"))) == e["idn"].str[17]]
    pairs = e[["unique_id", "idn"]].merge(r[["unique_id", "idn"]], on="idn")
    return len(pairs), round(time.perf_counter() - started, 2)


def run_end_to_end(case: str) -> dict:
    """The production path on an embedded SQLite registry: `dataset_load` of a CSV file (ORM writes of
    every external record) and `compare_run_execute` (snapshot, model training, matching, storing pairs,
    signals into the problem ledger), timed apart. The registry is imported first (not timed)."""
    import csv

    from django.core.management import call_command

    from jingzhun.compare.kinds import KINDS
    from jingzhun.compare.services import compare_run_execute, dataset_load
    from jingzhun.exchange.importer import import_sheets, sheets_from_tables
    from jingzhun.orgunits.services import divisions_load
    from jingzhun.synth import generate

    call_command("migrate", verbosity=0)
    divisions_load(prefix="14")
    synth = generate(county="140826", households=CASES[case], seed=7)
    assert import_sheets(sheets=sheets_from_tables(synth.tables, "synth")).ok
    registry = registry_persons(synth.members)
    rng = np.random.default_rng(7)
    chosen = np.sort(rng.choice(registry.num_rows, size=registry.num_rows // 2, replace=False))
    villages = sorted(set(registry["village"].to_pylist()))
    true_people = registry.take(pa.array(chosen))
    records, _ = corrupt_records(true_people, rng=rng, villages=villages)
    other = registry_persons(generate(county="140826", households=CASES[case] // 2, seed=1007).members)
    other = other.filter(pc.invert(pc.is_in(other["id_number"], registry["id_number"])))
    unrelated, _ = corrupt_records(other, rng=rng, villages=villages, rate_none=1.0)
    path = CACHE / case / "医保参保.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["姓名", "身份证号", "性别", "出生日期", "村代码", "年度", "参保状态"])
        for table in (records, unrelated):
            for i, (name, idn, sex, born, village) in enumerate(zip(*[table[c].to_pylist() for c in (
                    "name", "id_number", "sex", "birth_date", "village")])):
                out.writerow([name, idn, sex, born.isoformat(), village, "2024", "未参保" if i % 20 == 0 else "参保"])
    started = time.perf_counter()
    report = dataset_load(kind=KINDS["medical"], paths=[path], source="bench")
    load_seconds = time.perf_counter() - started
    assert report.ok, report.issues[:5]
    started = time.perf_counter()
    run = compare_run_execute(kind=KINDS["medical"], org="140826")
    run_seconds = time.perf_counter() - started
    return {"case": case, "registry_members": registry.num_rows, "external_rows": report.batch.rows,
            "seconds": {"dataset_load": round(load_seconds, 2), "compare_run_execute": round(run_seconds, 2),
                        "inside_run": run.counts["seconds"]},
            "counts": {k: v for k, v in run.counts.items() if k != "seconds"}, "peak_rss_mb": round(vm_hwm_mb())}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["prepare", "run"])
    parser.add_argument("--case", choices=list(CASES), required=True)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--with-features", action="store_true",
                        help="exact-10m: also derive the fuzzy-matching features first (the full Matcher)")
    parser.add_argument("--memory-limit", help="accuracy/scale-1m: DuckDB's memory_limit for the features and "
                        "Splink (spills to the temporary directory beyond it), e.g. 1GB")
    args = parser.parse_args()
    if args.step == "prepare":
        if args.case != "end-to-end":  # end-to-end builds its own registry database in `run`
            (prepare_exact if args.case == "exact-10m" else prepare_linkage)(args.case)
        return
    if args.case == "end-to-end":
        result = run_end_to_end(args.case)
    elif args.case == "exact-10m":
        result = run_exact(args.case, args.threads, full=args.with_features)
    else:
        result = run_linkage(args.case, args.threads, args.memory_limit)
    result["machine"] = f"{platform.processor() or platform.machine()}, nproc {os.cpu_count()}, threads {args.threads}"
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
