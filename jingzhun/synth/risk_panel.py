"""A synthetic panel for the risk model: the registry of year t (and t−1's incomes) → the outcome in t+1.

Real panels (CFPS and the like) may not be redistributed, so the risk model is trained and tested on
this one. Every table has the analytics snapshot's `SCHEMA`, so the model reads it exactly as it reads
a real registry's history. The outcome comes from a stated latent process, with noise, so the label is
never a function of what the registry shows:

* a household frailty ``z ~ N(0, 1)`` that nobody records; it raises the odds of illness and of losing
  work and lowers incomes;
* members' health (慢性病, 大病, 残疾) rising with age and ``z``; labour ability following age and health;
* work: working-age members work away (务工) for a number of months; few months mean unstable work, whose
  wages fall more often and by more;
* villages exposed to disasters (unrecorded); unsafe housing (C/D) makes a disaster cost more;
* the ledger records earlier returns to poverty (2021 … t−1), likelier for frail households;
* year t+1: a new serious illness (odds from age, chronic illness, ``z``), a lost job (odds from months
  away and ``z``), a disaster (a village-wide event, odds from the exposure), an unexplained income shock
  (lognormal); out-of-pocket medical costs for the ill (a new serious illness, and the old ones that keep
  costing); then per-capita income after those costs below a line, or rigid costs or lost wages above
  half of year t's income (支出骤增 / 收入骤减) ⇒ the household slipped; and only some slipped households
  are found (identification noise), which becomes 返贫 in the t+1 registry.

Same arguments ⇒ the same tables (one seeded ``numpy`` generator, drawn in a fixed order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from jingzhun.analytics import conform
from jingzhun.registry.idnumbers import check_characters

#: the yardstick of the synthetic outcome: per-capita income after the year's shocks below it ⇒ slipped.
#: 2,300 yuan is the national line at 2010 prices, used unadjusted; an example value for a synthetic
#: process, not policy (the policy packs hold the real lines).
PANEL_LINE = 2_300.0
#: 支出骤增: rigid costs of t+1 (illness, disaster) above this share of year t's net income make a household
#: slip whatever its income; an example value of the synthetic process (provinces set their own rules)
RIGID_SHARE = 0.5


@dataclass
class RiskPanel:
    """Year t's registry (``now``), year t−1's households (``before``, incomes), year t+1's households
    (``after``: only its status is the outcome, 返贫 for the households that returned to poverty; its other
    columns repeat year t's), all of the snapshot SCHEMA."""

    year: int
    before: dict[str, pa.Table]
    now: dict[str, pa.Table]
    after: dict[str, pa.Table]
    #: the ledger's events known at the end of year t (analytics.risk.features.EVENTS_SCHEMA)
    events: pa.Table

    @property
    def members(self) -> int:
        return self.now["members"].num_rows


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    return np.char.zfill(values.astype(np.int64).astype(str), width)


def _id_numbers(rng: np.random.Generator, county: str, birth_year: np.ndarray) -> np.ndarray:
    """Valid 18-character ID numbers (GB 11643) for people born in `birth_year`."""
    n = len(birth_year)
    month = rng.integers(1, 13, n)
    day = rng.integers(1, 29, n)
    serial = rng.integers(1, 1000, n)
    body = np.char.add(np.char.add(np.char.add(np.full(n, county), _digits(birth_year, 4)),
                                   np.char.add(_digits(month, 2), _digits(day, 2))), _digits(serial, 3))
    matrix = np.frombuffer(body.astype("S17").tobytes(), dtype=np.uint8).reshape(n, 17)
    checks = np.ascontiguousarray(check_characters(matrix)).view("S1").astype(str) if n else np.array([], dtype=str)
    return np.char.add(body, checks)


def generate_panel(*, households: int, seed: int, year: int = 2024, county: str = "140826",
                   villages: Sequence[str] | None = None) -> RiskPanel:
    """A panel of `households` households in `county` (6 digits) for years `year`−1, `year`, `year`+1.

    The households live in `villages` (12-digit codes, e.g. the real villages of a loaded division
    list) or, when not given, in one made-up village code under the county per 150 households.
    """
    if households < 1:
        raise ValueError("户数至少为 1")
    if not (len(county) == 6 and county.isdigit()):
        raise ValueError(f"县代码应为 6 位数字，而不是 {county!r}")
    rng = np.random.default_rng(seed)
    H = int(households)

    # ---- villages: codes under the county, disaster exposure (latent) ---------------------------------
    if villages:
        if not all(len(v) == 12 and v.isdigit() and v.startswith(county) for v in villages):
            raise ValueError(f"村代码应为 {county} 下的 12 位数字")
        v_code = np.array(sorted(villages))
        V = len(v_code)
    else:
        V = max(1, H // 150)
        v_index = np.arange(V)
        v_code = np.char.add(np.char.add(np.full(V, county), _digits(100 + v_index // 30, 3)),
                             _digits(200 + v_index % 30, 3))
    v_exposure = rng.beta(1.2, 8.0, V)                 # yearly chance of a disaster, unrecorded
    v_poor = rng.random(V) < 0.35

    # ---- households ----------------------------------------------------------------------------------
    h_village = rng.integers(0, V, H)
    order = np.argsort(h_village, kind="stable")
    h_village = h_village[order]
    serial = np.arange(H) - np.searchsorted(h_village, h_village) + 1
    h_code = np.char.add(v_code[h_village], _digits(serial, 4))
    z = rng.normal(0.0, 1.0, H)                        # frailty, unrecorded
    size = np.clip(rng.poisson(2.2, H) + 1, 1, 8)
    M = int(size.sum())
    m_hh = np.repeat(np.arange(H), size)
    first = np.concatenate([[0], np.cumsum(size)[:-1]])
    m_pos = np.arange(M) - first[m_hh]                 # 0 = the head

    # ---- members: age, health, labour, work ---------------------------------------------------------
    head_age = np.clip(rng.normal(54, 13, H), 22, 90)
    age = np.where(m_pos == 0, head_age[m_hh],
                   np.where(m_pos == 1, head_age[m_hh] + rng.normal(-2, 4, M),
                            rng.choice([5.0, 12.0, 17.0, 28.0, 78.0], M, p=[.2, .2, .15, .3, .15])
                            + rng.normal(0, 3, M)))
    age = np.clip(age, 0, 95).astype(np.int64)
    zm = z[m_hh]
    p_chronic = 1 / (1 + np.exp(-(-3.4 + 0.045 * np.maximum(age - 30, 0) + 0.5 * zm)))
    p_serious = 1 / (1 + np.exp(-(-5.0 + 0.035 * np.maximum(age - 30, 0) + 0.6 * zm)))
    p_disabled = 1 / (1 + np.exp(-(-4.2 + 0.4 * zm)))
    u = rng.random(M)
    health = np.where(u < p_serious, "患有大病", np.where(u < p_serious + p_disabled, "残疾",
                      np.where(u < p_serious + p_disabled + p_chronic, "长期慢性病", "健康")))
    working_age = (age >= 16) & (age <= 64)
    sick = health != "健康"
    labour = np.where(~working_age, "无劳动力",
                      np.where(health == "残疾", "丧失劳动力",
                               np.where(health == "患有大病", np.where(rng.random(M) < 0.6, "丧失劳动力", "普通劳动力"),
                                        np.where(rng.random(M) < 0.15, "技能劳动力", "普通劳动力"))))
    able = np.isin(labour, ["普通劳动力", "技能劳动力"])
    away = able & (age <= 58) & (rng.random(M) < 0.55)
    months = np.where(away, np.clip(np.round(rng.beta(2.0, 1.0, M) * 12 - 0.8 * np.maximum(zm, 0)), 1, 12), 0)
    migrant_work = np.where(away, rng.choice(["乡镇内", "乡镇外县内", "县外省内", "省外"], M, p=[.15, .25, .3, .3]), "")
    schooling = np.where((age >= 7) & (age <= 18), np.where(age <= 12, "小学", np.where(age <= 15, "八年级", "高中")),
                         "非在校生")
    birth_year = year - age

    # ---- incomes of t−1 and t (per household, yuan) ------------------------------------------------
    skilled = labour == "技能劳动力"
    monthly = np.where(skilled, 4200.0, 3000.0) * np.exp(rng.normal(0, 0.25, M) - 0.1 * zm)
    home_worker = able & ~away
    wage_t = np.bincount(m_hh, weights=months * monthly + home_worker * 6000.0 * np.exp(rng.normal(0, .3, M)),
                         minlength=H)
    # a year earlier: the same jobs, with the ordinary drift (and the unstable ones moved more)
    drift = np.exp(rng.normal(0.03, 0.12 + 0.02 * (12 - months), M))
    wage_prev = np.bincount(m_hh, weights=(months * monthly + home_worker * 6000.0) / drift, minlength=H)
    business_t = np.where(rng.random(H) < 0.5, rng.gamma(2.0, 3000.0, H), 0.0)
    business_prev = business_t * np.exp(rng.normal(0, 0.2, H))
    expense_t = business_t * rng.uniform(0.2, 0.5, H)
    property_t = np.where(rng.random(H) < 0.4, rng.gamma(1.5, 500.0, H), 0.0)
    n_old = np.bincount(m_hh, weights=age >= 60, minlength=H)
    n_sick = np.bincount(m_hh, weights=sick, minlength=H)
    dibao_h = (z > 1.2) & (rng.random(H) < 0.5)
    transfer_t = n_old * 1700.0 + dibao_h * size * 2000.0 + rng.gamma(1.0, 400.0, H)
    attribute = np.where(dibao_h, "低保贫困户", np.where(rng.random(H) < 0.03, "特困供养贫困户", "一般贫困户"))

    # the population: mostly 已脱贫 (the households the model watches), some still 未脱贫
    status_t = np.where(rng.random(H) < 0.08, "未脱贫", "已脱贫")
    identified = rng.integers(2014, 2019, H)
    exit_year = np.where(status_t == "已脱贫", np.minimum(identified + rng.integers(1, 6, H), 2020), 0)
    housing_grade = rng.choice(["A", "B", "C", "D"], H, p=[.45, .45, .07, .03])
    unsafe = np.isin(housing_grade, ["C", "D"])
    safe_water = rng.random(H) > 0.03 + 0.03 * (z > 1)
    ill_cause = n_sick > 0
    main_cause = np.where(ill_cause & (rng.random(H) < 0.6), "因病",
                          rng.choice(["缺技术", "缺资金", "缺劳力", "因学", "因残", "因灾"], H))

    # ---- year t+1: the shocks and the outcome -----------------------------------------------------
    any_old_chronic = np.bincount(m_hh, weights=(health == "长期慢性病") & (age >= 50), minlength=H) > 0
    p_new_illness = 1 / (1 + np.exp(-(-3.8 + 1.4 * any_old_chronic + 0.5 * z + 0.02 * (head_age - 55))))
    new_illness = rng.random(H) < p_new_illness
    p_job_loss_m = 1 / (1 + np.exp(-(-2.2 - 0.22 * (months - 6) + 0.4 * zm)))
    lost = away & (rng.random(M) < p_job_loss_m)
    wage_lost = np.bincount(m_hh, weights=lost * months * monthly * rng.uniform(0.4, 1.0, M), minlength=H)
    disaster_v = rng.random(V) < v_exposure
    hit = disaster_v[h_village] & (rng.random(H) < 0.6)
    disaster_loss = hit * rng.gamma(2.0, 2500.0, H) * np.where(unsafe, 2.5, 1.0)
    n_serious = np.bincount(m_hh, weights=health == "患有大病", minlength=H)
    out_of_pocket = (new_illness * rng.gamma(2.0, 6000.0, H)           # a new serious illness
                     + n_serious * rng.gamma(2.0, 3000.0, H)           # an old one keeps costing
                     + n_sick * rng.gamma(1.0, 1500.0, H))
    gross_t = wage_t + business_t + property_t + transfer_t - expense_t
    shock = np.exp(rng.normal(0.02, 0.25, H))           # what nobody could see coming
    income_next = (gross_t - wage_lost) * shock - disaster_loss - out_of_pocket
    pc_next = income_next / size
    # 支出骤增 or 收入骤减: rigid costs (illness, disaster) or lost wages above half of year t's income make
    # a household slip whatever its income was
    floor = np.maximum(gross_t, 1.0)
    sudden = ((out_of_pocket + disaster_loss) > RIGID_SHARE * floor) | (wage_lost > RIGID_SHARE * floor)
    slipped = (pc_next < PANEL_LINE) | sudden
    found = slipped & (rng.random(H) < 0.75)            # identification misses some and errs
    returned = (status_t == "已脱贫") & (found | (rng.random(H) < 0.004))
    status_next = np.where(returned, "返贫", status_t)

    # ---- the ledger: earlier returns to poverty (2021 … t−1) of households 已脱贫 again by t ---------------
    # frail households returned more often before; the event is recorded, the frailty is not
    past_return = (status_t == "已脱贫") & (rng.random(H) < 1 / (1 + np.exp(-(-2.8 + 0.9 * z))))
    first_day = np.datetime64("2021-01-01")
    span = int((np.datetime64(f"{year - 1}-12-31") - first_day).astype(int)) + 1
    effective = first_day + rng.integers(0, max(span, 1), H).astype("timedelta64[D]")
    events = pa.table({"household": pa.array(h_code[past_return]),
                       "type": pa.array(np.full(int(past_return.sum()), "return")),
                       "effective": pa.array(effective[past_return].astype("datetime64[D]"), pa.date32())})

    # ---- tables of the snapshot SCHEMA --------------------------------------------------------------
    ids = _id_numbers(rng, county, birth_year)
    head_rows = first
    male = rng.random(M) < 0.5
    relation = np.where(m_pos == 0, "户主", np.where(m_pos == 1, "配偶",
                        np.where(age >= 60, "之父", np.where(male, "之子", "之女"))))

    def money(values):
        return pa.array(np.round(values, 2), pa.float64())

    villages_t = conform("villages", pa.table({
        "village_id": pa.array(v_code), "registered_population": pa.array(np.bincount(h_village, weights=size, minlength=V).astype(np.int64)),
        "registered_households": pa.array(np.bincount(h_village, minlength=V).astype(np.int64)),
        "is_poor_village": pa.array(v_poor),
    }))
    households_t = conform("households", pa.table({
        "code": pa.array(h_code), "village_id": pa.array(v_code[h_village]),
        "head_name": pa.array(np.char.add("户主", _digits(np.arange(H), 7))), "head_id_number": pa.array(ids[head_rows]),
        "category": pa.array(np.full(H, "脱贫户")),
        "standard": pa.array(np.full(H, "国家标准")), "attribute": pa.array(attribute),
        "status": pa.array(status_t), "identified_year": pa.array(identified.astype(np.int32)),
        "exit_year": pa.array(np.where(exit_year > 0, exit_year, None).tolist(), pa.int32()),
        "main_cause": pa.array(main_cause), "income_year": pa.array(np.full(H, year, np.int32)),
        "wage_income": money(wage_t), "business_income": money(business_t), "property_income": money(property_t),
        "transfer_income": money(transfer_t), "business_expense": money(expense_t),
        "housing_grade": pa.array(housing_grade), "safe_water": pa.array(safe_water),
        "electricity": pa.array(np.ones(H, bool)),
    }))
    members_t = conform("members", pa.table({
        "id": pa.array(np.arange(1, M + 1, dtype=np.int64)), "household_id": pa.array(h_code[m_hh]),
        "name": pa.array(np.char.add("成员", _digits(np.arange(M), 8))), "id_number": pa.array(ids),
        "relation": pa.array(relation), "sex": pa.array(np.where(male, "男", "女")),
        "education": pa.array(np.full(M, "初中")), "schooling": pa.array(schooling),
        "health": pa.array(health), "labour": pa.array(labour), "migrant_work": pa.array(migrant_work),
        "migrant_months": pa.array(months.astype(np.int32)),
        "medical_insurance": pa.array(rng.random(M) > 0.02), "dibao": pa.array(dibao_h[m_hh]),
        "tekun": pa.array(attribute[m_hh] == "特困供养贫困户"), "active_soldier": pa.array(np.zeros(M, bool)),
        "status": pa.array(np.full(M, "正常")),
    }))
    before = households_t.drop_columns(["income_year", "wage_income", "business_income"])
    before = conform("households", before.append_column("income_year", pa.array(np.full(H, year - 1, np.int32)))
                     .append_column("wage_income", money(wage_prev))
                     .append_column("business_income", money(business_prev)))
    after = households_t.set_column(households_t.schema.get_field_index("status"), "status", pa.array(status_next))
    return RiskPanel(year=year, before={"households": before},
                     now={"households": households_t, "members": members_t, "villages": villages_t},
                     after={"households": after}, events=events)
