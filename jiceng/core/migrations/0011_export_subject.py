import jiceng.core.registry
from django.db import migrations, models


class Migration(migrations.Migration):
    """An export record's `kind` is what was taken out or shown: its `subject` (`kind` names organization kinds)."""

    dependencies = [("core", "0010_channel")]

    operations = [
        migrations.RenameField("exportrecord", "kind", "subject"),
        migrations.AlterField("exportrecord", "subject", models.CharField(
            choices=jiceng.core.registry.export_subject_choices, max_length=20, verbose_name="内容")),
    ]
