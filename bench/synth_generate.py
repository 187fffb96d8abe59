"""Benchmark: generate a synthetic registry of ≈ 1,000,000 members and write it as CSV.

Target (the synthetic-data issue): 1M members generated and written in under a minute on a 2-core
machine. Baseline in the same run: writing the very same tables the naive way, Python's `csv.writer`
row by row (UTF-8 with BOM, minimal quoting, the header quoted as ours is), so the ratio is measured.

    python bench/synth_generate.py                   # 340,000 households of county 141130 ≈ 1M members
    python bench/synth_generate.py --households 68000

Both writers go to fresh temporary directories (removed afterwards); the script checks that the two
outputs hold the same rows.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jingzhun.synth import generate, write  # noqa: E402
from jingzhun.synth.writers import BOM  # noqa: E402

TARGET_SECONDS = 60.0


def naive_write(tables, out: Path) -> list[Path]:
    """csv.writer, one writerow() per row, from Python values."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for sheet, table in tables.items():
        path = out / f"{sheet}.csv"
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(BOM.decode("utf-8"))
            csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(table.column_names)
            writer = csv.writer(f, lineterminator="\n")
            for row in zip(*(column.to_pylist() for column in table.columns)):
                writer.writerow(row)
        written.append(path)
    return written


def same_rows(a: Path, b: Path) -> bool:
    if a.read_bytes() == b.read_bytes():
        return True
    with open(a, encoding="utf-8-sig", newline="") as fa, open(b, encoding="utf-8-sig", newline="") as fb:
        return all(ra == rb for ra, rb in zip(csv.reader(fa), csv.reader(fb), strict=True))


def _vmhwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--county", default="141130")
    parser.add_argument("--households", type=int, default=340_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    load = os.getloadavg()
    print(f"python {sys.version.split()[0]}, nproc {os.cpu_count()}, load average {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}")
    ours_dir = Path(tempfile.mkdtemp(prefix="jz-bench-synth-"))
    naive_dir = Path(tempfile.mkdtemp(prefix="jz-bench-synth-naive-"))
    try:
        start = time.perf_counter()
        registry = generate(county=args.county, households=args.households, seed=args.seed)
        t_generate = time.perf_counter() - start
        members = registry.members.num_rows
        rows = sum(t.num_rows for t in registry.tables.values())

        start = time.perf_counter()
        ours = write(registry, ours_dir, fmt="csv")
        t_write = time.perf_counter() - start

        load = os.getloadavg()
        start = time.perf_counter()
        naive = naive_write(registry.tables, naive_dir)
        t_naive = time.perf_counter() - start

        size = sum(p.stat().st_size for p in ours)
        identical = all(same_rows(a, b) for a, b in zip(sorted(ours), sorted(naive), strict=True))
        assert identical, "the naive writer's rows differ from ours"
        total = t_generate + t_write
        print(f"{args.households:,} households, {members:,} members, {rows:,} rows, {size / 2**20:,.0f} MiB of CSV")
        print(f"generate                        {t_generate:6.2f} s")
        print(f"write(fmt='csv')                {t_write:6.2f} s")
        print(f"generate + write                {total:6.2f} s  = {members / total:,.0f} members/s  "
              f"(target < {TARGET_SECONDS:.0f} s: {'met' if total < TARGET_SECONDS else 'MISSED'})")
        print(f"baseline: csv.writer per row    {t_naive:6.2f} s  (load average {load[0]:.2f} at its start)")
        print(f"ratio baseline/write:           {t_naive / t_write:.1f}×   (same rows: {identical})")
        print(f"ratio (generate + baseline)/(generate + write): {(t_generate + t_naive) / total:.1f}×")
        print(f"peak RSS of this process: {_vmhwm_mb():,.0f} MB")
    finally:
        shutil.rmtree(ours_dir, ignore_errors=True)
        shutil.rmtree(naive_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
