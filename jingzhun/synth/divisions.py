"""The county, townships and villages the synthetic registry lives in, from the shipped division list."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from jingzhun.orgunits.divisions import read_divisions


@dataclass(frozen=True)
class County:
    code: str
    name: str
    townships: tuple[tuple[str, str], ...]  # (9-digit code, name)
    villages: tuple[tuple[str, str], ...]  # (12-digit code, name), rural villages first choice

    def township_government(self, name: str) -> str:
        """The assistance unit a township's own cadres belong to: 古绛镇 → 古绛镇人民政府."""
        if name.endswith(("镇", "乡")):
            return name + "人民政府"
        if name.endswith("街道"):
            return name + "办事处"
        if name.endswith(("办事处", "委员会", "政府")):
            return name
        return name + "管理委员会"


def _is_rural(code: str, name: str) -> bool:
    # 统计用区划代码: the village part 001–199 are 居委会, 200–399 村委会 (and 5xx 类似村委会).
    return code[9] in "235" and not re.search(r"社区|居委会|虚拟", name)


@lru_cache(maxsize=32)
def county(code: str) -> County:
    """The county `code`; ValueError (Chinese) when it is not a county of the list that has villages."""
    if not isinstance(code, str) or not re.fullmatch(r"\d{6}", code):
        raise ValueError(f"县级区划代码应为6位数字，收到：{code!r}")
    rows = read_divisions(prefix=code)
    names = dict(rows)
    if code not in names:
        raise ValueError(f"区划代码 {code} 不在区划表中")
    villages = tuple((c, n) for c, n in rows if len(c) == 12 and c.startswith(code))
    if not villages:
        raise ValueError(f"{names[code]}（{code}）在区划表中没有村级单位，无法生成模拟数据（区划表只有山西省到村）")
    rural = tuple(v for v in villages if _is_rural(*v))
    townships = tuple((c, n) for c, n in rows if len(c) == 9 and c.startswith(code))
    return County(code=code, name=names[code], townships=townships, villages=rural or villages)
