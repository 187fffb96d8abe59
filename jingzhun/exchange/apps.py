from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "jingzhun.exchange"
    label = "exchange"
    verbose_name = _("数据交换")

    def ready(self):
        from . import tasks  # noqa: F401 — registers the app's run task (jingzhun.runs.tasks.enqueue finds it)
