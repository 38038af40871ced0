"""The archive fields that became dated (DATED_FIELDS) get their first lines from the columns: for every
member with a known value and no line of that field yet, a line from the member's earliest belonging line
start (the same start a new member's first lines take), open. Set-based: members read in keyed chunks,
lines written with bulk_create in batches; no per-row save."""
from django.db import migrations

FIELDS = ("employment", "education", "degree", "title_level", "occupation")  # members.models.DATED_FIELDS then
CHUNK = 5000


def first_lines(apps, schema_editor):
    from django.db.models import Min

    Member = apps.get_model("members", "Member")
    BelongingLine = apps.get_model("members", "BelongingLine")
    CategoryLine = apps.get_model("members", "CategoryLine")
    AttributeLine = apps.get_model("members", "AttributeLine")
    last = 0
    while True:
        rows = list(Member.objects.filter(pk__gt=last).order_by("pk").values_list("pk", *FIELDS)[:CHUNK])
        if not rows:
            return
        last = rows[-1][0]
        ids = [r[0] for r in rows]
        starts = dict(BelongingLine.objects.filter(member_id__in=ids).values_list("member_id")
                      .annotate(first=Min("start")).values_list("member_id", "first"))
        fallback = dict(CategoryLine.objects.filter(member_id__in=ids).values_list("member_id")
                        .annotate(first=Min("start")).values_list("member_id", "first"))
        have = set(AttributeLine.objects.filter(member_id__in=ids).values_list("member_id", "field"))
        lines = []
        for pk, *values in rows:
            start = starts.get(pk) or fallback.get(pk)
            if start is None:
                continue  # a person with no dated line at all has no day to begin from
            lines += [AttributeLine(member_id=pk, field=f, value=v, start=start, note="")
                      for f, v in zip(FIELDS, values) if v and (pk, f) not in have]
        AttributeLine.objects.bulk_create(lines, batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0007_dated_fields_and_exits"),
    ]

    operations = [
        migrations.RunPython(first_lines, migrations.RunPython.noop, elidable=True),
    ]
