"""The table of the shared cache (settings.CACHES["shared"]): rate limits counted across processes."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", "jingzhun_cache", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name('jingzhun_cache')}")


class Migration(migrations.Migration):

    dependencies = [("accounts", "0008_api_tokens")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
