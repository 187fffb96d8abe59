"""The registry mirror's version table and triggers (SQLite only: PostgreSQL snapshots go through ADBC)."""

from django.db import migrations

from jingzhun.analytics import mirror


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            mirror.install(cursor)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            mirror.uninstall(cursor)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_household_category"),
        ("assistance", "0001_initial"),
        ("assessment", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
