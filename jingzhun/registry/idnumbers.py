"""公民身份号码 (GB 11643): shape, birth date and check character — the one Python definition.

One number at a time through python-stdnum (`id_number_problem`); whole columns at once for the
synthetic registries (`check_characters`). SQL has its one definition too: analytics/sql/id_numbers.sql.

stdnum's own `ric.validate` also insists that the region code existed in the person's birth year; real
IDs issued after a county was renumbered (绛县 142731 → 140826 in 2000) carry the new code with an older
birth date, so that part is not applied here.
"""

from __future__ import annotations

import datetime

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric
from stdnum.util import isdigits


def id_number_problem(value: str) -> str | None:
    """None for a well-formed ID with a real birth date and the right check character, else why not."""
    if len(value) != 18:
        return ngettext("身份证号应为 18 位，当前为 %(n)d 位。", "身份证号应为 18 位，当前为 %(n)d 位。", len(value)) % {"n": len(value)}
    if not isdigits(value[:17]) or not (isdigits(value[17]) or value[17] == "X"):
        return _("身份证号应为 17 位数字加最后一位数字或 X。")
    try:
        born = ric.get_birth_date(value)
    except stdnum_exceptions.ValidationError:
        return _("身份证号中的出生日期（第 7–14 位）不是有效日期。")
    if born > datetime.date.today() or born < datetime.date(1900, 1, 1):
        return _("身份证号中的出生日期（第 7–14 位）不是有效日期。")
    if ric.calc_check_digit(value) != value[17]:  # stdnum takes the whole number, check included
        return _("身份证号校验码（最后一位）不正确，请核对后重新填写。")
    return None


def sex_of(value: str) -> str:
    """男 or 女 from the 17th digit of a well-formed ID (odd = 男)."""
    return "男" if int(value[16]) % 2 else "女"


#: GB 11643 weights of digits 1–17 (2^(17-i) mod 11) and the check character each sum mod 11 calls for
_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)


def check_characters(body: np.ndarray) -> np.ndarray:
    """ASCII check character for each row of an (n, 17) uint8 matrix of ASCII digits (vectorised)."""
    total = (body.astype(np.int64) - 48) @ _WEIGHTS
    return _CHECK_CHARS[total % 11]
