import jiceng.core.registry
from django.db import migrations, models


class Migration(migrations.Migration):
    """What an export record says was taken out is one of the kinds the apps registered."""

    dependencies = [
        ("core", "0007_import_job_kind_registered"),
    ]

    operations = [
        migrations.AlterField(
            model_name="exportrecord",
            name="kind",
            field=models.CharField(choices=jiceng.core.registry.export_subject_choices, max_length=20, verbose_name="内容"),
        ),
    ]
