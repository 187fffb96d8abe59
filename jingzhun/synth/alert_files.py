"""Department alert files (部门预警, docs/alert-formats.md) for a synthetic registry, with the usual corruptions.

What a county receives each month from 医保 and 民政 and after a disaster from 应急: rows about people of
the registry — written the way departments write them (a character misread, given names swapped, the ID
number mistyped or left out, the birth date's day and month exchanged: `synth.linkage.corrupt_records`) —
and rows about people who are not in the registry at all. The costs and amounts are drawn so that some rows
cross the packs' alert thresholds and most do not; which rows do is decided by the rules, not here.

    files = alert_files(registry, seed=1, as_of=datetime.date(2026, 11, 30))
    write_alert_files(files, Path("out/部门预警"))      # 医保费用.csv, 民政救助.csv, 灾害损失.csv
"""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .generator import SynthRegistry
from .linkage import corrupt_records, registry_persons

#: Share of the registry's members that appear in each file (the ill weigh more in 医保).
SHARES = {"医保费用": 0.03, "民政救助": 0.01, "灾害损失": 0.005}
#: Share of rows about people outside the registry.
STRANGERS = 0.2
#: Share of rows written with no corruption (the rest get one or two).
CLEAN = 0.6


def _people(registry: SynthRegistry, rng: np.random.Generator, share: float, weights: np.ndarray | None) -> pa.Table:
    persons = registry_persons(registry.members)
    n = max(1, int(persons.num_rows * share))
    p = None if weights is None else weights / weights.sum()
    picked = rng.choice(persons.num_rows, size=min(n, persons.num_rows), replace=False, p=p)
    return persons.take(pa.array(np.sort(picked)))


def _strangers(registry: SynthRegistry, rng: np.random.Generator, n: int) -> pa.Table:
    """People who are not in the registry: another county's registry drawn with another seed, renamed as the
    villages of this one (their ID numbers are of the other county, so they match nobody here)."""
    from .generator import generate

    others = generate(county="140829", households=max(1, n // 2), seed=int(rng.integers(1, 2**31)))
    persons = registry_persons(others.members).slice(0, n)
    villages = registry.villages["村代码"].to_pylist()
    homes = pa.array([villages[i] for i in rng.integers(0, len(villages), persons.num_rows)], pa.string())
    return persons.set_column(persons.schema.get_field_index("village"), "village", homes)


def _records(registry: SynthRegistry, rng: np.random.Generator, share: float,
             weights: np.ndarray | None = None) -> pa.Table:
    inside = _people(registry, rng, share, weights)
    outside = _strangers(registry, rng, max(1, int(inside.num_rows * STRANGERS)))
    persons = pa.concat_tables([inside, outside])
    villages = registry.villages["村代码"].to_pylist()
    records, _applied = corrupt_records(persons, rng=rng, villages=villages, rate_none=CLEAN)
    return records


def _date(as_of: datetime.date, rng: np.random.Generator, n: int, days: int) -> list[datetime.date]:
    return [as_of - datetime.timedelta(days=int(d)) for d in rng.integers(1, days, n)]


def alert_files(registry: SynthRegistry, *, seed: int, as_of: datetime.date) -> dict[str, list[dict]]:
    """{file label: rows (column → text)} for 医保费用, 民政救助 and 灾害损失, dated within a year before `as_of`."""
    rng = np.random.default_rng(seed)
    members = registry.members
    ill = pc.is_in(members["健康状况"], pa.array(["长期慢性病", "患有大病", "残疾"])).to_numpy(zero_copy_only=False)
    files: dict[str, list[dict]] = {}

    medical = _records(registry, rng, SHARES["医保费用"], weights=np.where(ill, 6.0, 1.0))
    n = medical.num_rows
    inpatient = rng.random(n) < 0.6
    total = np.round(np.where(inpatient, rng.lognormal(9.6, 0.8, n), rng.lognormal(7.0, 0.7, n)), 2)
    covered = np.round(total * rng.uniform(0.55, 0.9, n), 2)
    visits = _date(as_of, rng, n, 330)
    files["医保费用"] = [
        {**_person(medical, i), "就诊类别": "住院" if inpatient[i] else "门诊特病",
         "就诊日期": f"{visits[i]:%Y-%m-%d}",
         "出院日期": f"{visits[i] + datetime.timedelta(days=int(rng.integers(3, 20))):%Y-%m-%d}" if inpatient[i] else "",
         "医疗总费用": f"{total[i]:.2f}", "基本医保支付": f"{covered[i]:.2f}",
         "个人自付": f"{total[i] - covered[i]:.2f}"}
        for i in range(n)]

    civil = _records(registry, rng, SHARES["民政救助"])
    kinds = rng.choice(["低保", "特困", "临时救助"], size=civil.num_rows, p=[0.6, 0.1, 0.3])
    starts = _date(as_of, rng, civil.num_rows, 300)
    files["民政救助"] = [{**_person(civil, i), "救助类别": str(kinds[i]), "开始日期": f"{starts[i]:%Y-%m-%d}",
                         "救助金额": f"{float(rng.integers(500, 6000)):.2f}"} for i in range(civil.num_rows)]

    disaster = _records(registry, rng, SHARES["灾害损失"])
    days = _date(as_of, rng, disaster.num_rows, 200)
    files["灾害损失"] = [{**_person(disaster, i), "灾害类型": str(rng.choice(["洪涝", "风雹", "干旱"])),
                         "发生日期": f"{days[i]:%Y-%m-%d}",
                         "直接经济损失": f"{float(rng.lognormal(8.5, 1.0)):.2f}",
                         "房屋损毁": str(rng.choice(["无", "一般损坏", "严重损坏"], p=[0.6, 0.3, 0.1]))}
                        for i in range(disaster.num_rows)]
    return files


def _person(records: pa.Table, i: int) -> dict:
    """The person columns of one record as a department writes them (an ID number or, without one, the birth
    date that the matcher needs)."""
    row = {k: records[k][i].as_py() for k in ("name", "id_number", "sex", "birth_date", "village")}
    return {"姓名": row["name"], "身份证号": row["id_number"] or "", "性别": row["sex"] or "",
            "出生日期": "" if row["id_number"] or row["birth_date"] is None else f"{row['birth_date']:%Y-%m-%d}",
            "村代码": row["village"] or ""}


def write_alert_files(files: dict[str, list[dict]], folder: Path) -> list[Path]:
    """Each file as `<label>.csv` (UTF-8) in `folder`, the columns in the order of its first row."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for label, rows in files.items():
        path = folder / f"{label}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["姓名"])
            writer.writeheader()
            writer.writerows(rows)
        paths.append(path)
    return paths
