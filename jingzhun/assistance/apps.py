from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "jingzhun.assistance"
    label = "assistance"
    verbose_name = _("帮扶")

    def ready(self) -> None:
        from jingzhun.registry.models import Household
        from jingzhun.registry.signals import household_actions, household_sections

        from .views import file, loans, measures, people, visits
        from .views import projects as project_views

        # 一户一档 and 明白卡 (file): buttons on the household page for everyone who reaches it
        household_actions.connect(file.household_actions, dispatch_uid="assistance.file.household_actions")
        # the household page's sections, by their order: 帮扶责任人 (people, 5), 帮扶措施 (measures, 10),
        # 走访记录 (visits, 20), 小额信贷 (loans, 30)
        household_sections.connect(people.household_cadre_section, sender=Household,
                                   dispatch_uid="assistance.people.cadre")
        household_sections.connect(measures.household_section, sender=Household, dispatch_uid="assistance.measures")
        household_sections.connect(visits.household_visits_section, sender=Household,
                                   dispatch_uid="assistance.visits")
        household_sections.connect(loans.household_section, sender=Household,
                                   dispatch_uid="assistance.loans.household_section")
        # 项目库 and 衔接资金 (projects and funds): the projects a household benefits from, on its page
        household_sections.connect(project_views.household_section, sender=Household,
                                   dispatch_uid="assistance.projects.household")
