"""The run lifecycle (jingzhun.runs.models.Run): who asked is `triggered_by`, heartbeat, worker, error."""

from django.db import migrations, models


def failure_message_from_stage(apps, schema_editor):
    """Failed and refused runs kept their reason in `stage`; it now lives in `error` (the page shows it)."""
    Model = apps.get_model("exchange", "importjob")
    for status in ("failed", "refused"):
        Model.objects.filter(status=status, error="").exclude(stage__in=["", "有错误，未导入"]).update(
            error=models.F("stage"))


class Migration(migrations.Migration):

    dependencies = [
        ("exchange", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="importjob", old_name="created_by", new_name="triggered_by"),
        migrations.AddField(
            model_name='importjob',
            name='error',
            field=models.TextField(blank=True, verbose_name='失败原因'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='心跳时间'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='started_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='开始时间'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='worker',
            field=models.CharField(blank=True, max_length=128, verbose_name='后台进程'),
        ),
        migrations.AlterField(
            model_name='importjob',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, verbose_name='发起时间'),
        ),
        migrations.RunPython(failure_message_from_stage, migrations.RunPython.noop),
    ]
