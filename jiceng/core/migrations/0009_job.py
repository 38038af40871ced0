import jiceng.core.registry
from django.db import migrations, models


def write_phase(apps, schema_editor):
    """The confirmed phase of an import was called "import"; it is the write of any job now."""
    apps.get_model("core", "Job").objects.filter(phase="import").update(phase="write")


def import_phase(apps, schema_editor):
    apps.get_model("core", "Job").objects.filter(phase="write").update(phase="import")


class Migration(migrations.Migration):
    """The import queue runs every long task: ImportJob becomes Job (its rows kept), with the task it runs;
    an import's tabular kind is its `sheet`."""

    dependencies = [
        ("core", "0008_export_record_kind_registered"),
    ]

    operations = [
        migrations.RenameModel("ImportJob", "Job"),
        migrations.RenameIndex(model_name="job", new_name="core_job_status", old_name="core_importjob_status"),
        migrations.RenameField(model_name="job", old_name="kind", new_name="sheet"),
        migrations.AlterField(
            model_name="job",
            name="sheet",
            field=models.CharField(blank=True, choices=jiceng.core.registry.sheet_choices, max_length=20,
                                   verbose_name="内容"),
        ),
        migrations.AddField(
            model_name="job",
            name="task",
            field=models.CharField(choices=jiceng.core.registry.job_kind_choices, default="import", max_length=20,
                                   verbose_name="任务"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="job",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="job",
            name="filename",
            field=models.CharField(blank=True, max_length=255, verbose_name="文件名"),
        ),
        migrations.AlterField(
            model_name="job",
            name="status",
            field=models.CharField(choices=[("queued", "排队中"), ("running", "进行中"), ("checked", "检查通过"),
                                            ("problems", "发现问题"), ("done", "已完成"), ("failed", "失败"),
                                            ("cancelled", "已取消")], default="queued", max_length=10, verbose_name="状态"),
        ),
        migrations.AlterModelOptions(name="job", options={"ordering": ["-created"], "verbose_name": "后台任务"}),
        migrations.RunPython(write_phase, import_phase),
    ]
