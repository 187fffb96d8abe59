from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "jingzhun.workflows"
    label = "workflows"
    verbose_name = _("工作流程")

    def ready(self) -> None:
        # The registry announces each upsert; the ledger records what it changed (see registry/signals.py).
        from jingzhun.registry.signals import registry_upserted

        from .ledger import import_events

        registry_upserted.connect(import_events, dispatch_uid="workflows.ledger.import_events")
