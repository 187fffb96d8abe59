"""Deterministic synthetic registries: plausible 建档立卡 households of a real county, as template cells.

`generate(county=..., households=..., seed=...)` draws a county's registry the way a 2020 Shanxi county
file looks at the end of 2020; with `year` and `as_of` it draws the registry as it stands on a later day
(`jingzhun demo`: today, with the incomes of the last full year) — households spread over the county's real villages, families with consistent ages, sexes and
ID numbers (everyone's age at `as_of` is the age drawn), education and schooling by age, health and labour ability, migrant work, insurance, 低保 and
特困 consistent with the household attribute, causes of poverty consistent with the family, incomes
around the poverty line of the year and at that year's level, statuses and years as they stand in the
income year (after 2020: 已脱贫 by 2020, or 清退) — and returns the three sheets of the exchange template as pyarrow
tables of cell text. With `errors` > 0 a fraction of the household and member rows gets one content error
each (see `errors.ERROR_KINDS`), recorded in the manifest.

The work is split by responsibility: `shapes` holds the distributions, `families` draws who lives in
each household, `incomes` the causes of poverty and the money; this module draws the rest (villages,
members' attributes, housing, cadres), writes the three sheets and hands them to `errors`. The draws
happen in one fixed order from one generator, so the split changes no table.

Everything is computed column-wise with numpy and pyarrow: no Python loop runs per household or member,
only over small fixed sets (household slots, categories). The only randomness is
`numpy.random.default_rng(seed)` (spawned once into a generator for the registry and one for the
errors), so the same arguments give the same tables, and the clean part does not depend on `errors`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jingzhun.policy import policy_pack
from jingzhun.registry import vocab

from . import idcard, names
from .codes import (ATTR_DIBAO, ATTR_TEKUN, ATTRIBUTES, CAUSES, E_COLLEGE, E_JUNIOR, E_PRESCHOOL_CHILD,
                    E_PRIMARY, E_SENIOR, EDUCATIONS, ETHNICITIES, GRADES, HEALTHS, L_NONE, L_ORDINARY,
                    L_SKILLED, LABOURS, MEMBER_STATUSES, MIGRANT, MS_DECEASED, MS_MOVED, MS_NORMAL,
                    R_DAUGHTER, RELATIONS, S, S_OUT, S_PRESCHOOL, SCHOOL_ATTENDING, SCHOOLINGS, SEXES,
                    ST_EXITED, ST_REMOVED, ST_RETURNED, STANDARDS, STATUSES, H_DISABLED, H_SERIOUS, pick)
from .divisions import County
from .divisions import county as load_county
from .errors import inject_errors
from .families import draw_families
from .headers import (HOUSEHOLD_HEADERS, HOUSEHOLD_SHEET, MEMBER_HEADERS, MEMBER_SHEET, VILLAGE_HEADERS,
                      VILLAGE_SHEET)
from .incomes import draw_incomes, households_with
from .monitoring import add_monitoring
from .shapes import (ATTRIBUTE_P, DEPARTMENTS, EDU_AGE_EDGES, EDU_ORDER, EDU_P, EXIT_P, FIRST_IDENTIFICATION_YEAR,
                     HEALTH_AGE_EDGES, HEALTH_ORDER, HEALTH_P, IDENTIFICATION_P, LABOUR_ORDER, LABOUR_P,
                     LAST_EXIT_YEAR, MAX_SERIAL, MIGRANT_P, MOBILE_PREFIXES, MONTHS_P, POVERTY_LINE_2020, STATUS_P,
                     STATUS_P_AFTER_EXIT, VILLAGE_EXIT_P, income_level)
from .text import (blank_where, bool_text, bytes_matrix_text, digits_text, int_text, money_text,
                   take_text)


@dataclass
class SynthRegistry:
    """The three sheets as pyarrow tables of cell text (headers in template order) and the error manifest."""

    villages: pa.Table
    households: pa.Table
    members: pa.Table
    manifest: list[dict] = field(default_factory=list)

    @property
    def tables(self) -> dict[str, pa.Table]:
        return {VILLAGE_SHEET: self.villages, HOUSEHOLD_SHEET: self.households, MEMBER_SHEET: self.members}


def _check_arguments(county: str, households: int, seed: int, errors: float, year: int,
                     as_of: datetime.date) -> County:
    place = load_county(county)
    if isinstance(households, bool) or not isinstance(households, (int, np.integer)) or households < 1:
        raise ValueError(f"户数应为不小于 1 的整数，收到：{households!r}")
    if households > MAX_SERIAL * len(place.villages):
        raise ValueError(f"{place.name}只有 {len(place.villages)} 个村，每村最多 {MAX_SERIAL} 户，"
                         f"容纳不下 {households} 户")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"随机种子应为非负整数，收到：{seed!r}")
    numeric = isinstance(errors, (int, float, np.integer, np.floating)) and not isinstance(errors, bool)
    if not (numeric and 0 <= errors <= 1):
        raise ValueError(f"错误比例应在 0 到 1 之间，收到：{errors!r}")
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)) or not 2015 <= year <= 2100:
        raise ValueError(f"收入年度应为 2015–2100 之间的年份，收到：{year!r}")
    if not isinstance(as_of, datetime.date) or isinstance(as_of, datetime.datetime) or not year <= as_of.year <= 2100:
        shown = as_of.isoformat() if isinstance(as_of, datetime.date) else repr(as_of)
        raise ValueError(f"基准日应为收入年度（{year} 年）或其后、2100 年以前的日期，收到：{shown}")
    return place


def _spread(rng: np.random.Generator, total: int, p: np.ndarray, cap: int) -> np.ndarray:
    """A multinomial draw of `total` over `p`, with no count above `cap` (the overflow is redrawn)."""
    counts = rng.multinomial(total, p)
    while (counts > cap).any():
        excess = int((counts - cap).clip(0).sum())
        counts = np.minimum(counts, cap)
        room = p * (counts < cap)
        counts = counts + rng.multinomial(excess, room / room.sum())
    return counts


def _year_choice(rng, lo: np.ndarray, hi: np.ndarray, first: int, weights: np.ndarray) -> np.ndarray:
    """A year in [lo, hi] per row, with the weights of years first, first+1, … (0.02 beyond them)."""
    last = int(hi.max())
    years = np.arange(first, last + 1)
    w = np.full(len(years), 0.02)
    w[: min(len(weights), len(years))] = weights[: len(years)]
    allowed = (years[None, :] >= lo[:, None]) & (years[None, :] <= hi[:, None])
    return years[pick(rng, w[None, :] * allowed)]


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` earlier (29 February → 28 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _birth_dates(u: np.ndarray, age: np.ndarray, as_of: datetime.date) -> np.ndarray:
    """A birth date per person, uniform over the days on which one is born to be `age` full years old on
    `as_of` (after the `age`-th birthday before it, before the next). For as_of = 31 December of Y these
    are the days of year Y − age."""
    oldest = int(age.max(initial=0)) + 1
    upper = np.array([years_before(as_of, a) for a in range(oldest + 1)], dtype="datetime64[D]")
    last = upper[age]
    first = upper[age + 1] + np.timedelta64(1, "D")
    days = (last - first).astype(np.int64) + 1
    return first + (u * days).astype(np.int64)


def _lines(place: County, year: int) -> tuple[float, float | None]:
    """(floor, checked line) of the income year from the policy packs: 已脱贫 households are drawn above
    the floor — the highest of the poverty line, the 防止返贫监测 line and the 2020 line the shapes were
    tuned to — and the checks (Q26) compare incomes with the poverty line, when the year has one."""
    pack = policy_pack(place.code[:2], year, county=place.code)
    lines = [float(line) for line in (pack.poverty_line, pack.monitoring_line) if line is not None]
    return max([POVERTY_LINE_2020, *lines]), (float(pack.poverty_line) if pack.poverty_line is not None else None)


def _phones(rng: np.random.Generator, n: int) -> pa.StringArray:
    number = MOBILE_PREFIXES[rng.integers(0, len(MOBILE_PREFIXES), n)] * 10 ** 8 + rng.integers(0, 10 ** 8, n)
    return digits_text(number, 11)


def generate(*, county: str, households: int, seed: int, errors: float = 0.0, year: int = 2020,
             as_of: datetime.date | None = None, ordinary: float = 0.0) -> SynthRegistry:
    """A synthetic registry of `households` households of the county `county` (6 digits, with villages in
    the division list), for income year `year`, as it stands on `as_of` (the reference date the checks
    run at: ages, schooling and years fit it; 31 December of `year` when not given); `errors` is the
    fraction of household rows and of member rows that get one injected content error each (each one
    found by the checks run at `as_of`). `ordinary` is the share of households that are 一般农户 (not
    建档立卡); from 2020 on a few percent are 监测户 (`synth.monitoring`). Same arguments ⇒ same tables."""
    as_of = datetime.date(year, 12, 31) if as_of is None else as_of
    place = _check_arguments(county, households, seed, errors, year, as_of)
    floor, checked_line = _lines(place, year)
    H = int(households)
    if not 0.0 <= ordinary < 1.0:
        raise ValueError(f"一般农户比例应不小于 0 且小于 1，收到：{ordinary!r}")
    # The third stream (户类别 and monitoring, template v2) leaves the first two, and so every column of
    # version 1, as they were for the same seed.
    rng, err_rng, monitoring_rng = np.random.default_rng(seed).spawn(3)

    # ---- villages and the households placed in them ------------------------------------------------
    V = len(place.villages)
    v_code = np.array([int(c) for c, _ in place.villages], dtype=np.int64)
    township_index = {c: i for i, (c, _) in enumerate(place.townships)}
    v_township = np.array([township_index.get(c[:9], 0) for c, _ in place.villages], dtype=np.int64)
    v_poor = rng.random(V) < 0.3
    weight = rng.lognormal(0.0, 0.5, V) * np.where(v_poor, 2.5, 1.0)
    v_count = _spread(rng, H, weight / weight.sum(), MAX_SERIAL)
    h_village = np.repeat(np.arange(V), v_count)
    h_serial = np.arange(H) - (np.cumsum(v_count) - v_count)[h_village] + 1

    families = draw_families(rng, H)
    h_type, m_hh, m_age, m_male = families.h_type, families.m_hh, families.m_age, families.m_male
    m_relation, m_head, m_surname = families.m_relation, families.m_head, families.m_surname
    M = len(m_hh)

    def u(n: int = H) -> np.ndarray:
        return rng.random(n)

    def um() -> np.ndarray:
        return rng.random(M)

    # ---- household attributes ----------------------------------------------------------------------
    h_attribute = pick(rng, ATTRIBUTE_P[h_type])
    h_status = rng.choice(len(STATUS_P), H, p=STATUS_P if year <= LAST_EXIT_YEAR else STATUS_P_AFTER_EXIT)
    h_standard = rng.choice(len(STANDARDS), H, p=[0.92, 0.06, 0.02])
    ident_years = np.arange(FIRST_IDENTIFICATION_YEAR, min(year - 1, 2019) + 1)
    ident_p = IDENTIFICATION_P[: len(ident_years)] / IDENTIFICATION_P[: len(ident_years)].sum()
    h_ident = ident_years[rng.choice(len(ident_years), H, p=ident_p)]
    last_exit = min(year, LAST_EXIT_YEAR)
    exit_hi = np.where(h_status == ST_RETURNED, last_exit - 1, last_exit)
    h_exit = _year_choice(rng, h_ident, exit_hi, FIRST_IDENTIFICATION_YEAR, EXIT_P)
    h_exit = np.where((h_status == ST_EXITED) | (h_status == ST_RETURNED), h_exit, 0)

    # ---- member attributes -------------------------------------------------------------------------
    r = um()
    p_dead = np.where(m_age >= 70, 0.04, 0.003)
    p_moved = np.where((m_relation == R_DAUGHTER) & (m_age >= 18) & (m_age <= 35), 0.10,
                       np.where((m_age >= 18) & (m_age <= 40), 0.02, 0.003))
    m_status = np.where(r < p_dead, MS_DECEASED, np.where(r < p_dead + p_moved, MS_MOVED, MS_NORMAL))
    m_status[m_head] = MS_NORMAL
    m_normal = m_status == MS_NORMAL
    status_blank_h = u() < 0.08  # some villages leave 人员状态 blank for everyone who is there

    h_ethnicity = rng.choice(len(ETHNICITIES) + 1, H, p=[0.985, 0.006, 0.003, 0.003, 0.003])
    h_ethnicity[h_ethnicity == len(ETHNICITIES)] = -1

    # education and schooling by age
    school = np.full(M, -1)
    edu = np.array(EDU_ORDER)[pick(rng, EDU_P[np.digitize(m_age, EDU_AGE_EDGES)])]
    ra, rb = um(), um()
    school = np.where(m_age >= 18, S_OUT, school)
    college = (m_age >= 18) & (m_age <= 21) & (ra < 0.35)
    school = np.where(college, np.where(ra < 0.22, S[vocab.Schooling.COLLEGE],
                                        S[vocab.Schooling.HIGHER_VOCATIONAL]), school)
    edu = np.where(college, E_COLLEGE, edu)
    senior = ((m_age == 15) | ((m_age >= 16) & (m_age <= 17) & (ra < 0.9)))
    school = np.where(senior, np.where(rb < 0.65, S[vocab.Schooling.SENIOR],
                                       S[vocab.Schooling.SECONDARY_VOCATIONAL]), school)
    edu = np.where(senior, E_SENIOR, edu)
    left_school = (m_age >= 16) & (m_age <= 17) & ~senior
    school = np.where(left_school, S_OUT, school)
    edu = np.where(left_school, np.where(rb < 0.9, E_JUNIOR, E_PRIMARY), edu)
    for grade_age, grade in ((12, vocab.Schooling.GRADE_7), (13, vocab.Schooling.GRADE_8),
                             (14, vocab.Schooling.GRADE_9)):
        school = np.where(m_age == grade_age, S[grade], school)
    edu = np.where((m_age >= 12) & (m_age <= 14), E_JUNIOR, edu)
    primary = (m_age >= 6) & (m_age <= 11)
    school = np.where(primary, S[vocab.Schooling.PRIMARY], school)
    edu = np.where(primary, E_PRIMARY, edu)
    small = m_age < 6
    school = np.where(small, np.where((m_age >= 3) & (ra < 0.8), S_PRESCHOOL, -1), school)
    edu = np.where(small, E_PRESCHOOL_CHILD, edu)
    attending = np.isin(school, SCHOOL_ATTENDING)

    health = np.array(HEALTH_ORDER)[pick(rng, HEALTH_P[np.digitize(m_age, HEALTH_AGE_EDGES)])]
    health_rank = np.array([HEALTH_ORDER.index(h) for h in range(len(HEALTHS))])[health]
    labour_band = np.clip(np.digitize(m_age, [61, 71]), 0, 2)
    labour = np.array(LABOUR_ORDER)[pick(rng, LABOUR_P[labour_band, health_rank])]
    labour = np.where((m_age < 16) | attending, L_NONE, labour)
    able = (labour == L_ORDINARY) | (labour == L_SKILLED)

    works_away = m_normal & able & (m_age >= 16) & (m_age <= 60) & (um() < np.where(labour == L_SKILLED, 0.6, 0.5))
    migrant = np.where(works_away, rng.choice(len(MIGRANT_P), M, p=MIGRANT_P), -1)
    months = rng.choice(12, M, p=MONTHS_P / MONTHS_P.sum()) + 1

    m_attribute = h_attribute[m_hh]
    dibao = (m_attribute == ATTR_DIBAO) & m_normal & (m_head | (um() < 0.6))
    tekun = (m_attribute == ATTR_TEKUN) & m_normal
    soldier = m_male & (m_age >= 18) & (m_age <= 24) & (um() < 0.004)
    adult = (m_age >= 16) & ~attending
    pension = um() < 0.95
    serious_ins_blank = um() < 0.03

    money = draw_incomes(rng, H=H, M=M, m_hh=m_hh, m_age=m_age, m_normal=m_normal, health=health,
                         attending=attending, able=able, works_away=works_away, h_status=h_status, dibao=dibao,
                         tekun=tekun, level=income_level(year), floor=floor)
    ill, h_main, ranked, n_other, n_normal, not_out = (money.ill, money.h_main, money.ranked, money.n_other,
                                                       money.n_normal, money.not_out)
    wage_c, gross_c, prop_c, transfer_c = money.wage_c, money.gross_c, money.prop_c, money.transfer_c
    expense_c, net_c, per_capita_c = money.expense_c, money.net_c, money.per_capita_c

    # ---- housing, services, assistance -------------------------------------------------------------
    area = np.clip(rng.normal(92, 25, H), 40, 150)
    area_c = np.where(u() < 0.75, np.round(area).astype(np.int64) * 100, np.round(area * 10).astype(np.int64) * 10)
    grade = np.where(not_out, pick(rng, np.tile([0.35, 0.45, 0.15, 0.05], (H, 1))),
                     (u() < 0.45).astype(np.int64))
    safe_water = ~not_out | (u() < 0.9)
    electricity = ~not_out | (u() < 0.995)
    relocated = u() < 0.04
    has_phone = u() < 0.85

    h_township = v_township[h_village]
    per_cadre = rng.integers(3, 7, max(len(place.townships), 1))[h_township]
    rank_in_township = np.arange(H) - np.searchsorted(h_township, h_township, side="left")
    cadre_key = h_township * 10_000_000 + rank_in_township // per_cadre
    cadre_first, h_cadre = np.unique(cadre_key, return_index=True, return_inverse=True)[1:]
    n_cadres = len(cadre_first)
    cadre_male = rng.random(n_cadres) < 0.6
    cadre_name = names.name_text(rng, names.surname_index(rng, n_cadres), cadre_male)
    cadre_phone = _phones(rng, n_cadres)
    units = [place.name + d for d in DEPARTMENTS] + [place.township_government(n) for _, n in place.townships]
    township_share = 0.35 if place.townships else 0.0
    cadre_unit = np.where(rng.random(n_cadres) < township_share, len(DEPARTMENTS) + h_township[cadre_first],
                          rng.integers(0, len(DEPARTMENTS), n_cadres))
    assisted = np.select([not_out, h_status == ST_EXITED], [True, u() < 0.92], u() < 0.4)
    cadre_phone_blank = ~assisted | (rng.random(n_cadres) < 0.02)[h_cadre]  # a cadre's phone is known or not

    # ---- village sheet -----------------------------------------------------------------------------
    m_village = h_village[m_hh]
    v_members = np.bincount(m_village, minlength=V)
    v_not_out = np.bincount(m_village, weights=not_out[m_hh] & m_normal, minlength=V)
    base_pop = np.clip(rng.lognormal(np.log(1100), 0.5, V), 300, 3000)
    population = np.maximum.reduce([np.round(base_pop), np.ceil(v_members * rng.uniform(2.5, 6, V)),
                                    60 * v_not_out + 1]).astype(np.int64)
    v_households = np.maximum(np.round(population / rng.uniform(2.7, 3.4, V)), v_count).astype(np.int64)
    village_exit_years = np.arange(2017, min(2020, year) + 1)
    # after 2020 every 贫困村 is out (the draw is made all the same, so earlier years keep their tables)
    v_exited = v_poor & ((rng.random(V) < 0.97) | (year > LAST_EXIT_YEAR)) & (len(village_exit_years) > 0)
    v_exit = village_exit_years[pick(rng, np.tile(VILLAGE_EXIT_P[: max(len(village_exit_years), 1)], (V, 1)))
                                ] if len(village_exit_years) else np.zeros(V, dtype=np.int64)
    collective = np.where(v_exited, 50_000 + rng.lognormal(np.log(30_000), 0.8, V),
                          np.clip(rng.lognormal(np.log(60_000), 0.8, V), 5_000, None))
    collective_c = np.where(rng.random(V) < 0.8, np.round(collective).astype(np.int64) * 100,
                            np.round(collective * 100).astype(np.int64))
    # by the end of 2020 every village with the conditions for it had a paved road and a bus (交通运输部, 2020)
    later = year > LAST_EXIT_YEAR
    infrastructure = {header: v_exited | (rng.random(V) < p) for header, p in (
        ("通硬化路", 1.0 if later else 0.99), ("通客车", 1.0 if later else 0.93), ("通宽带", 0.99 if later else 0.96),
        ("卫生室达标", 0.99 if later else 0.97), ("文化活动场所", 0.98 if later else 0.95))}

    keep = v_count > 0
    village_columns = {
        "村代码": digits_text(v_code[keep], 12),
        "户籍人口": int_text(population[keep]),
        "户籍户数": int_text(v_households[keep]),
        "是否贫困村": bool_text(v_poor[keep]),
        "贫困村退出年度": blank_where(int_text(v_exit[keep]), ~v_exited[keep]),
        "村集体经济收入": money_text(collective_c[keep]),
        **{header: bool_text(flag[keep]) for header, flag in infrastructure.items()},
    }

    # ---- member sheet ------------------------------------------------------------------------------
    birth = _birth_dates(um(), m_age, as_of)
    birth_year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    region = idcard.region_by_birth_year(place.code, place.name, as_of.year)[birth_year - idcard.FIRST_YEAR]
    ids = idcard.id_matrix(region, birth, m_male, rng)
    id_text = bytes_matrix_text(ids)
    member_name = names.name_text(rng, m_surname, m_male)
    household_code = digits_text(v_code[h_village] * 10_000 + h_serial, 16)

    member_columns = {
        "户编号": household_code.take(pa.array(m_hh)),
        "姓名": member_name,
        "身份证号": id_text,
        "与户主关系": take_text(RELATIONS, m_relation),
        "性别": take_text(SEXES, np.where(m_male, SEXES.index(vocab.Sex.MALE), SEXES.index(vocab.Sex.FEMALE))),
        "民族": take_text(ETHNICITIES, h_ethnicity[m_hh]),
        "文化程度": take_text(EDUCATIONS, edu),
        "在校生状况": take_text(SCHOOLINGS, school),
        "健康状况": take_text(HEALTHS, health),
        "劳动技能": take_text(LABOURS, labour),
        "务工状况": take_text(MIGRANT, migrant),
        "务工时间": blank_where(int_text(months), migrant < 0),
        "城乡居民基本医疗保险": bool_text(np.ones(M, dtype=bool)),
        "大病保险": bool_text(np.ones(M, dtype=bool), blank=serious_ins_blank),
        "城乡居民基本养老保险": bool_text(pension, blank=~adult),
        "享受低保": bool_text(dibao),
        "特困供养": bool_text(tekun),
        "现役军人": bool_text(soldier),
        "人员状态": take_text(MEMBER_STATUSES, np.where(m_normal & status_blank_h[m_hh], -1, m_status)),
    }

    # ---- household sheet ---------------------------------------------------------------------------
    head_rows = pa.array(np.flatnonzero(m_head))  # one head per household, in household order
    cause_text = pa.array(CAUSES, pa.string())
    first_other = cause_text.take(pa.array(ranked[:, 1]))
    second_other = cause_text.take(pa.array(ranked[:, 2]))
    other_causes = pc.if_else(pa.array(n_other >= 2), pc.binary_join_element_wise(first_other, second_other, "、"),
                              pc.if_else(pa.array(n_other == 1), first_other, pa.scalar("", pa.string())))
    household_columns = {
        "户编号": household_code,
        "村代码": digits_text(v_code[h_village], 12),
        "户主姓名": member_name.take(head_rows),
        "户主身份证号": id_text.take(head_rows),
        "识别标准": take_text(STANDARDS, h_standard),
        "贫困户属性": take_text(ATTRIBUTES, h_attribute),
        "脱贫状态": take_text(STATUSES, h_status),
        "识别年度": int_text(h_ident),
        "脱贫年度": blank_where(int_text(h_exit), h_exit == 0),
        "主要致贫原因": take_text(CAUSES, h_main),
        "其他致贫原因": other_causes,
        "收入年度": int_text(np.full(H, year)),
        "工资性收入": money_text(wage_c),
        "生产经营性收入": money_text(gross_c),
        "财产性收入": money_text(prop_c),
        "转移性收入": money_text(transfer_c),
        "生产经营性支出": money_text(expense_c),
        "年人均纯收入": money_text(per_capita_c),
        "住房面积": money_text(area_c),
        "危房等级": take_text(GRADES, grade),
        "饮水安全": bool_text(safe_water),
        "通生活用电": bool_text(electricity),
        "易地扶贫搬迁": bool_text(relocated),
        "帮扶责任人": blank_where(cadre_name.take(pa.array(h_cadre)), ~assisted),
        "帮扶单位": blank_where(take_text(units, cadre_unit[h_cadre]), ~assisted),
        "帮扶责任人电话": blank_where(cadre_phone.take(pa.array(h_cadre)), cadre_phone_blank),
        "联系电话": blank_where(_phones(rng, H), ~has_phone),
    }

    # ---- errors ------------------------------------------------------------------------------------
    manifest: list[dict] = []
    if errors > 0:
        manifest = inject_errors(
            err_rng, float(errors), household_columns, member_columns, poverty_line=checked_line,
            households={
                "status": h_status, "attribute": h_attribute, "ident": h_ident, "exit": h_exit,
                "main_cause": h_main, "anyone_ill": households_with(m_hh, ill, H), "assisted": assisted,
                "grade": grade, "safe_water": safe_water, "wage_c": wage_c, "gross_c": gross_c,
                "prop_c": prop_c, "transfer_c": transfer_c, "expense_c": expense_c, "net_c": net_c,
                "n_normal": n_normal, "per_capita_c": per_capita_c,
            },
            members={
                "household": m_hh, "head": m_head, "age": m_age, "male": m_male, "normal": m_normal,
                "checked_household": h_status[m_hh] != ST_REMOVED,
                "attending": attending, "migrant": migrant, "ids": ids,
            })

    # ---- 户类别 and monitoring (template v2) --------------------------------------------------------
    spoiled = np.zeros(H, dtype=bool)
    for entry in manifest:  # a household with an injected error keeps its category: the error must be found
        row = entry["row"] - 2
        spoiled[row if entry["sheet"] == HOUSEHOLD_SHEET else m_hh[row]] = True
    normal_members = m_normal
    household_columns.update(add_monitoring(
        monitoring_rng, household_columns, H=H, as_of=as_of, year=year, line=checked_line or floor,
        spoiled=spoiled, ordinary=ordinary, h_ill=households_with(m_hh, ill & normal_members, H),
        h_serious=households_with(m_hh, (health == H_SERIOUS) & normal_members, H),
        h_disabled=households_with(m_hh, (health == H_DISABLED) & normal_members, H),
        h_students=np.bincount(m_hh, weights=attending & normal_members, minlength=H),
        h_labourers=np.bincount(m_hh, weights=able & normal_members & (m_age >= 16) & (m_age <= 60), minlength=H),
        n_normal=n_normal, removed=h_status == ST_REMOVED,
        cents={"wage_c": wage_c, "gross_c": gross_c, "prop_c": prop_c, "transfer_c": transfer_c,
               "expense_c": expense_c, "net_c": net_c}))
    household_columns = {header: household_columns[header] for header in HOUSEHOLD_HEADERS}

    return SynthRegistry(
        villages=_table(village_columns, VILLAGE_HEADERS),
        households=_table(household_columns, HOUSEHOLD_HEADERS),
        members=_table(member_columns, MEMBER_HEADERS),
        manifest=manifest,
    )


def _table(columns: dict[str, pa.Array], headers: tuple[str, ...]) -> pa.Table:
    assert list(columns) == list(headers), set(columns) ^ set(headers)
    return pa.Table.from_arrays([pa.array(columns[h], pa.string()) for h in headers],
                                schema=pa.schema([(h, pa.string()) for h in headers]))
