"""The keyed index of an ID number's tail (members.Member.id_tail, core.idnumber.tail_index), filled in for the
people on file: the people picker finds a person by the last digits of the number."""

from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    from jiceng.core.idnumber import decrypt, tail_index

    Member = apps.get_model("members", "Member")
    batch = []
    rows = Member.objects.exclude(id_number_cipher="").order_by("pk").values_list("pk", "id_number_cipher")
    for pk, cipher in rows.iterator(chunk_size=5000):
        batch.append(Member(pk=pk, id_tail=tail_index(decrypt(cipher))))
        if len(batch) >= 5000:
            Member.objects.bulk_update(batch, ["id_tail"])
            batch = []
    if batch:
        Member.objects.bulk_update(batch, ["id_tail"])


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0004_name_pinyin'),
        ('orgs', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='member',
            name='id_tail',
            field=models.CharField(blank=True, default='', editable=False, max_length=16),
        ),
        migrations.AddIndex(
            model_name='member',
            index=models.Index(fields=['id_tail', 'org_path'], name='member_id_tail'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
