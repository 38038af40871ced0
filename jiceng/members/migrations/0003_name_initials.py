"""The name's pinyin initials for the search (members.Member.name_initials), filled in for the people on file."""

from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    from jiceng.core.pinyin import initials

    Member = apps.get_model("members", "Member")
    batch = []
    for pk, name in Member.objects.order_by("pk").values_list("pk", "name").iterator(chunk_size=5000):
        batch.append(Member(pk=pk, name_initials=initials(name)))
        if len(batch) >= 5000:
            Member.objects.bulk_update(batch, ["name_initials"])
            batch = []
    if batch:
        Member.objects.bulk_update(batch, ["name_initials"])


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0002_initial'),
        ('orgs', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='member',
            name='name_initials',
            field=models.CharField(blank=True, default='', editable=False, max_length=20),
        ),
        migrations.AddIndex(
            model_name='member',
            index=models.Index(fields=['name_initials'], name='member_initials'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
