"""Golden fixtures of the alert rules: input rows and the expected hits side by side.

Each file tests/golden/alerts/<CODE>[-case].toml holds `data_date`, the pack to judge by (`province`,
`county`, optionally `county_pack`: the text of a county file <county>.toml put in a folder of
JINGZHUN_POLICY_DIRS, which overrides the province) and `rows`: the rule's input rows as the linkage
hands them over (the kind's columns by field name, `person` naming the person, `grp` 'monitored' or
'others'), with `expect = true` on a row of every person the rule must report. Every other person is a
near miss that must not be reported.
"""

from __future__ import annotations

import datetime
import tomllib
from pathlib import Path

import pyarrow as pa

from jingzhun.alerts.kinds import ALERT_KINDS
from jingzhun.compare.kinds import ColumnKind

GOLDEN_DIR = Path(__file__).resolve().parent / "golden" / "alerts"
_TYPES = {ColumnKind.DATE: pa.date32(), ColumnKind.MONEY: pa.float64(), ColumnKind.DECIMAL: pa.float64()}


def golden_files() -> list[Path]:
    return sorted(GOLDEN_DIR.glob("*.toml"))


def load(path: Path) -> dict:
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    kind = ALERT_KINDS[doc["kind"]]
    rows = doc["rows"]
    columns: dict[str, pa.Array] = {"record_id": pa.array(range(len(rows)), pa.int64())}
    for col in kind.columns:
        values = [r.get(col.field) for r in rows]
        if col.kind == ColumnKind.DATE:
            values = [datetime.date.fromisoformat(v) if v else None for v in values]
        elif col.kind not in _TYPES:
            values = ["" if v is None else str(v) for v in values]
        columns[col.field] = pa.array(values, _TYPES.get(col.kind, pa.string()))
    columns["grp"] = pa.array([r.get("grp", "others") for r in rows], pa.string())
    columns["person_key"] = pa.array([r["person"] for r in rows], pa.string())
    expected = {r["person"] for r in rows if r.get("expect")}
    return {"kind": kind.code, "records": pa.table(columns), "expected": expected,
            "persons": {r["person"] for r in rows}, "data_date": datetime.date.fromisoformat(doc["data_date"]),
            "province": doc.get("province", "14"), "county": doc.get("county", "140826"),
            "county_pack": doc.get("county_pack", "")}
