from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "jingzhun.assistance"
    label = "assistance"
    verbose_name = _("帮扶")

    def ready(self) -> None:
        from jingzhun.registry.signals import household_sections

        # 小额信贷 (loans)
        from .views.loans import household_section as loans_section

        household_sections.connect(loans_section, dispatch_uid="assistance.loans.household_section")
