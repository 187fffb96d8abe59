"""The alert rules' names for the translation catalogue (makemessages reads no SQL).

tests/test_alert_rules.py keeps this list equal to the rules in `rules/`.
"""

from django.utils.translation import gettext_noop

RULE_NAMES = (
    gettext_noop("医保自付超过上年农村居民人均可支配收入的规定比例"),  # YJ01
    gettext_noop("住院个人自付达到预警金额"),  # YJ02
    gettext_noop("门诊特病个人自付单月达到预警金额"),  # YJ03
    gettext_noop("新纳入低保、特困或临时救助"),  # YJ04
    gettext_noop("疑似辍学"),  # YJ05
    gettext_noop("高中阶段教育费用达到预警金额"),  # YJ06
    gettext_noop("灾害损失较大"),  # YJ07
    gettext_noop("意外伤害、致残或死亡"),  # YJ08
    gettext_noop("新增残疾"),  # YJ09
    gettext_noop("住房安全鉴定为危房"),  # YJ10
    gettext_noop("失业或返乡未就业"),  # YJ11
)
