from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompareConfig(AppConfig):
    name = "jingzhun.compare"
    label = "compare"
    verbose_name = _("部门比对")

    def ready(self):
        from . import tasks  # noqa: F401 — registers the app's run task (jingzhun.runs.tasks.enqueue finds it)
