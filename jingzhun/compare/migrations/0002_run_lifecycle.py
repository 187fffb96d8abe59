"""The run lifecycle (jingzhun.runs.models.Run): who asked is `triggered_by`, heartbeat, worker, error."""

from django.db import migrations, models


def failure_message_from_stage(apps, schema_editor):
    """Failed and refused runs kept their reason in `stage`; it now lives in `error` (the page shows it)."""
    Model = apps.get_model("compare", "comparerun")
    for status in ("failed", "refused"):
        Model.objects.filter(status=status, error="").exclude(stage__in=["", "有错误，未导入"]).update(
            error=models.F("stage"))


class Migration(migrations.Migration):

    dependencies = [
        ("compare", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="comparerun", old_name="created_by", new_name="triggered_by"),
        migrations.AddField(
            model_name='comparerun',
            name='error',
            field=models.TextField(blank=True, verbose_name='失败原因'),
        ),
        migrations.AddField(
            model_name='comparerun',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='心跳时间'),
        ),
        migrations.AddField(
            model_name='comparerun',
            name='started_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='开始时间'),
        ),
        migrations.AddField(
            model_name='comparerun',
            name='worker',
            field=models.CharField(blank=True, max_length=128, verbose_name='后台进程'),
        ),
        migrations.AlterField(
            model_name='comparerun',
            name='status',
            field=models.CharField(choices=[('queued', '排队中'), ('running', '比对中'), ('done', '已完成'), ('refused', '有错误，未导入'), ('failed', '失败')], default='queued', max_length=16, verbose_name='状态'),
        ),
        migrations.RunPython(failure_message_from_stage, migrations.RunPython.noop),
    ]
