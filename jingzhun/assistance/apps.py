from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "jingzhun.assistance"
    label = "assistance"
    verbose_name = _("帮扶")

    def ready(self):
        from jingzhun.registry.models import Household
        from jingzhun.registry.signals import household_sections

        # the people who help: the household page's 帮扶责任人 section
        from .views.people import household_cadre_section

        household_sections.connect(household_cadre_section, sender=Household, dispatch_uid="assistance.people.cadre")
