from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompareConfig(AppConfig):
    name = "jingzhun.compare"
    label = "compare"
    verbose_name = _("部门比对")
