from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "jingzhun.assistance"
    label = "assistance"
    verbose_name = _("帮扶")

    def ready(self) -> None:
        from jingzhun.registry.signals import household_actions, household_sections

        # 一户一档 and 明白卡 (file): buttons on the household page for everyone who reaches it
        from .views.file import household_actions as file_actions
        # 走访: the household page's 走访记录
        from .views.visits import household_visits_section

        household_actions.connect(file_actions, dispatch_uid="assistance.file.household_actions")
        household_sections.connect(household_visits_section, dispatch_uid="assistance_visits_section")
