import jiceng.core.registry
from django.db import migrations, models


class Migration(migrations.Migration):
    """An import's kind is one the apps registered (a callable: no app is named here)."""

    dependencies = [
        ("core", "0006_import_job_queue"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importjob",
            name="kind",
            field=models.CharField(choices=jiceng.core.registry.sheet_choices, max_length=20, verbose_name="内容"),
        ),
    ]
