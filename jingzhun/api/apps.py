from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "jingzhun.api"
    label = "api"
    verbose_name = _("集成接口")

    def ready(self) -> None:
        from . import schema  # noqa: F401  (registers the schema's authentication extensions)
