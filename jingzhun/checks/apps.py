from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecksConfig(AppConfig):
    name = "jingzhun.checks"
    label = "checks"
    verbose_name = _("数据核查")

    def ready(self):
        from . import tasks  # noqa: F401 — registers the app's run task (jingzhun.runs.tasks.enqueue finds it)
