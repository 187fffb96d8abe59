from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _mirror_triggers_kept(sender, using="default", **kwargs) -> None:
    """SQLite drops a table's triggers when a migration rebuilds the table: put the mirror's back."""
    from django.db import connections

    from . import mirror

    connection = connections[using]
    if connection.vendor == "sqlite" and mirror.STATE in connection.introspection.table_names():
        mirror.ensure_installed(connection)


class AnalyticsConfig(AppConfig):
    """The analytics core as an app only for the registry mirror's tables and triggers (SQLite)."""

    name = "jingzhun.analytics"
    label = "analytics"
    verbose_name = "analytics"

    def ready(self) -> None:
        post_migrate.connect(_mirror_triggers_kept, sender=self, dispatch_uid="jingzhun.analytics.mirror")
