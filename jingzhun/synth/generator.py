"""Deterministic synthetic registries: plausible 建档立卡 households of a real county, as template cells.

`generate(county=..., households=..., seed=...)` draws a county's registry the way a 2020 Shanxi county
file looks — households spread over the county's real villages, families with consistent ages, sexes and
ID numbers, education and schooling by age, health and labour ability, migrant work, insurance, 低保 and
特困 consistent with the household attribute, causes of poverty consistent with the family, incomes
around the poverty line of the year — and returns the three sheets of the exchange template as pyarrow
tables of cell text. With `errors` > 0 a fraction of the household and member rows gets one content error
each (see `errors.ERROR_KINDS`), recorded in the manifest.

Everything is computed column-wise with numpy and pyarrow: no Python loop runs per household or member,
only over small fixed sets (household slots, categories). The only randomness is
`numpy.random.default_rng(seed)` (spawned once into a generator for the registry and one for the
errors), so the same arguments give the same tables, and the clean part does not depend on `errors`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jingzhun.registry import vocab

from . import idcard, names
from .codes import (ATTR_DIBAO, ATTR_TEKUN, ATTRIBUTES, C, CAUSES, E_COLLEGE, E_ILLITERATE,
                    E_JUNIOR, E_PRESCHOOL_CHILD, E_PRIMARY, E_SENIOR, EDUCATIONS, ETHNICITIES, GRADES,
                    H_CHRONIC, H_DISABLED, H_HEALTHY, H_SERIOUS, HEALTHS, L_LOST, L_NONE, L_ORDINARY,
                    L_SKILLED, LABOURS, MEMBER_STATUSES, MIGRANT, MS_DECEASED, MS_MOVED, MS_NORMAL,
                    R_DAUGHTER, R_DIL, R_FATHER, R_GRANDDAUGHTER, R_GRANDSON, R_HEAD, R_MOTHER, R_SON,
                    R_SPOUSE, RELATIONS, S, S_OUT, S_PRESCHOOL, SCHOOL_ATTENDING, SCHOOLINGS, SEXES, ST_EXITED,
                    ST_POOR, ST_REMOVED, ST_RETURNED, STANDARDS, STATUSES, pick)
from .divisions import County
from .divisions import county as load_county
from .errors import inject_errors
from .headers import (HOUSEHOLD_HEADERS, HOUSEHOLD_SHEET, MEMBER_HEADERS, MEMBER_SHEET, VILLAGE_HEADERS,
                      VILLAGE_SHEET)
from .text import (blank_where, bool_text, bytes_matrix_text, digits_text, int_text, money_text,
                   take_text)

POVERTY_LINE_2020 = 4000  # only shapes the drawn incomes; the checks keep their lines as data
MAX_SERIAL = 9999
FIRST_IDENTIFICATION_YEAR = 2014

# Household types: elderly single, elderly couple, nuclear family, three generations, single adult.
T_OLD_SINGLE, T_OLD_COUPLE, T_NUCLEAR, T_THREE_GEN, T_SINGLE = range(5)
TYPE_P = np.array([0.16, 0.14, 0.42, 0.14, 0.14])
HEAD_MALE_P = np.array([0.45, 0.92, 0.85, 0.80, 0.80])
HEAD_AGE = np.array([[60, 92], [60, 88], [25, 59], [50, 75], [25, 59]])
# 一般 / 低保 / 特困 by household type: 特困供养 is mostly the single elderly.
ATTRIBUTE_P = np.array([
    [0.50, 0.25, 0.25],
    [0.70, 0.27, 0.03],
    [0.80, 0.195, 0.005],
    [0.82, 0.175, 0.005],
    [0.69, 0.26, 0.05],
])
STATUS_P = np.zeros(4)
STATUS_P[[ST_EXITED, ST_POOR, ST_RETURNED, ST_REMOVED]] = [0.93, 0.03, 0.01, 0.03]
IDENTIFICATION_P = np.array([0.70, 0.10, 0.08, 0.06, 0.04, 0.02])  # 2014, 2015, …
EXIT_P = np.array([0.04, 0.10, 0.18, 0.22, 0.22, 0.16, 0.08])  # 2014 … 2020, then 0.02 a year
VILLAGE_EXIT_P = np.array([0.25, 0.35, 0.30, 0.10])  # 2017 … 2020

# Slots of a household, in the order members are listed (the cap of 7 drops the last ones first).
SLOTS = 10
SL_HEAD, SL_SPOUSE, SL_CHILD1, SL_CHILD2, SL_CHILD3, SL_DIL, SL_GC1, SL_GC2, SL_FATHER, SL_MOTHER = range(10)
MAX_MEMBERS = 7

# Adult 文化程度 (文盲, 小学, 初中, 高中, 大专) by age band <22, 22–40, 41–60, 61–75, 76+.
EDU_AGE_EDGES = [22, 41, 61, 76]
EDU_P = np.array([
    [0.00, 0.05, 0.55, 0.33, 0.07],
    [0.01, 0.08, 0.58, 0.22, 0.11],
    [0.04, 0.30, 0.52, 0.12, 0.02],
    [0.15, 0.50, 0.30, 0.05, 0.00],
    [0.45, 0.42, 0.11, 0.02, 0.00],
])
EDU_ORDER = [E_ILLITERATE, E_PRIMARY, E_JUNIOR, E_SENIOR, E_COLLEGE]
# 健康状况 (健康, 慢性病, 大病, 残疾) by age band <18, 18–44, 45–59, 60–74, 75+.
HEALTH_AGE_EDGES = [18, 45, 60, 75]
HEALTH_P = np.array([
    [0.970, 0.010, 0.005, 0.015],
    [0.900, 0.050, 0.020, 0.030],
    [0.740, 0.160, 0.040, 0.060],
    [0.520, 0.330, 0.060, 0.090],
    [0.380, 0.420, 0.080, 0.120],
])
HEALTH_ORDER = [H_HEALTHY, H_CHRONIC, H_SERIOUS, H_DISABLED]
# 劳动技能 (普通, 技能, 丧失, 无) by [band: 16–60, 61–70, 71+][health: 健康, 慢性病, 大病, 残疾].
LABOUR_P = np.array([
    # Under 61 and healthy: able to work (a healthy adult out of school with 无劳动力 is what check Q12 flags).
    [[0.80, 0.20, 0.00, 0.00], [0.65, 0.05, 0.15, 0.15], [0.20, 0.00, 0.60, 0.20], [0.25, 0.02, 0.60, 0.13]],
    [[0.70, 0.05, 0.00, 0.25], [0.20, 0.00, 0.40, 0.40], [0.05, 0.00, 0.50, 0.45], [0.10, 0.00, 0.50, 0.40]],
    [[0.15, 0.00, 0.00, 0.85], [0.00, 0.00, 0.30, 0.70], [0.00, 0.00, 0.35, 0.65], [0.00, 0.00, 0.35, 0.65]],
])
LABOUR_ORDER = [L_ORDINARY, L_SKILLED, L_LOST, L_NONE]
MIGRANT_P = np.array([0.15, 0.30, 0.35, 0.20])
MONTHS_P = np.array([1, 1, 2, 2, 3, 6, 6, 8, 8, 10, 12, 20], dtype=float)

DEPARTMENTS = [
    "农业农村局", "扶贫开发服务中心", "教育科技局", "卫生健康和体育局", "人力资源和社会保障局", "财政局",
    "交通运输局", "水利局", "住房和城乡建设管理局", "自然资源局", "民政局", "林业局", "公安局",
    "人民法院", "人民检察院", "市场监督管理局", "发展和改革局", "统计局", "审计局", "文化和旅游局",
    "应急管理局", "医疗保障局", "退役军人事务局", "融媒体中心",
]
MOBILE_PREFIXES = np.array([130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155,
                            156, 157, 158, 159, 166, 173, 175, 176, 177, 178, 180, 181, 182, 183, 184,
                            185, 186, 187, 188, 189, 198, 199])


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


def _check_arguments(county: str, households: int, seed: int, errors: float, year: int) -> County:
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


def _phones(rng: np.random.Generator, n: int) -> pa.StringArray:
    number = MOBILE_PREFIXES[rng.integers(0, len(MOBILE_PREFIXES), n)] * 10 ** 8 + rng.integers(0, 10 ** 8, n)
    return digits_text(number, 11)


def generate(*, county: str, households: int, seed: int, errors: float = 0.0, year: int = 2020) -> SynthRegistry:
    """A synthetic registry of `households` households of the county `county` (6 digits, with villages in
    the division list), for income year `year`; `errors` is the fraction of household rows and of member
    rows that get one injected content error each. Same arguments ⇒ same tables."""
    place = _check_arguments(county, households, seed, errors, year)
    H = int(households)
    rng, err_rng = np.random.default_rng(seed).spawn(2)

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

    # ---- family structure: 10 slots per household -------------------------------------------------
    def u(n: int = H) -> np.ndarray:
        return rng.random(n)

    h_type = rng.choice(len(TYPE_P), H, p=TYPE_P)
    head_male = u() < HEAD_MALE_P[h_type]
    head_age = rng.integers(HEAD_AGE[h_type, 0], HEAD_AGE[h_type, 1] + 1)

    present = np.zeros((H, SLOTS), dtype=bool)
    age = np.zeros((H, SLOTS), dtype=np.int64)
    male = np.zeros((H, SLOTS), dtype=bool)
    relation = np.zeros((H, SLOTS), dtype=np.int64)

    present[:, SL_HEAD], age[:, SL_HEAD], male[:, SL_HEAD], relation[:, SL_HEAD] = True, head_age, head_male, R_HEAD

    spouse_p = np.select([h_type == T_OLD_COUPLE, h_type == T_NUCLEAR, h_type == T_THREE_GEN],
                         [1.0, np.where(head_male, 0.88, 0.15), np.where(head_male, 0.85, 0.15)], 0.0)
    has_spouse = u() < spouse_p
    spouse_age = head_age + np.where(head_male, rng.integers(-6, 3, H), rng.integers(0, 7, H))
    spouse_age = np.clip(spouse_age, np.where(h_type == T_OLD_COUPLE, 55, 18), 99)
    present[:, SL_SPOUSE], age[:, SL_SPOUSE], male[:, SL_SPOUSE] = has_spouse, spouse_age, ~head_male
    relation[:, SL_SPOUSE] = R_SPOUSE

    # children are dated from the younger parent: 20–34 years younger, so 20–40 younger than the head
    parent_age = np.where(has_spouse, np.minimum(head_age, spouse_age), head_age)
    n_children = np.select(
        [h_type == T_NUCLEAR, h_type == T_THREE_GEN, h_type == T_OLD_COUPLE],
        [rng.choice(4, H, p=[0.10, 0.35, 0.40, 0.15]), 1 + rng.choice(3, H, p=[0.70, 0.22, 0.08]),
         (u() < 0.15).astype(np.int64)], 0)
    for k, slot in enumerate((SL_CHILD1, SL_CHILD2, SL_CHILD3)):
        gap = rng.integers(20, np.clip(np.minimum(34, parent_age), 20, None) + 1)
        child_age = np.clip(parent_age - gap, 0, None)
        child_male = u() < 0.52
        if slot == SL_CHILD1:  # in a three-generation household the first child is the married son
            three = h_type == T_THREE_GEN
            son_age = np.maximum(parent_age - rng.integers(22, 35, H), 20)
            child_age = np.where(three, son_age, child_age)
            child_male = child_male | three
        present[:, slot], age[:, slot], male[:, slot] = n_children > k, child_age, child_male
        relation[:, slot] = np.where(child_male, R_SON, R_DAUGHTER)

    three_gen = h_type == T_THREE_GEN
    son_age = age[:, SL_CHILD1]
    present[:, SL_DIL] = three_gen & (u() < 0.85)
    age[:, SL_DIL] = np.clip(son_age + rng.integers(-5, 3, H), 18, None)
    relation[:, SL_DIL] = R_DIL
    n_grandchildren = np.where(three_gen, rng.choice(3, H, p=[0.10, 0.50, 0.40]), 0)
    for k, slot in enumerate((SL_GC1, SL_GC2)):
        gc_male = u() < 0.52
        gap = rng.integers(20, np.clip(np.minimum(32, son_age), 20, None) + 1)
        present[:, slot] = n_grandchildren > k
        age[:, slot] = np.clip(son_age - gap, 0, None)
        male[:, slot] = gc_male
        relation[:, slot] = np.where(gc_male, R_GRANDSON, R_GRANDDAUGHTER)

    has_parents = ((h_type == T_NUCLEAR) & (u() < 0.18)) | ((h_type == T_SINGLE) & (u() < 0.5))
    which = rng.choice(3, H, p=[0.3, 0.2, 0.5])  # both, father only, mother only
    present[:, SL_FATHER] = has_parents & (which != 2)
    present[:, SL_MOTHER] = has_parents & (which != 1)
    age[:, SL_FATHER] = np.minimum(head_age + rng.integers(22, 39, H), 99)
    age[:, SL_MOTHER] = np.minimum(head_age + rng.integers(20, 36, H), 99)
    male[:, SL_FATHER] = True
    relation[:, SL_FATHER], relation[:, SL_MOTHER] = R_FATHER, R_MOTHER

    present &= np.cumsum(present, axis=1) <= MAX_MEMBERS

    # surnames: children and grandchildren take the family's (the head's, or a female head's husband's)
    head_surname = names.surname_index(rng, H)
    spouse_surname = names.surname_index(rng, H)
    own_surname = names.surname_index(rng, H * 2).reshape(H, 2)
    family_surname = np.where(~head_male & has_spouse, spouse_surname,
                              np.where(~head_male & (u() < 0.6), own_surname[:, 0], head_surname))
    surname = np.empty((H, SLOTS), dtype=np.int64)
    surname[:, [SL_HEAD, SL_FATHER]] = head_surname[:, None]
    surname[:, SL_SPOUSE] = spouse_surname
    surname[:, [SL_CHILD1, SL_CHILD2, SL_CHILD3, SL_GC1, SL_GC2]] = family_surname[:, None]
    surname[:, [SL_DIL, SL_MOTHER]] = own_surname

    # ---- flatten to members ------------------------------------------------------------------------
    m_hh, m_slot = np.nonzero(present)
    M = len(m_hh)
    m_age = age[m_hh, m_slot]
    m_male = male[m_hh, m_slot]
    m_relation = relation[m_hh, m_slot]
    m_head = m_slot == SL_HEAD
    m_surname = surname[m_hh, m_slot]

    def um() -> np.ndarray:
        return rng.random(M)

    # ---- household attributes ----------------------------------------------------------------------
    h_attribute = pick(rng, ATTRIBUTE_P[h_type])
    h_status = rng.choice(len(STATUS_P), H, p=STATUS_P)
    h_standard = rng.choice(len(STANDARDS), H, p=[0.92, 0.06, 0.02])
    ident_years = np.arange(FIRST_IDENTIFICATION_YEAR, min(year - 1, 2019) + 1)
    ident_p = IDENTIFICATION_P[: len(ident_years)] / IDENTIFICATION_P[: len(ident_years)].sum()
    h_ident = ident_years[rng.choice(len(ident_years), H, p=ident_p)]
    exit_hi = np.where(h_status == ST_RETURNED, year - 1, year)
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

    # ---- causes of poverty, consistent with the family ---------------------------------------------
    def any_in_household(flag: np.ndarray) -> np.ndarray:
        return np.bincount(m_hh, weights=flag, minlength=H) > 0

    ill = (health == H_CHRONIC) | (health == H_SERIOUS)
    h_ill = any_in_household(ill & m_normal)
    h_disabled = any_in_household((health == H_DISABLED) & m_normal)
    h_student = any_in_household(attending & m_normal)
    h_labourers = np.bincount(m_hh, weights=able & m_normal, minlength=H)
    h_worker = any_in_household(works_away)
    base = np.zeros(len(CAUSES))
    for cause, w in ((vocab.PovertyCause.DISASTER, 0.03), (vocab.PovertyCause.NO_LAND, 0.04),
                     (vocab.PovertyCause.NO_WATER, 0.02), (vocab.PovertyCause.NO_SKILLS, 0.22),
                     (vocab.PovertyCause.NO_CAPITAL, 0.22), (vocab.PovertyCause.POOR_TRANSPORT, 0.03),
                     (vocab.PovertyCause.LOW_MOTIVATION, 0.06), (vocab.PovertyCause.OTHER, 0.01)):
        base[C[cause]] = w
    cause_w = np.tile(base, (H, 1))
    cause_w[:, C[vocab.PovertyCause.ILLNESS]] = np.where(h_ill, 0.9, 0.0)
    cause_w[:, C[vocab.PovertyCause.DISABILITY]] = np.where(h_disabled, 0.6, 0.0)
    cause_w[:, C[vocab.PovertyCause.SCHOOLING]] = np.where(h_student, 0.35, 0.0)
    cause_w[:, C[vocab.PovertyCause.NO_LABOUR]] = np.where(h_labourers <= 1, 0.4, 0.0)
    with np.errstate(divide="ignore"):
        keys = np.log(cause_w) + rng.gumbel(size=cause_w.shape)  # Plackett–Luce: first = main cause
    ranked = np.argsort(-keys, axis=1)[:, :3]
    h_main = ranked[:, 0]
    n_other = rng.choice(3, H, p=[0.45, 0.35, 0.20])

    # ---- incomes -----------------------------------------------------------------------------------
    n_normal = np.bincount(m_hh, weights=m_normal, minlength=H).astype(np.int64)
    z = rng.standard_normal(H)
    per_capita = np.select(
        [h_status == ST_EXITED, h_status == ST_REMOVED, h_status == ST_RETURNED],
        [8800 * np.exp(0.42 * z), 13000 * np.exp(0.45 * z), np.clip(3300 * np.exp(0.2 * z), 1500, 6000)],
        np.clip(3600 * np.exp(0.22 * z), 1500, 6000))
    lift = u()
    per_capita = np.where((h_status == ST_EXITED) & (per_capita < POVERTY_LINE_2020 + 200),
                          POVERTY_LINE_2020 + 200 + 2500 * lift, per_capita)
    net = np.minimum(per_capita * n_normal, 95_000.0)
    m_transfer = (np.where(m_age >= 60, rng.uniform(1236, 1560, M), 0.0)
                  + np.where(dibao, rng.uniform(2400, 4300, M), 0.0)
                  + np.where(tekun, rng.uniform(5500, 7300, M), 0.0)) * m_normal
    transfer = np.bincount(m_hh, weights=m_transfer, minlength=H) + rng.uniform(100, 900, H)
    # transfers alone can exceed the drawn income (低保, 特困, pensions): then they are most of it, and all
    # of it for households still poor
    not_out = (h_status == ST_POOR) | (h_status == ST_RETURNED)
    transfer_share = np.where(not_out, rng.uniform(0.85, 1.0, H), rng.uniform(0.6, 0.95, H))
    net = np.where(transfer > 0.95 * net, transfer / transfer_share, net)
    rest = net - transfer
    wage = rest * np.where(h_worker, rng.uniform(0.55, 0.92, H), rng.uniform(0.0, 0.3, H))
    prop = np.where(u() < 0.25, rest * rng.uniform(0.005, 0.05, H), 0.0)
    business = rest - wage - prop
    too_small = business < 200
    wage = np.where(too_small, wage + business, wage)
    business = np.where(too_small, 0.0, business)
    expense = business * rng.uniform(0.25, 0.9, H)
    gross = business + expense
    wage_c = np.round(wage / 10).astype(np.int64) * 1000
    transfer_c = np.round(transfer * 100).astype(np.int64)
    prop_c = np.round(prop).astype(np.int64) * 100
    gross_c = np.where(u() < 0.3, np.round(gross * 10).astype(np.int64) * 10,
                       np.round(gross).astype(np.int64) * 100)
    expense_c = np.round(expense).astype(np.int64) * 100
    net_c = wage_c + gross_c + prop_c + transfer_c - expense_c
    per_capita_c = (2 * net_c + n_normal) // (2 * n_normal)  # rounded half up to the cent

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
    v_exited = v_poor & (rng.random(V) < 0.97) & (len(village_exit_years) > 0)
    v_exit = village_exit_years[pick(rng, np.tile(VILLAGE_EXIT_P[: max(len(village_exit_years), 1)], (V, 1)))
                                ] if len(village_exit_years) else np.zeros(V, dtype=np.int64)
    collective = np.where(v_exited, 50_000 + rng.lognormal(np.log(30_000), 0.8, V),
                          np.clip(rng.lognormal(np.log(60_000), 0.8, V), 5_000, None))
    collective_c = np.where(rng.random(V) < 0.8, np.round(collective).astype(np.int64) * 100,
                            np.round(collective * 100).astype(np.int64))
    infrastructure = {header: v_exited | (rng.random(V) < p) for header, p in (
        ("通硬化路", 0.99), ("通客车", 0.93), ("通宽带", 0.96), ("卫生室达标", 0.97), ("文化活动场所", 0.95))}

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
    birth_year = year - m_age
    first_day = (birth_year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    days_in_year = ((birth_year - 1969).astype("datetime64[Y]").astype("datetime64[D]") - first_day).astype(np.int64)
    birth = first_day + (um() * days_in_year).astype(np.int64)
    region = idcard.region_by_birth_year(place.code, place.name, year)[birth_year - idcard.FIRST_YEAR]
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
            err_rng, float(errors), household_columns, member_columns,
            households={
                "status": h_status, "attribute": h_attribute, "ident": h_ident, "exit": h_exit,
                "main_cause": h_main, "anyone_ill": any_in_household(ill), "assisted": assisted,
                "grade": grade, "safe_water": safe_water, "wage_c": wage_c, "gross_c": gross_c,
                "prop_c": prop_c, "transfer_c": transfer_c, "expense_c": expense_c, "net_c": net_c,
                "n_normal": n_normal, "per_capita_c": per_capita_c,
            },
            members={
                "household": m_hh, "head": m_head, "age": m_age, "male": m_male, "normal": m_normal,
                "checked_household": h_status[m_hh] != ST_REMOVED,
                "attending": attending, "migrant": migrant, "ids": ids,
            })

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
