from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "jingzhun.indicators"
    label = "indicators"
    verbose_name = _("指标")

    def ready(self):
        from . import tasks  # noqa: F401 — registers the app's run task (jingzhun.runs.tasks.enqueue finds it)
