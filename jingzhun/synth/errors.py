"""Content errors injected into a synthetic registry, each one recorded in a manifest.

Every injected value passes the template's format (it would be imported) but is caught by the registry's
data-quality checks: a wrong ID check character, a sex that contradicts the ID, an exited household
below the poverty line, a dropout, … A chosen row gets exactly one error, of a kind that fits the row
(a dropout needs a 7–15-year-old at school). The manifest names the cell (sheet, Excel row with the
header as row 1, header), the value before and after, and the kind.

One kind touches a second cell: when `exited_below_line` lowers an income, the row's 年人均纯收入 is
recomputed from the formula so that the only problem in the row is the low income; the manifest names
the income cell.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .codes import (ATTR_DIBAO, ATTR_GENERAL, ATTRIBUTES, C, CAUSES, GRADES, ST_EXITED, ST_POOR, ST_REMOVED,
                    ST_RETURNED, pick)
from .headers import HOUSEHOLD_SHEET, MEMBER_SHEET
from .idcard import ALPHABET
from .text import NO, bytes_matrix_text, int_text, money_text, replace_rows, take_text

HOUSEHOLD_KINDS: dict[str, str] = {
    "exited_below_line": "已脱贫户年人均纯收入低于贫困线",
    "per_capita_mismatch": "年人均纯收入与公式计算值相差100元以上",
    "unsafe_housing_exited": "已脱贫户住房为危房（C/D级）",
    "unsafe_water_exited": "已脱贫户饮水不安全",
    "illness_without_patient": "主要致贫原因为因病，但家庭成员均无疾病",
    "no_cadre": "未脱贫/返贫户无帮扶责任人",
    "exit_before_identification": "脱贫年度早于识别年度",
    "dibao_without_recipient": "低保贫困户无人享受低保",
}
MEMBER_KINDS: dict[str, str] = {
    "id_checksum": "身份证号校验码错误",
    "sex_mismatch": "性别与身份证号不符",
    "duplicate_id": "身份证号与其他人员重复",
    "dropout": "义务教育阶段（7–15岁）儿童为非在校生（失学辍学）",
    "no_medical_insurance": "未参加城乡居民基本医疗保险",
    "migrant_zero_months": "有务工状况但务工时间为0",
}
ERROR_KINDS: dict[str, str] = {**HOUSEHOLD_KINDS, **MEMBER_KINDS}
MANIFEST_FIELDS = ("sheet", "row", "header", "original", "injected", "kind")
MANIFEST_SCHEMA = pa.schema([("sheet", pa.string()), ("row", pa.int64()), ("header", pa.string()),
                             ("original", pa.string()), ("injected", pa.string()), ("kind", pa.string())])


def _constant(value: str, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.string()), n)


class _Sheet:
    """Pending edits of one sheet's columns, applied together at the end (rows are distinct per column)."""

    def __init__(self, name: str, columns: dict[str, pa.Array]):
        self.name = name
        self.columns = columns
        self.pending: dict[str, tuple[list[np.ndarray], list[pa.Array]]] = {}
        self.manifest: list[pa.Table] = []

    def edit(self, header: str, rows: np.ndarray, values: pa.Array, kind: str | None) -> None:
        """Set column `header` at `rows` to `values`; recorded in the manifest unless kind is None."""
        if not len(rows):
            return
        values = pa.array(values, pa.string())
        if kind is not None:
            n = len(rows)
            self.manifest.append(pa.table([
                _constant(self.name, n), pa.array(rows + 2, pa.int64()), _constant(header, n),
                self.columns[header].take(pa.array(rows)), values, _constant(kind, n)], schema=MANIFEST_SCHEMA))
        row_parts, value_parts = self.pending.setdefault(header, ([], []))
        row_parts.append(np.asarray(rows, dtype=np.int64))
        value_parts.append(values)

    def apply(self) -> None:
        for header, (row_parts, value_parts) in self.pending.items():
            self.columns[header] = replace_rows(self.columns[header], np.concatenate(row_parts),
                                                pa.concat_arrays(value_parts))


def _choose(rng: np.random.Generator, n_rows: int, rate: float, eligible_of,
            checked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """round(rate × n_rows) distinct rows and a kind for each, uniform over the kinds the row fits.

    Only rows the data-quality checks look at are spoiled (`checked`: not in a 清退 household, and for
    members in 正常 status), so that every injected error is one the checks must find.
    """
    candidates = np.flatnonzero(checked)
    count = min(int(round(rate * n_rows)), len(candidates))
    rows = np.sort(rng.choice(candidates, count, replace=False))
    eligible = eligible_of(rows)
    return rows, pick(rng, eligible.astype(float))


def inject_errors(rng: np.random.Generator, rate: float, household_columns: dict[str, pa.Array],
                  member_columns: dict[str, pa.Array], *, households: dict[str, np.ndarray],
                  members: dict[str, np.ndarray], poverty_line: float | None) -> list[dict]:
    """Inject errors into the columns (replaced in the dicts) and return the manifest entries.

    `poverty_line` is the line the checks compare the income year with (None: that year has none, so an
    exited household below a line is not an error they could find, and none is injected).
    """
    hh_sheet = _Sheet(HOUSEHOLD_SHEET, household_columns)
    m_sheet = _Sheet(MEMBER_SHEET, member_columns)
    _household_errors(rng, rate, hh_sheet, households, poverty_line)
    _member_errors(rng, rate, m_sheet, members)
    parts = hh_sheet.manifest + m_sheet.manifest
    hh_sheet.apply()
    m_sheet.apply()
    if not parts:
        return []
    table = pa.concat_tables(parts)
    order = pc.sort_indices(
        table.append_column("order", pc.equal(table["sheet"], MEMBER_SHEET).cast(pa.int8())),
        sort_keys=[("order", "ascending"), ("row", "ascending")])
    return table.take(order).to_pylist()


def _household_errors(rng: np.random.Generator, rate: float, sheet: _Sheet, hh: dict[str, np.ndarray],
                      poverty_line: float | None) -> None:
    kinds = list(HOUSEHOLD_KINDS)
    status = hh["status"]
    exited = status == ST_EXITED

    def eligible(rows: np.ndarray) -> np.ndarray:
        e = exited[rows]
        return np.column_stack([
            e & (poverty_line is not None),  # exited_below_line
            np.ones(len(rows), dtype=bool),  # per_capita_mismatch
            e & (hh["grade"][rows] <= GRADES.index("B")),  # unsafe_housing_exited
            e & hh["safe_water"][rows],  # unsafe_water_exited
            ~hh["anyone_ill"][rows] & (hh["main_cause"][rows] != C["因病"]),  # illness_without_patient
            np.isin(status[rows], [ST_POOR, ST_RETURNED]) & hh["assisted"][rows],  # no_cadre
            e & (hh["ident"][rows] >= 2015),  # exit_before_identification
            hh["attribute"][rows] == ATTR_GENERAL,  # dibao_without_recipient
        ])

    rows, kind = _choose(rng, len(status), rate, eligible, status != ST_REMOVED)
    for k, name in enumerate(kinds):
        r = rows[kind == k]
        if not len(r):
            continue
        n = len(r)
        if name == "exited_below_line":
            members = hh["n_normal"][r]
            # below the year's line (and below 3900 as ever: exited households are drawn above it)
            target = rng.integers(2000, min(3900, int(poverty_line) - 100), n) * 100
            new_net = target * members
            d = hh["net_c"][r] - new_net  # > 0: exited households are drawn above 4200 a head
            wage, transfer, gross, expense = (hh[key][r] for key in ("wage_c", "transfer_c", "gross_c",
                                                                     "expense_c"))
            which = np.select([wage >= d, transfer >= d, gross >= d], [0, 1, 2], 3)
            for j, (header, value) in enumerate((("工资性收入", wage - d), ("转移性收入", transfer - d),
                                                 ("生产经营性收入", gross - d), ("生产经营性支出", expense + d))):
                sel = which == j
                sheet.edit(header, r[sel], money_text(value[sel]), name)
            sheet.edit("年人均纯收入", r, money_text((2 * new_net + members) // (2 * members)), None)
        elif name == "per_capita_mismatch":
            value = hh["per_capita_c"][r]
            delta = rng.integers(100, 2001, n) * 100 + np.where(rng.random(n) < 0.3, 50, 0)
            can_lower = value - delta >= np.where(exited[r], 400_000, 100)
            sign = np.where((rng.random(n) < 0.5) & can_lower, -1, 1)
            sheet.edit("年人均纯收入", r, money_text(value + sign * delta), name)
        elif name == "unsafe_housing_exited":
            grade = np.where(rng.random(n) < 0.75, GRADES.index("C"), GRADES.index("D"))
            sheet.edit("危房等级", r, take_text(GRADES, grade), name)
        elif name == "unsafe_water_exited":
            sheet.edit("饮水安全", r, _constant(NO, n), name)
        elif name == "illness_without_patient":
            sheet.edit("主要致贫原因", r, _constant(CAUSES[C["因病"]], n), name)
        elif name == "no_cadre":
            sheet.edit("帮扶责任人", r, _constant("", n), name)
        elif name == "exit_before_identification":
            ident = hh["ident"][r]
            sheet.edit("脱贫年度", r, int_text(ident - 1 - rng.integers(0, ident - 2014)), name)
        elif name == "dibao_without_recipient":
            sheet.edit("贫困户属性", r, _constant(ATTRIBUTES[ATTR_DIBAO], n), name)
        else:  # pragma: no cover
            raise AssertionError(name)


def _member_errors(rng: np.random.Generator, rate: float, sheet: _Sheet, m: dict[str, np.ndarray]) -> None:
    kinds = list(MEMBER_KINDS)
    n_members = len(m["age"])
    head, age = m["head"], m["age"]
    pool_size = n_members - int(round(rate * n_members))

    def eligible(rows: np.ndarray) -> np.ndarray:
        a = age[rows]
        return np.column_stack([
            ~head[rows],  # id_checksum
            np.ones(len(rows), dtype=bool),  # sex_mismatch
            ~head[rows] & (pool_size > 0),  # duplicate_id
            (a >= 7) & (a <= 15) & m["normal"][rows] & m["attending"][rows],  # dropout
            np.ones(len(rows), dtype=bool),  # no_medical_insurance
            m["migrant"][rows] >= 0,  # migrant_zero_months
        ])

    rows, kind = _choose(rng, n_members, rate, eligible, m["normal"] & m["checked_household"])
    ids = m["ids"]
    for k, name in enumerate(kinds):
        r = rows[kind == k]
        if not len(r):
            continue
        n = len(r)
        if name == "id_checksum":
            position = np.zeros(256, dtype=np.int64)
            position[ALPHABET] = np.arange(len(ALPHABET))
            wrong = ids[r].copy()
            wrong[:, 17] = ALPHABET[(position[wrong[:, 17]] + rng.integers(1, len(ALPHABET), n)) % len(ALPHABET)]
            sheet.edit("身份证号", r, bytes_matrix_text(wrong), name)
        elif name == "duplicate_id":
            # The copy comes from an untouched member the checks also look at, so the two really clash.
            untouched = np.setdiff1d(np.flatnonzero(m["normal"] & m["checked_household"]), rows, assume_unique=True)
            source = _same_sex_and_age(rng, m, r, untouched)
            sheet.edit("身份证号", r, bytes_matrix_text(ids[source]), name)
        elif name == "sex_mismatch":
            sheet.edit("性别", r, take_text(["男", "女"], m["male"][r].astype(np.int64)), name)
        elif name == "dropout":
            sheet.edit("在校生状况", r, _constant("非在校生", n), name)
        elif name == "no_medical_insurance":
            sheet.edit("城乡居民基本医疗保险", r, _constant(NO, n), name)
        elif name == "migrant_zero_months":
            sheet.edit("务工时间", r, _constant("0", n), name)
        else:  # pragma: no cover
            raise AssertionError(name)


def _same_sex_and_age(rng: np.random.Generator, m: dict[str, np.ndarray], targets: np.ndarray,
                      pool: np.ndarray) -> np.ndarray:
    """For each target, a member of `pool` (untouched rows) of the same sex and, if possible, age, from
    another household: the same person registered twice, as the cross-household check looks for."""
    key = m["male"].astype(np.int64) * 1000 + m["age"]
    pool = pool[np.lexsort((rng.random(len(pool)), key[pool]))]
    pool_key = key[pool]
    t_key = key[targets]
    lo = np.searchsorted(pool_key, t_key, "left")
    hi = np.searchsorted(pool_key, t_key, "right")
    sex_key = m["male"][targets].astype(np.int64) * 1000
    sex_lo = np.searchsorted(pool_key, sex_key, "left")
    sex_hi = np.searchsorted(pool_key, sex_key + 1000, "left")
    at = np.where(hi > lo, lo + (rng.random(len(targets)) * (hi - lo)).astype(np.int64),
                  np.where(sex_hi > sex_lo, np.clip(lo, sex_lo, sex_hi - 1), lo))
    at = np.clip(at, 0, len(pool) - 1)
    same_household = m["household"][pool[at]] == m["household"][targets]
    at = np.where(same_household, np.where(at + 1 < len(pool), at + 1, np.maximum(at - 1, 0)), at)
    return pool[at]
