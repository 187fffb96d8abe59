from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "jingzhun.assistance"
    label = "assistance"
    verbose_name = _("帮扶")

    def ready(self):
        from jingzhun.registry.models import Household
        from jingzhun.registry.signals import household_sections

        # 项目库 and 衔接资金 (projects and funds): the projects a household benefits from, on its page
        from .views.projects import household_section as project_section

        household_sections.connect(project_section, sender=Household, dispatch_uid="assistance.projects.household")
