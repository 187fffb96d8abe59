"""The 风险类型 of data/risk_types.toml, for makemessages (which cannot read TOML); nothing imports this.

Keep it in step with data/risk_types.toml (tests/test_registry_v2_model.py compares the two).
"""

from django.utils.translation import gettext_noop

RISK_TYPES = (
    gettext_noop("因病"),
    gettext_noop("因残"),
    gettext_noop("因学"),
    gettext_noop("因灾"),
    gettext_noop("因意外事故"),
    gettext_noop("因产业项目失败"),
    gettext_noop("因务工就业不稳"),
    gettext_noop("缺劳动力"),
    gettext_noop("住房出现安全问题"),
    gettext_noop("饮水安全问题"),
    gettext_noop("其他"),
)
