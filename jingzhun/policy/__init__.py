"""Policy packs (政策包): poverty line, exit criteria and thresholds, 公示 period and 一比对 signals per
province and year, as data files merged national → province → county. See loader.py.

    from jingzhun.policy import policy_pack
    pack = policy_pack("14", 2019, county="140826")
    pack.poverty_line, pack.village_exit.max_incidence, pack.comparison.car_price_min
"""

from .loader import (
    Comparison,
    CountyExit,
    ExitCriteria,
    Figure,
    LoanRules,
    Monitoring,
    PolicyPack,
    PolicyPackError,
    VillageExit,
    policy_pack,
    policy_pack_for,
)

__all__ = ["Comparison", "CountyExit", "ExitCriteria", "Figure", "LoanRules", "Monitoring", "PolicyPack", "PolicyPackError", "VillageExit",
           "policy_pack", "policy_pack_for"]
