"""The name's pinyin, the order of organizations sorted by name (orgs.Org.name_pinyin), filled in for the
organizations on file."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from functools import partial

    from jiceng.core.pinyin import backfill, sort_key

    backfill(schema_editor, "orgs_org", {"name_pinyin": partial(sort_key, person=False)})


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='org',
            name='name_pinyin',
            field=models.CharField(blank=True, default='', editable=False, max_length=200),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
