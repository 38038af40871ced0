"""The name's pinyin, the order of names in lists (members.Member.name_pinyin), filled in for the people on
file; the initials are filled again with it, now that a surname is read as one (曾 zeng, not ceng)."""

from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    from jiceng.core.pinyin import backfill, initials, sort_key

    backfill(schema_editor, "members_member", {"name_pinyin": sort_key, "name_initials": initials})


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0003_name_initials'),
        ('orgs', '0002_org_name_pinyin'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='member',
            options={'ordering': ['org_path', 'name_pinyin', 'id'], 'verbose_name': '成员', 'verbose_name_plural': '成员'},
        ),
        migrations.RemoveIndex(
            model_name='member',
            name='member_subtree',
        ),
        migrations.AddField(
            model_name='member',
            name='name_pinyin',
            field=models.CharField(blank=True, default='', editable=False, max_length=200),
        ),
        # filled before the index that holds it is built: one index build instead of a million updates of it
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='member',
            index=models.Index(fields=['org_path', 'name_pinyin', 'id'], name='member_subtree'),
        ),
    ]
