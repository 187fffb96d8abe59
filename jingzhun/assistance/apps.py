from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "jingzhun.assistance"
    label = "assistance"
    verbose_name = _("帮扶")

    def ready(self):
        from jingzhun.registry.models import Household
        from jingzhun.registry.signals import household_sections

        # 帮扶措施 (measures)
        from .views.measures import household_section as measures_section

        household_sections.connect(measures_section, sender=Household, dispatch_uid="assistance.measures")
