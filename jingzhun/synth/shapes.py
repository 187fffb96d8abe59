"""The shape of a synthetic county: the distributions households and members are drawn from.

Plain numbers, tuned so that a county looks like a 2020 Shanxi county file (see generator.py), and
the few that change for a county of a later year: statuses once 脱贫攻坚 is over, and the level of incomes.
"""

from __future__ import annotations

import numpy as np

from .codes import (E_COLLEGE, E_ILLITERATE, E_JUNIOR, E_PRIMARY, E_SENIOR, H_CHRONIC, H_DISABLED, H_HEALTHY,
                    H_SERIOUS, L_LOST, L_NONE, L_ORDINARY, L_SKILLED, ST_EXITED, ST_POOR, ST_REMOVED,
                    ST_RETURNED)

POVERTY_LINE_2020 = 4000  # only shapes the drawn incomes; the checks keep their lines as data
#: 脱贫攻坚 ended with 2020: every 建档立卡 household still in the registry was out by then, and none has
#: been identified or exited since (who falls back is followed by 防止返贫监测, not by a new status).
LAST_EXIT_YEAR = 2020
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
# A registry of an income year after 2020: 已脱贫, or 清退 (removed as wrongly included).
STATUS_P_AFTER_EXIT = np.zeros(4)
STATUS_P_AFTER_EXIT[[ST_EXITED, ST_REMOVED]] = [0.97, 0.03]
IDENTIFICATION_P = np.array([0.70, 0.10, 0.08, 0.06, 0.04, 0.02])  # 2014, 2015, …
EXIT_P = np.array([0.04, 0.10, 0.18, 0.22, 0.22, 0.16, 0.08])  # 2014 … 2020, then 0.02 a year
VILLAGE_EXIT_P = np.array([0.25, 0.35, 0.30, 0.10])  # 2017 … 2020

# 脱贫人口人均纯收入, national (yuan), as the agriculture ministry reported it each January: incomes of a
# later year are drawn at the 2020 shape times that year's level over 2020's (shapes only, not policy).
# After the last reported year they grow by INCOME_GROWTH a year (an assumption, about 2024's rise).
INCOME_LEVEL = {2020: 10_740, 2021: 12_550, 2022: 14_342, 2023: 16_396, 2024: 17_522}
INCOME_GROWTH = 1.06


def income_level(year: int) -> float:
    """How much higher incomes of `year` are than 2020's (1 for 2020 and before)."""
    if year <= 2020:
        return 1.0
    last = max(INCOME_LEVEL)
    level = INCOME_LEVEL.get(year, INCOME_LEVEL[last] * INCOME_GROWTH ** (year - last))
    return level / INCOME_LEVEL[2020]


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
