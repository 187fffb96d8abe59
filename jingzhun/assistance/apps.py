from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "jingzhun.assistance"
    label = "assistance"
    verbose_name = _("帮扶")

    def ready(self) -> None:
        from jingzhun.registry.signals import household_sections

        from .views.visits import household_visits_section

        household_sections.connect(household_visits_section, dispatch_uid="assistance_visits_section")
