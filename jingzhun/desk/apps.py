from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """工作台: the to-do page every role lands on, and the menu of the pages a role may use."""

    name = "jingzhun.desk"
    verbose_name = _("工作台")
