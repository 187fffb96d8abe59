"""Chinese names drawn as integer indices into character tables and joined by pyarrow."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .text import concat_text


def _unique(chars: str) -> list[str]:
    return list(dict.fromkeys(chars.replace(" ", "")))


# Common surnames with rough weights (national frequency, tilted to southern Shanxi: 郭, 卫, 畅, 薛, 贾 …).
_SURNAME_WEIGHTS = {
    "王": 90, "李": 75, "张": 70, "刘": 60, "杨": 35, "郭": 35, "赵": 30, "陈": 25, "高": 20, "任": 20,
    "武": 20, "贾": 20, "史": 15, "田": 15, "梁": 15, "马": 15, "冯": 15, "孙": 15, "韩": 15, "郝": 15,
    "吴": 12, "薛": 12, "宋": 12, "周": 12, "胡": 12, "闫": 12, "卫": 10, "段": 10, "黄": 10, "徐": 10,
    "朱": 10, "乔": 10, "白": 10, "侯": 10, "柴": 8, "何": 8, "秦": 8, "吕": 8, "牛": 8, "苏": 8,
    "范": 8, "程": 8, "曹": 8, "崔": 8, "姚": 8, "董": 8, "魏": 8, "常": 8, "石": 8, "杜": 8,
    "罗": 6, "申": 6, "尚": 6, "温": 6, "袁": 6, "许": 6, "于": 6, "雷": 6, "靳": 6, "裴": 6,
    "贺": 6, "丁": 6, "孟": 6, "霍": 6, "樊": 6, "畅": 5, "邓": 5, "阎": 5, "彭": 5, "谢": 5,
    "原": 5, "成": 5, "姜": 5, "安": 5, "焦": 5, "解": 4, "毛": 4, "荆": 4, "景": 4, "曾": 3, "燕": 3,
}
SURNAMES = list(_SURNAME_WEIGHTS)
SURNAME_P = np.array(list(_SURNAME_WEIGHTS.values()), dtype=float)
SURNAME_P /= SURNAME_P.sum()

MALE_CHARS = _unique(
    "建国军伟强明平华刚斌勇林波海峰文志俊杰磊鹏涛超宏亮东春生福贵德旺忠才兴宝庆成虎龙金山喜来保安民学"
    "卫江新永长仁义根有全晋荣锁存栓满堂玉祥瑞兵红利红光辉浩宇轩博睿子豪晨阳"
)
FEMALE_CHARS = _unique(
    "芳英秀兰梅霞丽娟玲艳红燕萍桂琴花凤珍莉敏静婷娜慧洁丹雪月云香翠巧爱美彩菊荣玉金杏叶晓欣佳怡雯婕"
    "思雨琳彤萱梓涵妍"
)

_SURNAME_TEXT = pa.array(SURNAMES, pa.string())
_MALE_TEXT = pa.array(MALE_CHARS + [""], pa.string())
_FEMALE_TEXT = pa.array(FEMALE_CHARS + [""], pa.string())


def surname_index(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(len(SURNAMES), size=n, p=SURNAME_P)


def name_text(rng: np.random.Generator, surname: np.ndarray, male: np.ndarray) -> pa.StringArray:
    """Surname + one or two given-name characters (two for about 70%), from the table of the person's sex."""
    n = len(surname)
    male = np.asarray(male, dtype=bool)
    two = rng.random(n) < 0.7
    first_m = rng.integers(0, len(MALE_CHARS), n)
    first_f = rng.integers(0, len(FEMALE_CHARS), n)
    second_m = np.where(two, rng.integers(0, len(MALE_CHARS), n), len(MALE_CHARS))
    second_f = np.where(two, rng.integers(0, len(FEMALE_CHARS), n), len(FEMALE_CHARS))
    mask = pa.array(male)
    first = pc.if_else(mask, _MALE_TEXT.take(pa.array(first_m)), _FEMALE_TEXT.take(pa.array(first_f)))
    second = pc.if_else(mask, _MALE_TEXT.take(pa.array(second_m)), _FEMALE_TEXT.take(pa.array(second_f)))
    return concat_text(_SURNAME_TEXT.take(pa.array(surname)), first, second)
