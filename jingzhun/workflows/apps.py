from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "jingzhun.workflows"
    label = "workflows"
    verbose_name = _("工作流程")

    def ready(self) -> None:
        # The registry announces each upsert; the ledger records what it changed (see registry/signals.py).
        from jingzhun.registry.signals import household_actions, registry_upserted

        from .actions import household_actions as offered
        from .ledger import import_events

        registry_upserted.connect(import_events, dispatch_uid="workflows.ledger.import_events")
        # The household page offers the procedures whose precondition holds (registry/signals.py).
        household_actions.connect(offered, dispatch_uid="workflows.actions.household_actions")
