"""The names of the measure types (jingzhun/assistance/data/measure_types.toml), for makemessages.

The dashboard's coverage chart shows them through gettext; makemessages reads no TOML. Nothing imports
this module. If the assistance module lists its vocabulary for makemessages itself, this file goes.
"""

from django.utils.translation import gettext_noop

STRINGS = (
    gettext_noop("产业帮扶"),  # industry
    gettext_noop("就业帮扶"),  # employment
    gettext_noop("易地扶贫搬迁"),  # relocation
    gettext_noop("光伏收益"),  # photovoltaic
    gettext_noop("公益岗位"),  # public_post
    gettext_noop("小额信贷"),  # microcredit
    gettext_noop("教育资助"),  # education
    gettext_noop("健康帮扶"),  # health
    gettext_noop("生态护林员"),  # forest_ranger
    gettext_noop("危房改造"),  # housing
    gettext_noop("兜底保障"),  # safety_net
    gettext_noop("消费帮扶"),  # consumption
    gettext_noop("其他"),  # other
)
