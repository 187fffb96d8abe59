"""The 防止返贫监测 standards in force for a place on a day, read from the policy packs."""

from __future__ import annotations

import datetime

from jingzhun.policy import Monitoring, PolicyPackError, policy_pack_for


def standards_for(code: str, on: datetime.date) -> Monitoring:
    """The standards of the county of `code` on day `on`: the year's pack, or the previous year's before the
    year's `effective_from`. PolicyPackError when no pack states monitoring standards for that day."""
    standards = policy_pack_for(code, on.year).monitoring
    if standards is not None and standards.effective_from is not None and on < standards.effective_from:
        standards = policy_pack_for(code, on.year - 1).monitoring
    if standards is None:
        raise PolicyPackError(f"政策包未设置 {on.year} 年的防止返贫监测标准")
    return standards
