from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "jingzhun.assessment"
    label = "assessment"
    verbose_name = _("考核评估")

    def ready(self) -> None:
        # The exit evaluation pages ask for the third-party figures (workflows/signals.py): workflows sits
        # below assessment and may not import it.
        from jingzhun.workflows.signals import exit_assessment, exit_survey_results

        from .views.estimates import county_exit_figures, village_survey_results

        exit_assessment.connect(county_exit_figures, dispatch_uid="assessment.estimates.county_exit_figures")
        exit_survey_results.connect(village_survey_results, dispatch_uid="assessment.estimates.village_survey_results")
