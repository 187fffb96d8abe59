"""户类别 and the monitoring columns of template v2 for a synthetic registry.

Drawn from a random stream of their own, after everything else, so that the columns of version 1 (and
the errors injected into them) are the same as before for the same seed. What is drawn:

- 一般农户 (only when asked, `ordinary` > 0): that share of the households is not 建档立卡 — their
  建档立卡 cells are blank, and their incomes are those of ordinary rural households (the drawn ones
  scaled up 1.2–2.5×, so that most are well above the line; no 帮扶责任人).
- 监测户 (from the reference year 2020 on, when 防止返贫监测 began): a few percent. 建档立卡 households
  at risk become 脱贫不稳定户 (a few 突发严重困难户); 一般农户 at risk 边缘易致贫户 (a few 突发严重困难户).
  Being at risk weighs a per-capita income under 1.5 times the line, illness, disability and students;
  the 风险类型 follows the members (因病 where somebody is ill, 因残 where disabled, 因学 where at school,
  缺劳动力 where nobody can work, else 因灾 / 因意外事故 / 因务工就业不稳 / 因产业项目失败), with the next
  fitting ones as 其他风险类型. 纳入监测时间 falls between 2020-03-01 and the reference day; about half
  of those monitored for over a year have their risk eliminated, at least 180 days after inclusion.
- For every household: 近12个月家庭纯收入 (the year's net income moved by −10…+15 %), verified within the
  last half year; 近12个月合规自付支出 (large where somebody is seriously ill); and the assets the
  standards weigh (vehicles, houses bought in towns, registered businesses), rarer among 建档立卡 ones.

Households that carry an injected error are left as they are (their error must still be found).
"""

from __future__ import annotations

import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .text import blank_where, int_text, money_text

MONITORING_START = datetime.date(2020, 3, 1)
RISK_ILL, RISK_DISABLED, RISK_SCHOOL, RISK_DISASTER, RISK_ACCIDENT, RISK_BUSINESS, RISK_JOB, RISK_LABOUR = (
    "因病", "因残", "因学", "因灾", "因意外事故", "因产业项目失败", "因务工就业不稳", "缺劳动力")
_FALLBACK = np.array([RISK_DISASTER, RISK_ACCIDENT, RISK_JOB, RISK_BUSINESS], dtype=object)
REGISTERED_HEADERS = ("识别标准", "贫困户属性", "脱贫状态", "识别年度", "脱贫年度", "主要致贫原因", "其他致贫原因")


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype("datetime64[D]").astype(str).tolist(), pa.string())


def add_monitoring(rng: np.random.Generator, household_columns: dict[str, pa.Array], *, H: int, as_of: datetime.date,
                   year: int, line: float, spoiled: np.ndarray, ordinary: float, h_ill: np.ndarray,
                   h_serious: np.ndarray, h_disabled: np.ndarray, h_students: np.ndarray,
                   h_labourers: np.ndarray, n_normal: np.ndarray, removed: np.ndarray,
                   cents: dict[str, np.ndarray]) -> dict[str, pa.Array]:
    """The version 2 columns (header → text) and the 建档立卡 and income cells of 一般农户 rewritten."""
    free = ~spoiled & ~removed & (n_normal > 0)
    is_ordinary = free & (rng.random(H) < ordinary)
    # 一般农户: blank 建档立卡 cells, ordinary incomes (and their 年人均纯收入 recomputed, as the formula says)
    if is_ordinary.any():
        factor = rng.uniform(1.2, 2.5, H)
        for header, key in (("工资性收入", "wage_c"), ("生产经营性收入", "gross_c"), ("财产性收入", "prop_c"),
                            ("生产经营性支出", "expense_c")):
            scaled = np.where(is_ordinary, np.round(cents[key] * factor / 100).astype(np.int64) * 100, cents[key])
            cents = {**cents, key: scaled}
            household_columns[header] = money_text(scaled)
        net = cents["wage_c"] + cents["gross_c"] + cents["prop_c"] + cents["transfer_c"] - cents["expense_c"]
        per_capita = np.where(n_normal > 0, (2 * net + n_normal) // np.maximum(2 * n_normal, 1), 0)
        declared = household_columns["年人均纯收入"]
        household_columns["年人均纯收入"] = pc.if_else(pa.array(is_ordinary), money_text(per_capita), declared)
        cents = {**cents, "net_c": net}
        for header in REGISTERED_HEADERS:
            household_columns[header] = blank_where(household_columns[header], is_ordinary)
    net = cents["net_c"]
    per_capita_yuan = net / np.maximum(n_normal, 1) / 100

    # 监测户
    monitored = np.zeros(H, dtype=bool)
    if as_of >= MONITORING_START:
        weight = (0.012 + 0.05 * (per_capita_yuan < 1.5 * line) + 0.02 * h_ill + 0.015 * h_disabled
                  + 0.01 * (h_students > 0))
        monitored = free & (rng.random(H) < weight)
    sudden = rng.random(H) < 0.15
    klass = np.where(is_ordinary, np.where(sudden, "突发严重困难户", "边缘易致贫户"),
                     np.where(sudden, "突发严重困难户", "脱贫不稳定户")).astype(object)
    category = np.where(monitored, "监测户", np.where(is_ordinary, "一般农户", "脱贫户")).astype(object)

    # 风险类型: the fitting ones in order, the first main, the next two others
    fitting = np.stack([h_ill, h_disabled, h_students > 0, h_labourers == 0], axis=1)
    names = np.array([RISK_ILL, RISK_DISABLED, RISK_SCHOOL, RISK_LABOUR], dtype=object)
    fallback = _FALLBACK[rng.integers(0, len(_FALLBACK), H)]
    risk_main = np.full(H, "", dtype=object)
    risk_others = np.full(H, "", dtype=object)
    for i in np.flatnonzero(monitored):
        fit = list(names[fitting[i]])
        if sudden[i]:  # a sudden hardship: an accident or a disaster first, whatever else the family has
            fit = [fallback[i] if fallback[i] in (RISK_DISASTER, RISK_ACCIDENT) else RISK_ACCIDENT, *fit]
        if not fit:
            fit = [fallback[i]]
        risk_main[i] = fit[0]
        risk_others[i] = "、".join(fit[1:3])

    start = np.datetime64(MONITORING_START, "D").astype(np.int64)
    today = np.datetime64(as_of, "D").astype(np.int64)
    since = start + (rng.random(H) * (today - start + 1)).astype(np.int64)
    long_enough = today - since > 365
    eliminated = monitored & long_enough & (rng.random(H) < 0.5)
    gap = today - since - 180
    eliminated_on = since + 180 + (rng.random(H) * np.maximum(gap, 0)).astype(np.int64)

    # money of the last 12 months, and assets
    income_12m = np.round(net * rng.uniform(0.90, 1.15, H) / 100).astype(np.int64) * 100
    verified = today - rng.integers(0, 183, H)
    oop = np.where(h_serious, rng.lognormal(np.log(18_000), 0.6, H),
                   np.where(h_ill, rng.lognormal(np.log(3_000), 0.7, H), rng.lognormal(np.log(400), 0.8, H)))
    oop_c = np.round(oop).astype(np.int64) * 100
    richer = np.where(is_ordinary, 1.0, 0.25)
    vehicles = (rng.random(H) < 0.45 * richer).astype(np.int64) + (rng.random(H) < 0.05 * richer)
    vehicle_value = np.round(rng.lognormal(np.log(60_000), 0.6, H) / 1000).astype(np.int64) * 100_000
    houses = (rng.random(H) < 0.08 * richer).astype(np.int64)
    businesses = (rng.random(H) < 0.06 * richer).astype(np.int64)
    monitoring_blank = ~monitored
    for header in ("帮扶责任人", "帮扶单位", "帮扶责任人电话"):  # 帮扶 is for 建档立卡 and monitored households
        household_columns[header] = blank_where(household_columns[header], is_ordinary & ~monitored)
    return {
        "户类别": pa.array(category.tolist(), pa.string()),
        "监测对象类别": blank_where(pa.array(klass.tolist(), pa.string()), monitoring_blank),
        "纳入监测时间": blank_where(_dates(since), monitoring_blank),
        "主要风险类型": pa.array(risk_main.tolist(), pa.string()),
        "其他风险类型": pa.array(risk_others.tolist(), pa.string()),
        "风险是否消除": blank_where(pa.array(np.where(eliminated, "是", "否").tolist(), pa.string()), monitoring_blank),
        "风险消除日期": blank_where(_dates(eliminated_on), ~eliminated),
        "近12个月家庭纯收入": money_text(income_12m),
        "收入核实日期": _dates(verified),
        "近12个月合规自付支出": money_text(oop_c),
        "家用车辆数": int_text(vehicles),
        "最贵车辆价值": blank_where(money_text(vehicle_value), vehicles == 0),
        "城镇购房套数": int_text(houses),
        "登记市场主体数": int_text(businesses),
    }
